"""The multimodal graph, public and cached: rail, road, sea and ferry links, hubs and transfers.

One graph per process and set of inputs (the catalog's hubs, the modes, the
closed sea passages, the networks), built once (:func:`multimodal_graph`) and
shared by ``route``, ``matrix`` and ``flows``. Its nodes are the networks'
nodes, block after block (rail, then road), then one node per hub; its edges
are kept as arrays (one entry per direction):

- the networks' edges, weighted by their routing cost (km, connectors
  penalised) and by hours (km at the middle of the mode's speed range, plus a
  border's dwell where the edge crosses a border, from each node's country);
- each hub's link to the nearest node of each network (its snap, plus half a
  change of mode: :data:`TRANSFER_KM`, or half a transshipment in hours);
- sea and ferry links between ports (:func:`geo.sea.sea_links`), weighted by
  their km or by the transit model's estimate for the crossing.

Avoided countries and closed borders are masks over these arrays
(:meth:`MultimodalGraph.keep`), never a rebuild; ad-hoc points join as extra
hubs (:meth:`MultimodalGraph.with_points`). Every entry also carries the km it
adds to a route (``km``: the line's length, without penalties), so that route
figures can be summed along a search tree. Coordinates are lon/lat (EPSG:4326);
lengths geodesic km.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import shapely
from scipy import sparse

from geo._cache import cache_dir, read_npz, write_npz
from geo.borders import Border
from geo.catalog import Catalog
from geo.countries import (
    COUNTRY_TOLERANCE,
    country_outlines,
    outlines_edition,
    simplified_outlines,
    simplified_outlines_keys,
)
from geo.geodesy import geodesic_km
from geo.leg_geometry import LegGeometry
from geo.model import Hub, Mode, Status
from geo.network import Network
from geo.network_data import prepared_network
from geo.routing import DEFAULT_MAX_SNAP_KM
from geo.sea import sea_coords, sea_links, searoute_leg
from geo.transit import SUEZ_CANAL, LegFacts, TransitModel, estimate, transit_model

__all__ = [
    "BORDER_NODE_KM",
    "TRANSFER_KM",
    "MultimodalGraph",
    "Weight",
    "avoid_mask",
    "avoided_nodes",
    "closed_border_cut",
    "multimodal_graph",
    "node_countries",
]

TRANSFER_KM = 50.0
"""What a change of mode at a hub costs, in km of travel."""
Weight = Literal["km", "days"]
TRANSFER, SEA = -1, -2
"""``entry_block`` values of a hub's link to a network and of a sea or ferry link (networks are 0, 1, ...)."""

BORDER_NODE_KM = 5.0
"""A network node in neither country of a closed border but this close to both is taken to lie on the border:
Natural Earth's 1:10m outlines are drawn to about 1 km and OSM border stations sit on the line itself; 5 km
leaves room for both without reaching the next station inland."""
_KM_PER_DEG = 111.32
"""km per degree of latitude: distances in degrees are turned into km with it (an underestimate east–west)."""


# --- avoiding countries -----------------------------------------------------------------


def avoid_mask(
    lon: np.ndarray, lat: np.ndarray, avoid: Iterable[str], outlines: dict[str, shapely.Geometry]
) -> np.ndarray:
    """True for every point inside one of the avoided countries."""
    mask = np.zeros(len(lon), dtype=bool)
    for iso in avoid:
        geom = outlines[iso]
        shapely.prepare(geom)
        mask |= shapely.contains_xy(geom, lon, lat)
    return mask


# --- closed borders -------------------------------------------------------------------------

_LABELS: weakref.WeakKeyDictionary[Network, dict[tuple[str, int], tuple[shapely.Geometry, np.ndarray]]] = (
    weakref.WeakKeyDictionary()
)
"""Per network: (country, id of its outline) → (the outline, kept alive; which nodes lie inside it)."""


