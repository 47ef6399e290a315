"""What the ``corridors`` commands share: output for people and for programs, errors and exit codes, options.

Output conventions (the README's "Output and exit codes" says the same):

* The result goes to standard output: a table for people, or with ``--json`` one
  JSON document for programs. Everything else (progress, notes, errors) goes to
  standard error, so ``corridors list --json | jq`` and ``corridors route ... > legs.txt``
  get only the result.
* In a terminal, tables are drawn with rich and progress is a live bar. When
  standard output is not a terminal (a pipe, a file), tables are plain columns
  separated by two spaces, never wrapped or cut, one row per line; when standard
  error is not a terminal, progress is one plain line per stage.
* ``--quiet`` prints the result and errors only; ``--verbose`` adds a line per
  step and, for an internal error, the traceback.
* Exit status: 0 done, 1 internal error (a bug: please report it), 2 user error
  (a bad input or option: the message says what to fix), 130 interrupted
  (Ctrl-C; nothing half-written is left), 141 output pipe closed early.
"""

from __future__ import annotations

import json
import math
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import IntEnum
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from geo.errors import CorridorMapperError, OptionError
from layers.formats import DEFAULT_FORMATS, FORMAT_NAMES
from maps.defaults import DEFAULT_TILES

if TYPE_CHECKING:
    from geo.model import Mode
    from maps.render import Tiles

__all__ = [
    "ExitCode",
    "Output",
    "catalog_option",
    "command",
    "formats_option",
    "tiles_attr_option",
    "tiles_from_options",
    "tiles_option",
]

F = TypeVar("F", bound=Callable[..., Any])


class ExitCode(IntEnum):
    """The exit statuses of every ``corridors`` command."""

    DONE = 0
    INTERNAL_ERROR = 1
    USER_ERROR = 2
    INTERRUPTED = 130
    BROKEN_PIPE = 141


def _jsonable(value: Any) -> Any:
    """Plain JSON values: NaN and infinities become null (JSON has neither), paths and enums become text."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _jsonable(value.item())
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


@dataclass
class Output:
    """How a command talks: to people in a terminal, to pipes, or as JSON for programs."""

    json: bool = False
    verbosity: int = 1
    """0 quiet, 1 normal, 2 verbose."""
    stdout_tty: bool = field(default_factory=lambda: sys.stdout.isatty())
    stderr_tty: bool = field(default_factory=lambda: sys.stderr.isatty())

    def __post_init__(self) -> None:
        # soft_wrap: a path or id printed to a narrow pipe is never cut mid-word
        self.out = Console(file=sys.stdout, highlight=False, soft_wrap=True, force_terminal=self.stdout_tty or None)
        self.err = Console(file=sys.stderr, highlight=False, soft_wrap=True, force_terminal=self.stderr_tty or None)
        self.started = time.perf_counter()

    def elapsed(self) -> float:
        """Seconds since the command started."""
        return time.perf_counter() - self.started

    # --- the result, on standard output -----------------------------------------------------------

    def result(self, data: dict[str, Any]) -> None:
        """With ``--json``, the command's result as one JSON document on standard output."""
        if self.json:
            sys.stdout.write(json.dumps(_jsonable(data), ensure_ascii=False, indent=2) + "\n")
            sys.stdout.flush()

    def table(
        self, title: str, columns: Sequence[str], rows: Iterable[Sequence[str]], *, right: Iterable[str] = ()
    ) -> None:
        """A table for people (not printed with ``--json``): rich in a terminal, plain columns in a pipe."""
        if self.json:
            return
        rows = [[str(c) for c in r] for r in rows]
        right = set(right)
        if not self.stdout_tty:
            widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]

            def line(cells: Sequence[str]) -> str:
                parts = [
                    cell.rjust(w) if col in right else cell.ljust(w)
                    for cell, w, col in zip(cells, widths, columns, strict=True)
                ]
                return "  ".join(parts).rstrip()

            sys.stdout.write("\n".join([line(columns), *(line(r) for r in rows)]) + "\n")
            sys.stdout.flush()
            return
        table = Table(title=escape(title), title_justify="left")
        for i, col in enumerate(columns):  # the first column holds ids: never wrapped, even in a terminal
            table.add_column(col, justify="right" if col in right else "left", overflow="fold", no_wrap=i == 0)
        for r in rows:
            table.add_row(*(escape(c) for c in r))
        self.out.print(table)

    def say(self, text: str) -> None:
        """A line for people about the result (``Built ...``, ``open ...``): stdout, not with ``--json``/``--quiet``."""
        if not self.json and self.verbosity > 0:
            self.out.print(escape(text))

    # --- what happens meanwhile, on standard error -------------------------------------------------

    def note(self, text: str) -> None:
        """A progress note on standard error (not with ``--quiet``)."""
        if self.verbosity > 0:
            self.err.print(f"[dim]{escape(text)}[/]" if self.stderr_tty else f"corridors: {escape(text)}")

    def warn(self, text: str) -> None:
        """A warning a reader must see, on standard error (even with ``--quiet`` and ``--json``)."""
        self.err.print(
            f"[bold yellow]warning:[/] {escape(text)}" if self.stderr_tty else f"corridors: warning: {escape(text)}"
        )

    def detail(self, text: str) -> None:
        """A note only ``--verbose`` shows."""
        if self.verbosity > 1:
            self.note(text)

    def error(self, text: str) -> None:
        for line in text.splitlines() or [""]:
            self.err.print(f"[bold red]error:[/] {escape(line)}" if self.stderr_tty else f"error: {escape(line)}")

    @contextmanager
    def progress(self, what: str) -> Iterator[Reporter]:
        """A :class:`maps.build.Progress` for one pipeline run: a live bar in a terminal, plain lines otherwise."""
        if self.verbosity == 0 or not self.stderr_tty:  # plain lines (none when quiet): Reporter.note decides
            yield Reporter(self, None)
            return
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self.err, transient=True) as bar:
            reporter = Reporter(self, bar, bar.add_task(escape(what), total=None))
            yield reporter
            reporter.finish()


