"""Sea and ferry legs on searoute's maritime network, and the sea links between ports.

searoute (Eurostat's marnet, Apache-2.0) routes between two points at sea. A
leg's line runs from its port straight to searoute's network, along it, and
straight to the other port. Coordinates are ``(lon, lat)`` in EPSG:4326, with
longitudes continuous along a line (a trans-Pacific route runs past 180°);
lengths are geodesic (WGS84), in km.

Clean ends: searoute joins a port to the network node nearest to it, which may
lie past the port (a dog-leg: the Aktau → Alat ferry ran south of Alat, then
54 km back to it). :func:`sea_geometry` instead leaves the network where the
line from there to the port is shortest overall without crossing more land
than searoute's own connector (:func:`_clean_end`, checked on Natural Earth's
1:10m outlines). Via points are met on the network, not visited: a leg runs to
the network node nearest each via point and on, with no out-and-back spur.

Passage restrictions (scenarios such as a closed Red Sea) are searoute's
``restrictions``: :data:`PASSAGES` names the passages it knows. searoute's own
default, the North-West Passage closed, always applies.

searoute links the Caspian and the Black Sea through Russia's inland waterways;
:func:`sea_geometry` refuses such routes (:data:`VOLGA_DON`).

:func:`sea_links` lists the pairs of ports the multimodal graph joins by water;
their searoute lines are cached on disk (:mod:`geo._cache`), since searoute
takes a while per pair.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np
import shapely

from geo._cache import cache_dir, read_json, write_json
from geo.catalog import Catalog
from geo.countries import country_outlines
from geo.errors import GeometryError, OptionError
from geo.geodesy import GEOD, geodesic_km, unwrap_lon, wrap_lon
from geo.leg_geometry import LegGeometry
from geo.model import Hub, HubKind, Leg, Mode

__all__ = [
    "MAX_PORT_KM",
    "PASSAGES",
    "SEAROUTE",
    "SEAROUTE_ATTRIBUTION",
    "VOLGA_DON",
    "SeaLink",
    "check_passages",
    "passages_on",
    "sea_builder",
    "sea_coords",
    "sea_geometry",
    "sea_links",
    "searoute_leg",
]

SEAROUTE_ATTRIBUTION = "Sea routes: searoute (Eurostat marnet, Apache-2.0)"
MAX_PORT_KM = 100.0
"""A sea or ferry leg's hub may lie this far from searoute's network (Astrakhan, up the Volga, is about 10 km)."""
SEAROUTE = "searoute"

PASSAGES: dict[str, str] = {
    "babalmandab": "the Bab-el-Mandeb strait",
    "bering": "the Bering Strait",
    "bosporus": "the Bosporus",
    "chili": "the passages south of Chile (Magellan, Cape Horn)",
    "gibraltar": "the Strait of Gibraltar",
    "malacca": "the Strait of Malacca",
    "northwest": "the North-West Passage",
    "ormuz": "the Strait of Hormuz",
    "panama": "the Panama Canal",
    "south_africa": "the route round the Cape of Good Hope",
    "suez": "the Suez Canal",
    "sunda": "the Sunda Strait",
}
"""searoute's passage names (``searoute.classes.passages.Passage``, searoute 1.6) → what they are, for messages.
Closing Bab-el-Mandeb or Suez sends Shanghai → Rotterdam via Panama (25,054 km); the Cape route, which shipping
lines use when the Red Sea closes, needs Panama closed too (25,794 km, against 19,646 km via Suez)."""
ALWAYS_CLOSED = ("northwest",)
"""searoute's default restriction, kept whatever a scenario closes: the North-West Passage is no trade route."""

Builder = Callable[[Sequence[tuple[float, float]], Leg], LegGeometry]
"""``(points, leg) -> LegGeometry``, the shape of :data:`geo.geometry.BUILDERS` entries."""

