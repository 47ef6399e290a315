"""The built maps in a real headless Chromium: they load, draw every leg, and answer clicks.

Screenshots land in tests/artifacts/ (look at them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.catalog import load_catalog
from maps.build import build
from tests.browser import MAIN_MAP_PATHS, browse, require_assets, require_browser

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    catalog = load_catalog()
    out = tmp_path_factory.mktemp("site") / "corridor-maps"
    return build(catalog, catalog.select(None), out)


@pytest.fixture(scope="module")
def session():
    require_browser()
    require_assets()
    ARTIFACTS.mkdir(exist_ok=True)
    with browse() as s:
        yield s


def count_paths(page):
    return page.locator(MAIN_MAP_PATHS).count()


def test_overview_draws_every_leg(session, built):
    res = session.open("maps/overview.html", root=built.out, screenshot=ARTIFACTS / "overview.png", actions=count_paths)
    res.assert_clean()
    assert res.evaluate == len(built.layers.legs)


@pytest.mark.parametrize("corridor_id", ["middle-corridor", "zangezur", "suez-sea"])
def test_corridor_map(session, built, corridor_id):
    def look(page):
        legend = page.locator(".cm-legend")
        return {
            "paths": count_paths(page),
            "legend": legend.is_visible() and "Rail" in legend.inner_text()
            if corridor_id != "suez-sea"
            else legend.is_visible(),
            "hubs": page.locator(".cm-hub").count(),
            "dashed": page.locator(f"{MAIN_MAP_PATHS}[stroke-dasharray]").count(),
        }

    res = session.open(
        f"maps/{corridor_id}.html", root=built.out, screenshot=ARTIFACTS / f"{corridor_id}.png", actions=look
    )
    res.assert_clean()
    mine = built.layers.for_corridor(corridor_id)
    assert res.evaluate["paths"] == len(mine.legs)
    assert res.evaluate["legend"]
    assert res.evaluate["hubs"] == len(mine.hubs)
    assert res.evaluate["dashed"] == int((mine.legs["status"] != "operational").sum())


def test_leg_popup_and_layer_toggle(session, built):
    def act(page):
        ferry = page.locator(f"{MAIN_MAP_PATHS}.cm-ferry").first
        ferry.dispatch_event("click")
        page.wait_for_selector(".leaflet-popup-content", timeout=5000)
        popup = page.locator(".leaflet-popup-content").inner_text()
        before = count_paths(page)
        page.locator(".leaflet-control-layers-overlays label", has_text="Ferry").locator("input").uncheck()
        return popup, before, count_paths(page)

    res = session.open("maps/middle-corridor.html", root=built.out, actions=act)
    res.assert_clean()
    popup, before, after = res.evaluate
    assert "Aktau → Port of Baku" in popup or "Aktau →" in popup
    assert "Ferry" in popup
    ferries = int((built.layers.for_corridor("middle-corridor").legs["mode"] == "ferry").sum())
    assert ferries >= 1 and after == before - ferries


def test_index_page(session, built):
    res = session.open(
        "index.html",
        root=built.out,
        screenshot=ARTIFACTS / "index.png",
        actions=lambda page: page.locator("tbody tr").count(),
    )
    res.assert_clean()
    assert res.evaluate == len(built.layers.corridors)
