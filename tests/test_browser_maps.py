"""The built maps in a real headless Chromium: they load, draw every leg, and answer clicks.

Screenshots land in tests/artifacts/ (look at them): every map with the tiles
refused (what a reader sees offline), and the overview and the Middle Corridor
with a stub tile served for every tile URL (the "with tiles" state).
"""

from __future__ import annotations

import pytest

from geo.catalog import load_catalog
from maps.build import build, build_from_layers
from maps.render import asset_urls
from tests.browser import (
    ARTIFACTS,
    MAIN_MAP_PATHS,
    is_cdn_url,
    map_session,
    mirror_assets,
    stub_tile_png,
)

pytestmark = pytest.mark.browser
CATALOG_IDS = list(load_catalog().corridors)
ARROWS = ".folium-map > .leaflet-map-pane text.cm-arrow"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    catalog = load_catalog()
    out = tmp_path_factory.mktemp("site") / "corridor-maps"
    return build(catalog, catalog.select(None), out)


session = pytest.fixture(scope="module", name="session")(map_session)


def count_paths(page):
    return page.locator(MAIN_MAP_PATHS).count()


def look(page):
    legend = page.locator(".cm-legend")
    return {
        "paths": count_paths(page),
        "legend": legend.is_visible(),
        "legend_text": legend.inner_text(),
        "hubs": page.locator(".cm-hub").count(),
        "dashed": page.locator(f"{MAIN_MAP_PATHS}[stroke-dasharray]").count(),
        "arrows": page.locator(ARROWS).count(),
        "controls": {
            name: page.locator(selector).count()
            for name, selector in {
                "layers": ".leaflet-control-layers",
                "scale": ".leaflet-control-scale",
                "fullscreen": ".leaflet-control-zoom-fullscreen",
                "measure": ".leaflet-control-measure",
                "minimap": ".leaflet-control-minimap",
            }.items()
        },
    }


@pytest.mark.parametrize("corridor_id", [*CATALOG_IDS, "overview"])
def test_every_map_loads_and_draws_every_leg(session, built, corridor_id):
    res = session.open(
        f"maps/{corridor_id}.html", root=built.out, screenshot=ARTIFACTS / f"{corridor_id}.png", actions=look
    )
    res.assert_clean()
    mine = built.layers if corridor_id == "overview" else built.layers.for_corridor(corridor_id)
    seen = res.evaluate
    assert seen["paths"] == len(mine.legs)
    if corridor_id == "overview":  # the overview's legend names each corridor, in its own colour
        assert seen["legend"] and all(name in seen["legend_text"] for name in mine.corridors["name"])
    else:
        assert seen["legend"] and all(m.capitalize() in seen["legend_text"] for m in set(mine.legs["mode"]))
    assert seen["hubs"] == len(mine.hubs)
    assert seen["dashed"] == int((mine.legs["status"] != "operational").sum())
    assert seen["arrows"] >= 1  # direction of travel is on by default
    assert all(seen["controls"].values()), seen["controls"]


@pytest.mark.parametrize("corridor_id", ["overview", "middle-corridor"])
def test_with_stub_tiles(session, built, corridor_id):
    res = session.open(
        f"maps/{corridor_id}.html",
        root=built.out,
        screenshot=ARTIFACTS / f"{corridor_id}-tiles.png",
        actions=count_paths,
        tiles=stub_tile_png(),
        settle_ms=500,  # let the tiles fade in
    )
    res.assert_clean()
    assert res.stub_tiles and not res.aborted
    mine = built.layers if corridor_id == "overview" else built.layers.for_corridor(corridor_id)
    assert res.evaluate == len(mine.legs)