# Russia's inland waterways between the Caspian and the Black Sea (the Volga below
# Saratov, the Volga-Don canal and the lower Don). searoute's network links the two
# seas through them, with no restriction flag (field notes); a Caspian or Black Sea
# leg that enters this area has left the sea. Box chosen to hold only river and
# canal (the Caspian shore lies south of 46.8 N west of 47.3 E; the Sea of Azov
# lies west of 40 E).
VOLGA_DON = shapely.box(40.0, 46.8, 47.3, 51.6)

_PORT_LAND_KM = 3.0
"""Land this close to a port does not count against a connector: ports sit on the 1:10m coastline, give or take."""
_SAMPLE_KM = 1.0
"""Connectors are checked for land at a point every this many km."""
_CANDIDATE_DEG = 0.05
_CONNECTOR_WEIGHT = 1.05
"""A km of straight connector counts for this many km on the network: a line leaves the network early only where
that saves more than 5 % (a dog-leg past the port, a corner), not along a gentle curve of the sea lane."""
"""Where a line may leave the network for its port: its vertices, and points this far apart (degrees) between."""


def check_passages(restrictions: Iterable[str]) -> tuple[str, ...]:
    """The passages to close, checked against searoute's names (sorted, without repeats).

    Raises
    ------
    OptionError
        A name is not one of :data:`PASSAGES`.
    """
    closed = tuple(sorted({str(r).strip().lower() for r in restrictions} - {""}))
    unknown = [r for r in closed if r not in PASSAGES]
    if unknown:
        raise OptionError(
            f"sea restriction {', '.join(map(repr, unknown))}: not a passage searoute knows: "
            f"choose from {', '.join(PASSAGES)}"
        )
    return closed


def _network_path(
    a: tuple[float, float], b: tuple[float, float], closed: Sequence[str]
) -> tuple[np.ndarray, frozenset[str]] | None:
    """searoute's network nodes from the node nearest ``a`` to the node nearest ``b``, and the passages
    (:data:`PASSAGES`) they pass; None if no route exists."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "No path found": an empty line, handled by the caller
        import searoute  # here: searoute brings networkx and pandas, which a cached line never needs

        feature = searoute.searoute(
            list(a),
            list(b),
            units="km",
            restrictions=[*ALWAYS_CLOSED, *(c for c in closed if c not in ALWAYS_CLOSED)],
            return_passages=True,
        )
    coords = np.asarray(feature["geometry"]["coordinates"], dtype=float).reshape(-1, 2)
    passages = frozenset(str(p) for p in feature["properties"].get("traversed_passages", []) or [])
    return (coords, passages) if len(coords) else None


def _dedupe(coords: np.ndarray) -> np.ndarray:
    keep = np.ones(len(coords), dtype=bool)
    keep[1:] = np.any(np.diff(coords, axis=0) != 0, axis=1)
    return coords[keep]


def _drop_spurs(coords: np.ndarray) -> np.ndarray:
    """The line without out-and-back spurs (A, B, C, B, A → A): where a via point's node lies off the way on."""
    out: list[tuple[float, float]] = []
    for p in map(tuple, coords):
        if len(out) >= 2 and out[-2] == p:
            out.pop()
        elif not out or out[-1] != p:
            out.append(p)
    return np.asarray(out, dtype=float)


@cache
def _land() -> tuple[shapely.STRtree, tuple[shapely.Geometry, ...]]:
    geoms = tuple(country_outlines().values())
    for g in geoms:
        shapely.prepare(g)
    return shapely.STRtree(np.asarray(geoms, dtype=object)), geoms


def _land_samples(p: np.ndarray, port: np.ndarray) -> int:
    """How many points of the straight line ``p`` → ``port`` (every ~1 km) lie on land, not counting the quay."""
    _, _, dist = GEOD.inv(p[0], p[1], port[0], port[1])
    n = int(dist / 1000.0 / _SAMPLE_KM)
    if n < 1:
        return 0
    t = (np.arange(n) + 0.5) / n
    km_to_port = (1 - t) * dist / 1000.0
    t = t[km_to_port > _PORT_LAND_KM]
    lon = wrap_lon(p[0] + t * (port[0] - p[0]))
    lat = p[1] + t * (port[1] - p[1])
    if not len(lon):
        return 0
    tree, geoms = _land()
    on_land = np.zeros(len(lon), dtype=bool)
    for i in tree.query(shapely.box(lon.min(), lat.min(), lon.max(), lat.max())):
        on_land |= shapely.contains_xy(geoms[int(i)], lon, lat)
    return int(on_land.sum())


