"""Leg geometry: one builder per mode, lengths on the ellipsoid.

Each mode has a builder, ``(points, leg) -> LegGeometry``, registered in
:data:`BUILDERS`; replacing an entry (for instance routing land legs on a real
rail network) changes how that mode is drawn without touching anything else.

Coordinates are ``(lon, lat)`` in EPSG:4326. Longitudes along a line are kept
continuous (a trans-Pacific line may run past 180°) so that maps draw it in one
piece; exporters that need RFC 7946 lines cut them at the antimeridian.
Lengths are geodesic on the WGS84 ellipsoid (:data:`GEOD`), never in degrees.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import searoute
import shapely
from pyproj import Geod

from geo.errors import CorridorMapperError, GeometryError
from geo.model import Hub, Leg, Mode, Status

__all__ = [
    "BUILDERS",
    "GEOD",
    "GeometryBuilder",
    "LegGeometry",
    "geodesic_km",
    "geodesic_path",
    "great_circle_geometry",
    "leg_points",
    "network_geometry",
    "sea_geometry",
    "searoute_leg",
]

GEOD = Geod(ellps="WGS84")
"""The ellipsoid all lengths are measured on."""

DENSIFY_KM = 20.0
"""Great-circle lines get a vertex at least every this many km, so they curve on a map."""

SEAROUTE_ATTRIBUTION = "Sea routes: searoute (Eurostat marnet, Apache-2.0)"
MAX_PORT_KM = 100.0
"""A sea or ferry leg's hub may lie this far from searoute's network (Astrakhan, up the Volga, is about 10 km)."""
GREAT_CIRCLE = "great-circle"
SEAROUTE = "searoute"

# Russia's inland waterways between the Caspian and the Black Sea (the Volga below
# Saratov, the Volga-Don canal and the lower Don). searoute's network links the two
# seas through them, with no restriction flag (field notes); a Caspian or Black Sea
# leg that enters this area has left the sea. Box chosen to hold only river and
# canal (the Caspian shore lies south of 46.8 N west of 47.3 E; the Sea of Azov
# lies west of 40 E).
VOLGA_DON = shapely.box(40.0, 46.8, 47.3, 51.6)


@dataclass(frozen=True)
class LegGeometry:
    """A leg's line and how it was made."""

    coords: np.ndarray
    """(n, 2) array of lon, lat; longitudes continuous along the line."""
    method: str
    """How the line was made: ``great-circle``, ``searoute``, ..."""
    attribution: tuple[str, ...] = ()
    """Licence notices owed by the data behind the line."""
    extras: Mapping[str, Any] = field(default_factory=dict)
    """Builder-specific figures (e.g. snap distances), carried into the legs layer."""

    @property
    def length_km(self) -> float:
        return geodesic_km(self.coords)

    @property
    def on_network_share(self) -> float:
        """The share of the line that follows a network's own edges (0 for great-circle lines)."""
        total = self.length_km
        return float(self.extras.get("network_km", 0.0)) / total if total > 0 else 0.0

    @property
    def line(self) -> shapely.LineString:
        return shapely.LineString(self.coords)


def geodesic_km(coords: np.ndarray) -> float:
    """Length of a lon/lat polyline on the WGS84 ellipsoid, in km."""
    coords = np.asarray(coords, dtype=float)
    if len(coords) < 2:
        return 0.0
    return float(GEOD.line_length(coords[:, 0], coords[:, 1])) / 1000.0


def _unwrap(lons: np.ndarray) -> np.ndarray:
    """Make longitudes continuous (no 360° jumps), keeping the first one."""
    return np.degrees(np.unwrap(np.radians(lons)))


def geodesic_path(points: Sequence[tuple[float, float]], *, spacing_km: float = DENSIFY_KM) -> np.ndarray:
    """Great-circle line through ``points`` (lon, lat), densified every ``spacing_km``."""
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2 or len(pts) < 2:
        raise ValueError("a path needs at least two points")
    out = [pts[:1]]
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(pts):
        _, _, dist = GEOD.inv(lon1, lat1, lon2, lat2)
        n = int(np.ceil(dist / 1000.0 / spacing_km)) - 1
        mid = np.array(GEOD.npts(lon1, lat1, lon2, lat2, n)).reshape(-1, 2) if n > 0 else np.empty((0, 2))
        out += [mid, np.array([[lon2, lat2]])]
    line = np.concatenate(out)
    line[:, 0] = _unwrap(line[:, 0])
    return line


Builder = Callable[[Sequence[tuple[float, float]], Leg], LegGeometry]


def great_circle_geometry(points: Sequence[tuple[float, float]], leg: Leg) -> LegGeometry:
    """A leg drawn as great-circle arcs through its points (no network)."""
    return LegGeometry(geodesic_path(points), GREAT_CIRCLE)


def _searoute(a: tuple[float, float], b: tuple[float, float], leg: Leg) -> np.ndarray:
    feature = searoute.searoute(list(a), list(b), units="km", append_orig_dest=True)
    coords = np.asarray(feature["geometry"]["coordinates"], dtype=float)
    # drop repeated vertices (searoute may append an origin equal to its first node)
    keep = np.ones(len(coords), dtype=bool)
    keep[1:] = np.any(np.diff(coords, axis=0) != 0, axis=1)
    return coords[keep]


