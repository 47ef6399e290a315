"""Low-resolution country outlines, offline.

The outlines ship with the PyPI package ``countryinfo`` (MIT; about 1:110m,
one JSON file per country with a ``geoJSON`` member). Some small countries and
territories (and, in countryinfo 1.0.1, Hungary, Serbia, Montenegro and
Myanmar) have no outline there; :func:`country_outlines` simply lacks them and
:func:`missing_outlines` names them, so callers can say so.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import shapely
from shapely.geometry import shape

__all__ = ["OUTLINES_ATTRIBUTION", "country_outlines", "missing_outlines"]

OUTLINES_ATTRIBUTION = "Country outlines: countryinfo (MIT)"


@cache
def _read() -> tuple[dict[str, shapely.Geometry], tuple[str, ...]]:
    outlines: dict[str, shapely.Geometry] = {}
    missing: list[str] = []
    for entry in sorted((resources.files("countryinfo") / "data").iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
        except ValueError:
            continue
        iso3 = (data.get("ISO") or {}).get("alpha3")
        features = (data.get("geoJSON") or {}).get("features") or []
        if not iso3:
            continue
        if not features:
            missing.append(iso3)
            continue
        parts = [shapely.make_valid(shape(f["geometry"])) for f in features]
        outlines[iso3] = parts[0] if len(parts) == 1 else shapely.union_all(parts)
    return outlines, tuple(sorted(set(missing) - set(outlines)))


def country_outlines() -> dict[str, shapely.Geometry]:
    """ISO 3166-1 alpha-3 code → (multi)polygon in lon/lat, for every country that has one."""
    return dict(_read()[0])


def missing_outlines() -> tuple[str, ...]:
    """ISO3 codes countryinfo knows but has no outline for."""
    return _read()[1]
