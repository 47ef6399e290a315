"""Scenarios: each changes what it should and nothing else; scenario files are checked like catalogs."""

from __future__ import annotations

import csv
import html as htmllib
import json
import re

import pytest
from click.testing import CliRunner

from geo.errors import CatalogError, OptionError
from geo.scenarios import load_scenario, scenario_from_toml, shipped_scenarios
from maps.build import compare
from maps.cli import main

SHIPPED = ["baseline", "avoid-russia-belarus", "hormuz-closed", "planned-links-open", "red-sea-closed"]
IDS = ["northern-route", "middle-corridor", "suez-sea", "xian-sea-duisburg", "instc-west", "zangezur"]


@pytest.fixture(scope="module")
def outcomes():
    result = compare(IDS, SHIPPED)
    return {(o.corridor_id, o.scenario): o for o in result.outcomes}


def _same(a, b):
    return a.viable == b.viable and dict(a.figures) == dict(b.figures)


def test_every_shipped_scenario_is_dated_sourced_and_listed():
    found = shipped_scenarios()
    assert list(found) == SHIPPED
    for s in found.values():
        assert s.as_of and s.sources and s.description


def test_baseline_opens_only_operational_legs_and_says_which_are_not(outcomes):
    assert outcomes[("northern-route", "baseline")].viable
    assert outcomes[("middle-corridor", "baseline")].viable
    west = outcomes[("instc-west", "baseline")]
    assert not west.viable and "astara-iran → rasht is planned: expected to open in 2029" in west.reason
    zangezur = outcomes[("zangezur", "baseline")]
    assert "aghband → ordubad is planned: no opening year published" in zangezur.reason
    assert "crosses the border ARM–AZE" in zangezur.reason
    assert west.figures["days_min"] > 0  # figures as if open, for comparison


def test_avoiding_russia_and_belarus_stops_the_northern_route_and_nothing_else(outcomes):
    north = outcomes[("northern-route", "avoid-russia-belarus")]
    assert not north.viable and "Russia" in north.reason and "not a legal ban" in north.reason
    for cid in ("middle-corridor", "suez-sea", "xian-sea-duisburg"):
        assert _same(outcomes[(cid, "avoid-russia-belarus")], outcomes[(cid, "baseline")]), cid


def test_red_sea_closed_sends_the_sea_route_round_the_cape_and_leaves_the_rail_corridors(outcomes):
    base, cape = outcomes[("suez-sea", "baseline")].figures, outcomes[("suez-sea", "red-sea-closed")].figures
    assert 5_000 < cape["sea_km"] - base["sea_km"] < 7_000  # +3,200-3,320 nm published
    extra_days = (cape["days_min"] + cape["days_max"] - base["days_min"] - base["days_max"]) / 2
    assert 7 <= extra_days <= 14  # "+7 to +14 days" (Rodrigue 2024)
    door = outcomes[("xian-sea-duisburg", "red-sea-closed")].figures
    assert door["sea_km"] == cape["sea_km"]
    for cid in ("northern-route", "middle-corridor", "zangezur"):
        assert _same(outcomes[(cid, "red-sea-closed")], outcomes[(cid, "baseline")]), cid


def test_hormuz_closed_strands_the_instc_at_bandar_abbas_only(outcomes):
    west = outcomes[("instc-west", "hormuz-closed")]
    assert not west.viable and "bandar-abbas → nhava-sheva has no sea route" in west.reason
    assert not west.figures
    for cid in ("northern-route", "middle-corridor", "suez-sea", "xian-sea-duisburg", "zangezur"):
        assert _same(outcomes[(cid, "hormuz-closed")], outcomes[(cid, "baseline")]), cid


def test_planned_links_open_makes_the_planned_corridors_viable_with_the_same_lines(outcomes):
    for cid in ("instc-west", "zangezur"):
        opened, base = outcomes[(cid, "planned-links-open")], outcomes[(cid, "baseline")]
        assert opened.viable, opened.reason
        assert dict(opened.figures) == dict(base.figures)
    for cid in ("northern-route", "middle-corridor", "suez-sea"):
        assert _same(outcomes[(cid, "planned-links-open")], outcomes[(cid, "baseline")]), cid


def test_a_year_opens_what_is_due_by_then():
    by_2026 = {o.corridor_id: o for o in compare(["instc-west", "zangezur"], ["baseline"], year=2026).outcomes}
    assert "horadiz → aghband" not in by_2026["zangezur"].reason  # due end of 2026
    assert "dilucu → kars" in by_2026["zangezur"].reason  # due 2029
    assert not by_2026["instc-west"].viable
    by_2029 = {o.corridor_id: o for o in compare(["instc-west"], ["baseline"], year=2029).outcomes}
    assert by_2029["instc-west"].viable and by_2029["instc-west"].scenario == "baseline, 2029"


