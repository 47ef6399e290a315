"""corridor-mapper's corridor model and geometry: hubs, legs, corridors and their lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo._lazy import lazy_exports

_EXPORTS = {
    "Catalog": "geo.catalog",
    "CatalogError": "geo.errors",
    "Corridor": "geo.model",
    "CorridorMapperError": "geo.errors",
    "Fact": "geo.model",
    "GeometryBuilder": "geo.geometry",
    "GeometryError": "geo.errors",
    "Hub": "geo.model",
    "HubKind": "geo.model",
    "Leg": "geo.model",
    "LegGeometry": "geo.geometry",
    "Mode": "geo.model",
    "OutputError": "geo.errors",
    "Source": "geo.model",
    "Status": "geo.model",
    "geodesic_km": "geo.geodesy",
    "load_catalog": "geo.catalog",
}
"""Each public name and the module it comes from: imported on first use, so that importing the package
(the CLI does, to start) costs nothing until a name is used."""

__all__ = [
    "Catalog",
    "CatalogError",
    "Corridor",
    "CorridorMapperError",
    "Fact",
    "GeometryBuilder",
    "GeometryError",
    "Hub",
    "HubKind",
    "Leg",
    "LegGeometry",
    "Mode",
    "OutputError",
    "Source",
    "Status",
    "geodesic_km",
    "load_catalog",
]

if TYPE_CHECKING:
    from geo.catalog import Catalog, load_catalog
    from geo.errors import CatalogError, CorridorMapperError, GeometryError, OutputError
    from geo.geodesy import geodesic_km
    from geo.geometry import GeometryBuilder, LegGeometry
    from geo.model import Corridor, Fact, Hub, HubKind, Leg, Mode, Source, Status


__getattr__ = lazy_exports(__name__, _EXPORTS)
