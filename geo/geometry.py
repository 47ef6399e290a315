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

from geo import leg_store
from geo.errors import CorridorMapperError, GeometryError
from geo.geodesy import GEOD, unwrap_lon
from geo.leg_geometry import LegGeometry
from geo.model import Hub, Leg, Mode, Status
from geo.network_data import prepared_network, prepared_network_file
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
        from geo.routing import DEFAULT_MAX_SNAP_KM, route_points, routed_geometry  # SciPy: only to route

        net = prepared_network(kind)  # type: ignore[arg-type]
        path = route_points(net, points, names, max_snap_km=leg.max_snap_km or DEFAULT_MAX_SNAP_KM)
        return routed_geometry(net, path)

    build.__name__ = f"{kind}_network_geometry"
    build.stored_as = lambda: f"{kind} network {prepared_network_file(kind).name}"  # type: ignore[attr-defined, arg-type]
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


def _key(leg: Leg, points: Sequence[tuple[float, float]]) -> str:
    """What makes a leg's line: its mode, status, routing, snap limit and points."""
    return json.dumps([leg.mode, leg.status, leg.routing, leg.max_snap_km, points])


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
        self._names: dict[object, str] = {}

    def __call__(self, leg: Leg) -> LegGeometry:
        try:
            return self.line(leg)
        except CorridorMapperError as exc:
            raise type(exc)(f"{leg.mode} leg {leg.from_hub} -> {leg.to_hub}: {exc}") from None

    def line(self, leg: Leg) -> LegGeometry:
        """The leg's line, as :meth:`__call__`, with a builder's error as it is (not prefixed with the leg).

        Lines of the shipped builders come from :mod:`geo.leg_store` when an earlier run routed them, and so do
        their :class:`~geo.errors.GeometryError` (no sea route with a passage closed, for one).
        """
        points = leg_points(leg, self.hubs)
        key = _key(leg, points)
        if key not in self._cache:
            build = self._builder(leg)
            kept = self._stored_key(build, key)
            geom = leg_store.stored(kept) if kept else None
            if isinstance(geom, str):
                raise GeometryError(geom)
            if geom is None:
                try:
                    geom = build(points, leg)
                except GeometryError as exc:
                    if kept:
                        leg_store.keep(kept, str(exc))
                    raise
                if kept:
                    leg_store.keep(kept, geom)
            self._cache[key] = geom
        return self._cache[key]

    def with_water(self, build: Builder) -> GeometryBuilder:
        """A builder like this one whose sea and ferry legs, built or not, are made by ``build`` (a scenario's
        closed passages); its lines are not shared with this one."""
        water = {Mode.SEA: build, Mode.FERRY: build}
        return GeometryBuilder(
            self.hubs, builders={**self.builders, **water}, unbuilt_builders={**self.unbuilt_builders, **water}
        )

    def _builder(self, leg: Leg) -> Builder:
        """The builder of the leg's mode: for a leg that exists, or for one planned or being built."""
        return (self.builders if leg.status == Status.OPERATIONAL else self.unbuilt_builders)[leg.mode]

    def _stored_key(self, build: Builder, key: str) -> str | None:
        """The leg's key in :mod:`geo.leg_store` with a builder that names how its lines are made
        (``stored_as``: the shipped network and sea builders); None for any other builder."""
        name = getattr(build, "stored_as", None)
        if name is None:
            return None
        if name not in self._names:
            self._names[name] = name() if callable(name) else str(name)
        return f"{self._names[name]} {key}"

    def missing(self, legs: Sequence[Leg]) -> list[Leg]:
        """The legs whose lines are neither built in this builder nor stored on disk (they need routing)."""
        out = []
        for leg in legs:
            key = _key(leg, leg_points(leg, self.hubs))
            if key in self._cache:
                continue
            kept = self._stored_key(self._builder(leg), key)
            if kept is None or not isinstance(leg_store.stored(kept), LegGeometry):
                out.append(leg)
        return out

    def save(self) -> None:
        """Write the lines routed since the last save to :mod:`geo.leg_store`, for the next run."""
        leg_store.save()