SCENARIO = """
name = "mine"
description = "test"
as_of = "2026-01"
sources = ["me"]
"""


def test_a_users_scenario_file_is_read_and_checked(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(SCENARIO + 'avoid_countries = ["KAZ"]\navoid_reason = "test"\n', encoding="utf-8")
    s = load_scenario(str(path))
    assert s.avoid_countries == ("KAZ",)
    bad = [
        ('avoid_countries = ["KAZ"]', r"'avoid_countries' needs 'avoid_reason'"),
        (
            'closed_passages = ["suezz"]\npassages_reason = "x"',
            r"'suezz' is not a searoute passage: did you mean 'suez'",
        ),
        (
            'avoid_countries = ["kaz"]\navoid_reason = "x"',
            r"field 'avoid_countries' = \['kaz'\]: 'kaz' is not an ISO 3166-1 alpha-3 code",
        ),
        ("colour = 1", r"field 'colour' = 1: not a scenario field"),
        ("year = 2030", r"a scenario file has no year: give it with --year"),
    ]
    for extra, message in bad:
        with pytest.raises(CatalogError, match=rf"^mine\.toml: .*{message}"):
            scenario_from_toml(SCENARIO + extra + "\n", "mine.toml")
    with pytest.raises(CatalogError, match=r"^mine\.toml: field 'as_of'"):
        scenario_from_toml(SCENARIO.replace('"2026-01"', '"January"'), "mine.toml")


def test_an_unknown_scenario_name_lists_the_shipped_ones():
    with pytest.raises(OptionError, match=r"--scenario 'red-sea-close': no such scenario: did you mean "):
        load_scenario("red-sea-close")
    result = CliRunner().invoke(main, ["compare", "suez-sea", "--scenario", "nope"])
    assert result.exit_code == 2
    assert "choose from baseline, avoid-russia-belarus" in result.output


def test_compare_writes_the_csv_json_and_html_with_the_columns_users_ask_for(tmp_path):
    runner = CliRunner()
    out = tmp_path / "cmp.csv"
    args = ["compare", "northern-route", "middle-corridor", "suez-sea", "--scenario", "baseline"]
    result = runner.invoke(main, [*args, "--scenario", "red-sea-closed", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for column in (
        "corridor_id", "scenario", "viable", "reason", "from_hub", "to_hub", "length_km", "rail_km", "road_km",
        "sea_km", "ferry_km", "border_crossings", "gauge_breaks", "transshipments", "days_min", "days_max",
        "co2e_kg_per_tonne", "co2e_kg_per_teu",
    ):  # fmt: skip
        assert column in rows[0], column
    assert len(rows) == 6 and {r["scenario"] for r in rows} == {"baseline", "red-sea-closed"}
    assert "do not all share their ends" in result.output  # suez-sea ends in Rotterdam, the others in Duisburg
    as_json = runner.invoke(main, [*args, "--json"])
    data = json.loads(as_json.stdout)
    assert [r["corridor_id"] for r in data["rows"]] == ["northern-route", "middle-corridor", "suez-sea"]
    page = tmp_path / "cmp.html"
    assert runner.invoke(main, [*args, "--out", str(page)]).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "Northern route" in html and "<svg" in html and "<script" not in html  # the map's scripts sit in srcdoc
    frame = re.search(r'<iframe class="cm-map"[^>]* srcdoc="([^"]*)"', html)
    assert frame, "the page shows the corridors on a map"
    inner = htmllib.unescape(frame.group(1))  # a map page on its own: one colour and a legend row per corridor
    assert inner.startswith("<!DOCTYPE html>") and "cm-legend-corridor" in inner and "L.polyline(" in inner
    for cid in ("northern-route", "middle-corridor", "suez-sea"):
        assert f"cm-c-{cid}" in inner, cid
    assert runner.invoke(main, [*args, "--out", str(tmp_path / "again.html")]).exit_code == 0
    assert (tmp_path / "again.html").read_text(encoding="utf-8") == html  # the same input, the same page
    bad = runner.invoke(main, ["compare", "suez-sea", "--out", str(tmp_path / "cmp.xlsx")])
    assert bad.exit_code == 2 and "use .csv, .json, .html" in bad.output
