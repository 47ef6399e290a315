"""A leg's line and how it was made: the value every geometry builder returns.

It sits below the builders (great-circle lines in :mod:`geo.geometry`, sea
routes in :mod:`geo.sea`, network routes) so that each of them can return one
without importing the others. Coordinates are ``(lon, lat)`` in EPSG:4326,
longitudes continuous along the line; lengths are geodesic (WGS84), in km.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import shapely

from geo.geodesy import geodesic_km

__all__ = ["QUALITIES", "TRUSTED_SHARE", "LegGeometry", "geometry_quality"]

TRUSTED_SHARE = 0.9
"""A line is trustworthy when at least this share of it follows surveyed track (the rest: snaps, connectors)."""
QUALITIES = ("network", "gap-fill", "approximate")
"""How far a line can be trusted: on the shipped network, on sourced gap-fill track, or approximate."""


def geometry_quality(length_km: float, network_km: float, gapfill_km: float = 0.0) -> str:
    """``network`` when at least :data:`TRUSTED_SHARE` of the line is on the shipped network's own edges (sea legs:
    on searoute's lanes); ``gap-fill`` when the network and sourced gap-fill track digitised to within a few km
    (``gapfill_km``) together reach that share; ``approximate`` otherwise: great-circle lines and digitised
    alignments coarser than that."""
    if length_km <= 0:
        return "approximate"
    if network_km / length_km >= TRUSTED_SHARE:
        return "network"
    if (network_km + gapfill_km) / length_km >= TRUSTED_SHARE:
        return "gap-fill"
    return "approximate"


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

    @cached_property
    def length_km(self) -> float:
        """Geodesic km along the line (measured once: the coordinates are not to be changed)."""
        return geodesic_km(self.coords)

    @property
    def on_network_share(self) -> float:
        """The share of the line that follows a network's own edges (0 for great-circle lines)."""
        total = self.length_km
        return float(self.extras.get("network_km", 0.0)) / total if total > 0 else 0.0

    @property
    def quality(self) -> str:
        """See :func:`geometry_quality`."""
        precise = float(self.extras.get("gapfill_km", 0.0)) - float(self.extras.get("gapfill_coarse_km", 0.0))
        return geometry_quality(self.length_km, float(self.extras.get("network_km", 0.0)), precise)

    @property
    def line(self) -> shapely.LineString:
        return shapely.LineString(self.coords)
