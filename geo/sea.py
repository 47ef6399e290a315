"""Sea and ferry legs on searoute's maritime network, and the sea links between ports.

searoute (Eurostat's marnet, Apache-2.0) routes between two points at sea; a
leg's line runs from its port straight to searoute's network, along it, and
straight to the other port. Coordinates are ``(lon, lat)`` in EPSG:4326, with
longitudes continuous along a line (a trans-Pacific route runs past 180°);
lengths are geodesic (WGS84), in km.

searoute links the Caspian and the Black Sea through Russia's inland waterways;
:func:`sea_geometry` refuses such routes (:data:`VOLGA_DON`).

:func:`sea_links` lists the pairs of ports the multimodal graph joins by water;
their searoute lines are cached on disk (:mod:`geo._cache`), since searoute
takes a while per pair.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import searoute
import shapely

from geo._cache import cache_dir, read_json, write_json
from geo.catalog import Catalog
from geo.errors import GeometryError
from geo.geodesy import distance_km, geodesic_km, unwrap_lon
from geo.leg_geometry import LegGeometry
from geo.model import Hub, HubKind, Leg, Mode

__all__ = [
    "MAX_PORT_KM",
    "SEAROUTE",
    "SEAROUTE_ATTRIBUTION",
    "SEA_LINK_MAX_KM",
    "VOLGA_DON",
    "sea_coords",
    "sea_geometry",
    "sea_links",
    "searoute_leg",
]

SEAROUTE_ATTRIBUTION = "Sea routes: searoute (Eurostat marnet, Apache-2.0)"
MAX_PORT_KM = 100.0
"""A sea or ferry leg's hub may lie this far from searoute's network (Astrakhan, up the Volga, is about 10 km)."""
SEAROUTE = "searoute"
SEA_LINK_MAX_KM = 2500.0
"""Ports farther apart than this (great circle) get no sea link unless the catalog has one."""

# Russia's inland waterways between the Caspian and the Black Sea (the Volga below
# Saratov, the Volga-Don canal and the lower Don). searoute's network links the two
# seas through them, with no restriction flag (field notes); a Caspian or Black Sea
# leg that enters this area has left the sea. Box chosen to hold only river and
# canal (the Caspian shore lies south of 46.8 N west of 47.3 E; the Sea of Azov
# lies west of 40 E).
VOLGA_DON = shapely.box(40.0, 46.8, 47.3, 51.6)


def _searoute(a: tuple[float, float], b: tuple[float, float], leg: Leg) -> np.ndarray:
    feature = searoute.searoute(list(a), list(b), units="km", append_orig_dest=True)
    coords = np.asarray(feature["geometry"]["coordinates"], dtype=float)
    # drop repeated vertices (searoute may append an origin equal to its first node)
    keep = np.ones(len(coords), dtype=bool)
    keep[1:] = np.any(np.diff(coords, axis=0) != 0, axis=1)
    return coords[keep]


def sea_geometry(points: Sequence[tuple[float, float]], leg: Leg) -> LegGeometry:
    """A sea or ferry leg on searoute's maritime network, through its via points.

    Returns
    -------
    LegGeometry
        The line, with the straight pieces to and from the ports as ``snap_km``.

    Raises
    ------
    GeometryError
        If the route leaves the sea through Russia's inland waterways
        (Volga-Don), which no corridor avoiding Russia can use, or a port
        lies farther than :data:`MAX_PORT_KM` from the sea lanes.
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
    coords[:, 0] = unwrap_lon(coords[:, 0])
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


# --- sea links between ports ------------------------------------------------------------

_SEA_CACHE: dict[str, list[list[float]] | None] = {}
"""searoute lines between port pairs (None: the route leaves the sea), mirrored on disk."""


def _sea_cache_file() -> Path:
    return cache_dir() / "sea-links-v1.json"


def sea_coords(a: Hub, b: Hub) -> np.ndarray | None:
    """searoute's line between two ports, or None if it leaves the sea (cached on disk)."""
    key = f"{a.lon:.5f},{a.lat:.5f}|{b.lon:.5f},{b.lat:.5f}"
    if not _SEA_CACHE:
        stored = read_json(_sea_cache_file())
        if isinstance(stored, dict):
            _SEA_CACHE.update(stored)
    if key not in _SEA_CACHE:
        leg = Leg.model_validate({"from": a.id, "to": b.id, "mode": "sea", "status": "operational"})
        try:
            _SEA_CACHE[key] = sea_geometry([(a.lon, a.lat), (b.lon, b.lat)], leg).coords.tolist()
        except GeometryError:
            _SEA_CACHE[key] = None
        write_json(_sea_cache_file(), _SEA_CACHE)
    coords = _SEA_CACHE[key]
    return None if coords is None else np.asarray(coords)


def sea_links(catalog: Catalog, hubs: dict[str, Hub]) -> dict[tuple[str, str], Mode]:
    """Pairs of hubs joined by water, with the mode the catalog uses between them (ferry or sea).

    Returns
    -------
    dict
        ``(hub id, hub id)`` (sorted) → mode: the catalog's water legs without
        via points, and every pair of sea ports at most :data:`SEA_LINK_MAX_KM`
        apart (great circle).
    """
    links: dict[tuple[str, str], Mode] = {}
    for c in catalog.corridors.values():
        for leg in c.legs:
            if leg.mode.is_water and not leg.via and leg.from_hub in hubs and leg.to_hub in hubs:
                links[tuple(sorted((leg.from_hub, leg.to_hub)))] = leg.mode  # type: ignore[index]
    ports = sorted((h for h in hubs.values() if h.kind == HubKind.SEA_PORT), key=lambda h: h.id)
    for a, b in itertools.combinations(ports, 2):
        if (a.id, b.id) in links:
            continue
        if distance_km(a.lon, a.lat, b.lon, b.lat) <= SEA_LINK_MAX_KM:
            links[(a.id, b.id)] = Mode.SEA
    return links
