"""Benchmark: a 200 × 200 O-D matrix across Eurasia, in process and on a local Dask cluster, beside SciPy and scgraph.

    pip install -e '.[bench,dask]' && python bench/matrix.py [--n 200] [--workers 2]

The points are rail-network nodes across Eurasia (a fixed seed), the modes rail, sea and ferry. Timed in one run on
the same pairs: SciPy's multi-source Dijkstra on our graph (distances only), scgraph's ``GeoGraph.distance_matrix``
on scgraph-data's world railways (distances only), ``corridors matrix`` in process (every column: km by mode,
borders, days, CO2e) and on a local Dask cluster. Prints pairs per second, peak memory (this process; each worker),
whether Dask's rows equal the in-process ones, and a model of a 10,000 × 10,000 matrix on N workers from the
measured per-origin cost. Figures go in the issue notes; no test asserts them.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd
from scipy.sparse import csgraph

from geo.catalog import load_catalog
from geo.matrix import MATRIX_COLUMNS, matrix_input, od_matrix
from geo.model import Hub, HubKind, Source
from geo.multimodal import DEFAULT_MODES
from geo.network_data import prepared_network
from geo.places import _country_at


def _points(n: int, seed: int = 7) -> list[tuple[str, Hub]]:
    net = prepared_network("rail")
    _, labels = net.components()
    main = np.bincount(labels).argmax()
    inside = np.flatnonzero((net.lon > 20) & (net.lon < 125) & (net.lat > 22) & (net.lat < 60) & (labels == main))
    pick = np.random.default_rng(seed).choice(inside, size=n, replace=False)
    out = []
    for i, node in enumerate(sorted(pick)):
        lon, lat = float(net.lon[node]), float(net.lat[node])
        hub = Hub(id=f"pt-{i}", name=f"p{i}", country=_country_at(lon, lat), kind=HubKind.CITY, lat=lat, lon=lon,
                  sources=[Source(text="benchmark point")])  # fmt: skip
        out.append((f"p{i}", hub))
    return out


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    catalog = load_catalog()
    points = _points(args.n)
    pairs = args.n * args.n
    rows = []

    t = time.perf_counter()
    job = matrix_input(catalog, points, points, modes=DEFAULT_MODES)
    t_prepare = time.perf_counter() - t
    rows.append(("prepare: graph, points, masks (once)", t_prepare, None))

    t = time.perf_counter()
    csgraph.dijkstra(job.problem.cost, directed=True, indices=list(job.origins), min_only=False)
    t_scipy = time.perf_counter() - t
    rows.append(("SciPy multi-source Dijkstra (distances only)", t_scipy, pairs / t_scipy))

    try:
        import scgraph

        net = prepared_network("rail")
        adjacency: list[dict[int, float]] = [{} for _ in range(net.n_nodes)]
        coo = net.cost.tocoo()
        for r, c, w in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True):
            adjacency[r][c] = w
        geo = scgraph.GeoGraph(
            graph=adjacency, nodes=[[float(a), float(o)] for a, o in zip(net.lat, net.lon, strict=True)]
        )
        nodes = [{"latitude": h.lat, "longitude": h.lon} for _, h in points]
        t = time.perf_counter()
        geo.distance_matrix(nodes, output_units="km", silent=True)
        t_sc = time.perf_counter() - t
        rows.append(("scgraph GeoGraph.distance_matrix, same rail graph (distances only)", t_sc, pairs / t_sc))
    except ImportError:
        t_sc = float("nan")
        print("(scgraph not installed: pip install -e '.[bench]')")

    t = time.perf_counter()
    local = pd.DataFrame(od_matrix(job), columns=MATRIX_COLUMNS)
    t_ours = time.perf_counter() - t
    rows.append(("corridors matrix, in process (every column)", t_ours, pairs / t_ours))
    peak = _rss_mb()

    worker_mb: list[float] = []
    same = None
    try:
        from dask.distributed import Client, LocalCluster

        from geo.distributed import od_matrix_on_dask

        t = time.perf_counter()
        remote = pd.DataFrame(od_matrix_on_dask(job, workers=args.workers), columns=MATRIX_COLUMNS)
        t_dask = time.perf_counter() - t
        rows.append((f"corridors matrix, local Dask, {args.workers} workers (incl. start)", t_dask, pairs / t_dask))
        same = remote.equals(local)
        with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as c:
            problem = c.scatter(job.problem, broadcast=True)
            from geo.matrix import solve_batches

            c.submit(solve_batches, problem, job.origins[:20], job.destinations, origin_ids=job.origin_ids[:20],
                     destination_ids=job.destination_ids).result()  # fmt: skip
            worker_mb = [v / 2**20 for v in c.run(lambda: __import__("psutil").Process().memory_info().rss).values()]
    except ImportError:
        print("(dask not installed: pip install -e '.[dask]')")

    print(f"{'stage':<60} {'s':>7} {'pairs/s':>9}")
    for name, s, rate in rows:
        print(f"{name:<60} {s:7.2f} {rate if rate else float('nan'):9.0f}")
    print(f"peak memory, this process: {peak:,.0f} MB; per Dask worker after 20 origins: "
          f"{', '.join(f'{m:,.0f}' for m in worker_mb) or 'n/a'} MB; Dask rows equal in-process: {same}")  # fmt: skip
    per_origin = t_ours / args.n
    per_dest = (t_ours - t_scipy) / pairs  # the walk and the figures, per pair
    search = t_scipy / args.n
    print("model, 10,000 x 10,000 (from these figures): per origin "
          f"{search:.3f} s search + {per_dest * 1e3:.3f} ms per destination")  # fmt: skip
    for n_workers in (1, 2, 8, 32):
        hours = 10_000 * (search + per_dest * 10_000) / n_workers / 3600
        print(f"  {n_workers:>3} workers: {hours:6.1f} h (plus the graph's scatter, about {t_prepare:.0f} s)")
    print(f"(in-process per origin at {args.n} destinations: {per_origin:.3f} s; scgraph: {t_sc:.1f} s for all)")


if __name__ == "__main__":
    main()