def _inside(net: Network, iso: str, outline: shapely.Geometry) -> np.ndarray:
    labels = _LABELS.setdefault(net, {})
    key = (iso, id(outline))
    if key not in labels:
        shapely.prepare(outline)
        x0, y0, x1, y1 = outline.bounds
        box = np.flatnonzero((net.lon >= x0) & (net.lon <= x1) & (net.lat >= y0) & (net.lat <= y1))
        inside = np.zeros(net.n_nodes, dtype=bool)
        inside[box] = shapely.contains_xy(outline, net.lon[box], net.lat[box])
        labels[key] = (outline, inside)
    return labels[key][1]


def closed_border_cut(
    net: Network, closed: Iterable[Border], outlines: Mapping[str, shapely.Geometry] | None = None
) -> np.ndarray:
    """Which entries of ``net.graph`` (CSR order, both directions) cross one of the ``closed`` borders.

    An edge crosses the border of countries A and B when one end is on A's side
    and the other on B's. A node is on A's side when it lies in A, or when it
    lies in no country at all (on the drawn border line, or at sea: the Kerch
    bridge between Russia and Crimea, which Natural Earth's edition draws as
    Ukraine) within :data:`BORDER_NODE_KM` of A and one edge away from a node in
    A or B. Borders with a country that has no outline are skipped. With the
    shipped outlines (``outlines`` None, or the shipped ones), each border's
    sides are kept in the disk cache beside the network's.

    Returns
    -------
    numpy.ndarray
        bool, one per stored entry: pass it to :meth:`geo.network.Network.without_edges`.
    """
    shipped = outlines is None or outlines is _SHIPPED_OUTLINES.get("outlines")
    closed = list(closed)
    key = tuple(sorted("|".join(b.countries) for b in closed))
    if shipped and key in _CUTS.get(net, {}):
        return _CUTS[net][key]
    coo = net.graph.tocoo()
    r, c = coo.row, coo.col
    cut = np.zeros(len(coo.data), dtype=bool)
    every: list[tuple[np.ndarray, np.ndarray] | None]
    if shipped:
        every = list(_shipped_sides(net, closed, r, c))
    else:
        assert outlines is not None
        every = [_sides(net, border, dict(outlines), r, c) for border in closed]
    for sides in every:
        if sides is None:
            continue
        side_a, side_b = sides
        cut |= (side_a[r] & side_b[c]) | (side_b[r] & side_a[c])
    if shipped:
        cut.flags.writeable = False
        _CUTS.setdefault(net, {})[key] = cut
    return cut


_CUTS: weakref.WeakKeyDictionary[Network, dict[tuple[str, ...], np.ndarray]] = weakref.WeakKeyDictionary()
"""Per network: the closed borders (as keyed in the node cache) → :func:`closed_border_cut` on the shipped
outlines (read-only)."""


