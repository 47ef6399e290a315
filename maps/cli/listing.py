"""``corridors list``: the catalog's corridors or hubs, as a table or as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from maps.cli._common import Output, catalog_option, command

__all__ = ["list_cmd"]


@click.command("list")
@click.option("--hubs", "show_hubs", is_flag=True, help="List the hubs (id, name, country, kind, position).")
@click.option("--scenarios", "show_scenarios", is_flag=True, help="List the shipped scenarios (for --scenario).")
@catalog_option
@command
def list_cmd(show_hubs: bool, show_scenarios: bool, catalog_files: tuple[Path, ...], output: Output) -> dict[str, Any]:
    """Print the catalog's corridors (or, with --hubs, its hubs; with --scenarios, the scenarios).

    Also checks catalog files given with --catalog, without building.
    """
    from geo.catalog import load_catalog

    if show_scenarios:
        from geo.scenarios import shipped_scenarios

        scenarios: list[dict[str, Any]] = [
            {"name": s.name, "as_of": s.as_of, "description": s.description, "sources": [str(x) for x in s.sources]}
            for s in shipped_scenarios().values()
        ]
        output.table(
            "Scenarios",
            ["name", "as of", "description"],
            [[str(s["name"]), str(s["as_of"]), str(s["description"])] for s in scenarios],
        )
        return {"scenarios": scenarios}
    catalog = load_catalog(catalog_files)
    if show_hubs:
        hubs = [
            {
                "id": h.id,
                "name": h.name,
                "country": h.country,
                "kind": str(h.kind),
                "lat": h.lat,
                "lon": h.lon,
                "catalog": catalog.origin.get(f"hub:{h.id}", ""),
            }
            for h in catalog.hubs.values()
        ]
        output.table(
            "Hubs",
            ["id", "name", "country", "kind", "lat", "lon"],
            [[h.id, h.name, h.country, str(h.kind), f"{h.lat:.3f}", f"{h.lon:.3f}"] for h in catalog.hubs.values()],
            right=["lat", "lon"],
        )
        return {"hubs": hubs}
    corridors: list[dict[str, Any]] = []
    for c in catalog.corridors.values():
        first, last = catalog.hubs[c.hub_ids[0]], catalog.hubs[c.hub_ids[-1]]
        corridors.append(
            {
                "id": c.id,
                "name": c.name,
                "legs": len(c.legs),
                "modes": list(dict.fromkeys(str(leg.mode) for leg in c.legs)),
                "from_hub": first.id,
                "to_hub": last.id,
                "route": f"{first.name} → {last.name}",
                "catalog": catalog.origin.get(f"corridor:{c.id}", ""),
            }
        )
    output.table(
        "Corridors",
        ["id", "name", "legs", "modes", "route"],
        [
            [str(c[k]) if k != "modes" else ",".join(c[k]) for k in ("id", "name", "legs", "modes", "route")]
            for c in corridors
        ],
        right=["legs"],
    )
    return {"corridors": corridors}
