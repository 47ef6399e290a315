"""``corridors compare``: catalog corridors side by side under scenarios, as a table, CSV, JSON or a page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from geo.errors import OptionError
from maps.cli._common import Output, _jsonable, catalog_option, command, scenario_option, year_option
from maps.output import write_file

__all__ = ["compare_cmd"]

SUFFIXES = (".csv", ".json", ".html")


def _days(row: dict[str, Any]) -> str:
    lo, hi = row.get("days_min"), row.get("days_max")
    return "–" if lo is None or lo != lo else f"{lo:.0f}–{hi:.0f}"


def _num(value: Any, fmt: str = "{:,.0f}") -> str:
    return "–" if value is None or value != value else fmt.format(value)


@click.command("compare")
@click.argument("corridor_ids", nargs=-1, metavar="[ID]...")
@scenario_option
@year_option
@click.option(
    "--out",
    "out_file",
    default=None,
    metavar="FILE",
    help="Write the comparison to FILE: .csv, .json or .html (with a map of the corridors).",
)
@catalog_option
@command
def compare_cmd(
    corridor_ids: tuple[str, ...],
    scenarios: tuple[str, ...],
    year: int | None,
    out_file: str | None,
    catalog_files: tuple[Path, ...],
    output: Output,
) -> dict[str, Any]:
    """Compare catalog corridors (all without ID) in km, days, border crossings and CO2e, under scenarios.

    Each --scenario is a shipped scenario (corridors list --scenarios) or a scenario file (.toml); the first
    is the baseline the others are set against. Example:

        corridors compare northern-route middle-corridor xian-sea-duisburg --scenario baseline --scenario red-sea-closed
    """
    from maps.build import compare
    from maps.comparison import comparison_frame

    path = Path(out_file) if out_file else None
    if path is not None and path.suffix.lower() not in SUFFIXES:
        raise OptionError(f"--out {out_file}: the format comes from the suffix: use {', '.join(SUFFIXES)}")
    with output.progress("comparing") as progress:
        result = compare(
            corridor_ids, scenarios or ("baseline",), year=year, catalog_files=catalog_files, progress=progress
        )
    frame = comparison_frame(result.outcomes)
    rows = frame.to_dict("records")
    output.table(
        "Corridors compared",
        ["corridor", "scenario", "viable", "km", "days", "kg CO2e/TEU", "borders", "transshipments"],
        [
            [
                r["corridor_id"],
                r["scenario"],
                "yes" if r["viable"] else "no",
                _num(r["length_km"]),
                _days(r),
                _num(r["co2e_kg_per_teu"]),
                _num(r["border_crossings"], "{:.0f}"),
                _num(r["transshipments"], "{:.0f}"),
            ]
            for r in rows
        ],
        right=["km", "days", "kg CO2e/TEU", "borders", "transshipments"],
    )
    for r in rows:
        if not r["viable"]:
            output.say(f"{r['corridor_id']} ({r['scenario']}) not viable: {r['reason']}")
    if rows:
        output.say(f"CO2e: {rows[0]['co2e_scope'] or ''}; days: min–max of the transit model (geo/data/transit.toml)")
    for warning in result.warnings:
        output.warn(warning)
    if path is not None:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            text = frame.to_csv(index=False, lineterminator="\n")
        elif suffix == ".json":
            text = json.dumps(_jsonable({"rows": rows}), ensure_ascii=False, indent=2) + "\n"
        else:
            text = result.html(with_map=True)
        write_file(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))
        output.say(f"Wrote {path}")
    return {
        "scenarios": [s.label for s in result.scenarios],
        "rows": rows,
        "warnings": list(result.warnings),
        "out": str(path) if path else None,
    }