def _clean_end(net: np.ndarray, port: np.ndarray) -> np.ndarray:
    """``net`` (network nodes) on to ``port``, leaving the network where the whole line is shortest.

    The connector may leave from any point of the network line's second half
    (its vertices, and points every :data:`_CANDIDATE_DEG` between them), be at
    most :data:`MAX_PORT_KM` long, and cross no more land than searoute's own
    connector from the last node (which always qualifies); its km weigh
    :data:`_CONNECTOR_WEIGHT`. This removes the dog-leg of a line whose nearest
    node lies past the port (Kuryk's is 60 km north-west of it).
    """
    if len(net) < 2:
        return np.vstack([net, port])
    pieces, is_node = [net[:1]], [True]
    for p, q in itertools.pairwise(net):
        n = max(1, int(np.ceil(np.max(np.abs(q - p)) / _CANDIDATE_DEG)))
        pieces.append(p + (np.arange(1, n + 1) / n)[:, None] * (q - p))
        is_node += [False] * (n - 1) + [True]
    line, node = np.concatenate(pieces), np.asarray(is_node)
    _, _, step = GEOD.inv(line[:-1, 0], line[:-1, 1], line[1:, 0], line[1:, 1])
    along = np.concatenate([[0.0], np.cumsum(step)]) / 1000.0
    _, _, to_port = GEOD.inv(line[:, 0], line[:, 1], np.full(len(line), port[0]), np.full(len(line), port[1]))
    to_port = to_port / 1000.0
    last = len(line) - 1
    ok = (along >= along[-1] / 2) & (to_port <= MAX_PORT_KM)
    ok[last] = True
    limit = _land_samples(line[last], port)
    for i in sorted(np.flatnonzero(ok), key=lambda i: (along[i] + _CONNECTOR_WEIGHT * to_port[i], -i)):
        if i == last or _land_samples(line[i], port) <= limit:
            return _dedupe(np.vstack([line[: i + 1][node[: i + 1]], line[i : i + 1], port[None, :]]))
    raise AssertionError("the last node always qualifies")  # pragma: no cover


