"""Map and index HTML: content, escaping, attribution, reproducibility."""

from __future__ import annotations

import json
import re

import pytest
import shapely

from geo.catalog import load_catalog
from geo.errors import OptionError
from layers.frames import layers_from_catalog
from maps.build import index_html
from maps.render import (
    asset_path,
    asset_urls,
    check_assets,
    corridor_map,
    esc,
    inline_assets,
    overview_map,
    render_html,
    resolve_tiles,
    route_sketch,
)
from tests.conftest import MINI

EVIL = '<script>alert(1)</script> `${x}` & "q"'


def test_corridor_map(mini_layers):
    html = render_html(corridor_map(mini_layers, "t-caspian"))
    approximate = int((mini_layers.legs["geometry_quality"] == "approximate").sum())
    assert approximate >= 1  # the planned Tbilisi–Kars leg is a great-circle line
    assert html.count("L.polyline(") == 3 + approximate  # each approximate leg over its band
    assert html.count('"className": "cm-band') == approximate and '"interactive": false' in html
    assert "Approximate alignment (not surveyed track)" in html
    assert html.count('"className": "cm-hub') == 4 and html.count('"className": "cm-hub cm-end cm-k-') == 2
    assert "cm-legend" in html and "Ferry" in html and "Planned" in html and "Sea port" in html
    assert "L.control.layers" in html
    assert "fitBounds" in html
    assert "searoute (Eurostat marnet" in html  # data attribution
    assert "Esri" in html  # tile attribution
    assert '"dashArray": "1,9"' in html  # the planned rail leg: round dots (weight 3.5, dash 0.3,2.5)
    assert "<title>Test: Aktau to Kars</title>" in html
    assert "fa-" not in html.split("<body>")[1]  # no icon font needed for hubs


def test_no_tiles(mini_layers):
    html = render_html(corridor_map(mini_layers, "t-caspian", tiles=None))
    assert "L.tileLayer" not in html


def test_overview_map_has_a_layer_per_corridor(mini_layers):
    html = render_html(overview_map(mini_layers))
    assert ' Test: Aktau to Kars"' in html and '"Hubs"' in html  # each corridor's layer, after its colour sample
    assert html.count("L.polyline(") - html.count('"className": "cm-band') == 3


def test_render_is_reproducible(mini_layers):
    a = render_html(corridor_map(mini_layers, "t-caspian"))
    b = render_html(corridor_map(mini_layers, "t-caspian"))
    assert a == b
    assert not re.search(r"[0-9a-f]{32}", a)


def test_unknown_tiles():
    with pytest.raises(OptionError, match=r"tiles 'nope': no such tile provider"):
        resolve_tiles("nope")
    assert resolve_tiles("openstreetmap mapnik").name == "OpenStreetMap.Mapnik"


def test_user_text_is_escaped(tmp_path):
    text = MINI.read_text(encoding="utf-8").replace('name = "Tbilisi"', f"name = '''{EVIL}'''")
    text = text.replace('name = "Test: Aktau to Kars"', "name = '''Route <b>bold</b> `${1+1}`'''")
    text = text.replace('published_km_source = "made up for the test"', f"published_km_source = '''{EVIL}'''")
    path = tmp_path / "evil.toml"
    path.write_text(text, encoding="utf-8")
    cat = load_catalog([path], embedded=False)
    layers = layers_from_catalog(cat, cat.select(None))
    maps = [render_html(corridor_map(layers, "t-caspian")), render_html(overview_map(layers))]
    for html in [*maps, index_html(layers)]:
        assert "<script>alert(1)</script>" not in html
        assert "<b>bold</b>" not in html
        assert "&lt;b&gt;bold&lt;/b&gt;" in html or "\\u0026lt;b\\u0026gt;bold" in html  # HTML or JSON-in-JS
    for html in maps:  # folium puts popups and tooltips in JS template literals
        assert "`${" not in html and "${1+1}" not in html and "${x}" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_esc():
    assert esc("<a href='x'>`${y}`</a>") == "&lt;a href=&#x27;x&#x27;&gt;&#96;&#36;{y}&#96;&lt;/a&gt;"


def test_index_page(mini_layers):
    html = index_html(mini_layers)
    assert 'href="maps/t-caspian.html"' in html and 'href="layers/t-caspian.geojson"' in html
    assert 'href="maps/overview.html"' in html and 'href="layers/corridors.gpkg"' in html
    assert f"{mini_layers.corridors['length_km'].iloc[0]:,.0f} km" in html
    assert "KAZ, AZE, GEO, ARM, TUR" in html
    assert "searoute" in html


