"""``corridors list``: the catalog's corridors or hubs as a table."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from geo.catalog import load_catalog
from maps.cli._common import catalog_option, out_console, user_errors

__all__ = ["list_cmd"]


@click.command("list")
@click.option(
    "--hubs", "show_hubs", is_flag=True, help="List the hubs (id, name, country, kind) instead of the corridors."
)
@catalog_option
@user_errors
def list_cmd(show_hubs: bool, catalog_files: tuple[Path, ...]) -> None:
    """Print the catalog's corridors (or, with --hubs, its hubs) as a table."""
    catalog = load_catalog(catalog_files)
    if show_hubs:
        table = Table(title="Hubs", title_justify="left")
        for col in ("id", "name", "country", "kind", "lat", "lon"):
            table.add_column(col, overflow="fold")
        for h in catalog.hubs.values():
            table.add_row(escape(h.id), escape(h.name), h.country, str(h.kind), f"{h.lat:.3f}", f"{h.lon:.3f}")
        out_console.print(table)
        return
    table = Table(title="Corridors", title_justify="left")
    for col in ("id", "name", "legs", "modes", "route"):
        table.add_column(col, overflow="fold")
    for c in catalog.corridors.values():
        modes = ", ".join(dict.fromkeys(str(leg.mode) for leg in c.legs))
        ends = f"{catalog.hubs[c.hub_ids[0]].name} → {catalog.hubs[c.hub_ids[-1]].name}"
        table.add_row(escape(c.id), escape(c.name), str(len(c.legs)), modes, escape(ends))
    out_console.print(table)
