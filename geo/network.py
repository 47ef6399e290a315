"""A transport network as a sparse graph: the :class:`Network` type, nearest nodes, components.

A network is an undirected graph of nodes in lon/lat (EPSG:4326) and edges
weighted in km (geodesic, WGS84), held as a symmetric SciPy CSR matrix so that
SciPy's graph routines run on it directly. A few nearest nodes are found in a
band of latitude around the point (exact, and no index to build: importing
SciPy's KD-tree alone costs a process half a second); the many neighbour
searches of healing use a KD-tree on the unit sphere (see :mod:`geo.geodesy`). Edges may be flagged as *connectors*:
inferred by :func:`geo.heal.heal`, not in the source data, and reported apart.

Where the real rail and road networks come from is :mod:`geo.network_data`;
how their gaps are bridged is :mod:`geo.heal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from geo.geodesy import EARTH_RADIUS_KM, chord_to_km, distance_km, unit_xyz

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

__all__ = ["CONNECTOR_PENALTY", "Network", "NetworkKind", "network_from_edges", "unique_sorted"]

NetworkKind = Literal["rail", "road"]
NEAREST_CELL_DEG = 0.25
"""The cells of the grid a point's nearest nodes are looked up in, in degrees (about 28 km north-south)."""
NEAREST_MAX_CELLS = 16
"""Beyond a block this many cells either side of a point (about 4 degrees), the KD-tree takes over."""
_NX = round(360 / NEAREST_CELL_DEG)
_NY = round(180 / NEAREST_CELL_DEG)
CONNECTOR_PENALTY = 2.0
"""A km on an inferred connector costs this many km of real track when routing."""