def test_switching_layers_off_hides_their_paths(session, built):
    def act(page):
        before = count_paths(page), page.locator(ARROWS).count()
        page.locator(".leaflet-control-layers-overlays label", has_text="Ferry").locator("input").uncheck()
        after_ferry = count_paths(page)
        page.locator(".leaflet-control-layers-overlays label", has_text="Direction of travel").locator(
            "input"
        ).uncheck()
        after_arrows = page.locator(ARROWS).count()
        page.locator(".leaflet-control-layers-overlays label", has_text="Direction of travel").locator("input").check()
        return before, after_ferry, after_arrows, page.locator(ARROWS).count()

    res = session.open("maps/middle-corridor.html", root=built.out, actions=act)
    res.assert_clean()
    (paths, arrows), after_ferry, after_arrows, arrows_back = res.evaluate
    ferries = int((built.layers.for_corridor("middle-corridor").legs["mode"] == "ferry").sum())
    assert ferries >= 1 and after_ferry == paths - ferries
    assert arrows >= paths and after_arrows == 0
    assert 0 < arrows_back <= arrows  # back on, for the legs still shown


def test_leg_popup_opens_on_click(session, built):
    def act(page):
        page.locator(f"{MAIN_MAP_PATHS}.cm-ferry").first.dispatch_event("click")
        page.wait_for_selector(".leaflet-popup-content", timeout=5000)
        return page.locator(".leaflet-popup-content").inner_text()

    res = session.open("maps/middle-corridor.html", root=built.out, actions=act)
    res.assert_clean()
    assert "Aktau →" in res.evaluate
    assert "Ferry, operational" in res.evaluate
    assert "Routed" in res.evaluate and "km" in res.evaluate
    if "on_network_share" in built.layers.legs.columns:
        assert "On network" in res.evaluate


def test_hub_popup_shows_facts_with_linked_sources(session, built):
    hubs = built.layers.for_corridor("middle-corridor").hubs
    with_link = [i for i, facts in enumerate(hubs["facts"]) if any(s.url for f in facts for s in f.sources)]
    assert with_link, "the Middle Corridor has a hub with a linked fact source"
    index = with_link[0]

    def act(page):
        page.locator(".cm-hub").nth(index).click(force=True)
        page.wait_for_selector(".leaflet-popup-content", timeout=5000)
        popup = page.locator(".leaflet-popup-content")
        return popup.inner_text(), popup.locator("a[href^='https://']").count()

    res = session.open("maps/middle-corridor.html", root=built.out, actions=act)
    res.assert_clean()
    text, links = res.evaluate
    assert hubs.iloc[index]["name"] in text
    assert links >= 1


def test_self_contained_map_loads_with_every_outside_request_refused(session, built, tmp_path):
    assets = tmp_path / "assets"
    missing = mirror_assets(asset_urls(), assets)  # (an image a stylesheet names may be absent)
    assert not set(missing) & set(asset_urls())
    out = tmp_path / "offline"
    build_from_layers(built.layers, out, assets=assets)

    for name in ("middle-corridor", "overview"):
        res = session.open(f"maps/{name}.html", root=out, actions=look, offline=True)
        res.assert_clean()
        assert not res.served_assets and not any(is_cdn_url(u) for u in res.aborted)
        mine = built.layers if name == "overview" else built.layers.for_corridor(name)
        assert res.evaluate["paths"] == len(mine.legs)
        assert res.evaluate["legend"] and all(res.evaluate["controls"].values())


def test_index_page(session, built):
    res = session.open(
        "index.html",
        root=built.out,
        screenshot=ARTIFACTS / "index.png",
        actions=lambda page: (page.locator("tbody tr").count(), page.locator("svg.sketch polyline").count()),
    )
    res.assert_clean()
    rows, sketch_lines = res.evaluate
    assert rows == len(built.layers.corridors)
    assert sketch_lines == len(built.layers.legs)
    assert not res.aborted and not res.served_assets  # the index needs nothing from outside