class Reporter:
    """The pipeline's progress (:class:`maps.build.Progress`) as a bar, or as one plain line per stage.

    A step's description starts with its stage (``legs: ...``, ``layers: gpkg``,
    ``map middle-corridor``): without a terminal a line is printed when the stage
    changes, and with ``--verbose`` for every step.
    """

    def __init__(self, output: Output, bar: Progress | None, task: TaskID | None = None) -> None:
        self.output, self.bar, self.task = output, bar, task
        self.total = 0
        self.done = 0
        self.stage = ""

    def start(self, total: int) -> None:
        self.total = total
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, total=total)

    def step(self, description: str) -> None:
        stage = description.split(":", 1)[0].split(" ", 1)[0]
        if self.bar is not None and self.task is not None:
            if self.done:
                self.bar.advance(self.task)
            self.bar.update(self.task, description=escape(description))
        else:
            elapsed = time.perf_counter() - self.output.started
            counter = f"[{self.done + 1}/{self.total}] " if self.total else ""
            if stage != self.stage or self.output.verbosity > 1:
                self.output.note(f"{counter}{description} ({elapsed:.1f} s)")
        self.stage = stage
        self.done += 1

    def note(self, text: str) -> None:
        """A message between steps (a network converted on the first run, ...)."""
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, description=escape(text))
        else:
            self.output.note(text)

    def finish(self) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=self.total or None, description="done")


def _output_options(func: F) -> F:
    func = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on standard output.")(func)
    func = click.option("-q", "--quiet", is_flag=True, help="Print only the result and errors.")(func)
    func = click.option("-v", "--verbose", is_flag=True, help="Print every step (and tracebacks of internal errors).")(
        func
    )
    return func


