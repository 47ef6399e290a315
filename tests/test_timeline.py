"""The timeline page (maps/timeline.html) and ``corridors build --year``.

The years checked come from the catalog's data (``Leg.opens``), never from this file: a catalog
edit that moves an opening year moves what these tests expect. The browser tests move the slider
in headless Chromium at 1280 × 800 and 390 × 844 and save screenshots in tests/artifacts/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from geo.catalog import load_catalog
from geo.geometry import GeometryBuilder
from geo.model import Status
from geo.scenarios import load_scenario
from layers.frames import layers_from_catalog
from maps.build import build, build_from_layers, corridors_by_year
from maps.cli import main
from maps.render import asset_urls, inline_assets, render_html
from maps.timeline import TIMELINE_JS, openings_from_corridors, timeline_map, timeline_positions
from tests.browser import (
    ARTIFACTS,
    MAIN_MAP_PATHS,
    is_cdn_url,
    map_session,
    mirror_assets,
    require_assets,
)
from tests.conftest import MINI

EVIL = "<script>alert(1)</script> `${x}`"
CHOSEN = ["zangezur", "instc-west"]  # the catalog corridors with dated and undated planned legs
YEAR = 2029


def _dated(corridors):
    """``{(from, to): opens}`` of the catalog's legs with an opening year."""
    return {(leg.from_hub, leg.to_hub): leg.opens for c in corridors for leg in c.legs if leg.opens is not None}


def _slider_options(html: str) -> dict[str, int]:
    block = html.split("L.timelineSliderControl(", 1)[1].split(");", 1)[0]
    return {k: int(v) for k, v in re.findall(r'"(start|end|steps)": (-?\d+)', block)}


def _rows(html: str) -> list[tuple[int, str]]:
    """The openings panel's dated rows: (year, leg)."""
    return [
        (int(y), " ".join(text.split()))
        for y, text in re.findall(
            r'data-year="(\d+)"[^>]*>\s*<span class="cm-tl-year">\d+</span>\s*<svg.*?</svg>([^<]+)', html
        )
    ]


# --- a tiny catalog in code: the test catalog with one dated and one undated planned leg -------------------------


@pytest.fixture(scope="module")
def dated_catalog(tmp_path_factory):
    text = MINI.read_text(encoding="utf-8").replace(
        'to = "t-kars"\nmode = "rail"\nstatus = "planned"',
        f'to = "t-kars"\nmode = "rail"\nstatus = "planned"\nopens = 2031\nopens_source = {json.dumps(EVIL)}',
    )
    assert "opens = 2031" in text
    text = (
        'as_of = "2027-06"\n'
        + text
        + (
            '\n[corridors.t-undated]\nname = "Test: undated"\nsummary = "A planned ferry with no date."\n'
            'sources = ["tests"]\n\n[[corridors.t-undated.legs]]\nfrom = "t-alat"\nto = "t-aktau"\nmode = "ferry"\n'
            'status = "planned"\n'
        )
    )
    path = tmp_path_factory.mktemp("catalog") / "dated.toml"
    path.write_text(text, encoding="utf-8")
    return load_catalog([path], embedded=False)


@pytest.fixture(scope="module")
def dated_page(dated_catalog):
    corridors = dated_catalog.select(None)
    layers = layers_from_catalog(dated_catalog, corridors)
    m = timeline_map(layers, openings_from_corridors(corridors), tiles=None, as_of=dated_catalog.as_of)
    return dated_catalog, render_html(m)


def test_positions_run_from_now_to_the_last_opening_year():
    assert timeline_positions("2026-12", [2029, 2026]) == (2025, 2026, 2029)
    assert timeline_positions("2026-12", []) == (2025, 2026, 2026)
    assert timeline_positions("2026-12", [2024]) == (2025, 2026, 2026)  # an overdue leg opens at the first year
    assert timeline_positions("", [2030, 2028]) == (2027, 2028, 2030)


