"""Benchmark: the bytes every catalog map loads from its build folder, and its draw time, against ``explore()``.

    python bench/map_size.py [--out DIR] [--assets DIR] [--no-browser] [--repeat N]

It builds the whole catalog (as ``corridors build`` does) and counts, for each
corridor map and the overview, the bytes the page loads from the output folder:
its HTML and every local file it names with ``<script src>`` or ``<link href>``
(the shared outlines). Against it, ``GeoDataFrame.explore()`` of the same legs and
hubs (``legs.explore()`` with ``hubs.explore(m=...)`` on top: folium's defaults,
full-detail geometry). Both load the same kind of CDN scripts, which neither
counts. Totals: the corridor pages together (a shared file counted once) against
their explore() pages together, and the overview (with the shared file) against
its explore().

Draw time: in headless Chromium (tests/browser.py: assets from the npm mirror,
tiles refused), from navigation start to the moment every leg is in the map, the
next animation frame after it (a MutationObserver added at the top of each page,
ours and explore's alike), the least of ``--repeat`` loads (on a shared machine
the least is the least disturbed). Our pages draw their background (country
outlines, tiles), the locator map and the direction arrows after the route's first
paint: "all ms" is the time until those are drawn too. With ``--assets DIR`` (a CDN mirror) it adds
the size of the self-contained pages. Figures go in the issue notes;
tests/test_light_pages.py checks the bytes budget on the catalog.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout's tests.browser, for the draw times

from layers.frames import Layers
from maps.build import build_catalog
from maps.render import inline_assets

_LOCAL = re.compile(r"""<(?:script[^>]*\ssrc|link[^>]*\shref)="(?!https?:|data:|//)(?P<ref>[^"]+)\"""")
_PROBE = """<script>(function () {  // bench: when every leg is in the map, and when all the rest is too
  var legs = %s, rest = %s, marks = {drawn: legs, complete: legs.concat(rest)};
  function met(conds) {
    return conds.every(function (c) { return document.querySelectorAll(c[0]).length >= c[1]; });
  }
  new MutationObserver(function (_, obs) {
    Object.keys(marks).forEach(function (name) {
      if (marks[name] && met(marks[name])) { marks[name] = null;
        requestAnimationFrame(function () { window["__" + name] = performance.now(); }); }
    });
    if (!marks.drawn && !marks.complete) { obs.disconnect(); }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();</script>"""
OURS_LEGS = ".folium-map > .leaflet-map-pane path.cm-leg"
EXPLORE_PATHS = ".folium-map > .leaflet-map-pane path.leaflet-interactive"
REST = {  # what else our pages draw, after the route: (what the page holds, what shows it is drawn)
    "cm-countries": ".folium-map > .leaflet-map-pane .leaflet-cm-countries-pane path",  # country outlines
    "L.Control.MiniMap": ".leaflet-control-minimap .leaflet-tile-pane path",  # the locator's outlines
    "cm-arrow": ".folium-map > .leaflet-map-pane text.cm-arrow",  # the direction arrows
}


def explore_html(layers: Layers) -> str:
    """What ``GeoDataFrame.explore()`` writes for the same legs and hubs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = layers.legs.explore(column="mode", tooltip=["from_hub", "to_hub", "mode", "status", "length_km"])
        layers.hubs.explore(m=m, color="black", tooltip=["name", "kind", "country"])
    return str(m.get_root().render())


def local_files(page: Path) -> list[Path]:
    """The files of the build folder a page loads (scripts, stylesheets), each once."""
    refs = dict.fromkeys(m["ref"] for m in _LOCAL.finditer(page.read_text(encoding="utf-8")))
    return [(page.parent / r).resolve() for r in refs if (page.parent / r).is_file()]


def loaded_bytes(pages: list[Path]) -> int:
    """The bytes ``pages`` load from the folder: their HTML, and each local file once across them."""
    shared = {f for p in pages for f in local_files(p)}
    return sum(p.stat().st_size for p in pages) + sum(f.stat().st_size for f in shared)


def _probed(page: Path, out: Path, want: int, selector: str) -> None:
    """A copy of ``page`` at ``out`` (same folder, so relative files still load) with the draw-time probe."""
    text = page.read_text(encoding="utf-8")
    rest = [[shown, 1] for held, shown in REST.items() if held in text]
    probe = _PROBE % (json.dumps([[selector, want]]), json.dumps(rest))
    out.write_text(text.replace("<head>", "<head>" + probe, 1), encoding="utf-8")


def draw_times(root: Path, pages: list[tuple[str, str, int]], repeat: int) -> dict[str, tuple[float, float]]:
    """The least ms, of ``repeat`` loads, from navigation to every leg drawn, and to all the rest drawn too
    (outlines, locator, arrows: what our pages draw after the route), per ``(page, selector, legs)``."""
    from tests.browser import browse, require_browser

    require_browser()
    times: dict[str, list[tuple[float, float]]] = {rel: [] for rel, _, _ in pages}
    with browse(root) as session:
        for _ in range(repeat):
            for rel, selector, want in pages:
                probe = f"{rel}.probe.html"
                _probed(root / rel, root / probe, want, selector)
                res = session.open(
                    probe,
                    idle_ms=100,
                    settle_ms=50,
                    actions=lambda p: p.evaluate("[window.__drawn, window.__complete]"),
                )
                # explore()'s legend needs jQuery UI, which the npm mirror lacks: its error is not ours to fix
                ours = not rel.startswith("explore/")
                drawn, complete = res.evaluate
                if (ours and (res.page_errors or res.missing_assets)) or not all(
                    isinstance(t, int | float) for t in (drawn, complete)
                ):
                    raise SystemExit(f"{rel}: the legs were not all drawn: {res.problems()}")
                times[rel].append((float(drawn), float(complete)))
    return {rel: (min(d for d, _ in t), min(c for _, c in t)) for rel, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="build here (default: a temporary folder)")
    parser.add_argument("--assets", type=Path, default=None, help="also measure self-contained pages from this mirror")
    parser.add_argument("--no-browser", action="store_true", help="sizes only")
    parser.add_argument("--repeat", type=int, default=3, help="loads per page for the draw time")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = args.out or Path(tmp) / "out"
        result = build_catalog(out=root, formats=["geojson"])
        layers = result.layers
        (root / "explore").mkdir(exist_ok=True)
        rows = []  # name, our page, layers drawn
        for cid in layers.corridors["corridor_id"]:
            rows.append((str(cid), f"maps/{cid}.html", layers.for_corridor(cid)))
        rows.append(("overview", "maps/overview.html", layers))
        for name, _, mine in rows:
            (root / "explore" / f"{name}.html").write_text(explore_html(mine), encoding="utf-8")

        timed: dict[str, float] = {}
        if not args.no_browser:
            probes = [(rel, OURS_LEGS, len(mine.legs)) for _, rel, mine in rows]
            probes += [(f"explore/{name}.html", EXPLORE_PATHS, len(mine.legs)) for name, _, mine in rows]
            timed = draw_times(root, probes, args.repeat)

        head = f"{'map':<28} {'legs':>5} {'ours KiB':>9} {'explore KiB':>12} {'ratio':>6}"
        head += f" {'ours ms':>8} {'all ms':>7} {'explore ms':>11}" if timed else ""
        head += f" {'self-contained KiB':>19}" if args.assets else ""
        print(head)
        corridor_pages, corridor_explore = [], []
        for name, rel, mine in rows:
            ours, theirs = root / rel, root / "explore" / f"{name}.html"
            size, other = loaded_bytes([ours]), theirs.stat().st_size
            if name != "overview":
                corridor_pages.append(ours)
                corridor_explore.append(other)
            row = f"{name:<28} {len(mine.legs):>5} {size / 1024:>9.1f} {other / 1024:>12.1f} {size / other:>6.2f}"
            if timed:
                row += f" {timed[rel][0]:>8.0f} {timed[rel][1]:>7.0f} {timed[f'explore/{name}.html'][0]:>11.0f}"
            if args.assets:
                text = inline_assets(ours.read_text(encoding="utf-8"), args.assets)
                row += f" {len(text.encode()) / 1024:>19.1f}"
            print(row)
        together, theirs_together = loaded_bytes(corridor_pages), sum(corridor_explore)
        print(
            f"\ncorridor pages together (shared files once): {together / 1024:,.1f} KiB, "
            f"explore() together {theirs_together / 1024:,.1f} KiB, ratio {together / theirs_together:.2f}"
        )
        shared = sorted({f for p in corridor_pages for f in local_files(p)})
        for f in shared:
            print(f"  shared: {f.relative_to(root.resolve())} {f.stat().st_size / 1024:,.1f} KiB")
        if timed:
            ours_ms = sum(timed[rel][0] for _, rel, _ in rows[:-1])
            all_ms = sum(timed[rel][1] for _, rel, _ in rows[:-1])
            theirs_ms = sum(timed[f"explore/{name}.html"][0] for name, _, _ in rows[:-1])
            print(
                f"draw time, corridor pages summed: ours {ours_ms:,.0f} ms to the legs drawn "
                f"({all_ms:,.0f} ms to outlines, locator and arrows drawn too), explore() {theirs_ms:,.0f} ms"
            )


if __name__ == "__main__":
    main()