def test_corridor_map_controls_and_layers(mini_layers):
    html = render_html(corridor_map(mini_layers, "t-caspian"))
    # a layer per mode and status, with a line sample in the label
    assert "Rail · planned" in html and "Ferry · operational" in html
    assert "Direction of travel" in html and ".setText(" in html  # arrows, a layer of their own
    assert "L.control.fullscreen" in html and "L.Control.Measure" in html and "L.Control.MiniMap" in html
    assert "L.control.scale" in html
    # no Bootstrap, Font Awesome or awesome-markers: the maps do not use them
    assert "bootstrap" not in html and "fontawesome" not in html and "awesome-markers" not in html


def test_hub_popup_has_facts_with_linked_sources(mini_layers):
    html = render_html(corridor_map(mini_layers, "t-caspian"))
    assert "Phase 1: 15 Mt + 100,000 TEU" in html
    assert (
        "href=&#x27;https://portnews.ru/news/346384/&#x27;" in html or "href='https://portnews.ru/news/346384/'" in html
    )


def test_leg_popup_shows_on_network_share_when_the_column_exists(mini_layers):
    legs = mini_layers.legs.copy()
    legs["on_network_share"] = 0.25
    layers = type(mini_layers)(hubs=mini_layers.hubs, legs=legs, corridors=mini_layers.corridors)
    assert "On network" in render_html(corridor_map(layers, "t-caspian"))
    without = type(mini_layers)(
        hubs=mini_layers.hubs, legs=legs.drop(columns="on_network_share"), corridors=mini_layers.corridors
    )
    assert "On network" not in render_html(corridor_map(without, "t-caspian"))


def test_display_coordinates_are_rounded_and_simplified(mini_layers):
    html = render_html(corridor_map(mini_layers, "t-caspian"))
    found = re.findall(r"L\.polyline\(\s*(\[\[.*?\]\]),\s*(\{.*?\})", html, flags=re.S)
    polylines = [coords for coords, options in found if "cm-band" not in options]  # not the bands under lines
    assert len(polylines) == len(mini_layers.legs)
    for text, _ in found:
        assert not re.search(r"\d\.\d{6,}", text)
    drawn = sum(len(json.loads(t)) for t in polylines)
    assert drawn <= sum(shapely.get_num_coordinates(g) for g in mini_layers.legs.geometry)


def test_route_sketch_is_static_svg(mini_layers):
    svg = str(route_sketch(mini_layers.legs, title="<x>"))
    assert svg.startswith("<svg") and svg.count("<polyline") == len(mini_layers.legs)
    assert "<x>" not in svg and "script" not in svg
    assert "stroke-dasharray" in svg  # the planned leg
    html = index_html(mini_layers)
    assert html.count("class='sketch'") == len(mini_layers.corridors)
    assert "operational" in html and "km planned" in html


def test_inline_assets(mini_layers, tmp_path):
    html = render_html(corridor_map(mini_layers, "t-caspian"))
    with pytest.raises(OptionError, match=r"--assets .*: missing .*leaflet\.js \(a copy of https://"):
        inline_assets(html, tmp_path)
    with pytest.raises(OptionError, match=r"missing"):
        check_assets(tmp_path)
    for url in asset_urls():
        path = asset_path(tmp_path, url)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (
            "a { background: url(images/x.png) } b { background: url('gone.png') }"
            if url.endswith(".css")
            else "x = '</script>';"
        )
        path.write_text(f"/* {url} */ {text}", encoding="utf-8")
    image = asset_path(tmp_path, "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/images/x.png")
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(b"\x89PNG")
    check_assets(tmp_path)
    page = inline_assets(html, tmp_path)
    assert '<script src="http' not in page and '<link rel="stylesheet" href="http' not in page
    assert 'url("data:image/png;base64,' in page  # an image the mirror holds is inlined
    assert 'url("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/gone.png")' in page  # others stay absolute
    assert "<\\/script>" in page
    assert inline_assets(html, tmp_path) == page  # reproducible


def test_esc_backslash():
    assert esc("C:\\new") == "C:&#92;new"


