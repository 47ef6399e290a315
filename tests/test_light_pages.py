"""Light, cheap pages: rendered text is not compiled again as a template; shared outlines; the bytes budget."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import sys
import types
import warnings

import folium
import pytest
from branca.element import Element

from maps.build import build, build_from_layers
from maps.outlines import GLOBAL_NAME, TOPOJSON_CLIENT_URL, SharedOutlines, grid_step, outline_topology
from maps.render import corridor_map, render_html


def test_text_that_looks_like_a_template_reaches_the_page_as_written(mini_layers):
    """branca compiles every element's rendered script as a jinja template: a name holding ``{{ 6*7 }}`` came
    out as ``42``. The rendered text is kept as it is."""
    layers = mini_layers.for_corridor("t-caspian")
    hubs = layers.hubs.copy()
    hubs.loc[hubs.index[0], "name"] = "Port {{ 6*7 }} {% if 1 %}x{% endif %}"
    m = corridor_map(dataclasses.replace(layers, hubs=hubs), "t-caspian")
    folium.Marker([40, 50], tooltip="{{ 7*7 }}").add_to(m)
    html = render_html(m)
    assert "Port {{ 6*7 }} {% if 1 %}x{% endif %}" in html and "{{ 7*7 }}" in html
    assert "Port 42" not in html and ">49<" not in html


def test_rendering_twice_gives_the_same_bytes(mini_layers):
    assert render_html(corridor_map(mini_layers, "t-caspian")) == render_html(corridor_map(mini_layers, "t-caspian"))


def _local_scripts(html: str) -> list[str]:
    """The scripts a page loads from the build folder."""
    return re.findall(r'<script src="(?!https?:)([^"]+)"', html)


def test_every_page_of_a_build_loads_its_outlines_from_one_shared_file(mini_layers, tmp_path):
    result = build_from_layers(mini_layers, tmp_path / "out", formats=["geojson"])
    maps = tmp_path / "out" / "maps"
    pages = sorted(maps.glob("*.html"))
    assert [p.name for p in pages] == ["overview.html", "t-caspian.html", "timeline.html"]
    shared = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (maps / "shared").iterdir())
    referenced = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        scripts = _local_scripts(text)
        outline_files = [s for s in scripts if s.startswith("shared/outlines-")]
        assert len(outline_files) == 1 and set(scripts) - set(outline_files) == {"shared/corridor-maps.js"}, page.name
        assert "var touched" not in text and "var GAP" not in text  # their functions: in the shared script
        referenced.update(f"maps/{s}" for s in scripts)
        sheets = re.findall(r'<link rel="stylesheet" href="(?!https?:)([^"]+)"', text)
        assert sheets == ["shared/corridor-maps.css"], page.name  # the maps' own CSS, once per build
        referenced.add(f"maps/{sheets[0]}")
        assert "<svg xmlns" not in text.split("<body")[1].split("cm-legend")[0]  # hub symbols come from the CSS
        assert GLOBAL_NAME + "=" not in text and '"arcs"' not in text  # no outline data in the page itself
        assert TOPOJSON_CLIENT_URL in text  # the decoder, from the CDN like Leaflet
    assert sorted(referenced) == shared  # each level's file once, and no file no page loads
    assert set(shared) <= {p.as_posix() for p in result.files}
    for name in (n for n in shared if "/outlines-" in n):
        text = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert text.count(f"window.{GLOBAL_NAME}") == 2 and '"type":"Topology"' in text
        assert "Natural Earth" in text  # the outlines' credit travels with them


def test_shared_outlines_are_the_same_bytes_every_build(mini_layers, tmp_path):
    for out in ("a", "b"):
        build_from_layers(mini_layers, tmp_path / out, formats=["geojson"])
    for name in ("maps/t-caspian.html", "maps/overview.html", *(
        p.relative_to(tmp_path / "a").as_posix() for p in (tmp_path / "a" / "maps" / "shared").iterdir()
    )):  # fmt: skip
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_a_page_made_outside_a_build_carries_its_own_outlines(mini_layers):
    html = render_html(corridor_map(mini_layers, "t-caspian"))
    assert not _local_scripts(html)
    data = re.search(
        r"<script>/\* Country outlines.*?\n\(window\.cmOutlines=window\.cmOutlines\|\|\{\}\)\[\"([\d.]+)\"\]=(.*?);\n",
        html,
        re.S,
    )
    assert data is not None
    topology = json.loads(data.group(2))
    assert topology["type"] == "Topology" and topology["objects"]["countries"]["geometries"]
    assert all(isinstance(v, int) for arc in topology["arcs"][:5] for pt in arc for v in pt)  # quantised


def test_the_outlines_a_level_holds_cover_the_box_of_every_page_that_draws_it():
    shared = SharedOutlines()
    shared.src(0.12, (40.2, 30.5, 60.0, 45.0))
    shared.src(0.12, (10.0, 35.0, 30.7, 50.0))
    assert list(shared.files()) == ["outlines-0.12.js"]
    topology = outline_topology(0.12, (10.0, 30.0, 60.0, 50.0))
    assert shared.files()["outlines-0.12.js"].endswith(
        f'["0.12"]={json.dumps(topology, separators=(",", ":"), sort_keys=True)};\n'
    )
    transform = topology["transform"]
    assert isinstance(transform, dict)
    (x0, y0), (sx, sy) = transform["translate"], transform["scale"]
    assert (x0, y0) == (10.0, 30.0) and max(sx, sy) <= grid_step(0.12)


@pytest.fixture(scope="module")
def catalog_build(catalog, tmp_path_factory):
    out = tmp_path_factory.mktemp("light") / "out"
    return build(catalog, catalog.select(None), out, formats=["geojson"], every_hub=True)


def _explore_bytes(layers, monkeypatch) -> int:
    """``legs.explore()`` with ``hubs.explore(m=...)`` on top, as bench/map_size.py measures it."""
    if "mapclassify" not in sys.modules and importlib.util.find_spec("mapclassify") is None:
        # explore() imports it; only a scheme= would use it
        monkeypatch.setitem(sys.modules, "mapclassify", types.ModuleType("mapclassify"))
        sys.modules["mapclassify"].classify = None  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = layers.legs.explore(column="mode", tooltip=["from_hub", "to_hub", "mode", "status", "length_km"])
        layers.hubs.explore(m=m, color="black", tooltip=["name", "kind", "country"])
    return len(m.get_root().render().encode())


def test_the_catalogs_pages_weigh_no_more_than_explore_of_the_same_legs_and_hubs(catalog_build, monkeypatch):
    """Issue 12, item 6: every byte the pages load from the build folder (HTML, each shared file once)."""
    from bench.map_size import loaded_bytes

    out, layers = catalog_build.out, catalog_build.layers
    ids = list(layers.corridors["corridor_id"])
    ours = loaded_bytes([out / "maps" / f"{cid}.html" for cid in ids])
    theirs = sum(_explore_bytes(layers.for_corridor(cid), monkeypatch) for cid in ids)
    assert ours <= theirs, f"corridor pages {ours:,} bytes, explore() {theirs:,}"
    overview = loaded_bytes([out / "maps" / "overview.html"])
    assert overview <= _explore_bytes(layers, monkeypatch), f"overview {overview:,} bytes"


def test_the_shared_outlines_draw_in_the_browser_on_the_map_and_its_minimap(mini_layers, tmp_path):
    from tests.browser import open_page, require_assets, require_browser

    require_browser()
    require_assets()
    build_from_layers(mini_layers, tmp_path / "out", formats=["geojson"])
    count = """() => ({
        map: document.querySelectorAll(".folium-map > .leaflet-map-pane .leaflet-cm-countries-pane path").length,
        minimap: document.querySelectorAll(".leaflet-control-minimap path").length})"""
    for page in ("maps/t-caspian.html", "maps/overview.html"):
        res = open_page(tmp_path / "out", page, actions=lambda p: p.evaluate(count))
        res.assert_clean()
        assert res.evaluate["map"] >= 5 and res.evaluate["minimap"] >= 5, (page, res.evaluate)
        assert any("topojson-client@3.1.0" in u for u in res.served_assets)


def test_pages_come_without_indentation_but_keep_their_line_breaks_and_preformatted_text(mini_layers):
    m = corridor_map(mini_layers, "t-caspian")
    m.get_root().html.add_child(Element("<pre>a\n    b</pre>\n    <p>\n\n      c</p>"))
    html = render_html(m)
    assert "\n " not in html.replace("<pre>a\n    b</pre>", "") and "\n\n" not in html
    assert "<pre>a\n    b</pre>\n<p>\nc</p>" in html and html.count("\n") > 100
