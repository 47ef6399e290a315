"""Tests of tests/browser.py: CDN URLs map to local files, and a folium map really renders
in headless Chromium with no internet.

Skipped when Chromium, playwright or the npm assets (.ci/install-browser-assets) are
missing, unless CORRIDORS_REQUIRE_BROWSER=1 (CI), which turns the skip into a failure.
"""

from __future__ import annotations

from pathlib import Path

import folium
import pytest
from folium import plugins

from tests.browser import (
    ASSETS_DIR,
    MAIN_MAP_PATHS,
    browse,
    is_cdn_url,
    local_asset_for,
    open_page,
    require_assets,
    require_browser,
)

# Plugins whose CDN assets tests/assets/package.json provides.
SUPPORTED_PLUGINS = [
    plugins.AntPath,
    plugins.Draw,
    plugins.FeatureGroupSubGroup,
    plugins.Fullscreen,
    plugins.GroupedLayerControl,
    plugins.HeatMap,
    plugins.LocateControl,
    plugins.MarkerCluster,
    plugins.MeasureControl,
    plugins.MiniMap,
    plugins.MousePosition,
    plugins.PolyLineFromEncoded,
    plugins.PolyLineOffset,
    plugins.PolyLineTextPath,
    plugins.Search,
    plugins.SemiCircle,
    plugins.TimelineSlider,
    plugins.TreeLayerControl,
]
BRANCA_D3 = "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"  # branca colormaps


def _urls(cls: type) -> list[str]:
    return [url for _, url in [*getattr(cls, "default_js", []), *getattr(cls, "default_css", [])]]


@pytest.fixture(scope="module")
def session():
    require_browser()
    with browse() as s:
        yield s


# --- URL mapping (assets only, no browser) ---------------------------------


@pytest.mark.parametrize(
    "url",
    sorted({*_urls(folium.Map), *(u for cls in SUPPORTED_PLUGINS for u in _urls(cls)), BRANCA_D3}),
)
def test_folium_cdn_url_has_local_copy(url):
    require_assets()
    path = local_asset_for(url)
    assert path is not None, f"no local copy of {url} under {ASSETS_DIR}"
    assert path.is_file() and path.stat().st_size > 0


def test_local_asset_rules():
    require_assets()
    nm = ASSETS_DIR / "node_modules"
    # generic jsDelivr /npm/ rule, with query string and a relative image
    assert (
        local_asset_for("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js?v=1")
        == (nm / "leaflet/dist/leaflet.js").resolve()
    )
    assert local_asset_for("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/images/layers.png")
    # scoped package, font referenced from its CSS
    assert local_asset_for(
        "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/webfonts/fa-solid-900.woff2"
    )
    # unpkg and version prefixes
    assert local_asset_for("https://unpkg.com/leaflet@1/dist/leaflet.css")
    # jsDelivr minifies on the fly: .min.js served from the plain file
    assert (
        local_asset_for("https://cdn.jsdelivr.net/npm/leaflet-textpath@1.2.3/leaflet.textpath.min.js")
        == (nm / "leaflet-textpath/leaflet.textpath.js").resolve()
    )
    # another version than the installed one is not silently substituted
    assert local_asset_for("https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js") is None
    assert local_asset_for("https://code.jquery.com/jquery-3.6.0.min.js") is None
    # no escaping the package folder, no unknown files, no non-CDN hosts
    assert local_asset_for("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/../jquery/dist/jquery.js") is None
    assert local_asset_for("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/nope.js") is None
    assert local_asset_for("https://tile.openstreetmap.org/1/0/0.png") is None
    assert is_cdn_url("https://cdnjs.cloudflare.com/ajax/libs/x/1/x.js")
    assert not is_cdn_url("https://tile.openstreetmap.org/1/0/0.png")


# --- in the browser -----------------------------------------------------------


def _corridor_map(path: Path) -> None:
    m = folium.Map(location=[52.0, 5.0], zoom_start=7)
    lines = folium.FeatureGroup(name="Corridors").add_to(m)
    nodes = folium.FeatureGroup(name="Nodes").add_to(m)
    a = folium.PolyLine([[51.2, 3.5], [52.0, 5.0], [52.8, 6.6]], color="#d62728", weight=5, tooltip="A").add_to(lines)
    folium.PolyLine([[51.5, 6.5], [52.0, 5.0], [52.6, 4.0]], color="#1f77b4", weight=3, tooltip="B").add_to(lines)
    for lat, lon in [(51.2, 3.5), (52.0, 5.0), (52.8, 6.6)]:
        folium.CircleMarker([lat, lon], radius=7, fill=True, popup=f"{lat},{lon}").add_to(nodes)
    plugins.PolyLineTextPath(a, "  ►  ", repeat=True, offset=6, attributes={"fill": "#d62728"}).add_to(m)
    plugins.Fullscreen().add_to(m)
    plugins.MiniMap().add_to(m)
    plugins.MeasureControl().add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.save(str(path))