def _sides(
    net: Network, border: Border, outlines: dict[str, shapely.Geometry], r: np.ndarray, c: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Per node: on A's side, on B's side of the ``border`` (see :func:`closed_border_cut`); None without
    outlines of both countries."""
    a, b = border.countries
    if a not in outlines or b not in outlines:
        return None
    deg = BORDER_NODE_KM / _KM_PER_DEG
    in_a, in_b = _inside(net, a, outlines[a]), _inside(net, b, outlines[b])
    touching = np.zeros(net.n_nodes, dtype=bool)  # nodes one edge away from A or B
    touching[c[(in_a | in_b)[r]]] = True
    cand = np.flatnonzero(touching & ~in_a & ~in_b)
    near_a = np.zeros(net.n_nodes, dtype=bool)
    near_b = np.zeros(net.n_nodes, dtype=bool)
    if len(cand):
        pts = shapely.points(net.lon[cand], net.lat[cand])
        da, db = shapely.dwithin(outlines[a], pts, deg), shapely.dwithin(outlines[b], pts, deg)
        near = np.flatnonzero(da | db)
        if len(near):
            in_other, _ = _country_tree(outlines).query(pts[near], predicate="within")
            nowhere = np.ones(len(near), dtype=bool)
            nowhere[in_other] = False
            near_a[cand[near[nowhere & da[near]]]] = True
            near_b[cand[near[nowhere & db[near]]]] = True
    return in_a | near_a, in_b | near_b


def _shipped_sides(
    net: Network, closed: Sequence[Border], r: np.ndarray, c: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`_sides` of each border on the shipped outlines, from the network's node cache: those not there yet
    are computed and stored together (a border without outlines has no node on either side)."""
    cache = _node_cache(net)
    keys = [f"side:{'|'.join(b.countries)}" for b in closed]
    missing = {k: b for k, b in zip(keys, closed, strict=True) if k not in cache}
    if missing:
        outlines = _shipped_outlines()
        new = {}
        for key, border in missing.items():
            sides = _sides(net, border, outlines, r, c)
            new[key] = np.zeros((2, net.n_nodes), dtype=bool) if sides is None else np.vstack(sides)
        _store(net, new)
    return [(cache[k][0], cache[k][1]) for k in keys]


# --- what is known of each node, cached on disk beside the network ---------------------------------

NODE_CACHE_VERSION = 1
_NODES: weakref.WeakKeyDictionary[Network, dict[str, np.ndarray]] = weakref.WeakKeyDictionary()


def _node_cache_path(net: Network) -> Path:
    """The node cache of a network: by its name, source, size and the sums of its coordinates and km (a
    different network, or the same one healed otherwise, gets another file), and the outlines' edition."""
    print_ = repr(
        (net.name, net.source, net.n_nodes, net.graph.nnz, float(net.lon.sum()), float(net.lat.sum()),
         float(net.graph.data.sum()), int(net.graph.indices.sum()))
    )  # fmt: skip
    digest = hashlib.sha1(print_.encode(), usedforsecurity=False).hexdigest()[:16]
    return (
        cache_dir() / f"nodes-{net.name}-{digest}-{outlines_edition()}-{COUNTRY_TOLERANCE:g}-v{NODE_CACHE_VERSION}.npz"
    )


def _node_cache(net: Network) -> dict[str, np.ndarray]:
    """The network's cached node arrays (country labels, border sides), read once per process."""
    if net not in _NODES:
        z = read_npz(_node_cache_path(net), ("keys", "packed", "labels"))
        found: dict[str, np.ndarray] = {}
        if z is not None and len(z["labels"]) in (0, net.n_nodes):
            if len(z["labels"]):
                found["labels"] = z["labels"].astype(np.int16)
            for k, row in zip(z["keys"].tolist(), z["packed"], strict=True):
                found[str(k)] = np.unpackbits(row, count=2 * net.n_nodes).astype(bool).reshape(2, net.n_nodes)
        _NODES[net] = found
    return _NODES[net]


def _store(net: Network, arrays: Mapping[str, np.ndarray]) -> None:
    """Add arrays to the network's node cache, in memory and on disk (the file rewritten whole, atomically)."""
    cache = _node_cache(net)
    cache.update(arrays)
    sides = sorted(k for k in cache if k.startswith("side:"))
    width = (2 * net.n_nodes + 7) // 8
    write_npz(
        _node_cache_path(net),
        keys=np.array(sides, dtype=str),
        packed=np.array([np.packbits(cache[k].ravel()) for k in sides], dtype=np.uint8).reshape(len(sides), width),
        labels=cache.get("labels", np.zeros(0, dtype=np.int16)),
    )


_TREES: dict[int, tuple[dict[str, shapely.Geometry], shapely.STRtree]] = {}


def _country_tree(outlines: dict[str, shapely.Geometry]) -> shapely.STRtree:
    """An STRtree of every outline (kept while the same outlines are in use)."""
    key = id(outlines)
    if key not in _TREES or _TREES[key][0] is not outlines:
        _TREES.clear()
        _TREES[key] = (outlines, shapely.STRtree(list(outlines.values())))
    return _TREES[key][1]


_LABELLED: weakref.WeakKeyDictionary[Network, tuple[tuple[str, ...], np.ndarray]] = weakref.WeakKeyDictionary()


def node_countries(net: Network) -> tuple[tuple[str, ...], np.ndarray]:
    """Each node's country: (ISO3 codes, an index into them per node, -1 outside every outline).

    On the outlines simplified by :data:`geo.countries.COUNTRY_TOLERANCE` (about 2 km), once per network (0.4 s
    for the rail network, 2 s for the road network), then kept in the network's node cache on disk.
    """
    if net not in _LABELLED:
        codes = simplified_outlines_keys(COUNTRY_TOLERANCE)
        stored = _node_cache(net).get("labels")
        if stored is not None:
            _LABELLED[net] = (codes, stored)
            return _LABELLED[net]
        codes, geoms = simplified_outlines(COUNTRY_TOLERANCE)
        labels = np.full(net.n_nodes, -1, dtype=np.int16)
        for k, g in enumerate(geoms):
            x0, y0, x1, y1 = g.bounds
            box = np.flatnonzero((net.lon >= x0) & (net.lon <= x1) & (net.lat >= y0) & (net.lat <= y1) & (labels < 0))
            if len(box):
                shapely.prepare(g)
                labels[box[shapely.contains_xy(g, net.lon[box], net.lat[box])]] = k
        _store(net, {"labels": labels})
        _LABELLED[net] = (codes, labels)
    return _LABELLED[net]


@dataclass(frozen=True, eq=False)
class MultimodalGraph:
    """The graph's nodes and edges as arrays; see the module docstring."""

    modes: frozenset[Mode]
    kinds: tuple[tuple[str, int, int], ...]
    """(block name, first node, end node): the networks, then ``hub``."""
    nets: Mapping[str, Network]
    hub_ids: tuple[str, ...]
    hubs: Mapping[str, Hub]
    hub_base: int
    sea: Mapping[tuple[int, int], tuple[Mode, LegGeometry]]
    """(hub node, hub node) → the link's mode and line, both directions."""
    rows: np.ndarray
    cols: np.ndarray
    cost_km: np.ndarray
    hours: np.ndarray
    km: np.ndarray
    entry_block: np.ndarray
    """Per entry: the network block index, :data:`TRANSFER` or :data:`SEA`."""
    net_entry: np.ndarray
    """Per entry of a network block: its position in that network's CSR entries (for closed-border cuts); else -1."""
    codes: tuple[str, ...]
    labels: np.ndarray
    """Per node: index into ``codes`` of its country, -1 for none (hubs: their own country)."""
    _matrices: dict[tuple[str, bytes], sparse.csr_array] = field(default_factory=dict, repr=False)

    @property
    def n_nodes(self) -> int:
        return self.hub_base + len(self.hub_ids)

    def hub_node(self, hub_id: str) -> int:
        return self.hub_base + self.hub_ids.index(hub_id)

    def block(self, node: int) -> str:
        for name, lo, hi in self.kinds:
            if lo <= node < hi:
                return name
        raise IndexError(node)

    def weights(self, by: Weight) -> np.ndarray:
        return self.cost_km if by == "km" else self.hours

    def matrix(self, by: Weight = "km", keep: np.ndarray | None = None) -> sparse.csr_array:
        """The weighted adjacency matrix (CSR), of the kept entries only (cached per mask)."""
        key = (by, b"" if keep is None else np.packbits(keep).tobytes())
        if key not in self._matrices:
            w = self.weights(by)
            r, c, v = (self.rows, self.cols, w) if keep is None else (self.rows[keep], self.cols[keep], w[keep])
            m = sparse.csr_array((v, (r, c)), shape=(self.n_nodes, self.n_nodes))
            m.sum_duplicates()
            if len(self._matrices) > 8:
                self._matrices.clear()
            self._matrices[key] = m
        return self._matrices[key]

    def keep(
        self,
        *,
        avoid_nodes: np.ndarray | None = None,
        closed: Sequence[Border] = (),
        outlines: Mapping[str, shapely.Geometry] | None = None,
        keep_hubs: Iterable[str] = (),
    ) -> np.ndarray | None:
        """The entries a search may use: none touching an avoided node (``avoid_nodes``, bool per node; the hubs
        named in ``keep_hubs`` stay), none crossing a ``closed`` border (:func:`geo.multimodal.closed_border_cut`).
        None when nothing is masked."""
        if avoid_nodes is None and not closed:
            return None
        keep = np.ones(len(self.rows), dtype=bool)
        if avoid_nodes is not None:
            mask = avoid_nodes.copy()
            for h in keep_hubs:
                if h in self.hub_ids:
                    mask[self.hub_node(h)] = False
            keep &= ~(mask[self.rows] | mask[self.cols])
        if closed:
            for k, (name, _, _) in enumerate(self.kinds):
                if name == "hub":
                    continue
                cut = closed_border_cut(self.nets[name], closed, outlines)
                mine = np.flatnonzero(self.entry_block == k)
                keep[mine[cut[self.net_entry[mine]]]] = False
        return keep

    def with_points(self, points: Sequence[Hub]) -> MultimodalGraph:
        """The graph with ad-hoc points (not ports) as extra hubs, each linked to its nearest network nodes."""
        new = [p for p in points if p.id not in self.hubs]
        if not new:
            return self
        base = self.n_nodes
        edges = _Edges()
        edges.add(self.rows, self.cols, self.cost_km, self.hours, self.km, self.entry_block, self.net_entry)
        model = transit_model()
        for i, hub in enumerate(new):
            edges.add_transfers(self, hub, base + i, model)
        codes = {c: i for i, c in enumerate(self.codes)}
        labels = np.concatenate([self.labels, np.array([codes.get(h.country, -1) for h in new], dtype=np.int16)])
        hub_ids = (*self.hub_ids, *(h.id for h in new))
        kinds = tuple((n, lo, hi if n != "hub" else lo + len(hub_ids)) for n, lo, hi in self.kinds)
        return replace(
            self,
            kinds=kinds,
            hub_ids=hub_ids,
            hubs={**self.hubs, **{h.id: h for h in new}},
            **edges.arrays(),
            labels=labels,
            _matrices={},
        )


def _speed_mid(model: TransitModel, mode: Mode) -> float:
    slow, fast = getattr(model.speed, str(mode)).kmh()
    return (slow + fast) / 2


class _Edges:
    """The graph's edge arrays being put together: one entry per direction, in the order added."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        cost: np.ndarray,
        hours: np.ndarray,
        km: np.ndarray,
        block: np.ndarray | int,
        entry: np.ndarray | None = None,
    ) -> None:
        """Entries with their search weights (km, hours), the km they add, their block and network entry."""
        n = len(rows)
        block = np.broadcast_to(np.asarray(block, dtype=np.int8), (n,))
        entry = np.full(n, -1, dtype=np.int64) if entry is None else entry
        self.parts.append(tuple(np.asarray(a) for a in (rows, cols, cost, hours, km, block, entry)))

    def add_pair(self, a: int, b: int, cost: float, hours: float, km: float, block: int) -> None:
        """An edge between two nodes, both directions."""
        self.add(np.array([a, b]), np.array([b, a]), np.full(2, cost), np.full(2, hours), np.full(2, km), block)

    def add_transfers(self, g: MultimodalGraph, hub: Hub, node: int, model: TransitModel) -> None:
        """A hub's links to the nearest usable node of each network: its snap, plus half a change of mode."""
        lo_t, hi_t = model.transshipment.hours()
        for name, lo, _ in g.kinds:
            if name == "hub":
                continue
            net = g.nets[name]
            idx, dist = net.nearest(hub.lon, hub.lat, k=8)
            degree = net.degree[idx]
            ok = (dist <= DEFAULT_MAX_SNAP_KM) & (degree > 0)
            if ok.any():
                i = int(np.flatnonzero(ok)[0])
                snap = float(dist[i])
                hours = snap / _speed_mid(model, Mode(name)) + (lo_t + hi_t) / 4
                self.add_pair(node, lo + int(idx[i]), snap + TRANSFER_KM / 2, hours, snap, TRANSFER)

    def arrays(self) -> dict[str, Any]:
        """The :class:`MultimodalGraph` fields they make."""
        names = ("rows", "cols", "cost_km", "hours", "km", "entry_block", "net_entry")
        return {k: np.concatenate([p[i] for p in self.parts]) for i, k in enumerate(names)}


def _land_hours(
    net: Network, rows: np.ndarray, cols: np.ndarray, km: np.ndarray, mode: Mode, model: TransitModel
) -> np.ndarray:
    """Hours per edge: km at the middle of the mode's speed range, plus a border's dwell on a crossing edge."""
    hours = km / _speed_mid(model, mode)
    codes, labels = node_countries(net)
    a, b = labels[rows], labels[cols]
    crossing = np.flatnonzero((a >= 0) & (b >= 0) & (a != b))
    if len(crossing):
        lo, hi = getattr(model.border, str(mode)).hours()
        ulo, uhi = model.border.union_internal.hours()
        member = {c: {u.name for u in model.border.union if c in u.members} for c in codes}
        pairs = zip(a[crossing], b[crossing], strict=True)
        same = np.array([bool(member[codes[i]] & member[codes[j]]) for i, j in pairs])
        hours[crossing] += np.where(same, (ulo + uhi) / 2, (lo + hi) / 2)
    return hours


_SHIPPED_OUTLINES: dict[str, dict[str, shapely.Geometry]] = {}


def _shipped_outlines() -> dict[str, shapely.Geometry]:
    """The shipped outlines, one dict per process (so that a user's own ``--boundaries`` can be told apart)."""
    return _SHIPPED_OUTLINES.setdefault("outlines", country_outlines())


def avoided_nodes(
    g: MultimodalGraph, avoid: Sequence[str], outlines: dict[str, shapely.Geometry] | None = None
) -> np.ndarray | None:
    """Per node of ``g``: inside an avoided country. From the nodes' countries, or from ``outlines`` when the user
    gave their own (``--boundaries``)."""
    if not avoid:
        return None
    if outlines is None:
        wanted = [i for i, c in enumerate(g.codes) if c in set(avoid)]
        return np.isin(g.labels, wanted)
    mask = np.zeros(g.n_nodes, dtype=bool)
    for name, lo, hi in g.kinds:
        if name == "hub":
            ids = g.hub_ids
            lon = np.array([g.hubs[h].lon for h in ids])
            lat = np.array([g.hubs[h].lat for h in ids])
        else:
            lon, lat = g.nets[name].lon, g.nets[name].lat
        mask[lo:hi] = avoid_mask(lon, lat, avoid, outlines)
    return mask


_GRAPHS: dict[tuple[object, ...], MultimodalGraph] = {}
"""Graphs built in this process, by their inputs (a few at most)."""


def multimodal_graph(
    catalog: Catalog,
    modes: Iterable[Mode],
    *,
    sea_restrictions: Sequence[str] = (),
    network_of: Callable[[str], Network] = prepared_network,  # type: ignore[assignment]
) -> MultimodalGraph:
    """The graph of the catalog's operational hubs over the chosen modes (built once per process and inputs)."""
    modes = frozenset(modes)
    hubs = {h.id: h for h in catalog.hubs.values() if h.status == Status.OPERATIONAL}
    water = sorted(
        (leg.from_hub, leg.to_hub, str(leg.mode), repr(leg.via))
        for c in catalog.corridors.values()
        for leg in c.legs
        if leg.mode.is_water
    )
    nets = {str(m): network_of(str(m)) for m in (Mode.RAIL, Mode.ROAD) if m in modes}
    key = (
        tuple(sorted((h.id, h.lon, h.lat, str(h.kind), h.country) for h in hubs.values())),
        tuple(water),
        tuple(sorted(map(str, modes))),
        tuple(sorted(sea_restrictions)),
        tuple((k, id(n)) for k, n in nets.items()),  # the graph keeps its networks alive: ids stay unique
    )
    if key not in _GRAPHS:
        if len(_GRAPHS) > 4:
            _GRAPHS.clear()
        _GRAPHS[key] = _build(catalog, hubs, modes, sea_restrictions, nets.__getitem__)
    return _GRAPHS[key]


def _build(
    catalog: Catalog,
    hubs: dict[str, Hub],
    modes: frozenset[Mode],
    sea_restrictions: Sequence[str],
    network_of: Callable[[str], Network],
) -> MultimodalGraph:
    model = transit_model()
    edges = _Edges()
    kinds: list[tuple[str, int, int]] = []
    nets: dict[str, Network] = {}
    codes: tuple[str, ...] = simplified_outlines(COUNTRY_TOLERANCE)[0]
    labels: list[np.ndarray] = []
    base = 0
    for k, mode in enumerate(m for m in (Mode.RAIL, Mode.ROAD) if m in modes):
        net = network_of(str(mode))
        coo = net.graph.tocoo()  # CSR order
        weights = net.cost.tocoo()
        edges.add(
            coo.row + base,
            coo.col + base,
            weights.data,
            _land_hours(net, coo.row, coo.col, coo.data, mode, model),
            coo.data,
            np.full(len(coo.data), k, dtype=np.int8),
            np.arange(len(coo.data), dtype=np.int64),
        )
        labels.append(node_countries(net)[1])
        nets[str(mode)] = net
        kinds.append((str(mode), base, base + net.n_nodes))
        base += net.n_nodes
    hub_ids = tuple(sorted(hubs))
    index = {h: base + i for i, h in enumerate(hub_ids)}
    kinds.append(("hub", base, base + len(hub_ids)))
    position = {c: i for i, c in enumerate(codes)}
    labels.append(np.array([position.get(hubs[h].country, -1) for h in hub_ids], dtype=np.int16))
    g = MultimodalGraph(
        modes=modes,
        kinds=tuple(kinds),
        nets=nets,
        hub_ids=hub_ids,
        hubs=hubs,
        hub_base=base,
        sea={},
        rows=np.zeros(0, dtype=np.int64),
        cols=np.zeros(0, dtype=np.int64),
        cost_km=np.zeros(0),
        hours=np.zeros(0),
        km=np.zeros(0),
        entry_block=np.zeros(0, dtype=np.int8),
        net_entry=np.zeros(0, dtype=np.int64),
        codes=codes,
        labels=np.concatenate(labels),
    )
    for h in hub_ids:
        edges.add_transfers(g, hubs[h], index[h], model)
    sea: dict[tuple[int, int], tuple[Mode, LegGeometry]] = {}
    if modes & {Mode.SEA, Mode.FERRY}:
        for (a, b), link in sorted(sea_links(catalog, hubs).items()):
            if link.mode not in modes:
                continue
            coords = sea_coords(hubs[a], hubs[b], via=link.via, restrictions=sea_restrictions)
            if coords is None:
                continue
            sea_km = geodesic_km(coords)
            through_suez = bool(shapely.LineString(coords).intersects(SUEZ_CANAL))
            e = estimate([LegFacts(a, b, link.mode, sea_km, (hubs[a].country, hubs[b].country), None, through_suez)])
            ia, ib = index[a], index[b]
            sea[(ia, ib)] = (link.mode, searoute_leg(coords))
            sea[(ib, ia)] = (link.mode, searoute_leg(coords[::-1].copy()))
            mid = (e.days_min + e.days_max) / 2 * 24
            edges.add_pair(ia, ib, sea_km, mid, sea_km, SEA)
    return replace(g, sea=sea, **edges.arrays())
