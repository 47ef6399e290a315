"""``corridors build``: maps, layers and the index page, from the catalog or from layer files."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from geo.errors import OptionError
from maps.defaults import DEFAULT_OUT

if TYPE_CHECKING:
    from maps.build import BuildResult
from maps.cli._common import (
    Output,
    catalog_option,
    command,
    formats_option,
    tiles_attr_option,
    tiles_from_options,
    tiles_option,
    year_option,
)

__all__ = ["build_cmd", "build_summary"]


def build_summary(result: BuildResult) -> dict[str, Any]:
    """The result of a build as the ``--json`` output gives it."""
    corridors = result.layers.corridors.drop(columns="geometry")
    keep = [c for c in corridors.columns if c not in ("summary", "facts", "source")]
    return {
        "out": str(result.out),
        "index": str(result.out / "index.html"),
        "corridors": corridors[keep].to_dict("records"),
        "files": [p.as_posix() for p in result.files],
    }


@click.command("build")
@click.argument("layer_files", nargs=-1, metavar="[LAYERS_FILE]...", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--corridor", "corridor_ids", multiple=True, metavar="ID", help="Build only this corridor; repeatable.")
@click.option("--out", default=str(DEFAULT_OUT), show_default=True, metavar="DIR", help="Output folder.")
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
@click.option(
    "--title", default="", metavar="TEXT", help="Headline of the index page and the overview map (and picture)."
)
@click.option("--subtitle", default="", metavar="TEXT", help="A line under the headline (the index and the overview).")
@click.option("--no-minimap", "no_minimap", is_flag=True, help="Leave the minimap out of every map.")
@click.option(
    "--png", is_flag=True, help="Also draw each map as a still picture, DIR/maps/<id>.png (and overview.png)."
)
@click.option(
    "--svg", is_flag=True, help="Also draw each map as a vector picture, DIR/maps/<id>.svg (and overview.svg)."
)
@year_option
@catalog_option
@command
def build_cmd(
    layer_files: tuple[Path, ...],
    corridor_ids: tuple[str, ...],
    out: str,
    tiles: str,
    tiles_attr: str,
    formats: str,
    self_contained: bool,
    assets_dir: Path | None,
    title: str,
    subtitle: str,
    no_minimap: bool,
    png: bool,
    svg: bool,
    year: int | None,
    catalog_files: tuple[Path, ...],
    output: Output,
) -> dict[str, Any]:
    """Build one map per corridor, an overview map, an index page and GIS layers into --out DIR.

    With --png and/or --svg, also a still picture of every map (for print and slides), drawn with matplotlib.

    From the catalog, or from LAYERS_FILE: a corridors.gpkg or <corridor-id>.geojson
    written by an earlier build (maybe edited in QGIS); its legs keep their lines.
    Every build also writes maps/timeline.html, the network year by year as the
    catalog's opening years say. With --year YYYY the maps and layers show the
    network as of that year: legs due to open by then are drawn open, as
    `corridors compare --year` counts them.
    """
    from maps.build import build_catalog, build_from_layer_files

    tiles_name = tiles_from_options(tiles, tiles_attr)
    if self_contained != (assets_dir is not None):
        raise OptionError("--self-contained and --assets DIR go together: give both, or neither")
    if layer_files and catalog_files:
        raise OptionError("give either layer files or --catalog, not both")
    pictures = ",".join(kind for kind, wanted in (("png", png), ("svg", svg)) if wanted)
    if pictures:
        importlib.import_module("maps.static")  # before any slow work: says so if matplotlib is missing
    if layer_files and year is not None:
        raise OptionError(
            f"--year {year}: opening years come from the catalog, which layer files do not carry: "
            "build from the catalog (no LAYERS_FILE) to use --year"
        )
    look = {"title": title, "subtitle": subtitle, "minimap": "no" if no_minimap else "", "pictures": pictures}
    options: dict[str, Any] = {
        "tiles": tiles_name,
        "formats": formats,
        "assets": assets_dir,
        "parameters": {k: v for k, v in look.items() if v},
    }
    with output.progress("building") as progress:
        if layer_files:
            result = build_from_layer_files(layer_files, corridor_ids, out, progress=progress, **options)
        else:
            result = build_catalog(catalog_files, corridor_ids, out, progress=progress, year=year, **options)
    n = len(result.layers.corridors)
    seconds = output.elapsed()
    output.say(
        f"Built {n} corridor{'s' if n != 1 else ''} ({len(result.layers.legs)} legs) into {result.out}/ "
        f"in {seconds:.1f} s"
    )
    output.say(f"  open {result.out / 'index.html'}")
    return build_summary(result)