def test_the_page_lists_the_dated_legs_and_the_slider_covers_their_years(dated_page):
    catalog, html = dated_page
    dated = _dated(catalog.corridors.values())
    assert dated == {("t-tbilisi", "t-kars"): 2031}
    names = {h.id: h.name for h in catalog.hubs.values()}
    assert _rows(html) == [(y, f"{names[a]} → {names[b]}") for (a, b), y in dated.items()]
    options = _slider_options(html)
    as_of_year = int(catalog.as_of[:4])
    assert options["start"] == as_of_year - 1  # "now", before the first year
    assert options["end"] == max(dated.values()) and options["steps"] == options["end"] - options["start"]
    assert "Now (data as of 2027-06)" in html and f"By the end of {max(dated.values())}" in html
    assert "No date announced" in html and "Alat → Aktau" in html  # the undated ferry: listed, never opened
    assert '"end": 2031, "endExclusive": true' in html  # the dotted line ends where the open one starts
    assert html.count('"start": 2031') == 1  # ... which only the dated leg has
    assert TIMELINE_JS in html and "moment" not in html  # years are plain numbers: no date library


def test_the_page_escapes_catalog_text_and_repeats(dated_page, dated_catalog):
    _, html = dated_page
    assert "<script>alert(1)" not in html
    assert "\\u0026lt;script\\u0026gt;alert(1)" in html  # escaped for HTML, then as JSON in the script
    corridors = dated_catalog.select(None)
    again = timeline_map(
        layers_from_catalog(dated_catalog, corridors), openings_from_corridors(corridors), tiles=None,
        as_of=dated_catalog.as_of,
    )  # fmt: skip
    assert render_html(again) == html


def test_a_leg_shared_by_corridors_is_drawn_once(mini_catalog):
    corridors = mini_catalog.select(None)
    layers = layers_from_catalog(mini_catalog, corridors)
    doubled = type(layers)(
        hubs=layers.hubs,
        legs=pd.concat([layers.legs, layers.legs.assign(corridor_id="t-copy")], ignore_index=True),
        corridors=pd.concat([layers.corridors, layers.corridors.assign(corridor_id="t-copy", name="Copy")]),
    )
    html = render_html(timeline_map(doubled, tiles=None))
    assert html.count('"type": "Feature"') == len(layers.legs)  # each leg once (no opening years: one feature)
    assert 'title="Test: Aktau to Kars · Copy"' in html  # the panel's row (and the popup) name both corridors


# --- the embedded catalog: a build, --year ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    catalog = load_catalog()
    out = tmp_path_factory.mktemp("site") / "timeline-site"
    return catalog, build(catalog, catalog.select(CHOSEN), out, year=YEAR, formats=["gpkg"])


def test_every_build_writes_the_timeline_linked_from_the_index(built):
    catalog, result = built
    assert Path("maps/timeline.html") in result.files
    assert 'href="maps/timeline.html"' in (result.out / "index.html").read_text(encoding="utf-8")
    html = (result.out / "maps" / "timeline.html").read_text(encoding="utf-8")
    dated = _dated(catalog.select(CHOSEN))
    assert dated  # the chosen corridors have dated legs
    names = {h.id: h.name for h in catalog.hubs.values()}
    first = int(catalog.as_of[:4])
    assert sorted(_rows(html)) == sorted((max(y, first), f"{names[a]} → {names[b]}") for (a, b), y in dated.items())
    options = _slider_options(html)
    assert options["start"] < min(max(y, first) for y in dated.values()) and options["end"] == max(dated.values())
    assert "Data as of 2026-12" in html and "OpenStreetMap contributors" in html  # the legend's date, attribution


def test_a_year_build_draws_the_legs_due_by_then_open(built):
    catalog, result = built
    chosen = catalog.select(CHOSEN)
    due = load_scenario("baseline", year=YEAR)  # what `corridors compare --year` opens
    legs = result.layers.legs
    for c in chosen:
        for seq, leg in enumerate(c.legs, start=1):
            row = legs[(legs["corridor_id"] == c.id) & (legs["seq"] == seq)].iloc[0]
            if leg.status != Status.OPERATIONAL and due.opens(leg):
                assert row["status"] == "operational" and row["notes"].startswith(f"Drawn open for --year {YEAR}")
            else:
                assert row["status"] == str(leg.status)
    assert (legs["status"] != "operational").any()  # the undated legs stay as they are
    index = (result.out / "index.html").read_text(encoding="utf-8")
    assert f"The network by the end of {YEAR}" in index


def test_opened_legs_keep_their_catalog_line(catalog):
    builder = GeometryBuilder(catalog.hubs)
    corridors = catalog.select(["instc-west"])
    shown, line_of = corridors_by_year(corridors, YEAR, builder)
    for before, after in zip(corridors[0].legs, shown[0].legs, strict=True):
        if after.status != before.status:
            assert line_of(after).line.equals(builder(before).line)
    assert any(a.status != b.status for a, b in zip(corridors[0].legs, shown[0].legs, strict=True))
    assert corridors_by_year(corridors, 2000, builder)[0] == corridors  # nothing due yet