def sea_geometry(points: Sequence[tuple[float, float]], leg: Leg) -> LegGeometry:
    """A sea or ferry leg on searoute's maritime network, through its via points.

    Raises
    ------
    GeometryError
        If the route leaves the sea through Russia's inland waterways
        (Volga-Don), which no corridor avoiding Russia can use.
    """
    parts = [_searoute(a, b, leg) for a, b in itertools.pairwise(points)]
    coords = np.concatenate([parts[0]] + [p[1:] for p in parts[1:]])
    ends_inside = any(VOLGA_DON.contains(shapely.Point(p)) for p in (points[0], points[-1]))
    if not ends_inside and shapely.intersects(shapely.LineString(coords), VOLGA_DON):
        raise GeometryError(
            "the sea route runs through "
            "Russia's inland waterways (Volga-Don canal), not across open sea: split the leg "
            "at a port, change the mode to rail or road, or add via points at sea"
        )
    coords[:, 0] = _unwrap(coords[:, 0])
    for piece, hub in ((coords[:2], leg.from_hub), (coords[-2:], leg.to_hub)):
        km = geodesic_km(piece)
        if len(coords) > 3 and km > MAX_PORT_KM:
            raise GeometryError(
                f"{hub} is {km:.0f} km from the nearest sea lane (the limit is {MAX_PORT_KM:.0f} km): "
                "is it a port? Start the sea leg at a port hub, or change the leg's mode"
            )
    return searoute_leg(coords)


def searoute_leg(coords: np.ndarray) -> LegGeometry:
    """A sea leg from searoute's line, which starts and ends with straight pieces from the ports to its network."""
    snap_km = geodesic_km(coords[:2]) + geodesic_km(coords[-2:]) if len(coords) > 3 else 0.0
    extras = {"network_km": geodesic_km(coords) - snap_km, "connector_km": 0.0, "snap_km": snap_km}
    return LegGeometry(coords, SEAROUTE, (SEAROUTE_ATTRIBUTION,), extras)


def network_geometry(kind: str) -> Builder:
    """A builder that routes legs on the named network (``rail`` or ``road``), loaded on first use."""

    def build(points: Sequence[tuple[float, float]], leg: Leg) -> LegGeometry:
        # imported here: geo.network and geo.routing measure with this module's GEOD
        from geo.network import prepared_network
        from geo.routing import DEFAULT_MAX_SNAP_KM, route_points

        if leg.routing == "great-circle":
            return great_circle_geometry(points, leg)
        names = [leg.from_hub] + [f"via point {i} of {leg.from_hub} -> {leg.to_hub}" for i in range(1, len(points) - 1)]
        names.append(leg.to_hub)
        net = prepared_network(kind)  # type: ignore[arg-type]
        path = route_points(net, points, names, max_snap_km=leg.max_snap_km or DEFAULT_MAX_SNAP_KM)
        extras = {"network_km": path.network_km, "connector_km": path.connector_km, "snap_km": path.snap_km}
        return LegGeometry(path.coords, f"{kind} network", (net.attribution,), extras)

    build.__name__ = f"{kind}_network_geometry"
    return build


BUILDERS: dict[Mode, Builder] = {
    Mode.RAIL: network_geometry("rail"),
    Mode.ROAD: network_geometry("road"),
    Mode.SEA: sea_geometry,
    Mode.FERRY: sea_geometry,
}
"""The geometry builder of each mode for legs that exist (operational)."""

UNBUILT_BUILDERS: dict[Mode, Builder] = {
    Mode.RAIL: great_circle_geometry,
    Mode.ROAD: great_circle_geometry,
    Mode.SEA: sea_geometry,
    Mode.FERRY: sea_geometry,
}
"""Builders for planned and under-construction legs: land legs stay great-circle lines."""


def leg_points(leg: Leg, hubs: Mapping[str, Hub]) -> list[tuple[float, float]]:
    """The (lon, lat) points a leg runs through: start hub, via points, end hub."""
    pts = [(hubs[leg.from_hub].lon, hubs[leg.from_hub].lat)]
    for v in leg.via:
        if v.hub is not None:
            pts.append((hubs[v.hub].lon, hubs[v.hub].lat))
        else:
            pts.append((float(v.lon), float(v.lat)))  # type: ignore[arg-type]
    pts.append((hubs[leg.to_hub].lon, hubs[leg.to_hub].lat))
    return pts


class GeometryBuilder:
    """Builds leg geometry with the registered builders, once per distinct leg.

    The same leg (same ends, mode, status and via points) often appears in
    several corridors; it is built once and reused.
    """

    def __init__(
        self,
        hubs: Mapping[str, Hub],
        *,
        builders: Mapping[Mode, Builder] | None = None,
        unbuilt_builders: Mapping[Mode, Builder] | None = None,
    ) -> None:
        self.hubs = hubs
        self.builders = dict(BUILDERS if builders is None else builders)
        self.unbuilt_builders = dict(UNBUILT_BUILDERS if unbuilt_builders is None else unbuilt_builders)
        self._cache: dict[str, LegGeometry] = {}

    def __call__(self, leg: Leg) -> LegGeometry:
        points = leg_points(leg, self.hubs)
        key = json.dumps([leg.mode, leg.status, leg.routing, leg.max_snap_km, points])
        if key not in self._cache:
            table = self.builders if leg.status == Status.OPERATIONAL else self.unbuilt_builders
            try:
                self._cache[key] = table[leg.mode](points, leg)
            except CorridorMapperError as exc:
                raise type(exc)(f"{leg.mode} leg {leg.from_hub} -> {leg.to_hub}: {exc}") from None
        return self._cache[key]
