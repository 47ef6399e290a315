"""Places a user names on the command line, and how far they are from what can carry them.

A place is a hub id of the catalog, or a point as ``lat,lon`` in decimal
degrees (EPSG:4326; latitude first, as people write coordinates; hubs store
``lon`` and ``lat`` apart). A point becomes an ad-hoc hub of kind ``city``, in
the country whose outline holds it (or the nearest one, for a point at sea).

:func:`check_within_reach` says, before any graph is built, when a place is
too far from every network the chosen modes use: how far, and from what.
Distances are great-circle km on the unit sphere for network nodes
(:meth:`geo.network.Network.nearest`) and geodesic (WGS84) for hubs.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pycountry
import shapely

from geo.catalog import Catalog
from geo.countries import countries_at, country_outlines
from geo.errors import CatalogError, NetworkError, OptionError
from geo.geodesy import distance_km
from geo.model import Hub, HubKind, Mode, Source
from geo.network import Network
from geo.routing import DEFAULT_MAX_SNAP_KM

__all__ = ["Reach", "check_within_reach", "network_reach", "parse_place", "port_reach"]

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_LATLON = re.compile(rf"^\s*({_NUMBER})\s*,\s*({_NUMBER})\s*$")
_NUMBERISH = re.compile(r"^[\s\d.,;:/+\-°]+$")
"""Text made of digits and separators only: meant as a point, however malformed."""
EXAMPLE_POINT = "41.72,44.78"


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
        The text is neither a hub id nor a point on the Earth; the message
        says what is wrong (not numbers, swapped lat/lon, a near-miss hub id).
    """
    if text in catalog.hubs:
        return catalog.hubs[text]
    m = _LATLON.match(text)
    if m:
        return _point_hub(text, float(m.group(1)), float(m.group(2)), role=role)
    if "," in text or _NUMBERISH.match(text):
        raise OptionError(f"{role} {text!r}: {_why_not_a_point(text)}")
    close = _close_hub_ids(text, catalog)
    hint = f"did you mean {' or '.join(close)}? Or use" if close else "use"
    raise OptionError(
        f"{role} {text!r}: not a hub id nor 'lat,lon': {hint} a hub id (`corridors list --hubs` lists them) "
        f"or a point such as {EXAMPLE_POINT}"
    )


def _point_hub(text: str, lat: float, lon: float, *, role: str) -> Hub:
    if not (-90 <= lat <= 90) and -90 <= lon <= 90 and -180 <= lat <= 180:
        raise OptionError(
            f"{role} {text!r}: latitude {lat:g} is beyond ±90, and this looks like lon,lat: "
            f"give lat first ({lon:g},{lat:g})"
        )
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise OptionError(f"{role} {text!r}: latitude must be within ±90 and longitude within ±180")
    slug = re.sub(r"[^a-z0-9]+", "-", f"{abs(lat):g}{'n' if lat >= 0 else 's'}-{abs(lon):g}{'e' if lon >= 0 else 'w'}")
    return Hub(
        id=f"pt-{slug}".strip("-"),
        name=f"{lat:.4f}, {lon:.4f}",
        country=_country_at(lon, lat),
        kind=HubKind.CITY,
        lat=lat,
        lon=lon,
        sources=[Source(text="given on the command line")],
    )


def _why_not_a_point(text: str) -> str:
    """What is wrong with text meant as ``lat,lon``."""
    parts = [p.strip() for p in text.split(",")]
    fix = f"give lat,lon in decimal degrees, e.g. {EXAMPLE_POINT}"
    if len(parts) == 4 and all(re.fullmatch(r"[-+]?\d+", p) for p in parts):
        return f"decimal commas? Write decimals with a point: {fix} (not 41,72,44,78)"
    if len(parts) != 2:
        return f"not a point: {fix} (two numbers and one comma)"
    if "" in parts:
        return f"a number is missing: {fix}"
    bad = next(p for p in parts if not re.fullmatch(_NUMBER, p))  # _LATLON did not match: one is not a number
    return f"{bad!r} is not a number: {fix}"


