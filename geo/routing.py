"""Routing legs on a transport network: snapping, shortest paths, honest figures.

A routed leg's line runs from the start hub straight to its nearest network
node (the *snap*), along the network through the nodes nearest the via points,
and from the last node straight to the end hub. Its length splits into

* ``network_km``: along edges of the source data,
* ``gapfill_km``: along sourced gap-fill lines merged into the network
  (:mod:`geo.gapfill`; ``gapfill_lines`` says which),
* ``connector_km``: along edges inferred by :func:`geo.heal.heal`,
* ``snap_km``: the straight pieces between hubs and the network,

and ``on_network_share = network_km / length``. Shortest paths use SciPy's
Dijkstra on the CSR graph, stopped early at a bound derived from the
great-circle distance.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from geo.errors import NetworkError
from geo.gapfill import GAPFILL_ATTRIBUTION, shipped_gapfill
from geo.geodesy import distance_km, geodesic_km
from geo.leg_geometry import LegGeometry
from geo.network import Network

__all__ = [
    "DEFAULT_MAX_SNAP_KM",
    "RoutedPath",
    "path_along",
    "route_points",
    "routed_geometry",
    "shortest_path",
    "snap",
]

DEFAULT_MAX_SNAP_KM = 25.0
"""A hub farther than this from the network is not on it (see the note on issue 3)."""
SNAP_CANDIDATES = 24


@dataclass(frozen=True)
class RoutedPath:
    coords: np.ndarray
    """(n, 2) lon, lat from the first point to the last, through the network."""
    nodes: np.ndarray
    network_km: float
    """Along edges of the shipped network's source data (gap-fill and connectors excluded)."""
    connector_km: float
    snap_km: float
    gapfill_km: float = 0.0
    """Along gap-fill lines (see :mod:`geo.gapfill`)."""
    gapfill_lines: tuple[int, ...] = ()
    gapfill_line_km: tuple[float, ...] = ()
    """km along each of ``gapfill_lines``."""
    """Indices (into the gap-fill file's lines) of the gap-fill lines used, in order of first use."""

    @property
    def length_km(self) -> float:
        return geodesic_km(self.coords)

    @property
    def on_network_share(self) -> float:
        """The share on the shipped network's own edges: gap-fill, connectors and snaps are not."""
        total = self.network_km + self.gapfill_km + self.connector_km + self.snap_km
        return self.network_km / total if total > 0 else 0.0


@dataclass(frozen=True)
class Snap:
    node: int
    km: float


def _candidates(net: Network, lon: float, lat: float, max_km: float) -> tuple[np.ndarray, np.ndarray]:
    nodes, km = net.nearest(lon, lat, k=SNAP_CANDIDATES)
    keep = km <= max_km
    return nodes[keep], km[keep]


def snap(
    net: Network, points: Sequence[tuple[float, float]], names: Sequence[str], *, max_snap_km: float
) -> list[Snap]:
    """Snap every point to a network node, all in one connected component.

    The component is the one that every point can reach within ``max_snap_km``
    and that needs the least snapping in total.

    Raises
    ------
    NetworkError
        A point is too far from the network, or the points only reach parts of
        the network that do not connect.
    """
    _, labels = net.components()
    cands = []
    for (lon, lat), name in zip(points, names, strict=True):
        nodes, km = _candidates(net, lon, lat, max_snap_km)
        if not len(nodes):
            _, nearest_km = net.nearest(lon, lat)
            raise NetworkError(
                f"{name} is {float(nearest_km[0]):.0f} km from the nearest {net.name} line "
                f"(the limit is {max_snap_km:.0f} km): add a via point on the line, raise the leg's "
                'max_snap_km, or set routing = "great-circle" where the network lacks the line (say why in notes)'
            )
        cands.append((nodes, km))
    best: dict[int, float] = {}
    for comp in set(labels[cands[0][0]]):
        total = 0.0
        for nodes, km in cands:
            here = km[labels[nodes] == comp]
            if not len(here):
                break
            total += float(here.min())
        else:
            best[int(comp)] = total
    if not best:
        pieces = ", ".join(
            f"{n} (nearest line {float(km.min()):.1f} km)" for n, (_, km) in zip(names, cands, strict=True)
        )
        raise NetworkError(
            f"{pieces} lie on parts of the {net.name} network that the data does not connect: add via "
            "points along the line you mean, change the leg's mode, or mark the leg planned"
        )
    comp = min(best, key=lambda c: (best[c], c))
    out = []
    for nodes, km in cands:
        i = int(np.flatnonzero(labels[nodes] == comp)[0])
        out.append(Snap(int(nodes[i]), float(km[i])))
    return out


def shortest_path(net: Network, a: int, b: int, *, limit_km: float | None = None) -> np.ndarray | None:
    """Node ids of a shortest path from ``a`` to ``b`` (both included), or None if there is none.

    With ``limit_km``, the search stops at that distance; if ``b`` lies beyond,
    it searches again without the limit.
    """
    if a == b:
        return np.array([a])
    for limit in [limit_km, None] if limit_km is not None else [None]:
        dist, pred = csgraph.dijkstra(
            net.cost, directed=True, indices=a, return_predecessors=True, limit=np.inf if limit is None else limit
        )
        if np.isfinite(dist[b]):
            path = [b]
            while path[-1] != a:
                path.append(int(pred[path[-1]]))
            return np.array(path[::-1])
    return None


