"""Corridors as GeoDataFrames, and the GIS files written from them."""

from layers.frames import CRS, Layers, corridors_frame, hubs_frame, layers_from_catalog, legs_frame
from layers.io import rfc7946_geometry, write_attribution, write_geojson, write_geopackage

__all__ = [
    "CRS",
    "Layers",
    "corridors_frame",
    "hubs_frame",
    "layers_from_catalog",
    "legs_frame",
    "rfc7946_geometry",
    "write_attribution",
    "write_geojson",
    "write_geopackage",
]
