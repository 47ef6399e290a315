"""Ad-hoc routes on one multimodal graph: rail, road, sea and ferry, changing mode only at hubs.

The graph stacks the rail network, the road network and one node per hub.
Networks never touch each other: a hub joins each network at its nearest node
(within :data:`~geo.routing.DEFAULT_MAX_SNAP_KM`), and sea and ferry links join
port hubs directly. So a route changes mode only at a hub, and every change
costs :data:`TRANSFER_KM`, which keeps routes from hopping between modes for
a few km of gain.

Sea links are the catalog's sea and ferry legs (on their own lines, through
their via points), plus every pair of catalog sea ports, however far apart, on
the maritime network (searoute), none through Russia's inland waterways and
none through a passage closed by ``sea_restrictions`` (see :mod:`geo.sea`).

Countries are avoided by removing every network node inside their outlines,
every hub of theirs (by the hub's own country), and every sea link from or to such a hub.

Closed borders (:mod:`geo.borders`) are respected by default: every rail and
road edge from one country of a closed border to the other is removed, and so
is every edge between either country and a node that lies in neither but
within :data:`BORDER_NODE_KM` of both (the network data often puts a node on
the drawn border line itself, which a point-in-polygon test gives to no
country). Sea and ferry links cross no land border and are kept. Node
countries come from the Natural Earth outlines (:mod:`geo.countries`), in
lon/lat (EPSG:4326), computed once per network and kept in memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from geo.borders import Border, borders, closed_borders_crossed, war_zones_entered
from geo.catalog import Catalog
from geo.countries import COUNTRY_TOLERANCE, simplified_outlines_keys
from geo.errors import CorridorMapperError, NetworkError, OptionError
from geo.graph import (
    _SHIPPED_OUTLINES,
    BORDER_NODE_KM,
    TRANSFER_KM,
    MultimodalGraph,
    avoid_mask,
    avoided_nodes,
    closed_border_cut,
    multimodal_graph,
)
from geo.leg_geometry import LegGeometry
from geo.metrics import collapse, corridor_figures, leg_countries, leg_record
from geo.model import DEFAULT_MODES, Corridor, Hub, Leg, Mode, Source, Status
from geo.network import Network
from geo.network_data import prepared_network
from geo.places import check_within_reach, parse_place
from geo.routing import path_along, routed_geometry
from geo.sea import PASSAGES, check_passages, sea_links

__all__ = [
    "BORDER_NODE_KM",
    "CLOSED_BORDERS",
    "DEFAULT_MODES",
    "TRANSFER_KM",
    "PlannedRoute",
    "avoid_mask",
    "closed_border_cut",
    "plan_route",
    "route_figures",
]

ROUTE_SOURCE = "corridor-mapper ad-hoc route (shortest path on the multimodal graph)"
CLOSED_BORDERS = ("respect", "allow")
"""What ``plan_route(closed_borders=...)`` accepts: respect closed borders (the default), or route across them."""


@dataclass(frozen=True)
class PlannedRoute:
    """An ad-hoc route as a corridor, with its legs' geometry already made."""

    corridor: Corridor
    hubs: dict[str, Hub]
    geometry: dict[int, LegGeometry]
    """Leg index (0-based) → geometry."""
    avoided_borders: tuple[Border, ...] = ()
    """The closed borders the route was kept from crossing: those the shortest route would cross if they were open."""
    warnings: tuple[str, ...] = ()
    """What a reader must know about the route: a war zone it enters, a restricted or closed border it crosses."""
    countries: tuple[str, ...] = ()
    """The countries the route passes through, in order (ISO3)."""

    def geometry_of(self, leg: Leg) -> LegGeometry:
        return self.geometry[self.corridor.legs.index(leg)]

    def catalog(self, base: Catalog) -> Catalog:
        hubs = {**base.hubs, **self.hubs}
        return Catalog(hubs=hubs, corridors={self.corridor.id: self.corridor}, origin=base.origin)


# --- the graph ------------------------------------------------------------------------------


