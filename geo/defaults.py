"""Defaults the CLI shows before it loads anything heavy (no pydantic, no GIS libraries)."""

from __future__ import annotations

__all__ = ["DEFAULT_MODE_NAMES"]

DEFAULT_MODE_NAMES = ("rail", "sea", "ferry")
"""The modes an ad-hoc route, matrix or flow may use unless told: rail and water (these are rail corridors)."""
