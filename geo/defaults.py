"""Defaults the CLI shows before it loads anything heavy (no pydantic, no GIS libraries)."""

from __future__ import annotations

__all__ = ["DEFAULT_GAP_KM", "DEFAULT_HEAL_KM", "DEFAULT_MODE_NAMES", "GAP_KM"]

DEFAULT_MODE_NAMES = ("rail", "sea", "ferry")
"""The modes an ad-hoc route, matrix or flow may use unless told: rail and water (these are rail corridors)."""

DEFAULT_HEAL_KM = 2.0
"""Join components, and line ends to other lines, closer than this (see the note on issue 3; :mod:`geo.heal`)."""
DEFAULT_GAP_KM = 20.0
"""Join two rail line ends (dead ends) closer than this: a line broken in the source data."""
GAP_KM = {"rail": DEFAULT_GAP_KM, "road": 0.0}
"""Broken-line healing per network: roads are dense and end near each other for real, so none there."""
