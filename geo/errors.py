"""The exceptions corridor-mapper raises for problems a user can fix.

Every message is one line that names the input (file, corridor, field), the
offending value and what to do about it. The CLI prints the message and exits
non-zero without a traceback; library users can catch :class:`CorridorMapperError`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from typing import Any

__all__ = [
    "CatalogError",
    "CorridorMapperError",
    "GeometryError",
    "NetworkError",
    "OptionError",
    "OutputError",
    "field_problem",
    "toml_data",
    "toml_problem",
]


class CorridorMapperError(Exception):
    """Base class of every user-facing error of corridor-mapper."""


class CatalogError(CorridorMapperError, ValueError):
    """A catalog file is unreadable or breaks the corridor schema.

    ``problems`` holds every problem found, one line each; ``str()`` joins them.
    """

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class GeometryError(CorridorMapperError, ValueError):
    """A leg's geometry cannot be built honestly (e.g. a sea route through inland Russia)."""


class NetworkError(CorridorMapperError, ValueError):
    """A transport network cannot be loaded, or a leg cannot be routed on it."""


class OutputError(CorridorMapperError, OSError):
    """The output folder cannot be written."""


class OptionError(CorridorMapperError, ValueError):
    """A command-line or function option has a value that is not allowed."""


def toml_problem(source: object, exc: tomllib.TOMLDecodeError) -> str:
    """The one line that says a file is not valid TOML, and where."""
    return f"{source}: not valid TOML: {' '.join(str(exc).split())}: fix the syntax"


def toml_data(text: str, source: object) -> dict[str, Any]:
    """The tables of a data file's text.

    Raises
    ------
    CatalogError
        The text is not valid TOML (the message names ``source`` and where the syntax breaks).
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(toml_problem(source, exc)) from None


def field_problem(
    where: str,
    error: Mapping[str, Any],
    *,
    missing: str | None = None,
    extra: str | None = None,
    top: str = "(file)",
) -> str:
    """One line for one pydantic validation error: ``where: field 'speed.rail.min' = -1: must be ...``.

    ``missing`` and ``extra`` replace pydantic's words for a missing field and an unknown one; ``top`` names the
    whole entry when the error has no field.
    """
    loc = [str(p) for p in error["loc"] if not str(p).startswith("function-after")]
    value = f" = {error['input']!r}" if loc and not isinstance(error["input"], dict) else ""
    msg = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing" and missing is not None:
        msg = missing
    elif error["type"] == "extra_forbidden" and extra is not None:
        msg = extra
    return f"{where}: field {'.'.join(loc) or top!r}{value}: {msg}"