def test_self_contained_and_assets_go_together(tmp_path):
    from click.testing import CliRunner

    from maps.cli import main

    result = CliRunner().invoke(main, ["build", "--self-contained", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--self-contained and --assets DIR go together" in result.output
    result = CliRunner().invoke(
        main, ["build", "--self-contained", "--assets", str(tmp_path), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and "missing" in result.output and "leaflet.js" in result.output


def test_corridor_facts_on_index_and_map(catalog):
    from layers.frames import layers_from_catalog

    layers = layers_from_catalog(catalog, [catalog.corridors["zangezur"]])
    facts = catalog.corridors["zangezur"].facts
    assert facts, "the catalog has facts for this corridor"
    index = index_html(layers)
    assert "Facts and sources" in index and esc(facts[0].text) in index
    page = render_html(corridor_map(layers, "zangezur"))
    assert "About this corridor" in page and esc(facts[0].text) in page


def test_leg_popup_shows_what_the_leg_depends_on(mini_layers):
    legs = mini_layers.legs.copy()
    legs["depends_on"] = ["border ARM–AZE opening (closed since 1991)", *[""] * (len(legs) - 1)]
    layers = type(mini_layers)(hubs=mini_layers.hubs, legs=legs, corridors=mini_layers.corridors)
    html = render_html(corridor_map(layers, "t-caspian"))
    assert html.count("Depends on") == 1 and "border ARM–AZE opening (closed since 1991)" in html
    without = type(mini_layers)(
        hubs=mini_layers.hubs, legs=legs.drop(columns="depends_on"), corridors=mini_layers.corridors
    )
    assert "Depends on" not in render_html(corridor_map(without, "t-caspian"))


def test_title_subtitle_no_minimap_and_the_datas_date_reach_the_pages(tmp_path):
    from click.testing import CliRunner

    from maps.cli import main

    out = tmp_path / "out"
    args = ["build", "--corridor", "baku-tbilisi-kars", "--out", str(out), "--formats", "gpkg"]
    result = CliRunner().invoke(main, [*args, "--title", "Caucasus <rail>", "--subtitle", "BTK only", "--no-minimap"])
    assert result.exit_code == 0, result.output
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<h1>Caucasus &lt;rail&gt;</h1>" in index and "BTK only" in index and "Data as of 2026-12" in index
    page = (out / "maps" / "baku-tbilisi-kars.html").read_text(encoding="utf-8")
    assert "Data as of 2026-12" in page and "MiniMap" not in page
    overview = (out / "maps" / "overview.html").read_text(encoding="utf-8")
    assert "Caucasus &lt;rail&gt;" in overview and "BTK only" in overview


def test_a_catalog_date_must_be_a_date(tmp_path):
    from geo.catalog import load_catalog
    from geo.errors import CatalogError

    bad = tmp_path / "c.toml"
    bad.write_text('as_of = "last year"\n[corridors]\n', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"c\.toml: field 'as_of' = 'last year': give the data's date as"):
        load_catalog([bad])


def test_legs_on_shared_track_get_offsets_centred_and_on_one_side_whatever_their_direction():
    from maps.bundles import BUNDLE_SPACING, leg_offsets

    track = shapely.LineString([(40, 40), (41, 40.5), (42, 40)])
    back = shapely.reverse(track)
    alone = shapely.LineString([(50, 50), (51, 51)])
    two = leg_offsets(["a", "b", "a"], [track, track, alone], ["a", "b"])
    assert two == [-BUNDLE_SPACING / 2, BUNDLE_SPACING / 2, 0.0]
    three = leg_offsets(["c", "a", "b"], [track, track, back], ["a", "b", "c"])
    # a at -spacing, b (drawn the other way) mirrored, c at +spacing: three parallel lines
    assert three[1] == -BUNDLE_SPACING and three[0] == BUNDLE_SPACING and three[2] == 0.0
    assert leg_offsets(["a", "b"], [track, alone], ["a", "b"]) == [0.0, 0.0]


def test_the_overview_draws_shared_legs_beside_each_other(mini_layers):
    from maps.bundles import leg_offsets
    from maps.render import _display_lines

    html = render_html(overview_map(mini_layers, tiles=None))
    lines = _display_lines(mini_layers.legs.geometry)
    shared = any(leg_offsets(list(mini_layers.legs["corridor_id"]), lines, list(mini_layers.corridors["corridor_id"])))
    assert ("leaflet.polylineoffset" in html) == shared
    assert any("polylineoffset" in u for u in asset_urls())  # --assets must hold the plugin


def test_the_overview_draws_its_lines_at_its_own_tolerance_and_its_bundles_from_the_finer_lines(catalog):
    """The overview shows a continent: its legs are simplified further than a corridor map's, each still within
    that tolerance of the leg (plus the rounding); the legs that share track are found on the finer lines, so the
    overview bundles exactly the legs it bundled before."""
    from maps.bundles import leg_offsets
    from maps.render import DISPLAY_DECIMALS, LINE_TOLERANCE, OVERVIEW_LINE_TOLERANCE, _display_lines

    layers = layers_from_catalog(catalog, catalog.select(None))
    html = render_html(overview_map(layers, tiles=None))
    calls = re.findall(r"L\.polyline\(\s*(\[\[.*?\]\])\s*,\s*(\{.*?\})\s*\)", html, re.S)
    drawn = [(json.loads(c), json.loads(o)) for c, o in calls if json.loads(o)["className"].startswith("cm-leg ")]
    assert len(drawn) == len(layers.legs)  # the leg itself; an approximate one has a band under it too
    fine = _display_lines(layers.legs.geometry, LINE_TOLERANCE)
    lines = []
    for coords, _ in drawn:
        parts = coords if isinstance(coords[0][0], list) else [coords]
        lines.append(shapely.MultiLineString([[(lon, lat) for lat, lon in part] for part in parts]))
    assert shapely.get_num_coordinates(lines).sum() < 0.7 * shapely.get_num_coordinates(fine).sum()
    for line, leg in zip(lines, layers.legs.geometry, strict=True):
        assert shapely.hausdorff_distance(line, leg) <= OVERVIEW_LINE_TOLERANCE + 10.0**-DISPLAY_DECIMALS
    offsets = leg_offsets(list(layers.legs["corridor_id"]), fine, list(layers.corridors["corridor_id"]))
    assert [round(o, 2) for o in offsets] == [options.get("offset", 0.0) for _, options in drawn]


def test_hub_ranks_put_ends_first_then_ports_and_a_countrys_only_hub():
    import geopandas as gpd
    import pandas as pd

    from maps.labels import MAJOR_RANK, MINOR_RANK, hub_ranks

    hubs = gpd.GeoDataFrame(
        {
            "hub_id": ["a", "j", "p", "m", "z"],
            "kind": ["city", "rail_junction", "sea_port", "rail_junction", "city"],
            "country": ["AAA", "AAA", "AAA", "ARM", "AAA"],
        },
        geometry=gpd.points_from_xy([0, 1, 2, 3, 4], [0, 0, 0, 0, 0]),
    )
    legs = pd.DataFrame({"corridor_id": ["c"] * 4, "from_hub": ["a", "j", "p", "m"], "to_hub": ["j", "p", "m", "z"]})
    legs = gpd.GeoDataFrame(legs, geometry=[shapely.LineString([(i, 0), (i + 1, 0)]) for i in range(4)])
    ranks = hub_ranks(hubs, legs, {})
    assert ranks["a"].rank < MAJOR_RANK and ranks["z"].rank < MAJOR_RANK  # the ends
    assert ranks["a"].side == "left" and ranks["z"].side == "right" and ranks["a"].edge == "w"
    assert MAJOR_RANK <= ranks["p"].rank < MINOR_RANK  # a port
    assert MAJOR_RANK <= ranks["m"].rank < MINOR_RANK  # Armenia's one hub
    assert ranks["j"].rank >= MINOR_RANK  # a junction of one corridor
    # where corridors meet or part (legs of the catalog to three other hubs), a junction is named like a port
    every = pd.DataFrame({"from_hub": ["a", "j", "j"], "to_hub": ["j", "p", "x"]})
    assert MAJOR_RANK <= hub_ranks(hubs, legs, {}, every)["j"].rank < MINOR_RANK


def test_places_are_named_from_the_zoom_where_they_fit(mini_layers):
    from maps.labels import fit_zoom, seas_to_name

    assert fit_zoom(40.0, "Kazakhstan") < fit_zoom(3.0, "Armenia") < fit_zoom(0.5, "Armenia")
    ferry = mini_layers.legs.iloc[:1].assign(mode="ferry", geometry=[shapely.LineString([(50.0, 43.0), (49.5, 40.5)])])
    assert [p.name for p in seas_to_name(ferry)] == ["Caspian\nSea"]
    assert seas_to_name(ferry.assign(mode="rail")) == []
    html = render_html(corridor_map(mini_layers, mini_layers.corridors["corridor_id"].iloc[0], tiles=None))
    assert "cm-place cm-r-" in html and "cm-z-" in html  # named hubs and countries, ranked, for the declutter
    assert "paddingTopLeft" in html  # the view is fitted in the page, around the controls


def test_layers_wait_for_the_fitted_view(mini_layers):
    """Corridor and overview pages hold every layer until the view is fitted, then add them in order: each is
    projected once (the timeline's slider drives its layers, so it holds none); the tiles and the country outlines,
    the background, are marked to follow once the route has been painted."""
    for html in (render_html(corridor_map(mini_layers, "t-caspian")), render_html(overview_map(mini_layers))):
        body = html.split("<body>")[1]
        hold, release = body.index("map._cmHeld = held;"), body.index("var now = held.filter(")
        fit = body.index("(function (map, corners, MARGIN)")  # a page outside a build carries the fit inline
        tiles = body.index("L.tileLayer(")
        assert hold < tiles < body.index("L.polyline(") < fit < release
        assert body.count("map._cmHeld = held;") == 1 and body.count("var now = held.filter(") == 1
        tile_name = re.search(r"var (tile_layer_\w+) = L\.tileLayer\(", body)
        assert tile_name and re.search(rf"layer\._cmAfterPaint = true;.*\}}\)\(map_\w+, {tile_name[1]}\);", body, re.S)
        assert re.search(r"var (outlines_\w+) = L\.geoJson\(null,", body)
        assert "._cmAfterPaint = function ()" in body
