"""Benchmark: the whole catalog build, stage by stage, and the size of every file it writes.

    python bench/build.py [--repeat N] [--out DIR]

Prints a table of stage timings (best and median of N runs, in a fresh process
state for geometry: nothing is cached between runs) and the size of each output
file. Figures go in the issue notes; no test asserts them.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from geo.catalog import load_catalog
from geo.geometry import GeometryBuilder
from layers.frames import layers_from_catalog
from maps.build import build
from maps.render import corridor_map, overview_map, render_html


def _time(fn, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="build here (default: a temporary folder)")
    args = parser.parse_args()

    rows = []
    best, med, catalog = _time(load_catalog, args.repeat)
    rows.append(("load + validate catalog", best, med))
    corridors = catalog.select(None)
    legs = [leg for c in corridors for leg in c.legs]

    def geometry():
        builder = GeometryBuilder(catalog.hubs)
        for leg in legs:
            builder(leg)
        return builder

    best, med, builder = _time(geometry, args.repeat)
    rows.append((f"geometry ({len(legs)} legs)", best, med))
    best, med, layers = _time(lambda: layers_from_catalog(catalog, corridors, geometry_of=builder), args.repeat)
    rows.append(("layers (GeoDataFrames)", best, med))
    best, med, _ = _time(lambda: [render_html(corridor_map(layers, c.id)) for c in corridors], args.repeat)
    rows.append((f"render {len(corridors)} corridor maps", best, med))
    best, med, _ = _time(lambda: render_html(overview_map(layers)), args.repeat)
    rows.append(("render overview map", best, med))

    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "corridor-maps"
        best, med, result = _time(lambda: build(load_catalog(), load_catalog().select(None), out), args.repeat)
        rows.append(("whole build (corridors build)", best, med))
        sizes = [(str(f), (out / f).stat().st_size) for f in result.files]

    print(f"{'stage':<36} {'best s':>8} {'median s':>9}")
    for name, b, m in rows:
        print(f"{name:<36} {b:>8.3f} {m:>9.3f}")
    print()
    print(f"{'file':<40} {'KiB':>8}")
    for name, size in sizes:
        print(f"{name:<40} {size / 1024:>8.1f}")


if __name__ == "__main__":
    main()
