"""The ``corridors matrix`` pipeline: places in, one row per pair out (CSV or Parquet), in process or on Dask."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from geo.catalog import load_catalog
from geo.errors import OptionError, OutputError
from geo.matrix import MATRIX_COLUMNS, matrix_input, od_matrix
from geo.model import Mode
from geo.places import places_from_argument
from geo.scenarios import Scenario
from maps.output import write_file
from maps.planning import Silent, prepare_networks

__all__ = ["MATRIX_SUFFIXES", "MatrixResult", "matrix", "write_matrix"]

MATRIX_SUFFIXES = (".csv", ".parquet")


@dataclass(frozen=True)
class MatrixResult:
    rows: pd.DataFrame
    origins: int
    destinations: int
    workers: str
    """``in process``, ``local Dask cluster of N workers`` or ``Dask scheduler ADDRESS``."""


def matrix(
    origins: str,
    destinations: str,
    *,
    modes: Iterable[Mode],
    avoid: Sequence[str] = (),
    scenario: Scenario | None = None,
    by: Literal["km", "days"] = "km",
    closed_borders: Literal["respect", "allow"] = "respect",
    workers: int | None = None,
    scheduler: str | None = None,
    catalog_files: Sequence[Path | str] = (),
    progress: Any = None,
) -> MatrixResult:
    """Routes from every origin to every destination (each a CSV of ``id,lat,lon`` or comma-separated hub ids).

    Raises
    ------
    CatalogError
        A malformed CSV (the file, the row, the column and the value).
    OptionError
        An unknown hub id; Dask options without Dask.
    """
    progress = progress or Silent()
    if workers is not None and scheduler:
        raise OptionError("--workers starts a local cluster, --scheduler uses one: give one of them")
    if workers is not None and workers < 1:
        raise OptionError(f"--workers {workers}: give at least 1")
    catalog = load_catalog(catalog_files)
    o = places_from_argument(origins, catalog, role="ORIGINS")
    d = places_from_argument(destinations, catalog, role="DESTINATIONS")
    chosen = tuple(modes)
    prepare_networks([str(m) for m in chosen if m in (Mode.RAIL, Mode.ROAD)], progress)
    avoid = list(
        dict.fromkeys(
            [*(a.strip().upper() for a in avoid if a.strip()), *(scenario.avoid_countries if scenario else ())]
        )
    )
    progress.note("building the multimodal graph")
    job = matrix_input(
        catalog,
        o,
        d,
        modes=chosen,
        avoid=avoid,
        closed_borders=closed_borders,
        sea_restrictions=scenario.closed_passages if scenario else (),
        open_borders=scenario.open_borders if scenario else (),
        by=by,
    )
    progress.start(len(o))
    done = [0]

    def step(n: int) -> None:
        done[0] += n
        progress.step(f"origins {done[0]}/{len(o)}")

    if workers is not None or scheduler:
        from geo.distributed import od_matrix_on_dask

        rows = od_matrix_on_dask(job, workers=workers, scheduler=scheduler, step=step)
        where = f"Dask scheduler {scheduler}" if scheduler else f"local Dask cluster of {workers} workers"
    else:
        rows = od_matrix(job, step=step)
        where = "in process"
    frame = pd.DataFrame(rows, columns=MATRIX_COLUMNS)
    frame["reachable"] = frame["reachable"].astype(bool)
    for col in ("border_crossings", "gauge_breaks", "transshipments"):
        frame[col] = frame[col].astype("Int32")
    return MatrixResult(frame, len(o), len(d), where)


def write_matrix(frame: pd.DataFrame, path: Path) -> None:
    """Write the matrix to ``path`` (``.csv`` or ``.parquet``) through a temporary file beside it.

    Raises
    ------
    OutputError
        A suffix other than .csv or .parquet, a missing folder, or a file that cannot be written.
    """
    suffix = path.suffix.lower()
    if suffix not in MATRIX_SUFFIXES:
        raise OutputError(f"--out {path}: the format comes from the suffix: use {', '.join(MATRIX_SUFFIXES)}")
    if suffix == ".csv":
        write_file(path, lambda tmp: frame.to_csv(tmp, index=False, lineterminator="\n"))
    else:
        write_file(path, lambda tmp: frame.to_parquet(tmp, index=False))