def _boxes(page):
    def box(selector):
        loc = page.locator(selector)
        return loc.first.bounding_box() if loc.count() and loc.first.is_visible() else None

    return {
        "legend": box(".cm-legend"),
        "legend_open": page.locator(".cm-legend details.cm-legend-box[open]").count() > 0,
        "layers": box(".leaflet-control-layers"),
        "layers_expanded": page.locator(".leaflet-control-layers-expanded").count() > 0,
        "attribution": box(".leaflet-control-attribution"),
        "scale": box(".leaflet-control-scale"),
        "zoom": box(".leaflet-control-zoom"),
        "minimap": box(".leaflet-control-minimap"),
    }


def _overlap(a, b):
    return (
        a is not None
        and b is not None
        and a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize(("width", "height"), [(700, 450), (390, 844)])
@pytest.mark.parametrize("page_id", ["middle-corridor", "overview"])
def test_small_screens_fold_the_legend_and_nothing_overlaps(session, built, page_id, width, height):
    res = session.open(
        f"maps/{page_id}.html",
        root=built.out,
        screenshot=ARTIFACTS / f"{page_id}-{width}x{height}.png",
        actions=_boxes,
        width=width,
        height=height,
    )
    res.assert_clean()
    seen = res.evaluate
    assert seen["legend"] is not None and not seen["legend_open"]  # folded to its title, one tap opens it
    assert not seen["layers_expanded"] and seen["minimap"] is None
    controls = ["legend", "layers", "attribution", "scale", "zoom"]
    for i, a in enumerate(controls):
        for b in controls[i + 1 :]:
            assert not _overlap(seen[a], seen[b]), (a, b, seen[a], seen[b])


def test_a_desktop_map_opens_with_its_legend_and_layers_open(session, built):
    res = session.open("maps/middle-corridor.html", root=built.out, actions=_boxes, width=1280, height=800)
    assert res.evaluate["legend_open"] and res.evaluate["layers_expanded"] and res.evaluate["minimap"] is not None


def test_the_overview_gives_each_corridor_its_colour_and_hover_picks_one_out(session, built):
    def hover(page):
        colours = page.evaluate(
            "() => { const out = {}; document.querySelectorAll('path.cm-leg').forEach(p => {"
            " const c = [...p.classList].find(x => x.startsWith('cm-c-')); (out[c] ||= new Set()).add(p.getAttribute('stroke')); });"
            " return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v]])); }"
        )
        page.locator(".cm-legend-corridor[data-corridor='northern-route']").hover()
        faded = page.evaluate(
            "() => [...document.querySelectorAll('path.cm-leg')].filter(p => getComputedStyle(p).opacity < 0.5)"
            ".map(p => [...p.classList].find(x => x.startsWith('cm-c-')))"
        )
        return colours, faded

    res = session.open("maps/overview.html", root=built.out, actions=hover, screenshot=ARTIFACTS / "overview-hover.png")
    colours, faded = res.evaluate
    assert all(len(v) == 1 for v in colours.values())  # one colour per corridor, whatever the mode
    assert len({v[0] for v in colours.values()}) == len(colours)  # and no two alike
    assert faded and "cm-c-northern-route" not in faded


SIZES = [(390, 844), (700, 450), (1280, 800)]
VIEW_JS = """() => {
  const frame = document.querySelector('.folium-map').getBoundingClientRect();
  const box = r => ({x: r.left, y: r.top, width: r.width, height: r.height});
  const legs = [...document.querySelectorAll('.folium-map > .leaflet-map-pane path.cm-leg')].map(p => box(p.getBoundingClientRect()));
  const ends = [...document.querySelectorAll('.cm-hub.cm-end')].map(e => box(e.getBoundingClientRect()));
  const labels = [...document.querySelectorAll('.cm-place:not(.cm-hidden)')].map(e => {
    const t = e.classList.contains('cm-place-icon') ? e.firstElementChild : e;
    return {text: t.innerText.replace(/\\s+/g, ' ').trim(), ...box(t.getBoundingClientRect())};
  });
  const controls = {};
  document.querySelectorAll('.folium-map .leaflet-control-container .leaflet-control, .cm-legend').forEach((c, i) => {
    const r = c.getBoundingClientRect();
    if (r.width && r.height && getComputedStyle(c).display !== 'none') {
      controls[(c.className.match(/leaflet-control-[a-z]+|cm-legend/) || ['control'])[0] + '#' + i] = box(r);
    }
  });
  return {frame: box(frame), legs, ends, labels, controls, viewport: [innerWidth, innerHeight]};
}"""
STORY = {  # the places each map's story names, that the map must show at desktop size
    "baku-tbilisi-kars": ["Tbilisi", "Akhalkalaki", "GEORGIA", "AZERBAIJAN"],
    "instc-west": ["Tehran", "Baku"],
    "instc-caspian": ["Tehran", "Caspian Sea"],
    "middle-corridor-black-sea": ["Poti", "Black Sea", "Tbilisi"],
    "zangezur": ["Nakhchivan", "Meghri", "Julfa", "Horadiz", "ARMENIA", "AZERBAIJAN"],
    "overview": ["Mediterranean Sea", "Red Sea", "Tehran"],  # the Caspian is named from zoom 4 on
    "middle-corridor": ["Tbilisi", "Kars"],
}


def _inside(inner, outer, slack=1.0):
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack
    )


