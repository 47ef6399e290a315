"""The exceptions corridor-mapper raises for problems a user can fix.

Every message is one line that names the input (file, corridor, field), the
offending value and what to do about it. The CLI prints the message and exits
non-zero without a traceback; library users can catch :class:`CorridorMapperError`.
"""

from __future__ import annotations

__all__ = [
    "CatalogError",
    "CorridorMapperError",
    "GeometryError",
    "NetworkError",
    "OptionError",
    "OutputError",
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
