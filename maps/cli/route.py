"""``corridors route``: an ad-hoc route on the multimodal graph, built like a catalog corridor."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from geo.catalog import load_catalog
from geo.countries import boundaries_from_file
from geo.errors import OptionError
from geo.model import Mode
from geo.multimodal import DEFAULT_MODES, plan_route
from layers.frames import layers_from_catalog
from maps.build import build_from_layers, check_options
from maps.cli._common import (
    RichProgress,
    catalog_option,
    err_console,
    formats_option,
    out_console,
    tiles_attr_option,
    tiles_from_options,
    tiles_option,
    user_errors,
    warm_networks,
)

__all__ = ["parse_modes", "route_cmd"]


def parse_modes(text: str) -> tuple[Mode, ...]:
    """``rail,sea`` → (Mode.RAIL, Mode.SEA); an unknown name lists the valid ones."""
    names = [m.strip().lower() for m in text.split(",") if m.strip()]
    bad = [m for m in names if m not in {str(x) for x in Mode}]
    if bad or not names:
        raise OptionError(f"--modes {text!r}: choose from {', '.join(map(str, Mode))}, comma-separated")
    return tuple(dict.fromkeys(Mode(m) for m in names))


@click.command("route")
@click.argument("origin", metavar="FROM")
@click.argument("destination", metavar="TO")
@click.option("--via", multiple=True, metavar="HUB", help="Pass through this hub (or lat,lon); repeatable, in order.")
@click.option("--avoid", default="", metavar="ISO3,...", help="Countries the route must not enter, e.g. RUS,BLR.")
@click.option(
    "--modes",
    default=",".join(map(str, DEFAULT_MODES)),
    show_default=True,
    metavar="LIST",
    help="Modes the route may use: rail, road, sea, ferry.",
)
@click.option(
    "--boundaries",
    type=click.Path(path_type=Path, dir_okay=False, exists=False),
    default=None,
    metavar="FILE",
    help="Your own admin-0 country outlines (any GDAL format with an ISO3 column) for --avoid.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Output folder [default: ./route-FROM-TO].",
)
@tiles_option
@tiles_attr_option
@formats_option
@catalog_option
@user_errors
def route_cmd(
    origin: str,
    destination: str,
    via: tuple[str, ...],
    avoid: str,
    modes: str,
    boundaries: Path | None,
    out: Path | None,
    tiles: str,
    tiles_attr: str,
    formats: str,
    catalog_files: tuple[Path, ...],
) -> None:
    """Find a route from FROM to TO (hub ids or lat,lon) and build its map and layers.

    It routes on one graph of the rail and road networks plus sea and ferry links
    between ports, changing mode only at hubs. Example:

        corridors route xian duisburg --avoid RUS,BLR
    """
    started = time.perf_counter()
    chosen = parse_modes(modes)
    basemap = tiles_from_options(tiles, tiles_attr)
    check_options(formats, basemap, None)  # before any slow work
    outlines = boundaries_from_file(boundaries) if boundaries else None
    catalog = load_catalog(catalog_files)
    warm_networks(str(m) for m in chosen if m in (Mode.RAIL, Mode.ROAD))
    with err_console.status("routing") as status:
        planned = plan_route(
            catalog,
            origin,
            destination,
            via=via,
            avoid=[a for a in avoid.split(",") if a.strip()],
            modes=chosen,
            boundaries=outlines,
            progress=lambda text: status.update(escape(text)),
        )
    route_catalog = planned.catalog(catalog)
    layers = layers_from_catalog(route_catalog, [planned.corridor], geometry_of=planned.geometry_of)
    out = out or Path(planned.corridor.id)
    parameters = {"input": f"corridors route {origin} {destination}", "avoid": avoid or "none", "modes": modes}
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        progress = RichProgress(bar)
        build_from_layers(layers, out, tiles=basemap, formats=formats,
                          parameters=parameters, progress=progress)  # fmt: skip
        progress.finish()
    table = Table(title=escape(planned.corridor.name), title_justify="left")
    for col in ("leg", "mode", "km", "on network", "countries"):
        table.add_column(col, justify="left" if col in ("leg", "countries") else "right")
    for leg in layers.legs.itertuples():
        table.add_row(
            escape(f"{leg.from_hub} → {leg.to_hub}"),
            leg.mode,
            f"{leg.length_km:,.0f}",
            f"{leg.on_network_share:.0%}",
            leg.countries.replace(",", " "),
        )
    total = layers.corridors.iloc[0]
    table.add_row("total", "", f"{total['length_km']:,.0f}", "", f"{total['border_crossings']} border crossings")
    out_console.print(table)
    out_console.print(f"Built {planned.corridor.id} into {escape(str(out))}/ in {time.perf_counter() - started:.1f} s")
    out_console.print(f"  open {escape(str(out / 'maps' / (planned.corridor.id + '.html')))}")
