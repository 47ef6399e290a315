"""Gap-fill track: sourced rail lines the shipped network lacks or draws badly.

The lines are package data, ``geo/data/gapfill.toml``: each one names its
stations and bends with the source of every coordinate, the accuracy of the
drawing (km), the sources of the line itself, and the network's raw edges it
supersedes (``replaces``). :func:`load_gapfill` reads and checks the file (one
line per problem, like the catalog's); :func:`gapfill_edges` turns the lines
into network edges, split every :data:`geo.network_data.DENSIFY_KM` like the
network's own. :func:`geo.network_data.load_network` merges them into the rail
network before healing, each edge labelled with its line's index so that routes
can report their gap-fill km apart.

Coordinates are WGS84 (EPSG:4326) decimal degrees, lat/lon in the file and
lon/lat in arrays; lengths are geodesic (WGS84), in km.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, field_validator

from geo.catalog import _format_error, _validate
from geo.errors import CatalogError, toml_problem
from geo.geodesy import km_to_chord, unit_xyz
from geo.model import Source, Text, _Strict

__all__ = [
    "GAPFILL_ATTRIBUTION",
    "REPLACE_MATCH_KM",
    "GapfillEdges",
    "GapfillLine",
    "GapfillPoint",
    "default_gapfill_path",
    "gapfill_digest",
    "gapfill_edges",
    "load_gapfill",
    "replaced_pairs",
    "shipped_gapfill",
]

GAPFILL_ATTRIBUTION = "Gap-fill rail lines: digitised by corridor-mapper from the cited sources (geo/data/gapfill.toml)"
REPLACE_MATCH_KM = 1.0
"""A ``replaces`` end coordinate matches a network node within this distance."""

Lat = Annotated[float, Field(ge=-90, le=90, strict=True)]
Lon = Annotated[float, Field(ge=-180, le=180, strict=True)]


def _sources(value: Any) -> Any:
    """Accept ``url = ""`` for a source without an address, as the research notes write it."""
    if isinstance(value, list):
        return [{**v, "url": v.get("url") or None} if isinstance(v, dict) else v for v in value]
    return value


class GapfillPoint(_Strict):
    """A station or bend of a gap-fill line, with the source of its coordinate."""

    lat: Lat
    lon: Lon
    source: Text
    name: str = ""


class GapfillLine(_Strict):
    """A gap-fill line: its points in order, how well they are known, and where they come from."""

    id: str
    name: Text
    mode: Literal["rail"]
    opened: str
    accuracy_km: Annotated[float, Field(gt=0, strict=True)]
    sources: Annotated[list[Source], Field(min_length=1)]
    points: Annotated[list[GapfillPoint], Field(min_length=2)]
    notes: str = ""
    replaces: tuple[tuple[float, float, float, float], ...] = ()

    _sources = field_validator("sources", mode="before")(_sources)

    @field_validator("opened")
    @classmethod
    def _iso_date(cls, value: str) -> str:
        if value:
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                raise ValueError('must be an ISO date "YYYY-MM-DD", or "" when not known') from None
        return value


def default_gapfill_path() -> Path:
    """The gap-fill file shipped with the package."""
    return Path(str(resources.files("geo") / "data" / "gapfill.toml"))


def gapfill_digest(path: Path | None = None) -> str:
    """A short hash of the gap-fill file, for cache keys (editing the file rebuilds the network cache)."""
    data = (path or default_gapfill_path()).read_bytes()
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")[:12]


@functools.cache
def shipped_gapfill() -> tuple[GapfillLine, ...]:
    """The lines of the shipped gap-fill file, read once (the lines the rail network was built with)."""
    return tuple(load_gapfill())


def load_gapfill(path: Path | None = None) -> list[GapfillLine]:
    """The gap-fill lines of ``path`` (default: the shipped file), in file order.

    Raises
    ------
    CatalogError
        The file is missing, not TOML, or a line breaks the schema: every problem, one line each.
    """
    path = path or default_gapfill_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the gap-fill file ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(toml_problem(path, exc)) from None
    problems: list[str] = []
    unknown = set(data) - {"lines"}
    if unknown:
        problems.append(
            f"{path}: unknown top-level table {', '.join(sorted(map(repr, unknown)))}: "
            "a gap-fill file holds only [lines.<id>] tables"
        )
    lines = []
    for key, value in (data.get("lines") or {}).items():
        if not isinstance(value, dict):
            problems.append(f"{path}: line {key!r}: expected a table, got {type(value).__name__}")
            continue
        line, errors = _validate(GapfillLine, key, value)
        problems += [_format_error(f"{path}: line {key!r}", e, GapfillLine, key) for e in errors]
        if line is not None:
            lines.append(line)
    if problems:
        raise CatalogError(problems)
    return lines


@dataclass(frozen=True)
class GapfillEdges:
    """Gap-fill lines as network edges: new nodes, edges between them, and raw edges to drop.

    ``a`` and ``b`` index ``lon``/``lat`` (the new nodes only); ``line`` is each
    edge's index into the lines; ``ends`` each line's first and last node;
    ``replaces`` holds (lon1, lat1, lon2, lat2) rows.
    """

    lon: np.ndarray
    lat: np.ndarray
    a: np.ndarray
    b: np.ndarray
    line: np.ndarray
    ends: np.ndarray
    replaces: np.ndarray


def gapfill_edges(lines: list[GapfillLine], *, max_km: float) -> GapfillEdges:
    """The lines' points chained into edges, each split into pieces of at most ``max_km`` (geodesic)."""
    from geo.heal import densify_edges  # here: geo.heal brings SciPy, which naming the networks' files never needs

    lon_parts, lat_parts, a_parts, b_parts, line_parts = [], [], [], [], []
    n = 0
    ends = []
    for i, line in enumerate(lines):
        lon = np.array([p.lon for p in line.points])
        lat = np.array([p.lat for p in line.points])
        a = np.arange(len(lon) - 1)
        lon2, lat2, a2, b2 = densify_edges(lon, lat, a, a + 1, max_km=max_km)
        lon_parts.append(lon2)
        lat_parts.append(lat2)
        a_parts.append(a2 + n)
        b_parts.append(b2 + n)
        line_parts.append(np.full(len(a2), i, dtype=np.int16))
        ends.append((n, n + len(lon) - 1))  # densify_edges appends its new nodes after the given ones
        n += len(lon2)
    reps = [(r[1], r[0], r[3], r[2]) for line in lines for r in line.replaces]

    def cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)

    return GapfillEdges(
        cat(lon_parts, float),
        cat(lat_parts, float),
        cat(a_parts, np.int64),
        cat(b_parts, np.int64),
        cat(line_parts, np.int16),
        np.array(ends, dtype=np.int64).reshape(-1, 2),
        np.array(reps, dtype=float).reshape(-1, 4),
    )


