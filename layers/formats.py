"""The names of the layer formats and the default set: cheap to import (the CLI's options need them at start-up).

The formats themselves, with their writers, are :data:`layers.io.FORMATS` (its keys are :data:`FORMAT_NAMES`, in
this order; a test checks it).
"""

from __future__ import annotations

__all__ = ["DEFAULT_FORMATS", "FORMAT_NAMES"]

FORMAT_NAMES = ("gpkg", "geojson", "fgb", "parquet", "kml", "shp", "csv")
DEFAULT_FORMATS = ("gpkg", "geojson")