def sea_geometry(points: Sequence[tuple[float, float]], leg: Leg, *, restrictions: Iterable[str] = ()) -> LegGeometry:
    """A sea or ferry leg on searoute's maritime network, through its via points.

    The line leaves its port straight for the network and joins the other port
    the same way, each connector from the network point that makes the whole
    line shortest (no dog-leg past a port, :func:`_clean_end`). Via points are
    met at their nearest network node, without a spur out to the point itself.

    With ``restrictions`` (passages closed, :data:`PASSAGES`), the leg is routed
    port to port and its via points are ignored: they are the waypoints of the
    open-water route (the Suez leg's Red Sea and canal points) and would force
    it back through a closed passage, or into a dead end before it.

    Returns
    -------
    LegGeometry
        The line, with the straight pieces to and from the ports as ``snap_km``.

    Raises
    ------
    OptionError
        A restriction is not a passage searoute knows.
    GeometryError
        If no sea route exists with the passages closed (Bandar Abbas, inside
        the Gulf, with Hormuz closed), the route leaves the sea through
        Russia's inland waterways (Volga-Don), which no corridor avoiding
        Russia can use, or a port lies farther than :data:`MAX_PORT_KM` from
        the sea lanes.
    """
    closed = check_passages(restrictions)
    ends = np.asarray([points[0], points[-1]], dtype=float)
    stops = [points[0], points[-1]] if closed else list(points)
    parts, passages = [], frozenset[str]()
    for a, b in itertools.pairwise(stops):
        found = _network_path(a, b, closed)
        if found is None:
            shut = " and ".join(PASSAGES[c] for c in closed)
            raise GeometryError(
                f"no sea route from {leg.from_hub} to {leg.to_hub} with {shut} closed: "
                "open the passage, or end the leg at a port outside it"
                if closed
                else f"no sea route from {leg.from_hub} to {leg.to_hub} on searoute's network: check the ports"
            )
        parts.append(found[0])
        passages |= found[1]
    net = _drop_spurs(_dedupe(np.concatenate(parts)))
    ends_inside = any(VOLGA_DON.contains(shapely.Point(p)) for p in ends)
    if not ends_inside and shapely.intersects(shapely.LineString(np.vstack([ends[:1], net, ends[1:]])), VOLGA_DON):
        raise GeometryError(
            "the sea route runs through "
            "Russia's inland waterways (Volga-Don canal), not across open sea: split the leg "
            "at a port, change the mode to rail or road, or add via points at sea"
        )
    lon = unwrap_lon(np.concatenate([ends[:1, 0], net[:, 0], ends[1:, 0]]))
    lon[[0, -1]] = ends[:, 0] + 360.0 * np.round((lon[[0, -1]] - ends[:, 0]) / 360.0)  # the ports exactly
    start, net, end = (
        np.array([lon[0], ends[0, 1]]),
        np.column_stack([lon[1:-1], net[:, 1]]),
        np.array([lon[-1], ends[1, 1]]),
    )
    for node, port, hub in ((net[0], start, leg.from_hub), (net[-1], end, leg.to_hub)):
        km = float(GEOD.inv(node[0], node[1], port[0], port[1])[2]) / 1000.0
        if km > MAX_PORT_KM:
            raise GeometryError(
                f"{hub} is {km:.0f} km from the nearest sea lane (the limit is {MAX_PORT_KM:.0f} km): "
                "is it a port? Start the sea leg at a port hub, or change the leg's mode"
            )
    line = _clean_end(net, end)
    line = _clean_end(line[-2::-1], start)[::-1]
    line = np.vstack([line, end]) if not np.array_equal(line[-1], end) else line
    geom = searoute_leg(_dedupe(line))
    if closed:
        return geom
    return replace(geom, extras={**geom.extras, "passages": tuple(sorted(passages))})  # see passages_on


sea_geometry.stored_as = "searoute "  # type: ignore[attr-defined]  # its lines are kept by geo.leg_store


@cache
def _passages_between(a: tuple[float, float], b: tuple[float, float]) -> frozenset[str]:
    found = _network_path(a, b, ())
    return frozenset() if found is None else found[1]


def passages_on(points: Sequence[tuple[float, float]]) -> frozenset[str]:
    """The searoute passages (:data:`PASSAGES`) a sea leg through ``points`` takes with every passage open (also
    in the ``passages`` extra of its :func:`sea_geometry`)."""
    return frozenset().union(*(_passages_between(tuple(a), tuple(b)) for a, b in itertools.pairwise(points)))


def sea_builder(restrictions: Iterable[str] = ()) -> Builder:
    """A builder for :data:`geo.geometry.BUILDERS` (sea and ferry) that routes with ``restrictions`` closed.

    Raises
    ------
    OptionError
        A restriction is not a passage searoute knows (checked here, before any leg is built).
    """
    closed = check_passages(restrictions)

    def build(points: Sequence[tuple[float, float]], leg: Leg) -> LegGeometry:
        return sea_geometry(points, leg, restrictions=closed)

    build.__name__ = "sea_geometry_" + "_".join(closed) if closed else "sea_geometry"
    build.stored_as = "searoute " + ",".join(closed)  # type: ignore[attr-defined]  # see geo.leg_store
    return build


def searoute_leg(coords: np.ndarray) -> LegGeometry:
    """A sea leg from searoute's line, which starts and ends with straight pieces from the ports to its network."""
    snap_km = geodesic_km(coords[:2]) + geodesic_km(coords[-2:]) if len(coords) > 3 else 0.0
    extras = {"network_km": geodesic_km(coords) - snap_km, "connector_km": 0.0, "snap_km": snap_km}
    return LegGeometry(coords, SEAROUTE, (SEAROUTE_ATTRIBUTION,), extras)