@dataclass
class _Graph:
    """A search view of the cached :class:`geo.graph.MultimodalGraph`: its masked, weighted matrix (the rest is
    the graph's own)."""

    cost: sparse.csr_array
    base: MultimodalGraph

    @property
    def kinds(self) -> tuple[tuple[str, int, int], ...]:
        return self.base.kinds

    @property
    def nets(self) -> Mapping[str, Network]:
        return self.base.nets

    @property
    def hub_ids(self) -> tuple[str, ...]:
        return self.base.hub_ids

    @property
    def hub_base(self) -> int:
        return self.base.hub_base

    @property
    def sea(self) -> Mapping[tuple[int, int], tuple[Mode, LegGeometry]]:
        return self.base.sea

    def block(self, node: int) -> str:
        return self.base.block(node)


NetworkSource = Callable[[str], Network]


def _build_graph(
    catalog: Catalog,
    stops: Sequence[Hub],
    modes: set[Mode],
    avoid: Sequence[str],
    outlines: dict[str, shapely.Geometry] | None,
    network_of: NetworkSource,
    closed: Sequence[Border] = (),
    sea_restrictions: Sequence[str] = (),
    by: str = "km",
) -> _Graph:
    """The cached graph of ``modes`` with the ``stops`` added, avoided countries and closed borders masked, weighted
    in km (``by="km"``) or in hours of the transit model (``by="days"``)."""
    g = multimodal_graph(catalog, modes, sea_restrictions=sea_restrictions, network_of=network_of).with_points(stops)
    own = outlines if outlines is not _SHIPPED_OUTLINES.get("outlines") else None
    keep = g.keep(
        avoid_nodes=avoided_nodes(g, avoid, own),
        closed=closed,
        outlines=outlines,
        keep_hubs=[s.id for s in stops],
    )
    return _Graph(cost=g.matrix("days" if by == "days" else "km", keep), base=g)


def _in_avoided(hubs: Sequence[Hub], avoid: Sequence[str], outlines: dict[str, shapely.Geometry] | None) -> np.ndarray:
    """Per hub: in an avoided country. By the hub's own country on the shipped outlines (as the graph's hub nodes
    are labelled, :func:`geo.graph.avoided_nodes`), by where it lies on the user's own ``--boundaries``."""
    if not avoid:
        return np.zeros(len(hubs), dtype=bool)
    if outlines is None:
        return np.array([h.country in set(avoid) for h in hubs], dtype=bool)
    return avoid_mask(np.array([h.lon for h in hubs]), np.array([h.lat for h in hubs]), avoid, outlines)


def _water_linked(catalog: Catalog, hubs: dict[str, Hub]) -> dict[str, Hub]:
    """The hubs that sea or ferry links may join (ports, the ends of the catalog's water legs)."""
    linked = {h for pair in sea_links(catalog, hubs) for h in pair}
    return {h: hubs[h] for h in sorted(linked)}


def _path(graph: _Graph, a: int, b: int) -> np.ndarray | None:
    dist, pred = csgraph.dijkstra(graph.cost, directed=True, indices=a, return_predecessors=True)
    if not np.isfinite(dist[b]):
        return None
    path = [b]
    while path[-1] != a:
        path.append(int(pred[path[-1]]))
    return np.array(path[::-1])


def _legs_from_path(graph: _Graph, nodes: np.ndarray, hubs: dict[str, Hub]) -> list[tuple[Leg, LegGeometry]]:
    """Split a node path at hubs into legs, each with its geometry and figures."""
    hub_positions = [i for i, n in enumerate(nodes) if graph.block(int(n)) == "hub"]
    out: list[tuple[Leg, LegGeometry]] = []
    for i, j in itertools.pairwise(hub_positions):
        ha, hb = graph.hub_ids[nodes[i] - graph.hub_base], graph.hub_ids[nodes[j] - graph.hub_base]
        a, b = hubs[ha], hubs[hb]
        if j == i + 1:  # a sea link
            mode, geom = graph.sea[(int(nodes[i]), int(nodes[j]))]
        else:
            inner = nodes[i + 1 : j]
            kind = graph.block(int(inner[0]))
            lo = next(lo for k, lo, _ in graph.kinds if k == kind)
            net = graph.nets[kind]
            path = path_along(net, inner - lo, (a.lon, a.lat), (b.lon, b.lat))
            geom = routed_geometry(net, path)
            mode = Mode(kind)
        leg = Leg.model_validate({"from": ha, "to": hb, "mode": str(mode), "status": "operational"})
        out.append((leg, geom))
    return out