@dataclass(frozen=True, eq=False)
class Network:
    """An undirected graph of a transport network, as a symmetric CSR matrix of km.

    ``connector`` flags, position by position in ``graph.data``, the edges that
    :func:`geo.heal.heal` inferred; they are not in the source data. ``gapfill``
    labels the edges of gap-fill lines, merged in from sourced digitised track.
    """

    name: str
    graph: sparse.csr_array
    lon: np.ndarray
    lat: np.ndarray
    connector: np.ndarray
    source: str = ""
    """Where the data came from (package and version)."""
    attribution: str = ""
    gapfill: np.ndarray | None = None
    """Per position in ``graph.data``: the index of the gap-fill line (:mod:`geo.gapfill`) an edge
    belongs to, or -1 for the source data and connectors; None when the network has no gap-fill."""
    _tree: list[cKDTree] = field(default_factory=list, repr=False)
    _components: list[tuple[int, np.ndarray]] = field(default_factory=list, repr=False)
    _cost: list[sparse.csr_array] = field(default_factory=list, repr=False)
    _xyz: list[np.ndarray] = field(default_factory=list, repr=False)
    _grid: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list, repr=False)
    _degree: list[np.ndarray] = field(default_factory=list, repr=False)

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

    def gapfill_labels(self) -> np.ndarray:
        """``gapfill``, or -1 everywhere when the network has none (int16, aligned with ``graph.data``)."""
        if self.gapfill is None:
            return np.full(self.graph.nnz, -1, dtype=np.int16)
        return self.gapfill

    @property
    def degree(self) -> np.ndarray:
        """Each node's number of neighbours (computed once)."""
        if not self._degree:
            self._degree.append(np.diff(self.graph.indptr))
        return self._degree[0]

    @property
    def n_nodes(self) -> int:
        return len(self.lon)

    @property
    def n_edges(self) -> int:
        """Undirected edges (each stored twice)."""
        return self.graph.nnz // 2

    @property
    def xyz(self) -> np.ndarray:
        """The nodes on the unit sphere, (n, 3) (computed once)."""
        if not self._xyz:
            self._xyz.append(unit_xyz(self.lon, self.lat))
        return self._xyz[0]

    @property
    def tree(self) -> cKDTree:
        """A KD-tree of the nodes on the unit sphere (built once)."""
        if not self._tree:
            from scipy.spatial import cKDTree  # here: importing scipy.spatial costs 0.2 s a process that never snaps

            self._tree.append(cKDTree(self.xyz))
        return self._tree[0]

    def components(self) -> tuple[int, np.ndarray]:
        """Number of connected components and each node's component label (computed once)."""
        if not self._components:
            n, labels = csgraph.connected_components(self.graph, directed=False)
            self._components.append((int(n), labels))
        return self._components[0]

    def nearest(self, lon: float, lat: float, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """The k nearest nodes to a point: (node ids, great-circle distances in km), nearest first (ties: the
        lower id first).

        Exact, from a grid of :data:`NEAREST_CELL_DEG` cells: the nodes of the
        block of cells around the point, the block doubled until the k-th
        nearest of them is no farther than the block's edge (every node outside
        it is at least that far away on the sphere).
        """
        k = min(k, self.n_nodes)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        if not self._grid:
            self._grid.append(_grid(self.lon, self.lat))
        order, keys = self._grid[0]
        point = unit_xyz(np.array([lon]), np.array([lat]))[0]
        iy, ix = _cell(lon, lat)
        r = 1
        while r <= NEAREST_MAX_CELLS:
            cand, margin = _block(order, keys, iy, ix, r, lon, lat)
            if len(cand) >= k or margin == np.inf:
                chord = np.linalg.norm(unit_xyz(self.lon[cand], self.lat[cand]) - point, axis=1)
                best = np.lexsort((cand, chord))[:k]
                km = chord_to_km(chord[best])
                if len(best) == k and km[-1] <= margin * EARTH_RADIUS_KM:
                    return cand[best], km
                if margin == np.inf:
                    return cand[best], km
            r *= 2
        # far from every node (at sea): the KD-tree, built once, instead of ever larger blocks
        chord, idx = self.tree.query(point, k=k)
        chord, idx = np.atleast_1d(chord), np.atleast_1d(idx)
        keep = idx < self.n_nodes
        return idx[keep], chord_to_km(chord[keep])

    def without_nodes(self, mask: np.ndarray) -> Network:
        """The same network with every edge touching a masked node removed."""
        coo = self.graph.tocoo()
        return self.without_edges(mask[coo.row] | mask[coo.col])

    def without_edges(self, cut: np.ndarray) -> Network:
        """The same network without the edges flagged in ``cut`` (one flag per entry of ``graph.data``, CSR order).

        Flag both directions of an edge to remove it (the graph stays symmetric).
        """
        coo = self.graph.tocoo()  # CSR order: connector flags line up
        keep = ~cut
        rows, cols = coo.row[keep], coo.col[keep]
        g = sparse.csr_array((coo.data[keep], (rows, cols)), shape=self.graph.shape)
        g.sort_indices()
        gapfill = None if self.gapfill is None else _align_labels(g, rows, cols, self.gapfill[keep])
        return replace(
            self,
            graph=g,
            connector=_align(g, rows, cols, self.connector[keep]),
            gapfill=gapfill,
            _components=[],
            _cost=[],
            _degree=[],
        )


def _cell(lon: float | np.ndarray, lat: float | np.ndarray) -> tuple[Any, Any]:
    """Grid row and column of points (lon/lat degrees)."""
    iy = np.clip(np.floor((np.asarray(lat) + 90.0) / NEAREST_CELL_DEG), 0, _NY - 1).astype(np.int64)
    ix = np.floor(((np.asarray(lon) + 180.0) % 360.0) / NEAREST_CELL_DEG).astype(np.int64) % _NX
    return iy, ix


def _grid(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nodes in grid-cell order, and each one's cell key (row * columns + column), sorted."""
    iy, ix = _cell(lon, lat)
    keys = iy * _NX + ix
    order = np.argsort(keys)  # the order within a cell does not matter: candidates are sorted by id
    return order, keys[order]


def _block(
    order: np.ndarray, keys: np.ndarray, iy: int, ix: int, r: int, lon: float, lat: float
) -> tuple[np.ndarray, float]:
    """The nodes in the cells within ``r`` rows and columns of cell (iy, ix), and the angle (radians) from the
    point to the block's edge: no node outside is nearer (``inf`` when the block holds every node)."""
    rows = range(max(iy - r, 0), min(iy + r, _NY - 1) + 1)
    wide = 2 * r + 1 >= _NX
    spans = [(0, _NX - 1)] if wide else [((ix - r) % _NX, (ix + r) % _NX)]
    if not wide and spans[0][0] > spans[0][1]:
        spans = [(spans[0][0], _NX - 1), (0, spans[0][1])]
    parts = []
    for row in rows:
        for c0, c1 in spans:
            lo, hi = np.searchsorted(keys, [row * _NX + c0, row * _NX + c1 + 1])
            parts.append(order[lo:hi])
    cand = np.sort(np.concatenate(parts))
    south = -np.inf if iy - r <= 0 else lat - ((iy - r) * NEAREST_CELL_DEG - 90.0)
    north = np.inf if iy + r >= _NY - 1 else (iy + r + 1) * NEAREST_CELL_DEG - 90.0 - lat
    lat_margin = min(abs(south), north)
    if wide:
        lon_margin = np.inf
    else:
        x = (lon + 180.0) % 360.0
        d = min(x - (ix - r) * NEAREST_CELL_DEG, (ix + r + 1) * NEAREST_CELL_DEG - x)
        # the angle from the point to the meridian d degrees away: sin = cos(lat) sin(d)
        lon_margin = float(np.arcsin(np.cos(np.radians(lat)) * np.sin(np.radians(min(d, 90.0)))))
    margin = min(np.radians(lat_margin), lon_margin)
    return cand, (np.inf if wide and iy - r <= 0 and iy + r >= _NY - 1 else float(margin))


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-D array, sorted: ``np.unique`` by a sort.

    Returns
    -------
    numpy.ndarray
        Equal to ``np.unique(values)``; NumPy 2.4's hash-based ``np.unique``
        takes seconds on the millions of int64 edge keys a network has.
    """
    s = np.sort(np.asarray(values).ravel())
    if not len(s):
        return s
    return s[np.concatenate([[True], s[1:] != s[:-1]])]


def _align(g: sparse.csr_array, rows: np.ndarray, cols: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """Reorder per-entry flags given in (rows, cols) order to the CSR order of ``g``."""
    if not len(flags):
        return np.zeros(g.nnz, dtype=bool)
    marked = sparse.csr_array((flags.astype(np.int8) + 1, (rows, cols)), shape=g.shape)
    marked.sort_indices()
    return marked.data == 2


def _align_labels(g: sparse.csr_array, rows: np.ndarray, cols: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Reorder per-entry int labels (>= -1) given in (rows, cols) order to the CSR order of ``g``."""
    if not len(labels):
        return np.full(g.nnz, -1, dtype=np.int16)
    marked = sparse.csr_array((labels.astype(np.int32) + 2, (rows, cols)), shape=g.shape)
    marked.sort_indices()
    return (marked.data - 2).astype(np.int16)


def network_from_edges(
    name: str,
    lon: np.ndarray,
    lat: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    *,
    km: np.ndarray | None = None,
    connector: np.ndarray | None = None,
    gapfill: np.ndarray | None = None,
    source: str = "",
    attribution: str = "",
) -> Network:
    """A network from node coordinates and undirected edges ``a[i]``–``b[i]``.

    Self-loops are dropped and parallel edges keep the shortest. Edge lengths
    default to the geodesic distance between their nodes (WGS84). ``gapfill``
    labels each edge with its gap-fill line index (-1: none); without it the
    network carries no gap-fill labels.
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    flags = np.zeros(len(a), dtype=bool) if connector is None else np.asarray(connector, dtype=bool)
    labels = None if gapfill is None else np.asarray(gapfill, dtype=np.int16)
    keep = a != b
    a, b, flags = a[keep], b[keep], flags[keep]
    labels = None if labels is None else labels[keep]
    km = distance_km(lon[a], lat[a], lon[b], lat[b]) if km is None else np.asarray(km, dtype=float)[keep]
    # explicit zeros would read as "no edge" to some csgraph routines: a millimetre instead
    km = np.maximum(km, 1e-6)
    n = len(lon)
    rows, cols = np.concatenate([a, b]), np.concatenate([b, a])
    data, flags2 = np.concatenate([km, km]), np.concatenate([flags, flags])
    labels2 = None if labels is None else np.concatenate([labels, labels])
    # keep the shortest of parallel edges: sort by (row, col, km), take the first of each pair; that order is CSR's
    key = rows * n + cols
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    if not first.all():  # parallel edges (few): the shortest first, in a stable sort of their entries only
        parallel = ~first
        parallel[:-1] |= ~first[1:]
        at = np.flatnonzero(parallel)
        order[at] = order[at][np.lexsort((data[order[at]], key[at]))]
    order = order[first]
    rows, cols, data, flags2 = rows[order], cols[order], data[order], flags2[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    g = sparse.csr_array((data, cols, indptr), shape=(n, n))
    out_labels = None if labels2 is None else labels2[order]
    return Network(name, g, lon, lat, flags2, source, attribution, out_labels)