def command(func: Callable[..., dict[str, Any] | None]) -> Callable[..., None]:
    """Make ``func(output, **options)`` a command body: output options, JSON result, errors and exit codes.

    ``func`` receives an :class:`Output` as ``output`` and returns the result
    (printed as JSON with ``--json``). :class:`~geo.errors.CorridorMapperError`
    becomes ``error: <message>`` and exit status 2; Ctrl-C, 130; anything else is
    an internal error, status 1 (with ``--verbose``, its traceback).
    """

    @wraps(func)
    def wrapper(*args: Any, as_json: bool, quiet: bool, verbose: bool, **kwargs: Any) -> None:
        if quiet and verbose:
            raise click.UsageError("--quiet and --verbose exclude each other: give one")
        output = Output(json=as_json, verbosity=0 if quiet else 2 if verbose else 1)
        try:
            result = func(*args, output=output, **kwargs)
            if result is not None:
                output.result(result)
        except CorridorMapperError as exc:
            output.error(str(exc))
            sys.exit(ExitCode.USER_ERROR)
        except KeyboardInterrupt:
            output.error("interrupted: nothing was left half-written")
            sys.exit(ExitCode.INTERRUPTED)
        except BrokenPipeError:
            # the reader of our output went away (`corridors list | head -1`): stop quietly
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(ExitCode.BROKEN_PIPE)
        except (click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:  # a bug, not a user mistake
            if verbose:
                traceback.print_exc()
            output.error(
                f"internal error ({type(exc).__name__}: {exc}): this is a bug in corridor-mapper; please report it "
                "with the command you ran" + ("" if verbose else " (--verbose shows the traceback)")
            )
            sys.exit(ExitCode.INTERNAL_ERROR)

    return _output_options(wrapper)


catalog_option = click.option(
    "--catalog",
    "catalog_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A catalog file of your own (TOML); repeatable. Its corridors may use the embedded hubs.",
)

scenario_option = click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    metavar="NAME|FILE",
    help="A scenario (corridors list --scenarios) or a scenario file (.toml); repeatable.",
)

year_option = click.option(
    "--year",
    type=click.IntRange(1900, 2100),
    default=None,
    metavar="YYYY",
    help="Open the planned and under-construction legs due to open by this year (their 'opens' year).",
)

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
    help=f"GIS layer formats to write into OUT/layers, comma-separated: {','.join(FORMAT_NAMES)}.",
)

tiles_attr_option = click.option(
    "--tiles-attr",
    default="",
    metavar="TEXT",
    help="With --tiles URL: the attribution the tiles require (shown on the map).",
)


def tiles_from_options(tiles: str, attribution: str) -> Tiles | None:
    """``--tiles``: 'none', an xyzservices name, or a URL template with ``--tiles-attr``."""
    from maps.render import custom_tiles

    if tiles.lower() == "none":
        return None
    if "://" in tiles:
        return custom_tiles(tiles, attribution)
    if attribution:
        raise OptionError("--tiles-attr goes with a tile URL; an xyzservices name brings its own attribution")
    return tiles


def parse_modes(text: str) -> tuple[Mode, ...]:
    """``rail,sea`` → (Mode.RAIL, Mode.SEA); an unknown name lists the valid ones."""
    import difflib

    from geo.model import Mode

    names = [m.strip().lower() for m in text.split(",") if m.strip()]
    valid = [str(x) for x in Mode]
    bad = [m for m in names if m not in valid]
    if bad or not names:
        close = difflib.get_close_matches(bad[0], valid, n=1) if bad else []
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise OptionError(f"--modes {text!r}{hint}: choose from {', '.join(valid)}, comma-separated")
    return tuple(dict.fromkeys(Mode(m) for m in names))


def modes_option(what: str) -> Callable[[F], F]:
    """``--modes LIST``: the modes ``what`` (the route, the routes) may use, rail, sea and ferry unless told."""
    from geo.defaults import DEFAULT_MODE_NAMES

    return click.option(
        "--modes",
        default=",".join(DEFAULT_MODE_NAMES),
        show_default=True,
        metavar="LIST",
        help=f"Modes {what} may use: rail, road, sea, ferry.",
    )
