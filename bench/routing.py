"""Benchmark: network loading, routed legs, and the whole build, beside scgraph's engine and networkx.

    pip install -e '.[bench]' && python bench/routing.py [--skip-cold] [--repeat N]

1. Cold load: the first conversion of scgraph-data's rail and road networks (parse,
   measure, densify, heal, cache) into a fresh cache folder.
2. Warm load: reading the cached, healed network (and building its KD-tree).
3. Routed legs: every operational rail leg of the embedded catalog, through its via
   points, with our engine (SciPy Dijkstra stopped at a bound), and the same node
   pairs on the same graph (same weights) with SciPy unbounded, scgraph 3.x's C++
   Dijkstra and bidirectional Dijkstra, and networkx. Path lengths must agree.
4. `corridors route` for catalog pairs (a fresh process, warm cache, no --out), beside
   the floor of a process that only imports NumPy and SciPy's graph routines.
5. The whole catalog build (`corridors build`, a fresh process, warm cache).
6. The first build on an empty cache (`corridors build --formats gpkg`, a fresh process
   and cache folder): CPU seconds (user + sys), the figure of issue 11 (at most 15 s).

Figures go into the issue notes; no test asserts them.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.sparse import csgraph


def timed(fn, repeat: int = 1):
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def cold_load() -> None:
    """Convert and heal each network into an empty cache folder (CPU seconds: one process, both cores shared)."""
    from geo import network_data
    from geo.heal import GAP_KM, heal

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CORRIDORS_CACHE_DIR"] = tmp
        network_data._PREPARED.clear()
        for kind in ("rail", "road"):
            t = time.process_time()
            raw = network_data.load_network(kind)
            t_raw = time.process_time() - t
            t = time.process_time()
            healed = heal(raw, gap_km=GAP_KM[kind])
            t_heal = time.process_time() - t
            n, labels = raw.components()
            nh, lh = healed.components()
            print(f"cold: convert scgraph-data {kind} {t_raw:.2f} s CPU, heal {t_heal:.2f} s CPU")
            print(
                f"  {raw.n_nodes:,} nodes, {raw.n_edges:,} edges; components {n} -> {nh}; "
                f"largest {np.bincount(labels).max() / raw.n_nodes:.1%} -> {np.bincount(lh).max() / raw.n_nodes:.1%}; "
                f"connectors {int(healed.connector.sum()) // 2:,}"
            )
        del os.environ["CORRIDORS_CACHE_DIR"]
        network_data._PREPARED.clear()


def cli(*args: str, cache: str | None = None) -> tuple[float, float]:
    """Run ``corridors ARGS`` in a fresh process: (wall s, CPU s of user + sys)."""
    cmd = [sys.executable, "-c", "import sys; sys.argv[0] = 'corridors'; from maps.cli import main; main()", *args]
    return process(cmd, cache=cache)


def process(cmd: list[str], *, cache: str | None = None) -> tuple[float, float]:
    """Run ``cmd`` in a fresh process: (wall s, CPU s of user + sys)."""
    env = dict(os.environ, **({"CORRIDORS_CACHE_DIR": cache} if cache else {}))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


ROUTE_PAIRS = [("xian", "duisburg"), ("tbilisi", "kars"), ("aktau", "istanbul")]


def route_times(repeat: int = 3) -> None:
    """``corridors route`` on a warm cache, best of ``repeat`` fresh processes per pair, and the import floor."""
    cli("route", *ROUTE_PAIRS[0])  # fills the node caches if this cache has none yet
    print("\n`corridors route FROM TO` (fresh process, warm cache, no --out): best of", repeat)
    for a, b in ROUTE_PAIRS:
        runs = [cli("route", a, b) for _ in range(repeat)]
        wall, cpu = min(runs)
        print(f"  {a} → {b}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    floor = min(
        process([sys.executable, "-c", "import numpy, scipy.sparse.csgraph, shapely, pydantic"]) for _ in range(repeat)
    )
    print(f"  floor: a process importing numpy, scipy.sparse.csgraph, shapely, pydantic: {floor[0]:.2f} s wall")


def first_build() -> None:
    """The whole catalog built on an empty cache: networks converted and healed, outlines simplified."""
    with tempfile.TemporaryDirectory() as tmp:
        cache = str(Path(tmp) / "cache")
        wall, cpu = cli("build", "--out", str(Path(tmp) / "out"), "--formats", "gpkg", cache=cache)
        warm_wall, warm_cpu = cli("build", "--out", str(Path(tmp) / "out2"), "--formats", "gpkg", cache=cache)
    print(f"\nfirst build on an empty cache (`corridors build --formats gpkg`): {cpu:.1f} s CPU ({wall:.1f} s wall)")
    print(f"  the same build again, warm cache: {warm_cpu:.1f} s CPU ({warm_wall:.1f} s wall)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cold", action="store_true", help="skip the empty-cache measurements")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    if not args.skip_cold:
        cold_load()

    from geo import network_data
    from geo.catalog import load_catalog
    from geo.geometry import leg_points
    from geo.model import Mode, Status
    from geo.routing import route_points, snap

    network_data.prepared_network("rail")  # make sure the cache exists
    network_data._PREPARED.clear()
    t = time.perf_counter()
    net = network_data.prepared_network("rail")
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    _ = net.tree
    t_tree = time.perf_counter() - t
    print(f"warm load: {t_load:.3f} s read + {t_tree:.3f} s KD-tree = {t_load + t_tree:.3f} s")

    catalog = load_catalog()
    legs, seen = [], set()
    for c in catalog.corridors.values():
        for leg in c.legs:
            key = (leg.from_hub, leg.to_hub, tuple(map(str, leg.via)))
            if (
                leg.mode == Mode.RAIL
                and leg.status == Status.OPERATIONAL
                and leg.routing == "network"
                and key not in seen
            ):
                seen.add(key)
                legs.append(leg)
    ours = []
    pairs = []
    for leg in legs:
        pts = leg_points(leg, catalog.hubs)
        names = [leg.from_hub] + ["via"] * (len(pts) - 2) + [leg.to_hub]
        kw = {"max_snap_km": leg.max_snap_km or 25.0}
        best, _ = timed(lambda pts=pts, names=names, kw=kw: route_points(net, pts, names, **kw), args.repeat)
        ours.append(best)
        snaps = snap(net, pts, names, **kw)
        pairs += [(a.node, b.node) for a, b in itertools.pairwise(snaps)]
    print(f"\nrouted legs (ours, SciPy Dijkstra with a bound, through via points): {len(legs)} legs")
    print(f"  median {statistics.median(ours) * 1000:.1f} ms, max {max(ours) * 1000:.1f} ms, total {sum(ours):.2f} s")

    cost = net.cost
    print(f"\nsame {len(pairs)} node pairs, same graph and weights:")
    rows = []

    def scipy_unbounded(a, b):
        d = csgraph.dijkstra(cost, directed=True, indices=a)
        return d[b]

    def scipy_bounded(a, b):
        from geo.geodesy import GEOD

        gc = GEOD.inv(net.lon[a], net.lat[a], net.lon[b], net.lat[b])[2] / 1000
        d = csgraph.dijkstra(cost, directed=True, indices=a, limit=3 * gc + 300)
        return d[b] if np.isfinite(d[b]) else scipy_unbounded(a, b)

    engines = [
        ("scipy dijkstra, bounded (ours)", None, scipy_bounded),
        ("scipy dijkstra, unbounded", None, scipy_unbounded),
    ]
    try:
        import scgraph

        t = time.perf_counter()
        adjacency = [dict() for _ in range(net.n_nodes)]
        coo = cost.tocoo()
        for r, c, w in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
            adjacency[r][c] = w
        g = scgraph.Graph(adjacency)
        t_build = time.perf_counter() - t
        engines += [
            (f"scgraph {scgraph.__name__} Graph.dijkstra (C++)", t_build, lambda a, b: g.dijkstra(a, b)["length"]),
            ("scgraph bidirectional_dijkstra (C++)", t_build, lambda a, b: g.bidirectional_dijkstra(a, b)["length"]),
        ]
    except ImportError:
        print("  (scgraph not installed: pip install -e '.[bench]')")
    try:
        import networkx as nx

        t = time.perf_counter()
        G = nx.from_scipy_sparse_array(cost, edge_attribute="weight")
        t_nx = time.perf_counter() - t
        engines.append(("networkx dijkstra_path_length", t_nx, lambda a, b: nx.dijkstra_path_length(G, a, b)))
    except ImportError:
        print("  (networkx not installed)")
    reference = [scipy_unbounded(a, b) for a, b in pairs]
    for name, build_s, fn in engines:
        times, lengths = [], []
        for a, b in pairs:
            best, length = timed(lambda a=a, b=b, fn=fn: fn(a, b), 1 if "networkx" in name else args.repeat)
            times.append(best)
            lengths.append(length)
        agree = np.allclose(lengths, reference, rtol=1e-6)
        rows.append((name, build_s, statistics.median(times), max(times), agree))
    print(f"  {'engine':<42} {'graph build s':>13} {'median ms':>10} {'max ms':>9}  same lengths")
    for name, build_s, med, mx, agree in rows:
        b = f"{build_s:.2f}" if build_s is not None else "-"
        print(f"  {name:<42} {b:>13} {med * 1000:>10.2f} {mx * 1000:>9.2f}  {agree}")

    route_times()
    with tempfile.TemporaryDirectory() as tmp:
        wall, cpu = cli("build", "--out", str(Path(tmp) / "out"))
        print(f"\nwhole catalog build (`corridors build`, new process, warm cache): {wall:.1f} s ({cpu:.1f} s CPU)")
    if not args.skip_cold:
        first_build()


if __name__ == "__main__":
    main()
