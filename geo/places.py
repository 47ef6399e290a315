"""Places a user names on the command line: a hub id of the catalog, or a point as ``lat,lon``.

A point becomes an ad-hoc hub (kind ``city``) in EPSG:4326, in the country
whose outline holds it (or the nearest one, for a point at sea). Latitude comes
first, as people write coordinates; hubs store ``lon``/``lat`` apart.
"""

from __future__ import annotations

import re

import pycountry
import shapely

from geo.catalog import Catalog
from geo.countries import country_outlines
from geo.errors import OptionError
from geo.model import Hub, HubKind

__all__ = ["parse_place"]

_LATLON = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_place(text: str, catalog: Catalog, *, role: str) -> Hub:
    """A hub id, or ``lat,lon`` as an ad-hoc point hub.

    ``role`` names the place in messages (``FROM``, ``--via``, ``TO``).

    Returns
    -------
    Hub
        The catalog's hub, or a new hub of kind ``city`` at the point.

    Raises
    ------
    OptionError
        The text is neither a hub id nor a point on the Earth.
    """
    if text in catalog.hubs:
        return catalog.hubs[text]
    m = _LATLON.match(text)
    if m:
        lat, lon = float(m.group(1)), float(m.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise OptionError(f"{role} {text!r}: latitude must be within ±90 and longitude within ±180")
        slug = re.sub(
            r"[^a-z0-9]+", "-", f"{abs(lat):g}{'n' if lat >= 0 else 's'}-{abs(lon):g}{'e' if lon >= 0 else 'w'}"
        )
        return Hub(
            id=f"pt-{slug}".strip("-"),
            name=f"{lat:.4f}, {lon:.4f}",
            country=_country_at(lon, lat),
            kind=HubKind.CITY,
            lat=lat,
            lon=lon,
            sources=["given on the command line"],
        )
    raise OptionError(
        f"{role} {text!r}: not a hub id nor 'lat,lon': use a hub id (`corridors list --hubs` lists them) "
        "or a point such as 41.72,44.78"
    )


def _country_at(lon: float, lat: float) -> str:
    """The country whose outline holds the point, or the nearest one (for points at sea)."""
    p = shapely.Point(lon, lat)
    outlines = sorted((k, g) for k, g in country_outlines().items() if pycountry.countries.get(alpha_3=k))
    return min(outlines, key=lambda item: item[1].distance(p))[0]