def _snap_km(point: tuple[float, float], node: np.ndarray) -> float:
    return float(distance_km(point[0], point[1], node[0], node[1]))


def _connector_matrix(net: Network) -> sparse.csr_array:
    g = net.graph
    return sparse.csr_array((net.connector.astype(np.int8), g.indices, g.indptr), shape=g.shape)


def _gapfill_matrix(net: Network) -> sparse.csr_array:
    """Gap-fill line index + 1 per edge (0: not gap-fill), so that missing entries read as 0."""
    g = net.graph
    return sparse.csr_array((net.gapfill_labels().astype(np.int32) + 1, g.indices, g.indptr), shape=g.shape)


def route_points(
    net: Network,
    points: Sequence[tuple[float, float]],
    names: Sequence[str],
    *,
    max_snap_km: float = DEFAULT_MAX_SNAP_KM,
) -> RoutedPath:
    """Route through ``points`` (lon, lat) in order on ``net``.

    ``names`` label the points in error messages (hub names, "via point 2", ...).

    Raises
    ------
    NetworkError
        A point cannot be snapped, or no path joins two consecutive points.
    """
    snaps = snap(net, points, names, max_snap_km=max_snap_km)
    nodes: list[np.ndarray] = []
    for (s, t), (na, nb), (pa, pb) in zip(
        itertools.pairwise(snaps), itertools.pairwise(names), itertools.pairwise(points), strict=True
    ):
        gc = distance_km(pa[0], pa[1], pb[0], pb[1])
        path = shortest_path(net, s.node, t.node, limit_km=3.0 * gc + 300.0)
        if path is None:  # pragma: no cover - snap() already put both in one component
            raise NetworkError(f"no {net.name} path from {na} to {nb}")
        nodes.append(path if not nodes else path[1:])
    return path_along(net, np.concatenate(nodes), points[0], points[-1])


def path_along(net: Network, seq: np.ndarray, start: tuple[float, float], end: tuple[float, float]) -> RoutedPath:
    """The line from ``start`` through the network nodes ``seq`` to ``end``, with its figures."""
    u, v = seq[:-1], seq[1:]
    is_conn = np.asarray(_connector_matrix(net)[u, v]).astype(bool).ravel() if len(u) else np.zeros(0, bool)
    fill = (
        np.asarray(_gapfill_matrix(net)[u, v]).astype(np.int64).ravel() - 1
        if len(u) and net.gapfill is not None
        else np.full(len(u), -1, dtype=np.int64)
    )
    on_fill = fill >= 0
    lines = [int(i) for i in dict.fromkeys(fill[on_fill].tolist())]
    seg_km = distance_km(net.lon[u], net.lat[u], net.lon[v], net.lat[v]) if len(u) else np.zeros(0)
    coords = np.column_stack([net.lon[seq], net.lat[seq]])
    line = np.concatenate([np.array([start]), coords, np.array([end])])
    keep = np.ones(len(line), dtype=bool)
    keep[1:] = np.any(np.diff(line, axis=0) != 0, axis=1)
    return RoutedPath(
        coords=line[keep],
        nodes=seq,
        network_km=float(seg_km[~is_conn & ~on_fill].sum()),
        connector_km=float(seg_km[is_conn].sum()),
        snap_km=_snap_km(start, coords[0]) + _snap_km(end, coords[-1]),
        gapfill_km=float(seg_km[on_fill & ~is_conn].sum()),
        gapfill_lines=tuple(lines),
        gapfill_line_km=tuple(float(seg_km[(fill == i) & ~is_conn].sum()) for i in lines),
    )


PRECISE_GAPFILL_KM = 5.0
"""Gap-fill track digitised to within this many km counts as trustworthy (``geometry_quality`` ``gap-fill``)."""


def routed_geometry(net: Network, path: RoutedPath) -> LegGeometry:
    """A routed path as a leg's geometry: its figures in ``extras``, the notices its line owes.

    A path on gap-fill track (:mod:`geo.gapfill`) also carries the ids and
    sources of the lines it uses (``gapfill_lines``, ``gapfill_sources``) and
    their notice.
    """
    extras: dict[str, object] = {
        "network_km": path.network_km,
        "connector_km": path.connector_km,
        "snap_km": path.snap_km,
        "gapfill_km": path.gapfill_km,
    }
    attribution: tuple[str, ...] = (net.attribution,)
    if path.gapfill_lines:
        lines = [shipped_gapfill()[i] for i in path.gapfill_lines]
        # a line digitised coarser than a few km is an approximate alignment, however well sourced
        extras["gapfill_coarse_km"] = sum(
            km for line, km in zip(lines, path.gapfill_line_km, strict=True) if line.accuracy_km > PRECISE_GAPFILL_KM
        )
        extras["gapfill_lines"] = tuple(line.id for line in lines)
        extras["gapfill_sources"] = tuple(dict.fromkeys(s for line in lines for s in line.sources))
        attribution += (GAPFILL_ATTRIBUTION,)
    return LegGeometry(path.coords, f"{net.name} network", attribution, extras)
