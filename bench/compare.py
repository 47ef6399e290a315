"""Benchmark: ``corridors compare`` of the whole catalog under every shipped scenario, against a plain build.

    python bench/compare.py [--repeat N]

Times, in one process with warm network caches (the first run converts them; run `corridors build` once first):
a plain build of the whole catalog (geometry, layers, maps, GeoPackage; the build also writes compare.html),
the comparison of every corridor under every shipped scenario from scratch (its own geometry), and the same
comparison reusing a build's geometry (what the build's compare.html costs). The issue's budget: compare at most
twice a plain build. Figures go in the issue notes; no test asserts them.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from geo.catalog import load_catalog
from geo.geometry import GeometryBuilder
from geo.scenarios import shipped_scenarios
from maps.build import build, compare


def _time(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    catalog = load_catalog()
    corridors = catalog.select(None)
    scenarios = list(shipped_scenarios().values())
    compare([c.id for c in corridors[:1]], ["baseline"], catalog=catalog)  # warm the network caches

    with tempfile.TemporaryDirectory() as tmp:
        n = iter(range(1000))
        build_best, build_med = _time(
            lambda: build(catalog, corridors, Path(tmp) / f"b{next(n)}", formats=("gpkg",)), args.repeat
        )
    cmp_best, cmp_med = _time(lambda: compare((), scenarios, catalog=catalog), args.repeat)
    builder = GeometryBuilder(catalog.hubs)
    for c in corridors:
        for leg in c.legs:
            builder(leg)
    shared_best, shared_med = _time(lambda: compare((), scenarios, catalog=catalog, geometry_of=builder), args.repeat)
    rows = [
        (f"plain build, {len(corridors)} corridors (gpkg)", build_best, build_med),
        (f"compare: {len(corridors)} corridors x {len(scenarios)} scenarios", cmp_best, cmp_med),
        ("compare reusing a build's lines", shared_best, shared_med),
    ]
    print(f"{'stage':<48} {'best s':>8} {'median s':>9}")
    for name, best, med in rows:
        print(f"{name:<48} {best:8.2f} {med:9.2f}")
    print(f"compare / build: {cmp_med / build_med:.2f} (budget 2.0)")


if __name__ == "__main__":
    main()
