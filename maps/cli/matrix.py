"""``corridors matrix``: routes from many origins to many destinations, one row per pair."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from maps.cli._common import Output, catalog_option, command, modes_option, parse_modes

__all__ = ["matrix_cmd"]


@click.command("matrix")
@click.argument("origins", metavar="ORIGINS")
@click.argument("destinations", metavar="DESTINATIONS")
@click.option("--avoid", default="", metavar="ISO3,...", help="Countries no route may enter, e.g. RUS,BLR.")
@modes_option("routes")
@click.option("--scenario", "scenario_name", default=None, metavar="NAME|FILE", help="Route under a scenario.")
@click.option("--by", type=click.Choice(["km", "days"]), default="km", show_default=True,
              help="Shortest (km) or fastest by the transit model (days).")  # fmt: skip
@click.option("--allow-closed-borders", is_flag=True, help="Let routes cross closed borders.")
@click.option("--out", "out_file", default=None, metavar="FILE", help="Write the matrix: .csv or .parquet.")
@click.option("--workers", type=int, default=None, metavar="N", help="Solve on a local Dask cluster of N workers.")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="Solve on the Dask cluster at ADDRESS (tcp://...).")
@catalog_option
@command
def matrix_cmd(
    origins: str,
    destinations: str,
    avoid: str,
    modes: str,
    scenario_name: str | None,
    by: str,
    allow_closed_borders: bool,
    out_file: str | None,
    workers: int | None,
    scheduler: str | None,
    catalog_files: tuple[Path, ...],
    output: Output,
) -> dict[str, Any]:
    """Route from every origin to every destination: ORIGINS and DESTINATIONS are each a CSV file with columns
    id,lat,lon, or comma-separated hub ids. Example:

        corridors matrix xian,chengdu duisburg,rotterdam,istanbul --avoid RUS,BLR --out m.csv
    """
    from geo.scenarios import load_scenario
    from maps.matrix import MATRIX_SUFFIXES, matrix, write_matrix

    path = Path(out_file) if out_file else None
    if path is not None and path.suffix.lower() not in MATRIX_SUFFIXES:
        from geo.errors import OptionError

        raise OptionError(f"--out {out_file}: the format comes from the suffix: use {', '.join(MATRIX_SUFFIXES)}")
    scenario = load_scenario(scenario_name) if scenario_name else None
    with output.progress("matrix") as progress:
        result = matrix(
            origins,
            destinations,
            modes=parse_modes(modes),
            avoid=[a for a in avoid.split(",") if a.strip()],
            scenario=scenario,
            by="days" if by == "days" else "km",
            closed_borders="allow" if allow_closed_borders else "respect",
            workers=workers,
            scheduler=scheduler,
            catalog_files=catalog_files,
            progress=progress,
        )
    frame = result.rows
    if path is not None:
        write_matrix(frame, path)
    elif not output.json:
        shown = frame.fillna("")
        output.table(
            "Matrix",
            ["origin", "destination", "km", "days", "borders", "countries"],
            [
                [r.origin_id, r.destination_id, f"{r.length_km:,.0f}" if r.reachable else "–",
                 f"{r.days_min:.0f}–{r.days_max:.0f}" if r.reachable else r.reason, str(r.border_crossings),
                 str(r.countries)]
                for r in shown.itertuples()
            ],
            right=["km", "borders"],
        )  # fmt: skip
    reachable = int(frame["reachable"].sum())
    output.say(
        f"{len(frame)} pairs ({result.origins} × {result.destinations}), {reachable} reachable, "
        f"{result.workers}, in {output.elapsed():.1f} s" + (f"; wrote {path}" if path else "")
    )
    return {
        "pairs": len(frame),
        "reachable": reachable,
        "out": str(path) if path else None,
        "workers": result.workers,
        "rows": frame.to_dict("records") if path is None else None,
    }
