"""Gap healing: the batched searches pick the same connectors as one small Dijkstra per line end."""

from __future__ import annotations

import heapq

import numpy as np
import pytest
from scipy.spatial import cKDTree

from geo import heal as heal_module
from geo.geodesy import chord_to_km, km_to_chord
from geo.heal import LOCAL_DETOUR, heal
from geo.network import Network, network_from_edges


def _one_search_per_end(network: Network, radius_km: float, gap_km: float) -> np.ndarray:
    """The dead-end pairs as first written: a Python Dijkstra from each line end, bounded by its own limit."""
    g = network.graph
    ends = np.flatnonzero(np.diff(g.indptr) == 1)
    xyz = network.xyz
    near_any = network.tree.query_ball_point(xyz[ends], km_to_chord(radius_km)) if radius_km > 0 else None
    ends_tree = cKDTree(xyz[ends])
    near_end = ends_tree.query_ball_point(xyz[ends], km_to_chord(gap_km)) if gap_km > 0 else None
    out = []
    for i, d in enumerate(ends.tolist()):
        found = set(near_any[i]) if near_any is not None else set()
        if near_end is not None:
            found.update(int(ends[j]) for j in near_end[i])
        found.discard(d)
        if not found:
            continue
        near = np.array(sorted(found))
        km = chord_to_km(np.linalg.norm(xyz[near] - xyz[d], axis=1))
        limit = LOCAL_DETOUR * float(km.max()) + 1.0
        dist, heap = {d: 0.0}, [(0.0, d)]
        while heap:
            du, u = heapq.heappop(heap)
            if du > dist.get(u, np.inf):
                continue
            for k in range(g.indptr[u], g.indptr[u + 1]):
                v, nd = int(g.indices[k]), du + float(g.data[k])
                if nd <= limit and nd < dist.get(v, np.inf):
                    dist[v] = nd
                    heapq.heappush(heap, (nd, v))
        for j in np.argsort(km, kind="stable"):
            c, s = int(near[j]), float(km[j])
            if dist.get(c, np.inf) > LOCAL_DETOUR * s + 1.0:
                out.append((min(d, c), max(d, c)))
                break
    return np.unique(np.array(out, dtype=np.int64).reshape(-1, 2), axis=0)


def _broken_lines(seed: int, n: int = 600) -> Network:
    """Short random polylines over about 100 x 100 km: many line ends, near each other and to other lines."""
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(0, 1, n), rng.uniform(45, 46, n)
    order = np.lexsort((lat, np.round(lon * 8)))  # lines running north in strips
    breaks = rng.random(n - 1) < 0.15
    a, b = order[:-1][~breaks], order[1:][~breaks]
    return network_from_edges("rail", lon, lat, a, b)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("radius_km", "gap_km"), [(2.0, 20.0), (2.0, 0.0), (0.0, 8.0)])
def test_batched_searches_match_one_search_per_end(monkeypatch, seed, radius_km, gap_km):
    net = _broken_lines(seed)
    expected = _one_search_per_end(net, radius_km, gap_km)
    assert len(expected)
    assert np.array_equal(heal_module._dead_end_pairs(net, radius_km, gap_km), expected)
    monkeypatch.setattr(heal_module, "GROUP_SIZE", 5)  # many groups, each searched in several batches
    monkeypatch.setattr(heal_module, "BATCH_ENTRIES", 1000)
    assert np.array_equal(heal_module._dead_end_pairs(net, radius_km, gap_km), expected)


def test_healing_keeps_existing_edges_and_flags_only_new_ones():
    net = _broken_lines(4)
    healed = heal(net, 2.0, gap_km=20.0)
    new = healed.connector
    assert new.any() and healed.n_edges == net.n_edges + int(new.sum()) // 2
    coo = healed.graph.tocoo()
    kept = net.graph.tocoo()
    assert set(zip(kept.row.tolist(), kept.col.tolist(), strict=True)) == set(
        zip(coo.row[~new].tolist(), coo.col[~new].tolist(), strict=True)
    )


def test_network_from_edges_keeps_the_shortest_parallel_edge_and_its_flags():
    rng = np.random.default_rng(5)
    n, m = 40, 400  # many parallel edges, some of equal length, and self-loops
    lon, lat = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    km = rng.integers(1, 4, m).astype(float)
    flags, labels = rng.random(m) < 0.5, rng.integers(-1, 3, m).astype(np.int16)
    net = network_from_edges("rail", lon, lat, a, b, km=km, connector=flags, gapfill=labels)
    best: dict[tuple[int, int], int] = {}
    for key, i in [((int(a[i]), int(b[i])), i) for i in range(m)] + [((int(b[i]), int(a[i])), i) for i in range(m)]:
        if key[0] != key[1] and (key not in best or km[i] < km[best[key]]):  # the first of the shortest
            best[key] = i
    coo = net.graph.tocoo()
    assert net.graph.has_canonical_format and len(coo.data) == len(best)
    for r, c, d, f, g in zip(coo.row, coo.col, coo.data, net.connector, net.gapfill_labels(), strict=True):
        i = best[int(r), int(c)]
        assert (d, f, g) == (km[i], flags[i], labels[i])