SMALL_TOO = ("overview", "middle-corridor", "zangezur", "baku-tbilisi-kars")


@pytest.mark.parametrize(
    ("page_id", "width", "height"),
    [(p, w, h) for p in STORY for w, h in SIZES if w == 1280 or p in SMALL_TOO],
)
def test_every_size_fits_the_whole_route_clear_of_the_controls_and_names_the_story(
    session, built, page_id, width, height
):
    res = session.open(
        f"maps/{page_id}.html",
        root=built.out,
        screenshot=ARTIFACTS / f"{page_id}-fit-{width}x{height}.png",
        actions=lambda page: page.evaluate(VIEW_JS),
        width=width,
        height=height,
    )
    res.assert_clean()
    seen = res.evaluate
    mine = built.layers if page_id == "overview" else built.layers.for_corridor(page_id)
    assert len(seen["legs"]) == len(mine.legs)
    outside = [leg for leg in seen["legs"] if not _inside(leg, seen["frame"])]
    assert not outside, outside  # the whole route is in view
    controls = seen["controls"]
    names = list(controls)
    for i, a in enumerate(names):  # no control overlaps another
        for b in names[i + 1 :]:
            assert not _overlap(controls[a], controls[b]), (a, b, controls[a], controls[b])
    for end in seen["ends"]:  # nor a route's end
        assert not any(_overlap(end, c) for c in controls.values()), (end, controls)
    legend = next(v for k, v in controls.items() if k.startswith("cm-legend"))
    if width < 720 or height < 520:
        assert legend["width"] * legend["height"] <= 0.2 * width * height
    labels = seen["labels"]
    for i, a in enumerate(labels):  # the names shown do not overlap each other
        assert _inside(a, seen["frame"]), a
        for b in labels[i + 1 :]:
            assert not _overlap(a, b), (a, b)
    shown = {label["text"] for label in labels}
    assert shown, "no place named"
    if width == 1280:
        missing = [name for name in STORY[page_id] if name not in shown]
        assert not missing, (missing, sorted(shown))


