"""``corridors flows``: freight flows assigned to their routes, summed per leg and edge, drawn as a flow map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from maps.cli._common import (
    Output,
    catalog_option,
    command,
    modes_option,
    parse_modes,
    tiles_attr_option,
    tiles_from_options,
    tiles_option,
)

__all__ = ["flows_cmd"]

TOP_LEGS = 12
"""How many legs the table shows (the busiest; ``--json`` has them all)."""


@click.command("flows")
@click.argument("flows_file", metavar="FLOWS.csv", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", default=None, metavar="DIR", help="Output folder [default: ./<FLOWS>-map].")
@modes_option("the routes")
@click.option("--avoid", default="", metavar="ISO3,...", help="Countries no route may enter, e.g. RUS,BLR.")
@tiles_option
@tiles_attr_option
@catalog_option
@command
def flows_cmd(
    flows_file: Path,
    out: str | None,
    modes: str,
    avoid: str,
    tiles: str,
    tiles_attr: str,
    catalog_files: tuple[Path, ...],
    output: Output,
) -> dict[str, Any]:
    """Assign the flows of FLOWS.csv to their routes and draw them: layers/flows.gpkg and maps/flows.html in --out DIR.

    FLOWS.csv has the columns origin,destination,volume,unit: origin and
    destination are hub ids or "lat,lon" (quoted), the unit tonnes or TEU.
    Each origin–destination pair takes its shortest route (as corridors route
    finds it); volumes are summed per leg and per network edge, tonnes and TEU
    apart. Example:

        corridors flows geo/data/examples/flows-illustrative.csv --out flows-map
    """
    from geo.flows import UNITS, format_volume
    from maps.flows_pipeline import build_flows

    chosen = parse_modes(modes)
    countries = [a.strip() for a in avoid.split(",") if a.strip()]
    with output.progress("flows") as progress:
        result = build_flows(
            flows_file,
            out,
            modes=chosen,
            avoid=countries,
            catalog_files=catalog_files,
            tiles=tiles_from_options(tiles, tiles_attr),
            progress=progress,
        )
    a = result.assignment
    legs = result.layers.legs
    busiest = legs.sort_values(["teu", "tonnes"], ascending=False, kind="stable")
    rows = [
        [f"{leg.from_hub} → {leg.to_hub}", leg.mode, format_volume(leg.tonnes) if leg.tonnes else "",
         format_volume(leg.teu) if leg.teu else "", str(leg.n_flows), f"{leg.length_km:,.0f}"]
        for leg in busiest.head(TOP_LEGS).itertuples(index=False)
    ]  # fmt: skip
    title = f"Busiest legs ({min(TOP_LEGS, len(legs))} of {len(legs)})"
    output.table(title, ["leg", "mode", "tonnes", "TEU", "flows", "km"], rows, right=["tonnes", "TEU", "flows", "km"])
    for u in a.unassigned:
        output.warn(f"flow on line {a.flows[u.flow].line} ({a.flows[u.flow].label()}) has no route: {u.reason}")
    totals = {unit: a.total(unit, assigned=True) for unit in UNITS}
    done = len(a.flows) - len(a.unassigned)
    summary = ", ".join(f"{format_volume(v)} {unit}" for unit, v in totals.items() if v)
    output.say(
        f"Assigned {done} of {len(a.flows)} flows ({len(a.routes)} routes{': ' + summary if summary else ''}) "
        f"in {a.seconds:.1f} s"
    )
    output.say(f"Built flows into {result.out}/ in {output.elapsed():.1f} s")
    output.say(f"  open {result.map}")
    inputs = result.layers.inputs
    return {
        "flows_file": str(flows_file),
        "modes": [str(m) for m in chosen],
        "avoid": [c.upper() for c in countries],
        "n_flows": len(a.flows),
        "n_assigned": done,
        "n_routes": len(a.routes),
        "assigned": {unit: totals[unit] for unit in UNITS},
        "unassigned": [
            {"line": a.flows[u.flow].line, "flow": a.flows[u.flow].label(), "reason": u.reason} for u in a.unassigned
        ],
        "flows": [
            {
                "flow_id": int(r.flow_id),
                "line": int(r.line),
                "origin": r.origin_hub,
                "destination": r.destination_hub,
                "volume": float(r.volume),
                "unit": r.unit,
                "assigned": bool(r.assigned),
                "route": r.route,
                "length_km": float(r.length_km),
                "reason": r.reason,
            }
            for r in inputs.itertuples(index=False)
        ],
        "legs": [
            {
                "from_hub": leg.from_hub,
                "to_hub": leg.to_hub,
                "mode": leg.mode,
                "tonnes": float(leg.tonnes),
                "teu": float(leg.teu),
                "n_flows": int(leg.n_flows),
                "length_km": float(leg.length_km),
            }
            for leg in legs.itertuples(index=False)
        ],
        "routing_seconds": a.seconds,
        "out": str(result.out),
        "map": str(result.map),
        "files": [p.as_posix() for p in result.files],
    }