def test_year_needs_the_catalog(tmp_path):
    result = CliRunner().invoke(main, ["build", str(tmp_path / "corridors.gpkg"), "--year", "2029"])
    assert result.exit_code == 2
    assert "error: --year 2029: opening years come from the catalog" in result.output
    help_text = CliRunner().invoke(main, ["build", "--help"]).output
    assert "--year YYYY" in help_text and "timeline.html" in help_text


def test_self_contained_inlines_the_timeline_script(built, tmp_path):
    require_assets()
    assert TIMELINE_JS in asset_urls()
    assets = tmp_path / "assets"
    assert not set(mirror_assets(asset_urls(), assets)) & set(asset_urls())
    html = (built[1].out / "maps" / "timeline.html").read_text(encoding="utf-8")
    inlined = inline_assets(html, assets)
    assert not re.search(r'<script src="https?://', inlined) and f"/* {TIMELINE_JS} */" in inlined


# --- in the browser ---------------------------------------------------------------------------------------------


session = pytest.fixture(scope="module", name="session")(map_session)


def _later_leg(catalog):
    """A leg that opens after the data's year (the latest one), by its drawn class."""
    (a, b), year = max(_dated(catalog.select(CHOSEN)).items(), key=lambda kv: kv[1])
    assert year > int(catalog.as_of[:4])
    return f"cm-tl-{a}--{b}", year


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_slider_opens_a_leg_in_its_year(session, built, width, height):
    catalog, result = built
    ident, year = _later_leg(catalog)
    shot = ARTIFACTS / f"timeline-{width}x{height}"

    def act(page):
        def state():
            return {
                "label": page.locator(".leaflet-timeline-control .time-text").inner_text(),
                "open": page.locator(f"{MAIN_MAP_PATHS}.cm-tl-opened.{ident}").count(),
                "due": page.locator(f"{MAIN_MAP_PATHS}.cm-tl-due.{ident}").count(),
                "drawn": page.locator(MAIN_MAP_PATHS).count(),
                "reached": page.locator(".cm-tl-row.cm-tl-reached").count(),
            }

        start = state()
        page.screenshot(path=f"{shot}-now.png")
        page.locator("input.time-slider").fill(str(year))  # the slider's input event, as a drag would fire
        page.wait_for_timeout(150)
        end = state()
        page.screenshot(path=f"{shot}-{year}.png")
        page.locator(".leaflet-timeline-control button.prev").click()
        page.wait_for_timeout(150)
        return start, end, state()

    res = session.open("maps/timeline.html", root=result.out, width=width, height=height, actions=act,
                       screenshot=Path(f"{shot}-step-back.png"))  # fmt: skip
    res.assert_clean()
    start, end, back = res.evaluate
    assert start["label"].startswith("Now (data as of") and start["open"] == 0 and start["due"] >= 1
    assert end["label"] == f"By the end of {year}" and end["open"] >= 1 and end["due"] == 0
    assert start["reached"] == 0 and end["reached"] == len(_rows(result.out.joinpath("maps/timeline.html").read_text()))
    assert end["drawn"] == start["drawn"]  # every leg drawn at both ends: the planned ones change style, not presence
    assert back["open"] == 0 and back["label"] != end["label"]  # a step back: not open yet


@pytest.mark.browser
def test_the_self_contained_timeline_works_offline(session, built, tmp_path):
    assets = tmp_path / "assets"
    mirror_assets(asset_urls(), assets)
    out = tmp_path / "offline"
    build_from_layers(built[1].layers, out, assets=assets, formats=["gpkg"])
    res = session.open(
        "maps/timeline.html", root=out, offline=True, actions=lambda page: page.locator(MAIN_MAP_PATHS).count()
    )
    res.assert_clean()
    assert not res.served_assets and not any(is_cdn_url(u) for u in res.aborted)
    assert res.evaluate >= 1


def test_the_timeline_legend_promises_no_arrows(mini_layers):
    """The timeline draws its legs as GeoJSON layers without direction arrows: its legend does not explain ▶."""
    from maps.render import corridor_map, render_html
    from maps.timeline import openings_from_corridors, timeline_map

    assert "▶ direction of travel" in render_html(corridor_map(mini_layers, "t-caspian"))
    page = render_html(timeline_map(mini_layers, openings_from_corridors([])))
    assert "click for facts" in page and "▶ direction of travel" not in page