def test_shared_legs_are_drawn_side_by_side(session, built):
    def act(page):
        page.evaluate(
            "() => window[document.querySelector('.folium-map').id].setView([41.0, 46.5], 7, {animate: false})"
        )
        page.wait_for_timeout(300)
        return page.evaluate(
            """() => {
              const map = window[document.querySelector('.folium-map').id];
              const out = {};
              map.eachLayer(l => {
                const cls = (l.options && l.options.className) || '';
                const pop = l.getPopup && l.getPopup();
                const text = pop ? (pop.getContent().textContent || String(pop.getContent())) : '';
                if (cls.includes('cm-leg') && text.includes('Port of Baku (Alat) → Tbilisi') && l._parts.length) {
                  const c = cls.match(/cm-c-([a-z0-9-]+)/)[1];
                  out[c] = {offset: l.options.offset || 0, first: [l._parts[0][0].x, l._parts[0][0].y]};
                }
              });
              return out;
            }"""
        )

    res = session.open(
        "maps/overview.html", root=built.out, actions=act, screenshot=ARTIFACTS / "overview-caucasus.png"
    )
    res.assert_clean()
    legs = res.evaluate
    assert {"middle-corridor", "middle-corridor-black-sea"} <= set(legs), legs
    a, b = legs["middle-corridor"], legs["middle-corridor-black-sea"]
    assert a["offset"] != b["offset"]
    gap = ((a["first"][0] - b["first"][0]) ** 2 + (a["first"][1] - b["first"][1]) ** 2) ** 0.5
    assert gap >= 3, legs  # pixels apart on the screen, not on top of each other


def test_the_comparison_page_draws_its_map(session, tmp_path):
    """`corridors compare --out FILE.html`: the map inside the page draws every compared corridor's legs."""
    from click.testing import CliRunner

    from maps.cli import main

    ids = ["northern-route", "middle-corridor", "suez-sea"]
    result = CliRunner().invoke(main, ["compare", *ids, "--out", str(tmp_path / "cmp.html")])
    assert result.exit_code == 0, result.output
    want = sum(len(load_catalog().corridors[c].legs) for c in ids)

    def drawn(page):
        frame = page.frame_locator("iframe.cm-map")
        frame.locator("path.cm-leg").first.wait_for(timeout=10_000)
        return {cid: frame.locator(f"path.cm-leg.cm-c-{cid}").count() for cid in ids}, frame.locator(
            ".cm-legend-corridor"
        ).count()

    res = session.open("cmp.html", root=tmp_path, actions=drawn, screenshot=ARTIFACTS / "compare-page.png")
    res.assert_clean()
    per_corridor, legend_rows = res.evaluate
    assert sum(per_corridor.values()) == want and all(per_corridor.values()), per_corridor
    assert legend_rows == len(ids)


# Each shown name, where it is, and where Leaflet itself puts it (Tooltip.update() measures and places it again).
_NAMES_AS_LEAFLET_PLACES_THEM = """() => {
  const map = Object.values(window).find(v => v instanceof L.Map && v.getContainer().classList.contains('folium-map'));
  const out = [];
  map.eachLayer(layer => {
    const tip = layer.getTooltip && layer.getTooltip();
    if (!tip || !tip.options.permanent || !tip._container || !tip._container.classList.contains('cm-place')) return;
    const box = tip._container, before = [box.style.transform, [...box.classList].sort().join(' ')];
    tip.update();
    out.push([box.textContent, before, [box.style.transform, [...box.classList].sort().join(' ')]]);
  });
  return out;
}"""


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
@pytest.mark.parametrize("page_id", ["middle-corridor", "zangezur", "overview"])
def test_names_sit_where_leaflet_itself_places_them(session, built, page_id, width, height):
    """The names are measured together on load and moved to another side by the declutter without Leaflet
    measuring them again: each must sit exactly where Leaflet's own placing puts it, on the side chosen."""
    res = session.open(
        f"maps/{page_id}.html",
        root=built.out,
        width=width,
        height=height,
        actions=lambda page: page.evaluate(_NAMES_AS_LEAFLET_PLACES_THEM),
    )
    res.assert_clean()
    names = res.evaluate
    assert len(names) >= 5
    moved = [name for name, before, after in names if before != after]
    assert not moved, moved
    sides = {cls for _, (_, cls), _ in names for cls in cls.split() if cls.startswith("leaflet-tooltip-")}
    assert "leaflet-tooltip-right" in sides and len(sides) >= 2  # some names moved to another side
