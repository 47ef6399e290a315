"""Distances on the Earth: one ellipsoid for lengths, one sphere for nearest-node searches, the longitude wrap.

Coordinates are ``(lon, lat)`` in degrees, EPSG:4326; distances are in km.
Lengths are geodesic on the WGS84 ellipsoid (:data:`GEOD`), never in degrees.
Nearest-node searches use chords on the unit sphere (a KD-tree needs a metric
space), turned into great-circle km on a sphere of the Earth's mean radius:
within 0.5 % of the ellipsoid, and only used to find and limit neighbours.

Every module of :mod:`geo` measures with this one: it sits at the bottom of the
import graph, so nothing that measures needs to import anything that routes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Geod

__all__ = [
    "EARTH_RADIUS_KM",
    "GEOD",
    "chord_to_km",
    "distance_km",
    "geodesic_km",
    "km_to_chord",
    "unit_xyz",
    "unwrap_lon",
    "wrap_lon",
]

GEOD = Geod(ellps="WGS84")
"""The ellipsoid all lengths are measured on."""
EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), for the unit-sphere searches only."""


def geodesic_km(coords: np.ndarray) -> float:
    """Length of a lon/lat polyline on the WGS84 ellipsoid, in km.

    Returns
    -------
    float
        0 for fewer than two points.
    """
    coords = np.asarray(coords, dtype=float)
    if len(coords) < 2:
        return 0.0
    return float(GEOD.line_length(coords[:, 0], coords[:, 1])) / 1000.0


def distance_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> Any:
    """Geodesic distance between points (scalars or arrays, element by element, broadcast), in km.

    Returns
    -------
    float or numpy.ndarray
        A float for four scalars, else an array of the broadcast shape.
    """
    args = (lon1, lat1, lon2, lat2)
    if all(np.ndim(a) == 0 for a in args):
        return GEOD.inv(*args)[2] / 1000.0
    lon1, lat1, lon2, lat2 = (np.ascontiguousarray(a, dtype=float) for a in np.broadcast_arrays(*args))
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def unwrap_lon(lons: np.ndarray) -> np.ndarray:
    """Make longitudes continuous along a line (no 360° jumps), keeping the first one."""
    return np.degrees(np.unwrap(np.radians(lons)))


def wrap_lon(lons: np.ndarray) -> np.ndarray:
    """Bring longitudes into [-180, 180)."""
    return (np.asarray(lons) + 180.0) % 360.0 - 180.0


def unit_xyz(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points on the unit sphere, (n, 3), for KD-tree searches."""
    lam, phi = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def chord_to_km(chord: np.ndarray) -> np.ndarray:
    """Unit-sphere chord lengths as great-circle km."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord) / 2.0, 0.0, 1.0))


def km_to_chord(km: float) -> float:
    """Great-circle km as a unit-sphere chord length (a KD-tree radius)."""
    return float(2.0 * np.sin(km / EARTH_RADIUS_KM / 2.0))
