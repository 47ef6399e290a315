"""``corridors build``: maps, layers and the index page from the catalog or from layer files."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from geo.catalog import Catalog, load_catalog
from geo.errors import OptionError
from geo.model import Corridor, Status
from layers.read import read_layers, select_corridors
from maps.build import DEFAULT_OUT, build, build_from_layers, check_options
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

__all__ = ["build_cmd"]


def _selected(catalog: Catalog, ids: tuple[str, ...], files: tuple[Path, ...]) -> list[str] | None:
    """Explicit ids; else, when user files are given, their corridors; else everything."""
    if ids:
        return list(ids)
    if files:
        mine = [
            k.split(":", 1)[1] for k, v in catalog.origin.items() if k.startswith("corridor:") and v in map(str, files)
        ]
        return mine or None
    return None


def _networks_needed(corridors: Iterable[Corridor]) -> list[str]:
    """The networks a build will route on: those of operational rail and road legs."""
    kinds = {
        str(leg.mode)
        for c in corridors
        for leg in c.legs
        if not leg.mode.is_water and leg.status == Status.OPERATIONAL and leg.routing == "network"
    }
    return sorted(kinds)


@click.command("build")
@click.argument("layer_files", nargs=-1, metavar="[LAYERS_FILE]...", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--corridor", "corridor_ids", multiple=True, metavar="ID", help="Build only this corridor; repeatable.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_OUT,
    show_default=True,
    help="Output folder.",
)
@tiles_option
@tiles_attr_option
@formats_option
@click.option(
    "--self-contained",
    is_flag=True,
    help="Inline the maps' JavaScript and CSS (from --assets), so they open with no internet; tiles aside.",
)
@click.option(
    "--assets",
    "assets_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    metavar="DIR",
    help="With --self-contained: a local copy of the CDN files, laid out DIR/<host>/<path> (see the README).",
)
@catalog_option
@user_errors
def build_cmd(
    layer_files: tuple[Path, ...],
    corridor_ids: tuple[str, ...],
    out: Path,
    tiles: str,
    tiles_attr: str,
    formats: str,
    self_contained: bool,
    assets_dir: Path | None,
    catalog_files: tuple[Path, ...],
) -> None:
    """Build one map per corridor, an overview map, an index page and GIS layers.

    From the catalog, or from LAYERS_FILE: a corridors.gpkg or <corridor-id>.geojson
    written by an earlier build (maybe edited in QGIS); its legs keep their lines.
    """
    started = time.perf_counter()
    tiles_name = tiles_from_options(tiles, tiles_attr)
    if self_contained != (assets_dir is not None):
        raise OptionError("--self-contained and --assets DIR go together: give both, or neither")
    check_options(formats, tiles_name, assets_dir)  # before any slow work
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    if layer_files:
        if catalog_files:
            raise OptionError("give either layer files or --catalog, not both")
        layers = select_corridors(read_layers(layer_files), corridor_ids)
        parameters = {"input": "layers " + ", ".join(map(str, layer_files))}
        with Progress(*columns, console=err_console, transient=True) as bar:
            progress = RichProgress(bar)
            result = build_from_layers(
                layers,
                out,
                tiles=tiles_name,
                formats=formats,
                parameters=parameters,
                progress=progress,
                assets=assets_dir,
            )
            progress.finish()
    else:
        catalog = load_catalog(catalog_files)
        corridors = catalog.select(_selected(catalog, corridor_ids, catalog_files))
        warm_networks(_networks_needed(corridors))
        inputs = ", ".join(map(str, catalog_files)) if catalog_files else "the embedded catalog"
        with Progress(*columns, console=err_console, transient=True) as bar:
            progress = RichProgress(bar)
            result = build(
                catalog,
                corridors,
                out,
                tiles=tiles_name,
                formats=formats,
                parameters={"input": f"catalog {inputs}"},
                progress=progress,
                assets=assets_dir,
            )
            progress.finish()
    seconds = time.perf_counter() - started
    n = len(result.layers.corridors)
    out_console.print(
        f"Built {n} corridor{'s' if n != 1 else ''} ({len(result.layers.legs)} legs) into {escape(str(out))}/ "
        f"in {seconds:.1f} s"
    )
    out_console.print(f"  open {escape(str(out / 'index.html'))}")
