"""Leg geometry: one builder per mode, lengths on the ellipsoid.

Each mode has a builder, ``(points, leg) -> LegGeometry``, registered in
:data:`BUILDERS`; replacing an entry (for instance routing land legs on a real
rail network) changes how that mode is drawn without touching anything else.
Rail and road legs are routed on the networks (:mod:`geo.network_data`,
:mod:`geo.routing`), sea and ferry legs on searoute (:mod:`geo.sea`), planned
legs drawn as great-circle lines. Every builder returns a
:class:`~geo.leg_geometry.LegGeometry` (defined below the builders, re-exported here).

Coordinates are ``(lon, lat)`` in EPSG:4326. Longitudes along a line are kept
continuous (a trans-Pacific line may run past 180°) so that maps draw it in one
piece; exporters that need RFC 7946 lines cut them at the antimeridian.
Lengths are geodesic on the WGS84 ellipsoid (:data:`geo.geodesy.GEOD`), never in degrees.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from geo.errors import CorridorMapperError
from geo.geodesy import GEOD, unwrap_lon
from geo.leg_geometry import LegGeometry
from geo.model import Hub, Leg, Mode, Status
from geo.network_data import prepared_network
from geo.routing import DEFAULT_MAX_SNAP_KM, route_points, routed_geometry
from geo.sea import sea_geometry

__all__ = [
    "BUILDERS",
    "GREAT_CIRCLE",
    "UNBUILT_BUILDERS",
    "GeometryBuilder",
    "LegGeometry",
    "geodesic_path",
    "great_circle_geometry",
    "leg_points",
    "network_geometry",
]

DENSIFY_KM = 20.0
"""Great-circle lines get a vertex at least every this many km, so they curve on a map."""

GREAT_CIRCLE = "great-circle"


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
    line[:, 0] = unwrap_lon(line[:, 0])
    return line


Builder = Callable[[Sequence[tuple[float, float]], Leg], LegGeometry]


def great_circle_geometry(points: Sequence[tuple[float, float]], leg: Leg) -> LegGeometry:
    """A leg drawn as great-circle arcs through its points (no network)."""
    return LegGeometry(geodesic_path(points), GREAT_CIRCLE)


def network_geometry(kind: str) -> Builder:
    """A builder that routes legs on the named network (``rail`` or ``road``), loaded on first use."""

    def build(points: Sequence[tuple[float, float]], leg: Leg) -> LegGeometry:
        if leg.routing == "great-circle":
            return great_circle_geometry(points, leg)
        names = [leg.from_hub] + [f"via point {i} of {leg.from_hub} -> {leg.to_hub}" for i in range(1, len(points) - 1)]
        names.append(leg.to_hub)
        net = prepared_network(kind)  # type: ignore[arg-type]
        path = route_points(net, points, names, max_snap_km=leg.max_snap_km or DEFAULT_MAX_SNAP_KM)
        return routed_geometry(net, path)

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