def _slug(hub: Hub) -> str:
    return hub.id.removeprefix("pt-")


def plan_route(
    catalog: Catalog,
    origin: str,
    destination: str,
    *,
    via: Sequence[str] = (),
    avoid: Sequence[str] = (),
    modes: Iterable[Mode] = DEFAULT_MODES,
    boundaries: dict[str, shapely.Geometry] | None = None,
    closed_borders: Literal["respect", "allow"] = "respect",
    sea_restrictions: Sequence[str] = (),
    open_borders: Iterable[Iterable[str]] = (),
    by: Literal["km", "days"] = "km",
    progress: Callable[[str], None] | None = None,
    network_of: NetworkSource = prepared_network,  # type: ignore[assignment]
) -> PlannedRoute:
    """The shortest route from ``origin`` to ``destination`` through ``via``, as a corridor.

    ``closed_borders="respect"`` (the default) keeps the route from crossing a
    closed border (:func:`geo.borders.borders`); ``"allow"`` lets it, with a
    warning. A route that enters a war zone, or crosses a restricted border,
    carries a warning too (:attr:`PlannedRoute.warnings`, also in the summary).
    ``sea_restrictions`` closes sea passages (:data:`geo.sea.PASSAGES`) to
    every sea and ferry link; ``open_borders`` (pairs of ISO3 codes) are
    closed borders treated as open (a scenario's). ``by="days"`` finds the fastest route by the transit model
    (border and transshipment dwell count as time; the middle of each range) instead of the shortest.

    Raises
    ------
    OptionError
        A place or country code is not understood, ``closed_borders`` is not
        one of :data:`CLOSED_BORDERS`, or a sea restriction is not a passage
        searoute knows.
    NetworkError
        A place is out of reach of every chosen mode (checked before the graph
        is built; the message says how far, and from what), or no route exists
        (the message says which constraint cut it).
    """
    say = progress or (lambda _: None)
    modes = set(modes)
    if not modes:
        raise OptionError("modes: give at least one of rail, road, sea, ferry")
    if by not in ("km", "days"):
        raise OptionError(f"by {by!r}: choose from km, days")
    if closed_borders not in CLOSED_BORDERS:
        raise OptionError(f"closed_borders {closed_borders!r}: choose from {', '.join(CLOSED_BORDERS)}")
    sea_restrictions = check_passages(sea_restrictions)
    outlines = boundaries  # None: the shipped outlines, whose facts per node and hub are cached
    opened = {frozenset(p) for p in open_borders}
    closed = [b for b in borders("closed") if b.pair not in opened] if closed_borders == "respect" else []
    avoid = [a.strip().upper() for a in avoid if a.strip()]
    known = outlines if outlines is not None else simplified_outlines_keys(COUNTRY_TOLERANCE)
    unknown = [a for a in avoid if a not in known]
    if unknown:
        raise OptionError(
            f"avoid {', '.join(unknown)}: no outline for this country code: use ISO 3166-1 alpha-3 codes "
            "(e.g. RUS,BLR), or give your own admin-0 file with --boundaries"
        )
    named = [("FROM", origin), *(("--via", v) for v in via), ("TO", destination)]
    stops = [parse_place(text, catalog, role=role) for role, text in named]
    for a, b in itertools.pairwise(stops):
        if a.id == b.id:
            raise OptionError(f"{a.id}: the route would go from {a.name} to itself: give different places")
    for hub, out in zip(stops, _in_avoided(stops, avoid, outlines), strict=True):
        if out:
            raise OptionError(
                f"{hub.id} ({hub.name}) lies in a country you avoid ({', '.join(avoid)}): drop it or the country"
            )
    hubs = {h.id: h for h in catalog.hubs.values() if h.status == Status.OPERATIONAL}  # no route via a building site
    hubs.update({h.id: h for h in stops})
    if avoid:
        inside = _in_avoided(list(hubs.values()), avoid, outlines)
        hubs = {h.id: h for h, out in zip(list(hubs.values()), inside, strict=True) if not out or h in stops}
    land = {str(m): network_of(str(m)) for m in (Mode.RAIL, Mode.ROAD) if m in modes}
    ports = _water_linked(catalog, hubs)
    for (role, text), hub in zip(named, stops, strict=True):
        check_within_reach(f"{role} {text!r}", hub, modes, land, ports, hubs=catalog.hubs)
    say("building the multimodal graph")
    graph = _build_graph(catalog, stops, modes, avoid, outlines, network_of, closed, sea_restrictions, by)
    index = {h: graph.hub_base + i for i, h in enumerate(graph.hub_ids)}
    legs: list[tuple[Leg, LegGeometry]] = []
    paths: list[np.ndarray] = []
    for a, b in itertools.pairwise(stops):
        say(f"routing {a.id} → {b.id}")
        nodes = _path(graph, index[a.id], index[b.id])
        if nodes is None:
            raise NetworkError(
                _why_no_route(catalog, a, b, modes, avoid, outlines, network_of, closed, sea_restrictions)
            )
        paths.append(nodes)
        legs += _legs_from_path(graph, nodes, hubs)
    avoided: tuple[Border, ...] = ()
    if closed and any(closed_border_cut(net, closed, outlines).any() for net in land.values()):
        say("checking which closed borders the route avoided")
        avoided = _avoided(
            catalog, hubs, stops, modes, avoid, outlines, network_of, closed, legs, paths, sea_restrictions
        )
    countries = _route_countries(legs, hubs)
    warnings = route_warnings(countries)
    first, last = stops[0], stops[-1]
    cid = f"route-{_slug(first)}-{_slug(last)}"
    if len(stops) > 2:
        cid += "-via-" + "-".join(_slug(h) for h in stops[1:-1])
    if avoid:
        cid += "-avoid-" + "-".join(sorted(a.lower() for a in avoid))
    summary = f"Shortest route by {', '.join(sorted(str(m) for m in modes))}"
    summary += f", avoiding {', '.join(avoid)}" if avoid else ""
    summary += f", via {', '.join(h.name for h in stops[1:-1])}" if len(stops) > 2 else ""
    summary += "."
    if avoided:
        summary += f" Closed borders respected: {', '.join(b.describe() for b in avoided)}."
    elif closed_borders == "allow":
        summary += " Closed borders allowed."
    summary += "".join(f" Warning: {w}." for w in warnings)
    corridor = Corridor(
        id=cid,
        name=f"Route {first.name} → {last.name}",
        summary=summary,
        legs=[leg for leg, _ in legs],
        sources=[Source(text=ROUTE_SOURCE)],
    )
    used = set(corridor.hub_ids)
    return PlannedRoute(
        corridor=corridor,
        hubs={h: hubs[h] for h in sorted(used) if h not in catalog.hubs},
        geometry={i: g for i, (_, g) in enumerate(legs)},
        avoided_borders=avoided,
        warnings=tuple(warnings),
        countries=tuple(countries),
    )


