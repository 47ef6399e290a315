"""corridor-mapper's corridor model and geometry: hubs, legs, corridors and their lines."""

from geo.catalog import Catalog, load_catalog
from geo.errors import CatalogError, CorridorMapperError, GeometryError, OutputError
from geo.geodesy import geodesic_km
from geo.geometry import GeometryBuilder, LegGeometry
from geo.model import Corridor, Fact, Hub, HubKind, Leg, Mode, Source, Status

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
