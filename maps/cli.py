"""The ``corridors`` command.

User mistakes (a bad catalog file, an unknown corridor id, an unwritable
folder) print one line each, prefixed ``error:``, and exit with status 2;
there is no traceback for them.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from geo.catalog import Catalog, load_catalog
from geo.errors import CorridorMapperError
from maps.build import DEFAULT_OUT, build
from maps.render import DEFAULT_TILES

F = TypeVar("F", bound=Callable[..., Any])

out_console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def _user_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CorridorMapperError as exc:
            for line in str(exc).splitlines():
                err_console.print(f"[bold red]error:[/] {escape(line)}", soft_wrap=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


catalog_option = click.option(
    "--catalog",
    "catalog_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A catalog file of your own (TOML); repeatable. Its corridors may use the embedded hubs.",
)


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="corridor-mapper")
def main() -> None:
    """Map trade corridors: interactive maps and GIS layers from a corridor catalog."""


@main.command("list")
@catalog_option
@_user_errors
def list_cmd(catalog_files: tuple[Path, ...]) -> None:
    """Print the catalog's corridors as a table."""
    catalog = load_catalog(catalog_files)
    table = Table(title="Corridors", title_justify="left")
    for col in ("id", "name", "legs", "modes", "route"):
        table.add_column(col, overflow="fold")
    for c in catalog.corridors.values():
        modes = ", ".join(dict.fromkeys(str(leg.mode) for leg in c.legs))
        ends = f"{catalog.hubs[c.hub_ids[0]].name} → {catalog.hubs[c.hub_ids[-1]].name}"
        table.add_row(escape(c.id), escape(c.name), str(len(c.legs)), modes, escape(ends))
    out_console.print(table)


class _RichProgress:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("building", total=None)
        self.started = False

    def start(self, total: int) -> None:
        self.progress.update(self.task, total=total)

    def step(self, description: str) -> None:
        if self.started:
            self.progress.advance(self.task)
        self.started = True
        self.progress.update(self.task, description=escape(description))

    def finish(self) -> None:
        self.progress.update(self.task, completed=self.progress.tasks[0].total, description="done")


@main.command("build")
@click.option("--corridor", "corridor_ids", multiple=True, metavar="ID", help="Build only this corridor; repeatable.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_OUT,
    show_default=True,
    help="Output folder.",
)
@click.option(
    "--tiles",
    default=DEFAULT_TILES,
    show_default=True,
    help="Basemap tiles for the maps (a folium/xyzservices name); 'none' for no tiles.",
)
@catalog_option
@_user_errors
def build_cmd(corridor_ids: tuple[str, ...], out: Path, tiles: str, catalog_files: tuple[Path, ...]) -> None:
    """Build one map per corridor, an overview map, an index page and GIS layers."""
    started = time.perf_counter()
    catalog = load_catalog(catalog_files)
    corridors = catalog.select(_selected(catalog, corridor_ids, catalog_files))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        progress = _RichProgress(bar)
        result = build(catalog, corridors, out, tiles=None if tiles.lower() == "none" else tiles, progress=progress)
        progress.finish()
    seconds = time.perf_counter() - started
    out_console.print(
        f"Built {len(corridors)} corridor{'s' if len(corridors) != 1 else ''} "
        f"({len(result.layers.legs)} legs) into {escape(str(out))}/ in {seconds:.1f} s"
    )
    out_console.print(f"  open {escape(str(out / 'index.html'))}")