# --- sea links between ports ------------------------------------------------------------

_SEA_CACHE: dict[str, list[list[float]] | None] = {}
"""searoute lines between port pairs (None: no sea route, or one through inland waters), mirrored on disk."""


def _sea_cache_file() -> Path:
    return cache_dir() / "sea-links-v2.json"


def sea_coords(
    a: Hub, b: Hub, *, via: Sequence[tuple[float, float]] = (), restrictions: Iterable[str] = ()
) -> np.ndarray | None:
    """The sea line from port ``a`` to port ``b`` through ``via`` (:func:`sea_geometry`), cached on disk.

    Returns
    -------
    numpy.ndarray or None
        ``(lon, lat)`` rows, or None if no sea route exists with ``restrictions``
        closed, or the route leaves the sea.

    Raises
    ------
    OptionError
        A restriction is not a passage searoute knows.
    """
    closed = check_passages(restrictions)
    points = [(a.lon, a.lat), *((float(x), float(y)) for x, y in via), (b.lon, b.lat)]
    key = "|".join(f"{x:.5f},{y:.5f}" for x, y in points) + "|closed:" + ",".join(closed)
    if not _SEA_CACHE:
        stored = read_json(_sea_cache_file())
        if isinstance(stored, dict):
            _SEA_CACHE.update(stored)
    if key not in _SEA_CACHE:
        leg = Leg.model_validate({"from": a.id, "to": b.id, "mode": "sea", "status": "operational"})
        try:
            _SEA_CACHE[key] = sea_geometry(points, leg, restrictions=closed).coords.tolist()
        except GeometryError:
            _SEA_CACHE[key] = None
        write_json(_sea_cache_file(), _SEA_CACHE)
    coords = _SEA_CACHE[key]
    return None if coords is None else np.asarray(coords)


@dataclass(frozen=True)
class SeaLink:
    """A link by water between two hubs of the multimodal graph."""

    mode: Mode
    """Ferry or sea: the mode of the catalog's leg between them, else sea."""
    via: tuple[tuple[float, float], ...] = ()
    """The catalog leg's via points ``(lon, lat)``, if it has some: the link follows the catalog's line."""


def sea_links(catalog: Catalog, hubs: dict[str, Hub]) -> dict[tuple[str, str], SeaLink]:
    """Pairs of hubs joined by water: every catalog water leg, and every pair of sea ports.

    Every pair of sea ports is linked, however far apart (a sea route from
    Shanghai to Rotterdam has no port of call in the catalog); pairs with no
    sea route between them (a Caspian and an ocean port) drop out when their
    line is made (:func:`sea_coords` gives None).

    Returns
    -------
    dict
        ``(hub id, hub id)`` (sorted) → :class:`SeaLink`: the catalog's own mode
        and via points where it has a water leg between the two.
    """
    links: dict[tuple[str, str], SeaLink] = {}
    for c in catalog.corridors.values():
        for leg in c.legs:
            if not (leg.mode.is_water and leg.from_hub in hubs and leg.to_hub in hubs):
                continue
            via = tuple(
                (hubs[v.hub].lon, hubs[v.hub].lat) if v.hub is not None else (float(v.lon), float(v.lat))  # type: ignore[arg-type]
                for v in leg.via
            )
            pair = (leg.from_hub, leg.to_hub)
            key: tuple[str, str] = pair if pair[0] < pair[1] else (pair[1], pair[0])
            links.setdefault(key, SeaLink(leg.mode, via if key == pair else via[::-1]))
    ports = sorted((h for h in hubs.values() if h.kind == HubKind.SEA_PORT), key=lambda h: h.id)
    for a, b in itertools.combinations(ports, 2):
        links.setdefault((a.id, b.id), SeaLink(Mode.SEA))
    return links