def _avoided(
    catalog: Catalog,
    hubs: dict[str, Hub],
    stops: Sequence[Hub],
    modes: set[Mode],
    avoid: Sequence[str],
    outlines: dict[str, shapely.Geometry] | None,
    network_of: NetworkSource,
    closed: Sequence[Border],
    legs: Sequence[tuple[Leg, LegGeometry]],
    paths: Sequence[np.ndarray],
    sea_restrictions: Sequence[str] = (),
) -> tuple[Border, ...]:
    """The closed borders the shortest route would cross if they were open, and the route found (``legs``, along
    the node ``paths``) does not. None when the route with the borders open is the same."""
    free = _build_graph(catalog, stops, modes, avoid, outlines, network_of, (), sea_restrictions)
    index = {h: free.hub_base + i for i, h in enumerate(free.hub_ids)}
    found = [_path(free, index[a.id], index[b.id]) for a, b in itertools.pairwise(stops)]
    if all(f is not None and np.array_equal(f, p) for f, p in zip(found, paths, strict=True)):
        return ()
    free_legs: list[tuple[Leg, LegGeometry]] = []
    for nodes in found:
        if nodes is not None:
            free_legs += _legs_from_path(free, nodes, hubs)
    crossed = set(closed_borders_crossed(_route_countries(legs, hubs), closed))
    would = closed_borders_crossed(_route_countries(free_legs, hubs), closed)
    return tuple(b for b in would if b not in crossed)


