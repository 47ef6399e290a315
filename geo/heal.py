"""Healing a network's gaps, and splitting its long straight edges.

The rail graph has hundreds of connected components where the source data has
small gaps (a station throat, a border bridge). :func:`heal` joins nodes of
different components that lie within a radius, and line ends to lines or to
other line ends nearby, as *connector* edges, kept flagged so that every route
says how much of it is inferred. :func:`densify_edges` splits long edges so
that hubs beside them snap to the line. Distances in km, geodesic (WGS84);
neighbour searches on the unit sphere (see :mod:`geo.geodesy`).
"""

from __future__ import annotations

import heapq

import numpy as np
from scipy.spatial import cKDTree

from geo.geodesy import chord_to_km, distance_km, km_to_chord, wrap_lon
from geo.network import Network, network_from_edges

__all__ = ["DEFAULT_GAP_KM", "DEFAULT_HEAL_KM", "GAP_KM", "densify_edges", "heal"]

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
    near_any = network.tree.query_ball_point(xyz[ends], km_to_chord(radius_km)) if radius_km > 0 else None
    if gap_km > 0:
        ends_tree = cKDTree(xyz[ends])
        near_end = [[int(ends[j]) for j in js] for js in ends_tree.query_ball_point(xyz[ends], km_to_chord(gap_km))]
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
        km = chord_to_km(np.linalg.norm(xyz[near] - xyz[d], axis=1))
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
    pairs = network.tree.query_pairs(km_to_chord(radius_km), output_type="ndarray")
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
    km = distance_km(lon[a], lat[a], lon[b], lat[b])
    long = km > max_km
    if not long.any():
        return lon, lat, a, b
    la, lb = a[long], b[long]
    pieces = np.ceil(km[long] / max_km).astype(np.int64)
    inner = pieces - 1
    edge = np.repeat(np.arange(len(la)), inner)
    step = np.arange(inner.sum()) - np.repeat(np.cumsum(inner) - inner, inner) + 1
    t = step / np.repeat(pieces, inner)
    dlon = wrap_lon(lon[lb] - lon[la])
    new_lon = lon[la][edge] + t * dlon[edge]
    new_lon = wrap_lon(new_lon)
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
    new_km = distance_km(lon[chosen[:, 0]], lat[chosen[:, 0]], lon[chosen[:, 1]], lat[chosen[:, 1]])
    km = np.concatenate([coo.data[upper], new_km])
    flags = np.concatenate([network.connector[upper], np.ones(len(chosen), dtype=bool)])
    labels = None
    if network.gapfill is not None:
        labels = np.concatenate([network.gapfill[upper], np.full(len(chosen), -1, dtype=np.int16)])
    healed = network_from_edges(
        network.name,
        lon,
        lat,
        a,
        b,
        km=km,
        connector=flags,
        gapfill=labels,
        source=network.source,
        attribution=network.attribution,
    )
    healed._tree.extend(network._tree)
    return healed
