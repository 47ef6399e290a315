"""Corridors as GeoDataFrames, the GIS files written from them, and reading them back."""

from layers.frames import CRS, Layers, corridors_frame, hubs_frame, layers_from_catalog, legs_frame
from layers.geojson import rfc7946_geometry, write_geojson
from layers.io import (
    DEFAULT_FORMATS,
    FORMATS,
    LayerFormat,
    parse_formats,
    write_attribution,
    write_geopackage,
    write_layers,
)
from layers.provenance import (
    attribution_lines,
    build_metadata,
    facts_from_json,
    facts_to_json,
    sources_frame,
    sources_from_text,
    sources_to_text,
)
from layers.read import read_layers, select_corridors

__all__ = [
    "CRS",
    "DEFAULT_FORMATS",
    "FORMATS",
    "LayerFormat",
    "Layers",
    "attribution_lines",
    "build_metadata",
    "corridors_frame",
    "facts_from_json",
    "facts_to_json",
    "hubs_frame",
    "layers_from_catalog",
    "legs_frame",
    "parse_formats",
    "read_layers",
    "rfc7946_geometry",
    "select_corridors",
    "sources_frame",
    "sources_from_text",
    "sources_to_text",
    "write_attribution",
    "write_geojson",
    "write_geopackage",
    "write_layers",
]
