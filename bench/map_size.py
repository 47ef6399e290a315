"""Benchmark: the HTML size of every catalog map against ``GeoDataFrame.explore()`` of the same layers.

    python bench/map_size.py [--assets DIR]

For each corridor map (and the overview) it prints our page's size, the size of
``legs.explore()`` with ``hubs.explore(m=...)`` on top (folium's defaults, the
same legs and hubs, full-detail geometry), their ratio (ours / explore), and
whether the page is within the target of 1.5 MB per corridor map. With
``--assets DIR`` (a CDN mirror, see the README) it adds the size of the
self-contained page. No test asserts these figures; they go in the issue notes.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from geo.catalog import load_catalog
from layers.frames import Layers, layers_from_catalog
from maps.render import corridor_map, inline_assets, overview_map, render_html

TARGET_BYTES = 1_500_000
"""At most 1.5 MB per corridor map (issue 5)."""


def explore_html(layers: Layers) -> str:
    """What ``GeoDataFrame.explore()`` writes for the same legs and hubs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = layers.legs.explore(column="mode", tooltip=["from_hub", "to_hub", "mode", "status", "length_km"])
        layers.hubs.explore(m=m, color="black", tooltip=["name", "kind", "country"])
    return m.get_root().render()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=Path, default=None, help="also measure self-contained pages from this mirror")
    args = parser.parse_args()

    catalog = load_catalog()
    layers = layers_from_catalog(catalog, catalog.select(None))
    maps = [(cid, layers.for_corridor(cid), corridor_map(layers, cid)) for cid in layers.corridors["corridor_id"]]
    maps.append(("overview", layers, overview_map(layers)))

    head = f"{'map':<28} {'legs':>5} {'ours KiB':>9} {'explore KiB':>12} {'ratio':>6} {'≤1.5 MB':>8}"
    if args.assets:
        head += f" {'self-contained KiB':>19}"
    print(head)
    for name, mine, m in maps:
        ours = render_html(m)
        theirs = explore_html(mine)
        size, other = len(ours.encode()), len(theirs.encode())
        row = (
            f"{name:<28} {len(mine.legs):>5} {size / 1024:>9.1f} {other / 1024:>12.1f} "
            f"{size / other:>6.2f} {'yes' if size <= TARGET_BYTES else 'NO':>8}"
        )
        if args.assets:
            row += f" {len(inline_assets(ours, args.assets).encode()) / 1024:>19.1f}"
        print(row)


if __name__ == "__main__":
    main()