def _inspect(page) -> dict:
    out = page.evaluate(
        """() => ({
            L: typeof window.L,
            fullscreen: typeof (L.Control.FullScreen || L.Control.Fullscreen),
            minimap: typeof L.Control.MiniMap,
            measure: typeof L.Control.Measure,
            textpath: typeof L.Polyline.prototype.setText,
            textPaths: document.querySelectorAll('svg text textPath').length,
            overlays: [...document.querySelectorAll('.leaflet-control-layers-overlays label')]
                .map(l => l.textContent.trim()),
        })"""
    )
    # the main map's vector paths (the MiniMap draws its own aiming rectangles)
    paths = page.locator(MAIN_MAP_PATHS)
    out["all_paths"] = page.locator("path.leaflet-interactive").count()
    out["paths"] = paths.count()
    page.locator(".leaflet-control-layers-overlays label", has_text="Nodes").click()
    out["paths_without_nodes"] = paths.count()
    return out


@pytest.mark.browser
def test_folium_map_renders_offline(session, tmp_path):
    _corridor_map(tmp_path / "map.html")
    shot = tmp_path / "map.png"
    res = session.open("map.html", root=tmp_path, screenshot=shot, actions=_inspect)

    res.assert_clean()
    info = res.evaluate
    assert info["L"] == "object"
    assert info["fullscreen"] == info["minimap"] == info["measure"] == info["textpath"] == "function"
    assert info["textPaths"] >= 1
    assert info["overlays"] == ["Corridors", "Nodes"]
    assert info["paths"] == 5  # 2 polylines + 3 circle markers
    assert info["all_paths"] > 5  # + the minimap's rectangle(s)
    assert info["paths_without_nodes"] == 2
    # every CDN request was answered locally; tiles were blocked
    assert any("leaflet@1.9.3/dist/leaflet.js" in u for u in res.served_assets)
    assert any("leaflet-minimap" in u for u in res.served_assets)
    assert res.aborted and all("openstreetmap" in u for u in res.aborted)
    assert res.screenshot == shot and shot.stat().st_size > 5_000


@pytest.mark.browser
def test_session_serves_several_roots(session, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "index.html").write_text("<title>A</title><p id=x>a</p>")
    (tmp_path / "b" / "index.html").write_text("<title>B</title><p id=x>b</p>")
    ra = session.open("index.html", root=tmp_path / "a", actions=lambda p: p.inner_text("#x"))
    rb = session.open("index.html", root=tmp_path / "b", actions=lambda p: p.inner_text("#x"))
    assert (ra.evaluate, rb.evaluate) == ("a", "b")
    assert ra.ok and rb.ok and not ra.aborted


BOGUS_PAGE = """<!DOCTYPE html>
<html><head>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"/>
<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>
<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/no-such-file.js"></script>
<script src="https://cdnjs.cloudflare.com/ajax/libs/no-such-lib/0.0.1/x.min.js"></script>
</head><body>
<img src="https://example.com/tile.png">
<script>window.leafletVersion = L.version; throw new Error("boom from the page");</script>
</body></html>
"""


@pytest.mark.browser
def test_open_page_reports_missing_assets_and_errors(session, tmp_path):
    # open_page inside the module's session shares its browser (no second launch)
    (tmp_path / "bogus.html").write_text(BOGUS_PAGE)
    res = open_page(tmp_path, "bogus.html", actions=lambda p: p.evaluate("window.leafletVersion"))
    assert res.evaluate == "1.9.3"  # the real asset was served
    assert sorted(res.missing_assets) == [
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/no-such-file.js",
        "https://cdnjs.cloudflare.com/ajax/libs/no-such-lib/0.0.1/x.min.js",
    ]
    assert res.aborted == ["https://example.com/tile.png"]
    assert any("boom from the page" in e for e in res.page_errors)
    assert not res.ok
    with pytest.raises(AssertionError, match="missing CDN asset"):
        res.assert_clean()
