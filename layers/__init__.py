"""Corridors as GeoDataFrames, the GIS files written from them, and reading them back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo._lazy import lazy_exports

_EXPORTS = {
    "CRS": "layers.frames",
    "DEFAULT_FORMATS": "layers.io",
    "FORMATS": "layers.io",
    "LayerFormat": "layers.io",
    "Layers": "layers.frames",
    "attribution_lines": "layers.provenance",
    "build_metadata": "layers.provenance",
    "corridors_frame": "layers.frames",
    "facts_from_json": "layers.provenance",
    "facts_to_json": "layers.provenance",
    "hubs_frame": "layers.frames",
    "layers_from_catalog": "layers.frames",
    "legs_frame": "layers.frames",
    "parse_formats": "layers.io",
    "read_layers": "layers.read",
    "rfc7946_geometry": "layers.geojson",
    "select_corridors": "layers.read",
    "sources_frame": "layers.provenance",
    "sources_from_text": "layers.provenance",
    "sources_to_text": "layers.provenance",
    "write_attribution": "layers.io",
    "write_geojson": "layers.geojson",
    "write_geopackage": "layers.io",
    "write_layers": "layers.io",
}
"""Each public name and the module it comes from: imported on first use, so that importing the package
(the CLI does, to start) costs nothing until a name is used."""

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

if TYPE_CHECKING:
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


__getattr__ = lazy_exports(__name__, _EXPORTS)