def _close_hub_ids(text: str, catalog: Catalog) -> list[str]:
    """Hub ids near ``text``, matched on ids and on names (difflib), best first."""
    key = re.sub(r"[\s_]+", "-", text.strip().lower())
    names = {h.name.lower(): h.id for h in catalog.hubs.values()}
    candidates = {**names, **{h: h for h in catalog.hubs}}
    if key in candidates:  # the id or the name, in other letter case or spacing
        return [candidates[key]]
    found = difflib.get_close_matches(key, sorted(candidates), n=3, cutoff=0.6)
    return list(dict.fromkeys(candidates[f] for f in found))


def _country_at(lon: float, lat: float) -> str:
    """The country whose outline holds the point, or the nearest one (for points at sea)."""
    fast = countries_at(np.array([lon]), np.array([lat]))[0]
    if pycountry.countries.get(alpha_3=fast):
        return fast
    p = shapely.Point(lon, lat)
    outlines = sorted((k, g) for k, g in country_outlines().items() if pycountry.countries.get(alpha_3=k))
    return min(outlines, key=lambda item: item[1].distance(p))[0]


# --- how far a place is from what can carry it -------------------------------------------

THINGS = {"rail": "rail line", "road": "road", "port": "sea port hub"}
"""What a mode's traffic starts from, in messages."""


@dataclass(frozen=True)
class Reach:
    """How far a place is from the nearest thing one mode can use."""

    what: str
    """``rail line``, ``road`` or ``sea port hub``."""
    km: float
    where: str
    """The nearest node as ``lat,lon`` (and a hub near it), or the nearest port hub's id."""

    def __str__(self) -> str:
        km = "an unknown distance" if not math.isfinite(self.km) else f"{self.km:,.0f} km"
        return f"{km} from the nearest {self.what} ({self.where})"


def network_reach(net: Network, hub: Hub, hubs: Mapping[str, Hub] | None = None) -> Reach:
    """How far ``hub`` is from the nearest node of ``net``, naming a hub of ``hubs`` near that node."""
    what = THINGS.get(net.name, f"{net.name} line")
    nodes, km = net.nearest(hub.lon, hub.lat)
    if not len(nodes):
        return Reach(what, math.inf, "the network is empty")
    lon, lat = float(net.lon[nodes[0]]), float(net.lat[nodes[0]])
    where = f"at {lat:.2f},{lon:.2f}"
    others = [h for h in (hubs or {}).values() if h.id != hub.id]
    if others:
        d = distance_km(lon, lat, np.array([h.lon for h in others]), np.array([h.lat for h in others]))
        i = int(np.argmin(d))
        if d[i] <= 2 * DEFAULT_MAX_SNAP_KM:
            where += f", near hub {others[i].id}"
    return Reach(what, float(km[0]), where)


def port_reach(hub: Hub, ports: Collection[Hub]) -> Reach:
    """How far ``hub`` is from the nearest of ``ports`` (geodesic)."""
    others = [p for p in ports if p.id != hub.id]
    if not others:
        return Reach(THINGS["port"], math.inf, "there is none")
    d = distance_km(hub.lon, hub.lat, np.array([p.lon for p in others]), np.array([p.lat for p in others]))
    i = int(np.argmin(d))
    return Reach(THINGS["port"], float(d[i]), others[i].id)


def check_within_reach(
    label: str,
    hub: Hub,
    modes: Collection[Mode],
    networks: Mapping[str, Network],
    ports: Mapping[str, Hub],
    *,
    hubs: Mapping[str, Hub] | None = None,
    max_snap_km: float = DEFAULT_MAX_SNAP_KM,
) -> None:
    """Refuse a place that none of the chosen modes can reach, saying how far it is and from what.

    A place is within reach when it lies at most ``max_snap_km`` from a node of
    one of ``networks`` (the chosen land modes), or, with sea or ferry chosen,
    is one of ``ports`` (hubs that water links join). ``label`` names the place
    in the message (``FROM '30,-40'``); ``hubs`` name hubs near the nearest nodes.

    Raises
    ------
    NetworkError
        The place is out of reach of every chosen mode.
    """
    water = any(m.is_water for m in modes)
    if water and hub.id in ports:
        return
    land = [str(m) for m in (Mode.RAIL, Mode.ROAD) if m in modes and str(m) in networks]
    reaches = [network_reach(networks[kind], hub, hubs) for kind in land]
    if any(r.km <= max_snap_km for r in reaches):
        return
    if water:
        reaches.append(port_reach(hub, ports.values()))
    found = " and ".join(map(str, reaches)) if reaches else "not on any network"
    fixes = []
    if land:
        fixes.append(f"choose a point within {max_snap_km:g} km of a {' or '.join(THINGS[k] for k in land)}")
    if water:
        fixes.append("start or end at a port hub")
    useful = (Mode.RAIL, Mode.ROAD, Mode.SEA, Mode.FERRY) if hub.id in ports else (Mode.RAIL, Mode.ROAD)
    missing = [str(m) for m in useful if m not in modes]
    if missing:
        fixes.append(f"add {','.join(missing)} to --modes")
    raise NetworkError(f"{label} is {found}: {', or '.join(fixes)}")


