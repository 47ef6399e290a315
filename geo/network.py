"""The world rail and road networks, offline, as sparse graphs.

The networks ship on PyPI in ``scgraph-data`` (OpenStreetMap-derived, ODbL) as
Python literals, ``graph=[{neighbour: km, ...}, ...]`` and ``nodes=[[lat, lon], ...]``,
in modules that cannot be imported next to scgraph 3.x (they import a class that
no longer exists). We never execute them: :func:`load_network` parses the two
literals once, recomputes every edge length on the WGS84 ellipsoid, and caches
the result as a NumPy archive in the user's cache folder, keyed by the package
version and the file's hash from the wheel's RECORD. Later loads read the cache.

The rail graph has hundreds of connected components where the source data has
small gaps (a station throat, a border bridge). :func:`heal` joins nodes of
different components that lie within a radius as *connector* edges, kept
flagged so that every route says how much of it is inferred.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import metadata, resources
from pathlib import Path
from typing import Literal

import numpy as np
import platformdirs
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from geo.errors import NetworkError
from geo.geometry import GEOD

__all__ = [
    "DEFAULT_GAP_KM",
    "DEFAULT_HEAL_KM",
    "EARTH_RADIUS_KM",
    "NETWORK_FILES",
    "OSM_ATTRIBUTION",
    "Network",
    "cache_dir",
    "heal",
    "load_network",
    "network_from_edges",
    "prepared_network",
]

NetworkKind = Literal["rail", "road"]
NETWORK_FILES: dict[str, str] = {"rail": "world_railways.py", "road": "world_highways.py"}
OSM_ATTRIBUTION = "Rail and road networks: © OpenStreetMap contributors (ODbL), via scgraph-data"
EARTH_RADIUS_KM = 6371.0088
CONNECTOR_PENALTY = 2.0
"""A km on an inferred connector costs this many km of real track when routing."""
DENSIFY_KM = 5.0
"""Longest edge kept whole; longer ones get nodes at most this far apart (hubs snap to nodes)."""
CACHE_FORMAT = 2
"""Bump when the cached arrays change meaning."""


@dataclass(frozen=True, eq=False)
class Network:
    """An undirected graph of a transport network, as a symmetric CSR matrix of km.

    ``connector`` flags, position by position in ``graph.data``, the edges that
    :func:`heal` inferred; they are not in the source data.
    """

    name: str
    graph: sparse.csr_array
    lon: np.ndarray
    lat: np.ndarray
    connector: np.ndarray
    source: str = ""
    """Where the data came from (package and version)."""
    attribution: str = ""
    _tree: list[cKDTree] = field(default_factory=list, repr=False)
    _components: list[tuple[int, np.ndarray]] = field(default_factory=list, repr=False)
    _cost: list[sparse.csr_array] = field(default_factory=list, repr=False)

    @property
    def cost(self) -> sparse.csr_array:
        """Routing weights: km, with connectors counted :data:`CONNECTOR_PENALTY` times (built once)."""
        if not self._cost:
            factor = np.where(self.connector, CONNECTOR_PENALTY, 1.0)
            self._cost.append(
                sparse.csr_array(
                    (self.graph.data * factor, self.graph.indices, self.graph.indptr), shape=self.graph.shape
                )
            )
        return self._cost[0]

    @property
    def n_nodes(self) -> int:
        return len(self.lon)

    @property
    def n_edges(self) -> int:
        """Undirected edges (each stored twice)."""
        return self.graph.nnz // 2

    @property
    def xyz(self) -> np.ndarray:
        return _xyz(self.lon, self.lat)

    @property
    def tree(self) -> cKDTree:
        """A KD-tree of the nodes on the unit sphere (built once)."""
        if not self._tree:
            self._tree.append(cKDTree(self.xyz))
        return self._tree[0]

    def components(self) -> tuple[int, np.ndarray]:
        """Number of connected components and each node's component label (computed once)."""
        if not self._components:
            n, labels = csgraph.connected_components(self.graph, directed=False)
            self._components.append((int(n), labels))
        return self._components[0]

    def nearest(self, lon: float, lat: float, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest nodes to a point: (node ids, great-circle distances in km), nearest first."""
        chord, idx = self.tree.query(_xyz(np.array([lon]), np.array([lat]))[0], k=k)
        chord, idx = np.atleast_1d(chord), np.atleast_1d(idx)
        keep = idx < self.n_nodes
        return idx[keep], _chord_to_km(chord[keep])

    def without_nodes(self, mask: np.ndarray) -> Network:
        """The same network with every edge touching a masked node removed."""
        coo = self.graph.tocoo()  # CSR order: connector flags line up
        keep = ~(mask[coo.row] | mask[coo.col])
        rows, cols = coo.row[keep], coo.col[keep]
        g = sparse.csr_array((coo.data[keep], (rows, cols)), shape=self.graph.shape)
        g.sort_indices()
        return replace(self, graph=g, connector=_align(g, rows, cols, self.connector[keep]), _components=[], _cost=[])


def _xyz(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lam, phi = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _chord_to_km(chord: np.ndarray) -> np.ndarray:
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord) / 2.0, 0.0, 1.0))


def _km_to_chord(km: float) -> float:
    return float(2.0 * np.sin(km / EARTH_RADIUS_KM / 2.0))


def _align(g: sparse.csr_array, rows: np.ndarray, cols: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """Reorder per-entry flags given in (rows, cols) order to the CSR order of ``g``."""
    if not len(flags):
        return np.zeros(g.nnz, dtype=bool)
    marked = sparse.csr_array((flags.astype(np.int8) + 1, (rows, cols)), shape=g.shape)
    marked.sort_indices()
    return marked.data == 2


def network_from_edges(
    name: str,
    lon: np.ndarray,
    lat: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    *,
    km: np.ndarray | None = None,
    connector: np.ndarray | None = None,
    source: str = "",
    attribution: str = "",
) -> Network:
    """A network from node coordinates and undirected edges ``a[i]``–``b[i]``.

    Self-loops are dropped and parallel edges keep the shortest. Edge lengths
    default to the geodesic distance between their nodes (WGS84).
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    flags = np.zeros(len(a), dtype=bool) if connector is None else np.asarray(connector, dtype=bool)
    keep = a != b
    a, b, flags = a[keep], b[keep], flags[keep]
    km = GEOD.inv(lon[a], lat[a], lon[b], lat[b])[2] / 1000.0 if km is None else np.asarray(km, dtype=float)[keep]
    # explicit zeros would read as "no edge" to some csgraph routines: a millimetre instead
    km = np.maximum(km, 1e-6)
    rows, cols = np.concatenate([a, b]), np.concatenate([b, a])
    data, flags2 = np.concatenate([km, km]), np.concatenate([flags, flags])
    # keep the shortest of parallel edges: sort by (row, col, km), take the first of each pair
    order = np.lexsort((data, cols, rows))
    rows, cols, data, flags2 = rows[order], cols[order], data[order], flags2[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, data, flags2 = rows[first], cols[first], data[first], flags2[first]
    n = len(lon)
    g = sparse.csr_array((data, (rows, cols)), shape=(n, n))
    g.sort_indices()
    return Network(name, g, lon, lat, _align(g, rows, cols, flags2), source, attribution)


DEFAULT_HEAL_KM = 2.0
"""Join components, and line ends to other lines, closer than this (see the note on issue 3)."""
DEFAULT_GAP_KM = 20.0
"""Join two rail line ends (dead ends) closer than this: a line broken in the source data."""
GAP_KM = {"rail": DEFAULT_GAP_KM, "road": 0.0}
"""Broken-line healing per network: roads are dense and end near each other for real, so none there."""
LOCAL_DETOUR = 3.0
"""Two nodes already joined by a path at most this many times their distance (+1 km) need no connector."""


def _local_distances(
    indptr: list[int], indices: list[int], data: list[float], source: int, limit: float
) -> dict[int, float]:
    """Network distances from ``source`` to every node within ``limit`` km (a small Dijkstra)."""
    dist = {source: 0.0}
    heap = [(0.0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist.get(u, np.inf):
            continue
        for k in range(indptr[u], indptr[u + 1]):
            v, nd = indices[k], d + data[k]
            if nd <= limit and nd < dist.get(v, np.inf):
                dist[v] = nd
                heapq.heappush(heap, (nd, v))
    return dist


def _dead_end_pairs(network: Network, radius_km: float, gap_km: float) -> np.ndarray:
    """For each line end, the nearest node it is not already joined to.

    Any node within ``radius_km`` qualifies (a line ending next to another line);
    farther out, up to ``gap_km``, only another line end does (a broken line).
    """
    g = network.graph
    degree = np.diff(g.indptr)
    is_end = degree == 1
    ends = np.flatnonzero(is_end)
    if not len(ends):
        return np.empty((0, 2), dtype=np.int64)
    xyz = network.xyz
    near_any = network.tree.query_ball_point(xyz[ends], _km_to_chord(radius_km)) if radius_km > 0 else None
    if gap_km > 0:
        ends_tree = cKDTree(xyz[ends])
        near_end = [[int(ends[j]) for j in js] for js in ends_tree.query_ball_point(xyz[ends], _km_to_chord(gap_km))]
    else:
        near_end = None
    indptr, indices, data = g.indptr.tolist(), g.indices.tolist(), g.data.tolist()  # fast scalar access
    out = []
    for i, d in enumerate(ends.tolist()):
        found = set(near_any[i]) if near_any is not None else set()
        if near_end is not None:
            found.update(near_end[i])
        found.discard(d)
        if not found:
            continue
        near = np.fromiter(sorted(found), dtype=np.int64)
        km = _chord_to_km(np.linalg.norm(xyz[near] - xyz[d], axis=1))
        order = np.argsort(km, kind="stable")
        local = _local_distances(indptr, indices, data, d, LOCAL_DETOUR * float(km.max()) + 1.0)
        for j in order:
            c, s = int(near[j]), float(km[j])
            if local.get(c, np.inf) > LOCAL_DETOUR * s + 1.0:
                out.append((min(d, c), max(d, c)))
                break
    return np.unique(np.array(out, dtype=np.int64).reshape(-1, 2), axis=0)


def _component_pairs(network: Network, radius_km: float) -> np.ndarray:
    """For each pair of components closer than ``radius_km``, their closest pair of nodes."""
    _, labels = network.components()
    pairs = network.tree.query_pairs(_km_to_chord(radius_km), output_type="ndarray")
    pairs = pairs[labels[pairs[:, 0]] != labels[pairs[:, 1]]]
    if not len(pairs):
        return np.empty((0, 2), dtype=np.int64)
    la, lb = labels[pairs[:, 0]], labels[pairs[:, 1]]
    xyz = network.xyz
    dist = np.linalg.norm(xyz[pairs[:, 0]] - xyz[pairs[:, 1]], axis=1)
    key_lo, key_hi = np.minimum(la, lb), np.maximum(la, lb)
    order = np.lexsort((dist, key_hi, key_lo))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (key_lo[order][1:] != key_lo[order][:-1]) | (key_hi[order][1:] != key_hi[order][:-1])
    return pairs[order[first]].astype(np.int64)


def densify_edges(
    lon: np.ndarray, lat: np.ndarray, a: np.ndarray, b: np.ndarray, *, max_km: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split every edge longer than ``max_km`` into equal pieces with new nodes between.

    The source data draws some long lines as single straight edges; hubs snap
    to nodes, so without this a town beside such a line would seem far from it.
    Each undirected edge must appear once (``a < b``).
    """
    km = GEOD.inv(lon[a], lat[a], lon[b], lat[b])[2] / 1000.0
    long = km > max_km
    if not long.any():
        return lon, lat, a, b
    la, lb = a[long], b[long]
    pieces = np.ceil(km[long] / max_km).astype(np.int64)
    inner = pieces - 1
    edge = np.repeat(np.arange(len(la)), inner)
    step = np.arange(inner.sum()) - np.repeat(np.cumsum(inner) - inner, inner) + 1
    t = step / np.repeat(pieces, inner)
    dlon = (lon[lb] - lon[la] + 180.0) % 360.0 - 180.0
    new_lon = lon[la][edge] + t * dlon[edge]
    new_lon = (new_lon + 180.0) % 360.0 - 180.0
    new_lat = lat[la][edge] + t * (lat[lb] - lat[la])[edge]
    ids = len(lon) + np.arange(len(new_lon))
    # chain: a, new_1, ..., new_k, b for each long edge
    starts = np.cumsum(inner) - inner
    first_ids = len(lon) + starts
    chain_a = np.concatenate([la, ids])
    nxt = np.concatenate([ids[1:], [0]]) if len(ids) else ids
    last = np.zeros(len(ids), dtype=bool)
    if len(ids):
        last[starts + inner - 1] = True
    nxt = np.where(last, np.repeat(lb, inner), nxt)
    chain_b = np.concatenate([first_ids, nxt])
    return (
        np.concatenate([lon, new_lon]),
        np.concatenate([lat, new_lat]),
        np.concatenate([a[~long], chain_a]),
        np.concatenate([b[~long], chain_b]),
    )


def heal(network: Network, radius_km: float = DEFAULT_HEAL_KM, *, gap_km: float = DEFAULT_GAP_KM) -> Network:
    """Bridge the gaps of a network with flagged *connector* edges.

    * Components closer than ``radius_km`` are joined at their closest pair of nodes.
    * A line end (a node of degree 1) is joined to the nearest node within
      ``radius_km``, or the nearest other line end within ``gap_km``, unless the
      two are already joined nearby (a path at most three times their distance).

    Connectors are inferred, not surveyed: they stay flagged in ``connector`` and
    routes report their length.
    """
    if radius_km <= 0 and gap_km <= 0:
        return network
    chosen = np.concatenate([_component_pairs(network, radius_km), _dead_end_pairs(network, radius_km, gap_km)])
    chosen = np.unique(np.sort(chosen, axis=1), axis=0)
    if not len(chosen):
        return network
    coo = network.graph.tocoo()
    upper = coo.row < coo.col
    existing = set(zip(coo.row[upper].tolist(), coo.col[upper].tolist(), strict=True))
    chosen = np.array([p for p in chosen.tolist() if tuple(p) not in existing], dtype=np.int64).reshape(-1, 2)
    a = np.concatenate([coo.row[upper], chosen[:, 0]])
    b = np.concatenate([coo.col[upper], chosen[:, 1]])
    lon, lat = network.lon, network.lat
    new_km = GEOD.inv(lon[chosen[:, 0]], lat[chosen[:, 0]], lon[chosen[:, 1]], lat[chosen[:, 1]])[2] / 1000.0
    km = np.concatenate([coo.data[upper], new_km])
    flags = np.concatenate([network.connector[upper], np.ones(len(chosen), dtype=bool)])
    healed = network_from_edges(
        network.name, lon, lat, a, b, km=km, connector=flags, source=network.source, attribution=network.attribution
    )
    healed._tree.extend(network._tree)
    return healed


# --- reading scgraph-data ---------------------------------------------------------------

_PAIR = re.compile(r"(\d+):\s*([-0-9.eE+]+)")


def _parse_scgraph_module(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parse ``graph=[...]`` and ``nodes=[...]`` from an scgraph-data module without running it."""
    try:
        g0 = text.index("graph=[") + len("graph=")
        n0 = text.index("\nnodes=[", g0)
        n1 = text.index("]]", n0) + 2
    except ValueError:
        raise NetworkError("the network file does not hold graph=[...] and nodes=[...] literals") from None
    graph_text, nodes_text = text[g0:n0], text[n0 + len("\nnodes=") : n1]
    nodes = np.array(json.loads(nodes_text), dtype=float)
    counts = np.fromiter((chunk.count(":") for chunk in graph_text.split("}")), dtype=np.int64)[: len(nodes)]
    pairs = np.array(_PAIR.findall(graph_text), dtype=float)
    if graph_text.count("{") != len(nodes) or int(counts.sum()) != len(pairs):
        raise NetworkError("the network file's graph and nodes do not match")
    rows = np.repeat(np.arange(len(nodes)), counts)
    cols = pairs[:, 0].astype(np.int64)
    return nodes[:, 1], nodes[:, 0], rows, cols, pairs[:, 1]


def cache_dir() -> Path:
    """Where converted networks are kept (``CORRIDORS_CACHE_DIR`` overrides)."""
    import os

    return Path(os.environ.get("CORRIDORS_CACHE_DIR") or platformdirs.user_cache_dir("corridor-mapper"))


def _cache_path(kind: str, version: str, digest: str, suffix: str = "") -> Path:
    safe = re.sub(r"[^A-Za-z0-9]", "", digest)[:16]
    return cache_dir() / f"{kind}-scgraph-data-{version}-{safe}-v{CACHE_FORMAT}{suffix}.npz"


def _source_file(kind: str) -> tuple[Path, str, str]:
    """The scgraph-data module of a network, the package version and the file's hash."""
    name = NETWORK_FILES[kind]
    try:
        dist = metadata.distribution("scgraph-data")
    except metadata.PackageNotFoundError:
        raise NetworkError(
            "the rail and road networks come from the package scgraph-data, which is not installed: "
            "pip install scgraph-data"
        ) from None
    path = Path(str(resources.files("scgraph_data") / name))
    digest = ""
    for f in dist.files or []:
        if f.name == name and f.hash is not None:
            digest = f.hash.value
    if not digest:  # no RECORD entry (e.g. an unusual install): hash the file itself
        digest = base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest()).decode().rstrip("=")
    return path, dist.version, digest


ProgressHook = Callable[[str, int, int], None]
"""``(description, done, total)``: called while a network is converted for the first time."""


def load_network(kind: NetworkKind, *, progress: ProgressHook | None = None) -> Network:
    """The raw (unhealed) rail or road network, converted once and cached.

    Raises
    ------
    NetworkError
        scgraph-data is missing or its file cannot be read.
    """
    if kind not in NETWORK_FILES:
        raise NetworkError(f"unknown network {kind!r}: choose from {', '.join(NETWORK_FILES)}")
    path, version, digest = _source_file(kind)
    cached = _cache_path(kind, version, digest)
    source = f"scgraph-data {version} ({NETWORK_FILES[kind]})"
    if cached.exists() and (net := _load(cached, kind, source)) is not None:
        return net
    step = progress or (lambda *_: None)
    step(f"reading {source}", 0, 4)
    text = path.read_text(encoding="utf-8")
    step(f"parsing {source}", 1, 4)
    lon, lat, rows, cols, _ = _parse_scgraph_module(text)
    del text
    step("measuring edges on the ellipsoid", 2, 4)
    pairs = np.unique(np.column_stack([np.minimum(rows, cols), np.maximum(rows, cols)]), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    lon, lat, a, b = densify_edges(lon, lat, pairs[:, 0], pairs[:, 1], max_km=DENSIFY_KM)
    net = network_from_edges(kind, lon, lat, a, b, source=source, attribution=OSM_ATTRIBUTION)
    step("caching the network", 3, 4)
    _save(net, cached)
    return net


def _save(net: Network, path: Path) -> None:
    """Write a network cache file, and delete the same network's caches of other versions or settings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    kind = path.name.split("-scgraph-data-")[0]
    raw = "-heal" not in path.name
    for old in path.parent.glob(f"{kind}-scgraph-data-*.npz"):
        if old != path and ("-heal" not in old.name) == raw:
            old.unlink(missing_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    g = net.graph
    np.savez(tmp, data=g.data, indices=g.indices, indptr=g.indptr, lon=net.lon, lat=net.lat, connector=net.connector)
    tmp.replace(path)


def _load(path: Path, kind: str, source: str) -> Network | None:
    try:
        with np.load(path) as z:
            n = len(z["lon"])
            g = sparse.csr_array((z["data"], z["indices"], z["indptr"]), shape=(n, n))
            return Network(kind, g, z["lon"], z["lat"], z["connector"], source, OSM_ATTRIBUTION)
    except (OSError, KeyError, ValueError):
        path.unlink(missing_ok=True)  # a broken cache is rebuilt
        return None


_PREPARED: dict[tuple[str, float, float], Network] = {}


def prepared_network(
    kind: NetworkKind,
    *,
    heal_km: float = DEFAULT_HEAL_KM,
    gap_km: float | None = None,
    progress: ProgressHook | None = None,
) -> Network:
    """The network ready for routing: loaded, healed, cached on disk and in memory.

    ``gap_km`` defaults to :data:`GAP_KM` of the network kind.
    """
    gap_km = GAP_KM.get(kind, DEFAULT_GAP_KM) if gap_km is None else gap_km
    key = (kind, float(heal_km), float(gap_km))
    if key in _PREPARED:
        return _PREPARED[key]
    _, version, digest = _source_file(kind)
    cached = _cache_path(kind, version, digest, f"-heal{heal_km:g}-gap{gap_km:g}")
    source = f"scgraph-data {version} ({NETWORK_FILES[kind]})"
    net = _load(cached, kind, source) if cached.exists() else None
    if net is None:
        raw = load_network(kind, progress=progress)
        if progress:
            progress(f"healing gaps in the {kind} network", 3, 4)
        net = heal(raw, heal_km, gap_km=gap_km)
        _save(net, cached)
        if progress:
            progress("cached", 4, 4)
    _PREPARED[key] = net
    return net