def replaced_pairs(lon: np.ndarray, lat: np.ndarray, pairs: np.ndarray, replaces: np.ndarray) -> np.ndarray:
    """A mask of the edges ``pairs`` (node ids) whose two ends match a ``replaces`` row within 1 km.

    Raises
    ------
    CatalogError
        A ``replaces`` entry matches no edge (the network changed, or the coordinates are wrong).
    """
    drop = np.zeros(len(pairs), dtype=bool)
    if not len(replaces):
        return drop
    xyz = unit_xyz(lon, lat)
    chord = km_to_chord(REPLACE_MATCH_KM)

    def near(lon0: float, lat0: float) -> np.ndarray:  # nodes within the match distance (chords: cheap)
        return np.linalg.norm(xyz - unit_xyz(np.array([lon0]), np.array([lat0]))[0], axis=1) <= chord

    for lon1, lat1, lon2, lat2 in replaces.tolist():
        n1, n2 = near(lon1, lat1), near(lon2, lat2)
        pa, pb = pairs[:, 0], pairs[:, 1]
        hit = (n1[pa] & n2[pb]) | (n2[pa] & n1[pb])
        if not hit.any():
            raise CatalogError(
                f"gapfill.toml: replaces = [{lat1}, {lon1}, {lat2}, {lon2}] matches no network edge within "
                f"{REPLACE_MATCH_KM:g} km: give the end nodes of the raw edge to drop, or remove the entry"
            )
        drop |= hit
    return drop