# --- many places at once: a CSV of points, or a list of hub ids ----------------------------------------------------

POINT_COLUMNS = ("id", "lat", "lon")


def points_from_csv(path: Path) -> list[tuple[str, Hub]]:
    """The points of a CSV file with columns ``id,lat,lon`` (others are ignored), each as a hub.

    Raises
    ------
    CatalogError
        One line naming the file, the row (counting the header as row 1), the column and the value: a missing
        column, an empty or duplicate id, a coordinate that is not a number or out of range; or no rows.
    """
    import csv

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CatalogError(
            f"{path}: cannot read it ({exc.strerror}): give a CSV file with columns id,lat,lon"
        ) from None
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not UTF-8 text (byte {exc.start}): save it as UTF-8 CSV") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in POINT_COLUMNS if c not in header]
    if missing:
        raise CatalogError(
            f"{path}: row 1: no column {', '.join(map(repr, missing))} (the header has {', '.join(header) or 'none'}): "
            "give a header line id,lat,lon"
        )
    names = dict(zip(header, reader.fieldnames or [], strict=True))
    out: list[tuple[str, Hub]] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(reader, start=2):
        pid = (row.get(names["id"]) or "").strip()
        if not pid:
            raise CatalogError(f"{path}: row {i}: column 'id' is empty: give every point an id")
        if pid in seen:
            raise CatalogError(
                f"{path}: row {i}: column 'id' = {pid!r} repeats row {seen[pid]}: give each point its own id"
            )
        seen[pid] = i
        values = []
        for col, low, high in (("lat", -90, 90), ("lon", -180, 180)):
            raw = (row.get(names[col]) or "").strip()
            try:
                value = float(raw)
            except ValueError:
                raise CatalogError(
                    f"{path}: row {i}: column {col!r} = {raw!r} is not a number: write decimal degrees, e.g. 41.72"
                ) from None
            if not (low <= value <= high) or value != value:
                raise CatalogError(
                    f"{path}: row {i}: column {col!r} = {raw!r} is out of range: {col} must be between {low} and {high}"
                )
            values.append(value)
        lat, lon = values
        out.append((pid, _point_hub(f"{lat},{lon}", lat, lon, role=f"{path} row {i}")))
    if not out:
        raise CatalogError(f"{path}: no rows below the header: add points as id,lat,lon")
    return out


def places_from_argument(text: str, catalog: Catalog, *, role: str) -> list[tuple[str, Hub]]:
    """``ORIGINS``/``DESTINATIONS`` of ``corridors matrix``: a path to a CSV file (``id,lat,lon``), or comma-separated
    hub ids.

    Raises
    ------
    CatalogError
        The CSV file is malformed (see :func:`points_from_csv`).
    OptionError
        An id is not a hub (with the nearest ids), or nothing was given.
    """
    path = Path(text)
    if text.lower().endswith(".csv") or path.is_file():
        return points_from_csv(path)
    ids = [t.strip() for t in text.split(",") if t.strip()]
    if not ids:
        raise OptionError(f"{role}: give a CSV file (id,lat,lon) or comma-separated hub ids")
    out = []
    for hub_id in ids:
        if hub_id not in catalog.hubs:
            close = _close_hub_ids(hub_id, catalog)
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            raise OptionError(
                f"{role}: {hub_id!r} is not a hub id: {hint}see `corridors list --hubs`, or give a CSV file"
            )
        out.append((hub_id, catalog.hubs[hub_id]))
    return list({hub_id: (hub_id, hub) for hub_id, hub in out}.values())
