"""Defaults the CLI shows in its options, cheap to import (no folium): the basemap tiles."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DEFAULT_OUT", "DEFAULT_TILES"]

DEFAULT_OUT = Path("corridor-maps")
"""Where `corridors build` writes unless told."""

DEFAULT_TILES = "Esri WorldGrayCanvas"
"""An xyzservices name: a light grey basemap that keeps the lines readable."""
