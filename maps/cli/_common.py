"""What the ``corridors`` commands share: consoles, the user-error wrapper, options, progress bars."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from geo.errors import CorridorMapperError, OptionError
from geo.network_data import cache_dir, prepared_network
from layers.io import DEFAULT_FORMATS, FORMATS
from maps.render import DEFAULT_TILES, Tiles, custom_tiles

__all__ = [
    "RichProgress",
    "catalog_option",
    "err_console",
    "formats_option",
    "out_console",
    "tiles_attr_option",
    "tiles_from_options",
    "tiles_option",
    "user_errors",
    "warm_networks",
]

F = TypeVar("F", bound=Callable[..., Any])

out_console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def user_errors(func: F) -> F:
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


class RichProgress:
    """The build's :class:`maps.build.Progress`, drawn as a rich progress bar."""

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


def warm_networks(kinds: Iterable[str]) -> None:
    """Load (and on the first run convert) the networks, with a progress bar for the slow first time."""
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        for kind in kinds:
            task = bar.add_task(f"loading the {kind} network", total=4)

            def hook(description: str, done: int, total: int, task: int = task, kind: str = kind) -> None:
                text = f"{kind}: {description} (first run; cached in {cache_dir()})"
                bar.update(task, description=escape(text), completed=done, total=total)

            prepared_network(kind, progress=hook)  # type: ignore[arg-type]


tiles_option = click.option(
    "--tiles",
    default=DEFAULT_TILES,
    show_default=True,
    help="Basemap tiles: an xyzservices name, a tile URL template (with --tiles-attr), or 'none'.",
)

formats_option = click.option(
    "--formats",
    default=",".join(DEFAULT_FORMATS),
    show_default=True,
    metavar="LIST",
    help=f"GIS layer formats to write into OUT/layers, comma-separated: {','.join(FORMATS)}.",
)

tiles_attr_option = click.option(
    "--tiles-attr",
    default="",
    metavar="TEXT",
    help="With --tiles URL: the attribution the tiles require (shown on the map).",
)


def tiles_from_options(tiles: str, attribution: str) -> Tiles | None:
    """``--tiles``: 'none', an xyzservices name, or a URL template with ``--tiles-attr``."""
    if tiles.lower() == "none":
        return None
    if "://" in tiles:
        return custom_tiles(tiles, attribution)
    if attribution:
        raise OptionError("--tiles-attr goes with a tile URL; an xyzservices name brings its own attribution")
    return tiles
