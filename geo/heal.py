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

import itertools

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from geo.defaults import DEFAULT_GAP_KM, DEFAULT_HEAL_KM, GAP_KM
from geo.geodesy import chord_to_km, distance_km, km_to_chord, wrap_lon
from geo.network import Network, network_from_edges, unique_sorted

__all__ = ["DEFAULT_GAP_KM", "DEFAULT_HEAL_KM", "GAP_KM", "densify_edges", "densify_edges_km", "heal"]

LOCAL_DETOUR = 3.0
"""Two nodes already joined by a path at most this many times their distance (+1 km) need no connector."""
GROUP_SIZE = 128
"""Line ends searched from together (neighbours), on the part of the network they can reach."""
REACH_MARGIN = 1.01
"""A path of L km on the ellipsoid stays within L times this of its start on the sphere (0.5 % apart at most)."""
BATCH_ENTRIES = 4_000_000
"""Distances held at once by one batched search (8 bytes each): the memory a batch may take."""


def _unique_pairs(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """The distinct pairs ``(a[i], b[i])`` of node ids below ``n``, sorted, as an (m, 2) array."""
    key = unique_sorted(np.asarray(a, dtype=np.int64) * n + np.asarray(b, dtype=np.int64))
    return np.column_stack([key // n, key % n])


def _ragged(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """``query_ball_point`` answers, flattened: (the query each hit answers, the hit)."""
    lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    hits = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64, count=int(lengths.sum()))
    return np.repeat(np.arange(len(lists)), lengths), hits


def _subgraph(graph: sparse.csr_array, nodes: np.ndarray, position: np.ndarray) -> sparse.csr_array:
    """The graph between ``nodes`` (sorted), renumbered 0..len-1; ``position`` is scratch, all -1, left so."""
    position[nodes] = np.arange(len(nodes))
    starts = graph.indptr[nodes]
    counts = graph.indptr[nodes + 1] - starts
    offsets = np.cumsum(counts) - counts
    entries = np.repeat(starts - offsets, counts) + np.arange(int(counts.sum()))
    cols = position[graph.indices[entries]]
    keep = cols >= 0
    rows = np.repeat(np.arange(len(nodes)), counts)[keep]
    position[nodes] = -1
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(nodes)))])
    return sparse.csr_array((graph.data[entries][keep], cols[keep], indptr), shape=(len(nodes), len(nodes)))


