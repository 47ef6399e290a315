"""``corridors route``: an ad-hoc route on the multimodal graph, built like a catalog corridor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from maps.cli._common import (
    Output,
    catalog_option,
    command,
    formats_option,
    modes_option,
    parse_modes,
    tiles_attr_option,
    tiles_from_options,
    tiles_option,
)

__all__ = ["route_cmd"]


@click.command("route")
@click.argument("origin", metavar="FROM")
@click.argument("destination", metavar="TO")
@click.option("--via", multiple=True, metavar="HUB", help="Pass through this hub (or lat,lon); repeatable, in order.")
@click.option("--avoid", default="", metavar="ISO3,...", help="Countries the route must not enter, e.g. RUS,BLR.")
@modes_option("the route")
@click.option(
    "--boundaries",
    type=click.Path(path_type=Path, dir_okay=False, exists=False),
    default=None,
    metavar="FILE",
    help="Your own admin-0 country outlines (any GDAL format with an ISO3 column) for --avoid.",
)
@click.option(
    "--allow-closed-borders",
    is_flag=True,
    help="Let the route cross closed borders (RUS-UKR, ARM-AZE, ...; geo/data/borders.toml), with a warning.",
)
@click.option(
    "--scenario",
    "scenario_name",
    default=None,
    metavar="NAME|FILE",
    help="Route under a scenario: its avoided countries, closed sea passages, opened borders.",
)
@click.option(
    "--by",
    type=click.Choice(["km", "days"]),
    default="km",
    show_default=True,
    help="Shortest route (km) or fastest by the transit model (days: border and transshipment dwell count).",
)
@click.option(
    "--out",
    default=None,
    metavar="DIR",
    help="Also build the route's map and layers into this folder (without it, the answer only, in about two seconds).",
)
@tiles_option
@tiles_attr_option
@formats_option
@catalog_option
@command
def route_cmd(
    origin: str,
    destination: str,
    via: tuple[str, ...],
    avoid: str,
    modes: str,
    boundaries: Path | None,
    allow_closed_borders: bool,
    scenario_name: str | None,
    by: str,
    out: str | None,
    tiles: str,
    tiles_attr: str,
    formats: str,
    catalog_files: tuple[Path, ...],
    output: Output,
) -> dict[str, Any]:
    """Find a route from FROM to TO (hub ids or lat,lon); with --out DIR, build its map and layers there.

    It routes on one graph of the rail and road networks plus sea and ferry links
    between ports, changing mode only at hubs. Example:

        corridors route xian duisburg --avoid RUS,BLR
    """
    countries = [a.strip() for a in avoid.split(",") if a.strip()]
    chosen = parse_modes(modes)
    scenario = None
    if scenario_name:
        from geo.scenarios import load_scenario  # here: its sea-route machinery is needed only with a scenario

        scenario = load_scenario(scenario_name)
    options: dict[str, Any] = {
        "via": via,
        "avoid": countries,
        "modes": chosen,
        "boundaries": boundaries,
        "closed_borders": "allow" if allow_closed_borders else "respect",
        "scenario": scenario,
        "by": "days" if by == "days" else "km",
        "catalog_files": catalog_files,
    }
    built = None
    planned: Any
    with output.progress("routing") as progress:
        if out is None:
            from geo.multimodal import route_figures
            from maps.planning import plan_ad_hoc

            plan = plan_ad_hoc(origin, destination, progress=progress, **options)
            planned = plan.planned
            legs_rows, total = route_figures(planned, plan.catalog)
        else:
            from maps.build import build_route

            result = build_route(
                origin,
                destination,
                out=out,
                tiles=tiles_from_options(tiles, tiles_attr),
                formats=formats,
                progress=progress,
                **options,
            )
            planned, built = result, result.build
            legs_rows = result.layers.legs.to_dict("records")
            total = result.layers.corridors.iloc[0].to_dict()
    legs = [
        {
            "seq": seq,
            "from_hub": leg["from_hub"],
            "to_hub": leg["to_hub"],
            "mode": leg["mode"],
            "length_km": float(leg["length_km"]),
            "days_min": float(leg["days_min"]),
            "days_max": float(leg["days_max"]),
            "co2e_kg_per_tonne": float(leg["co2e_kg_per_tonne"]),
            "on_network_share": float(leg["on_network_share"]),
            "countries": [c for c in str(leg["countries"]).split(",") if c],
        }
        for seq, leg in enumerate(legs_rows, start=1)
    ]
    rows = [
        [f"{leg['from_hub']} → {leg['to_hub']}", leg["mode"], f"{leg['length_km']:,.0f}",
         f"{leg['days_min']:.1f}–{leg['days_max']:.1f}", f"{leg['on_network_share']:.0%}", " ".join(leg["countries"])]
        for leg in legs
    ]  # fmt: skip
    crossings, moves = int(total["border_crossings"]), int(total["transshipments"])
    borders_moves = (
        f"{crossings} border crossing{'s' if crossings != 1 else ''}, {moves} transshipment{'s' if moves != 1 else ''}"
    )
    rows.append(
        ["total", "", f"{total['length_km']:,.0f}", f"{total['days_min']:.0f}–{total['days_max']:.0f}", "",
         borders_moves]
    )  # fmt: skip
    corridor = planned.corridor
    output.table(
        corridor.name,
        ["leg", "mode", "km", "days", "on network", "countries"],
        rows,
        right=["km", "days", "on network"],
    )
    output.say(
        f"Transit {total['days_min']:.0f}–{total['days_max']:.0f} days (border dwell, transshipments and waits "
        f"included); CO2e {total['co2e_kg_per_tonne']:,.0f} kg per tonne, {total['co2e_kg_per_teu']:,.0f} kg per TEU "
        f"({total['co2e_scope']})"
    )
    if planned.avoided_borders:
        output.say("Closed borders respected: " + ", ".join(b.describe() for b in planned.avoided_borders))
    for warning in planned.warnings:
        output.warn(warning)
    page = built.out / "maps" / f"{corridor.id}.html" if built is not None else None
    if built is not None and page is not None:
        output.say(f"Built {corridor.id} into {built.out}/ in {output.elapsed():.1f} s")
        output.say(f"  open {page}")
    else:
        output.say(f"Routed in {output.elapsed():.1f} s; add --out DIR for its map and layers")
    columns = [
        "length_km", "rail_km", "road_km", "sea_km", "ferry_km", "border_crossings", "gauge_breaks", "transshipments",
        "days_min", "days_max", "co2e_kg_per_tonne", "co2e_kg_per_teu", "co2e_scope",
    ]  # fmt: skip
    return {
        "id": corridor.id,
        "name": corridor.name,
        "from": origin,
        "to": destination,
        "via": list(via),
        "avoid": [a.upper() for a in countries],
        "modes": [str(m) for m in chosen],
        **{c: _plain(total[c]) for c in columns},
        "countries": [c for c in str(total["countries"]).split(",") if c],
        "legs": legs,
        "closed_borders": "allow" if allow_closed_borders else "respect",
        "scenario": scenario.label if scenario else None,
        "by": by,
        "avoided_borders": [
            {"border": b.label, "state": b.state, "since": b.since, "sources": [s.url or s.text for s in b.sources]}
            for b in planned.avoided_borders
        ],
        "warnings": list(planned.warnings),
        "out": str(built.out) if built is not None else None,
        "map": str(page) if page is not None else None,
        "files": [p.as_posix() for p in built.files] if built is not None else [],
    }


def _plain(value: Any) -> Any:
    """A figure as a plain Python number or string (NumPy scalars from the layers become floats and ints)."""
    return value.item() if hasattr(value, "item") else value
