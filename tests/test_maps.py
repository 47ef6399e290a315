"""Map and index HTML: content, escaping, attribution, reproducibility."""

from __future__ import annotations

import re

import pytest

from geo.catalog import load_catalog
from geo.errors import OptionError
from layers.frames import layers_from_catalog
from maps.build import index_html
from maps.render import corridor_map, esc, overview_map, render_html, resolve_tiles
from tests.conftest import MINI

EVIL = '<script>alert(1)</script> `${x}` & "q"'


def test_corridor_map(mini_layers):
    html = render_html(corridor_map(mini_layers, "t-caspian"))
    assert html.count("L.polyline(") == 3
    assert html.count("L.marker(") == 4
    assert "cm-legend" in html and "Ferry" in html and "Planned" in html and "Sea port" in html
    assert "L.control.layers" in html
    assert "fitBounds" in html
    assert "searoute (Eurostat marnet" in html  # data attribution
    assert "Esri" in html  # tile attribution
    assert '"dashArray": "4,7"' in html  # the planned rail leg (weight 3.5, dash 1,2)
    assert "<title>Test: Aktau to Kars</title>" in html
    assert "fa-" not in html.split("<body>")[1]  # no icon font needed for hubs


def test_no_tiles(mini_layers):
    html = render_html(corridor_map(mini_layers, "t-caspian", tiles=None))
    assert "L.tileLayer" not in html


def test_overview_map_has_a_layer_per_corridor(mini_layers):
    html = render_html(overview_map(mini_layers))
    assert '"Test: Aktau to Kars"' in html and '"Hubs"' in html
    assert html.count("L.polyline(") == 3


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
    assert "1,161 km" in html or "1,16" in html
    assert "KAZ, AZE, GEO, TUR" in html
    assert "searoute" in html