def _compact_groups(points: np.ndarray, size: int) -> list[np.ndarray]:
    """Indices of ``points`` in groups of at most ``size``, each compact: split at the median of the widest axis."""
    todo, groups = [np.arange(len(points))], []
    while todo:
        idx = todo.pop()
        if len(idx) <= size:
            groups.append(idx)
            continue
        p = points[idx]
        order = np.argsort(p[:, int(np.argmax(np.ptp(p, axis=0)))], kind="stable")
        todo += [idx[order[len(idx) // 2 :]], idx[order[: len(idx) // 2]]]
    return groups


def _bounded_distances(
    network: Network,
    xyz: np.ndarray,
    sources: np.ndarray,
    limits: np.ndarray,
    pair_source: np.ndarray,
    pair_target: np.ndarray,
) -> np.ndarray:
    """Network km from ``sources[pair_source[k]]`` to ``pair_target[k]``; inf beyond ``limits[pair_source[k]]``.

    Many bounded searches at once: the sources go in compact groups of
    :data:`GROUP_SIZE`, and each group is searched from together (SciPy's
    Dijkstra with many ``indices``, at most :data:`BATCH_ENTRIES` distances at a
    time) on the part of the network within its reach. Edges are geodesic km,
    within 0.5 % of the sphere's great-circle km, so a path within a limit stays
    inside a ball of that radius (and :data:`REACH_MARGIN`) around its source. A
    bounded Dijkstra is exact within its bound: the distances are those of one
    search per source with its own limit.
    """
    out = np.full(len(pair_source), np.inf)
    if not len(pair_source):
        return out
    by_source = np.argsort(pair_source, kind="stable")
    first_pair = np.searchsorted(pair_source[by_source], np.arange(len(sources) + 1))
    position = np.full(network.n_nodes, -1, dtype=np.int64)
    active = unique_sorted(pair_source)
    for group in (active[g] for g in _compact_groups(xyz[sources[active]], GROUP_SIZE)):
        p = xyz[sources[group]]
        center = (p.min(axis=0) + p.max(axis=0)) / 2.0
        limit = float(limits[group].max())
        reach = float(np.linalg.norm(p - center, axis=1).max()) + km_to_chord(limit * REACH_MARGIN + 0.001)
        nodes = np.asarray(network.tree.query_ball_point(center, reach, return_sorted=True), dtype=np.int64)
        sub = _subgraph(network.graph, nodes, position)
        step = max(1, BATCH_ENTRIES // len(nodes))
        for batch in np.array_split(group, -(-len(group) // step)):
            dist = csgraph.dijkstra(sub, indices=np.searchsorted(nodes, sources[batch]), limit=limit)
            counts = first_pair[batch + 1] - first_pair[batch]
            offsets = np.cumsum(counts) - counts
            ks = by_source[np.repeat(first_pair[batch] - offsets, counts) + np.arange(int(counts.sum()))]
            out[ks] = dist[np.repeat(np.arange(len(batch)), counts), np.searchsorted(nodes, pair_target[ks])]
    return out


def _dead_end_pairs(network: Network, radius_km: float, gap_km: float) -> np.ndarray:
    """For each line end, the nearest node it is not already joined to.

    Any node within ``radius_km`` qualifies (a line ending next to another line);
    farther out, up to ``gap_km``, only another line end does (a broken line).
    "Joined" means a path at most :data:`LOCAL_DETOUR` times their distance
    (+1 km); ties in distance go to the lower node id.
    """
    ends = np.flatnonzero(np.diff(network.graph.indptr) == 1)
    if not len(ends):
        return np.empty((0, 2), dtype=np.int64)
    xyz = network.xyz
    src, cand = [np.empty(0, dtype=np.int64)] * 2, [np.empty(0, dtype=np.int64)] * 2
    if radius_km > 0:
        src[0], cand[0] = _ragged(network.tree.query_ball_point(xyz[ends], km_to_chord(radius_km)))
    if gap_km > 0:
        from scipy.spatial import cKDTree  # only where a network is healed (see Network.tree)

        src[1], j = _ragged(cKDTree(xyz[ends]).query_ball_point(xyz[ends], km_to_chord(gap_km)))
        cand[1] = ends[j]
    key = unique_sorted(np.concatenate(src) * network.n_nodes + np.concatenate(cand))  # each (end, node) once
    source, target = key // network.n_nodes, key % network.n_nodes
    keep = target != ends[source]
    source, target = source[keep], target[keep]
    if not len(source):
        return np.empty((0, 2), dtype=np.int64)
    km = chord_to_km(np.linalg.norm(xyz[target] - xyz[ends[source]], axis=1))
    limits = np.zeros(len(ends))
    np.maximum.at(limits, source, LOCAL_DETOUR * km + 1.0)
    joined = _bounded_distances(network, xyz, ends, limits, source, target) <= LOCAL_DETOUR * km + 1.0
    # the nearest candidate not joined, per line end: sorted by (end, km, node), the first one left
    order = np.lexsort((target, km, source))
    order = order[~joined[order]]
    first = order[np.concatenate([[True], source[order][1:] != source[order][:-1]])] if len(order) else order
    a, b = ends[source[first]], target[first]
    return _unique_pairs(np.minimum(a, b), np.maximum(a, b), network.n_nodes)


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

    Returns
    -------
    tuple of numpy.ndarray
        ``(lon, lat, a, b)``: the nodes (the given ones first, then the new
        ones) and the edges (those kept whole first, then the pieces).
    """
    return densify_edges_km(lon, lat, a, b, max_km=max_km)[:4]


def densify_edges_km(
    lon: np.ndarray, lat: np.ndarray, a: np.ndarray, b: np.ndarray, *, max_km: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`densify_edges`, and each resulting edge's geodesic km (WGS84), each edge measured once.

    Returns
    -------
    tuple of numpy.ndarray
        ``(lon, lat, a, b, km)``: as :func:`densify_edges`, and the km of ``a[i]``–``b[i]``.
    """
    km = distance_km(lon[a], lat[a], lon[b], lat[b])
    long = km > max_km
    if not long.any():
        return lon, lat, a, b, km
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
    all_lon, all_lat = np.concatenate([lon, new_lon]), np.concatenate([lat, new_lat])
    chain_km = distance_km(all_lon[chain_a], all_lat[chain_a], all_lon[chain_b], all_lat[chain_b])
    return (
        all_lon,
        all_lat,
        np.concatenate([a[~long], chain_a]),
        np.concatenate([b[~long], chain_b]),
        np.concatenate([km[~long], chain_km]),
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
    chosen = _unique_pairs(chosen.min(axis=1), chosen.max(axis=1), network.n_nodes)
    if not len(chosen):
        return network
    coo = network.graph.tocoo()
    upper = coo.row < coo.col
    n = network.n_nodes
    existing = np.sort(coo.row[upper] * n + coo.col[upper])
    wanted = chosen[:, 0] * n + chosen[:, 1]
    at = np.minimum(np.searchsorted(existing, wanted), max(len(existing) - 1, 0))
    if len(existing):
        chosen = chosen[existing[at] != wanted]
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
