"""Closed borders as data (geo/borders.py) and border noise in geo.countries.countries_along."""

from __future__ import annotations

import pytest
import shapely

from geo.borders import borders, borders_from_toml, closed_borders_crossed, war_zones_entered
from geo.countries import countries_along
from geo.errors import CatalogError


def test_shipped_borders_are_sourced():
    shipped = {b.id: b for b in borders()}
    assert {"RUS-UKR", "BLR-UKR", "ARM-AZE", "ARM-TUR", "BLR-POL"} <= set(shipped)
    assert shipped["RUS-UKR"].describe() == "RUS–UKR (closed since 2022-02-24)"
    assert shipped["BLR-POL"].state == "restricted"
    for b in shipped.values():
        assert b.sources and all(s.url and s.url.startswith("https://") for s in b.sources)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("state", '"shut"', r"x\.toml: border 'AAA-BBB': field 'state' = 'shut'"),
        ("since", '"spring"', r"field 'since' = 'spring': give a date as YYYY"),
        ("countries", '["AAA", "bbb"]', r"field 'countries'.*'bbb' is not an ISO 3166-1 alpha-3 code"),
    ],
)
def test_bad_border_names_file_field_and_value(field, value, match):
    entry = {
        "countries": '["AAA", "BBB"]',
        "state": '"closed"',
        "since": '"2020"',
        "sources": '[{ text = "s", url = "https://x.org" }]',
    }
    entry[field] = value
    text = "[borders.AAA-BBB]\n" + "\n".join(f"{k} = {v}" for k, v in entry.items())
    with pytest.raises(CatalogError, match=match):
        borders_from_toml(text, "x.toml")


def test_border_without_sources_is_refused():
    text = '[borders.AAA-BBB]\ncountries = ["AAA", "BBB"]\nstate = "closed"\nsince = "2020"\nsources = []\n'
    with pytest.raises(CatalogError, match=r"border 'AAA-BBB': field 'sources'"):
        borders_from_toml(text, "x.toml")


def test_closed_borders_crossed():
    assert [b.label for b in closed_borders_crossed(["AZE", "ARM", "AZE"])] == ["ARM–AZE"]
    assert [b.label for b in closed_borders_crossed(["KAZ", "RUS", "UKR", "POL"])] == ["RUS–UKR"]
    assert closed_borders_crossed(["BLR", "POL"]) == []  # restricted, not closed
    assert closed_borders_crossed(["AZE", "GEO", "TUR"]) == []
    assert [b.war_zone for b in war_zones_entered(["RUS", "UKR"])] == ["UKR"]


# The Almaty–Beyneu rail route west of Taraz (simplified), where it dips 14 km into Kyrgyzstan's outline.
TARAZ_HUG = [
    (71.37, 42.866), (71.289, 42.827), (71.285, 42.811), (71.295, 42.796), (71.296, 42.787), (71.286, 42.78),
    (71.269, 42.778), (71.272, 42.73), (71.258, 42.709), (71.219, 42.678), (71.124, 42.664), (71.085, 42.662),
    (70.9144, 42.6409),
]  # fmt: skip


def test_a_line_hugging_a_border_does_not_cross_it(monkeypatch):
    assert countries_along([shapely.LineString(TARAZ_HUG)]) == ["KAZ"]
    import geo.countries

    monkeypatch.setattr(geo.countries, "MIN_CROSSING_KM", 0.0)  # the old rule: padded with noise
    monkeypatch.setattr(geo.countries, "MIN_DEPTH_KM", 0.0)
    assert countries_along([shapely.LineString(TARAZ_HUG)]) == ["KAZ", "KGZ", "KAZ"]


def test_a_real_transit_still_counts():
    # Mainland Azerbaijan → Syunik (Armenia) → Nakhchivan, roughly along the Araz: ~40 km inside Armenia.
    assert countries_along([shapely.LineString([(46.7, 39.1), (46.4, 39.0), (46.0, 39.1), (45.6, 39.2)])]) == [
        "AZE",
        "ARM",
        "AZE",
    ]


@pytest.mark.network
def test_almaty_beyneu_stays_in_kazakhstan():
    from geo.catalog import load_catalog
    from geo.multimodal import plan_route

    route = plan_route(load_catalog(), "almaty", "beyneu")
    lines = [shapely.LineString(g.coords) for g in route.geometry.values()]
    assert countries_along(lines) == ["KAZ"]