def _route_countries(legs: Sequence[tuple[Leg, LegGeometry]], hubs: dict[str, Hub]) -> list[str]:
    """The countries a route passes through, in order: its legs' (:func:`geo.metrics.leg_countries`, measured
    once per line), along the line on land, the ports' at sea."""
    return collapse(c for leg, geom in legs for c in leg_countries(leg, geom, hubs))


def route_warnings(countries: Sequence[str]) -> list[str]:
    """What a reader must be told about a route through ``countries`` (in order, ISO3): one sentence each.

    A war zone entered, a closed border crossed (when allowed), a restricted
    border crossed.
    """
    out = [f"the route passes through {b.war_zone}, a war zone (since {b.since})" for b in war_zones_entered(countries)]
    out += [f"the route crosses the closed border {b.describe()}" for b in closed_borders_crossed(countries)]
    restricted = {b.pair: b for b in borders("restricted")}
    crossed: list[Border] = []
    for a, b in itertools.pairwise(countries):
        border = restricted.get(frozenset((a, b)))
        if border is not None and border not in crossed:
            crossed.append(border)
    out += [f"the route crosses {b.describe()}, which may close at short notice" for b in crossed]
    return out


def _why_no_route(
    catalog: Catalog,
    a: Hub,
    b: Hub,
    modes: set[Mode],
    avoid: Sequence[str],
    outlines: dict[str, shapely.Geometry] | None,
    network_of: NetworkSource,
    closed: Sequence[Border] = (),
    sea_restrictions: Sequence[str] = (),
) -> str:
    """Which constraint cut every route from ``a`` to ``b``: try again without each."""
    head = f"no route from {a.id} to {b.id} by {','.join(sorted(map(str, modes)))}"
    head += f" avoiding {','.join(avoid)}" if avoid else ""

    def reachable(
        modes_: set[Mode],
        avoid_: Sequence[str],
        closed_: Sequence[Border] = closed,
        sea_: Sequence[str] = sea_restrictions,
    ) -> bool:
        g = _build_graph(catalog, [a, b], modes_, avoid_, outlines, network_of, closed_, sea_)
        idx = {h: g.hub_base + i for i, h in enumerate(g.hub_ids)}
        return _path(g, idx[a.id], idx[b.id]) is not None

    try:
        if sea_restrictions and reachable(modes, avoid, closed, ()):
            shut = " and ".join(PASSAGES[p] for p in sea_restrictions)
            return f"{head}: with {shut} closed no sea route is left; one exists with the passages open"
        if closed and reachable(modes, avoid, []):
            named = ", ".join(b.describe() for b in closed)
            return f"{head}: respecting the closed borders ({named}) cuts every route; --allow-closed-borders opens one"
        if avoid and reachable(modes, []):
            freeing = [c for c in avoid if reachable(modes, [x for x in avoid if x != c])]
            if freeing:
                allow = ", ".join(freeing)
                return f"{head}: avoiding {','.join(avoid)} cuts every route; allowing any one of {allow} opens one"
            return f"{head}: avoiding {','.join(avoid)} together cuts every route (one exists without --avoid)"
        every = {Mode.RAIL, Mode.ROAD, Mode.SEA, Mode.FERRY}
        if modes != every and reachable(every, avoid):
            return f"{head}: the modes cut every route (one exists with --modes rail,road,sea,ferry)"
    except CorridorMapperError:
        pass
    return f"{head}: the networks do not connect these places: check them, or add --via hubs on a known corridor"


def route_figures(planned: PlannedRoute, base: Catalog) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A planned route's figures, as its legs layer and corridors layer would hold them: one record per leg
    (:func:`geo.metrics.leg_record`) and the route's totals (:func:`geo.metrics.corridor_figures`), from the same
    functions, so that the answer printed equals the layers written."""
    hubs = planned.catalog(base).hubs
    records = [leg_record(leg, planned.geometry_of(leg), hubs) for leg in planned.corridor.legs]
    return records, corridor_figures(records)
