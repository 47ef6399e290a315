"""Corridors as GeoDataFrames, the GIS files written from them, and reading them back."""

from layers.frames import CRS, Layers, corridors_frame, hubs_frame, layers_from_catalog, legs_frame
from layers.io import (
    DEFAULT_FORMATS,
    FORMATS,
    parse_formats,
    rfc7946_geometry,
    write_attribution,
    write_geojson,
    write_geopackage,
    write_layers,
)
from layers.read import read_layers, select_corridors

__all__ = [
    "CRS",
    "DEFAULT_FORMATS",
    "FORMATS",
    "Layers",
    "corridors_frame",
    "hubs_frame",
    "layers_from_catalog",
    "legs_frame",
    "parse_formats",
    "read_layers",
    "rfc7946_geometry",
    "select_corridors",
    "write_attribution",
    "write_geojson",
    "write_geopackage",
    "write_layers",
]
