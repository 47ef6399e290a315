"""Catalog files: good ones load, bad ones fail with one line per problem naming file, item, field, value."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.catalog import load_catalog
from geo.errors import CatalogError
from geo.model import Mode, Status
from tests.conftest import MINI

GOOD_HUBS = MINI.read_text(encoding="utf-8").split("[corridors.t-caspian]")[0]
LEG = """
[corridors.c1]
name = "C1"
summary = "s"
sources = ["x"]

[[corridors.c1.legs]]
from = "t-aktau"
to = "t-alat"
mode = "{mode}"
status = "{status}"
{extra}
"""


def write(tmp_path: Path, text: str, name: str = "cat.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def leg_file(tmp_path: Path, mode: str = "ferry", status: str = "operational", extra: str = "") -> Path:
    return write(tmp_path, GOOD_HUBS + LEG.format(mode=mode, status=status, extra=extra))


def test_mini_catalog_loads(mini_catalog):
    corridor = mini_catalog.corridors["t-caspian"]
    assert [leg.mode for leg in corridor.legs] == [Mode.FERRY, Mode.RAIL, Mode.RAIL]
    assert corridor.legs[2].status is Status.PLANNED
    assert corridor.hub_ids == ["t-aktau", "t-alat", "t-tbilisi", "t-kars"]
    assert corridor.legs[1].via[0].lat == 40.67
    assert mini_catalog.hubs["t-alat"].facts[0].sources[0].url.startswith("https://")
    assert mini_catalog.origin["corridor:t-caspian"] == str(MINI)


def test_user_file_uses_embedded_hubs(tmp_path, catalog):
    text = (
        LEG.format(mode="ferry", status="operational", extra="").replace("t-aktau", "aktau").replace("t-alat", "alat")
    )
    cat = load_catalog([write(tmp_path, text)])
    assert cat.corridors["c1"].legs[0].from_hub == "aktau"
    assert len(cat.corridors) == len(catalog.corridors) + 1


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"mode": "boat"},
            r"cat\.toml: corridor 'c1': field 'legs\[1\]\.mode' = 'boat': Input should be 'rail', 'road', 'sea' or 'ferry'",
        ),
        ({"status": "open"}, r"field 'legs\[1\]\.status' = 'open'"),
        ({"extra": "published_km = 12"}, r"published_km needs published_km_source"),
        (
            {"extra": "published_km = -3\npublished_km_source = 'x'"},
            r"'legs\[1\]\.published_km' = -3: Input should be greater than 0",
        ),
        ({"extra": "speed = 3"}, r"unknown field 'legs\[1\]\.speed': remove it or fix its spelling"),
        ({"extra": "via = [[40.0]]"}, r"legs\[1\]\.via\[1\]"),
        ({"extra": "via = ['nowhere']"}, r"field 'legs\[1\]\.via\[1\]' = 'nowhere': no such hub"),
    ],
)
def test_bad_leg(tmp_path, kwargs, expected):
    with pytest.raises(CatalogError, match=expected) as info:
        load_catalog([leg_file(tmp_path, **kwargs)], embedded=False)
    assert all("\n" not in p for p in info.value.problems)


def test_unknown_hub_and_broken_chain(tmp_path):
    text = (
        GOOD_HUBS
        + LEG.format(mode="ferry", status="operational", extra="")
        + """
[[corridors.c1.legs]]
from = "t-tbilisi"
to = "t-nowhere"
mode = "rail"
status = "operational"
"""
    )
    with pytest.raises(CatalogError) as info:
        load_catalog([write(tmp_path, text)], embedded=False)
    text = str(info.value)
    assert "corridor 'c1': leg 2 starts at 't-tbilisi' but leg 1 ends at 't-alat': legs must chain" in text


def test_every_problem_is_reported(tmp_path):
    text = GOOD_HUBS.replace('country = "KAZ"', 'country = "KZ"').replace("lat = 39.95", "lat = 95") + LEG.format(
        mode="boat", status="operational", extra=""
    )
    with pytest.raises(CatalogError) as info:
        load_catalog([write(tmp_path, text)], embedded=False)
    problems = info.value.problems
    assert any("hub 't-aktau': field 'country' = 'KZ'" in p for p in problems)
    assert any("hub 't-alat': field 'lat' = 95" in p for p in problems)
    assert any("'legs[1].mode' = 'boat'" in p for p in problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[hubs.x\nname=1", r"cat\.toml: not valid TOML: .*line 1"),
        ("[routes.x]\nname='a'", r"unknown top-level table 'routes'"),
        ("[hubs.Bad_Id]\nname='a'", r"hub 'Bad_Id': field 'id' = 'Bad_Id': String should match pattern"),
        (
            "[hubs.x]\nname='X'\nkind='sea_port'\nlat=1\nlon=2\nsources=['s']",
            r"hub 'x': field 'country' is missing: add it",
        ),
        (
            "[hubs.x]\nname='X'\ncountry='XXX'\nkind='port'\nlat=1\nlon=2\nsources=['s']",
            r"country' = 'XXX': not an ISO 3166-1 alpha-3",
        ),
        ("[hubs.x]\nname='X'\ncountry='AZE'\nkind='sea_port'\nlat=1\nlon=2\nsources=[]", r"field 'sources' = \[\]"),
        ("[corridors.c]\nname='C'\nsummary='s'\nsources=['x']\nlegs=[]", r"corridor 'c': field 'legs' = \[\]"),
    ],
)
def test_bad_file(tmp_path, text, expected):
    with pytest.raises(CatalogError, match=expected):
        load_catalog([write(tmp_path, text)], embedded=False)


def test_duplicate_ids_across_files(tmp_path):
    a = write(tmp_path, GOOD_HUBS, "a.toml")
    b = write(tmp_path, GOOD_HUBS, "b.toml")
    with pytest.raises(CatalogError, match=r"b\.toml: hub 't-aktau' is already defined in .*a\.toml"):
        load_catalog([a, b], embedded=False)


def test_missing_file(tmp_path):
    with pytest.raises(CatalogError, match=r"nope\.toml: no such catalog file"):
        load_catalog([tmp_path / "nope.toml"])


def test_select(mini_catalog):
    assert [c.id for c in mini_catalog.select(None)] == ["t-caspian"]
    with pytest.raises(CatalogError, match=r"unknown corridor 'zzz': choose from t-caspian"):
        mini_catalog.select(["zzz"])


def test_hub_outside_its_country(tmp_path):
    text = GOOD_HUBS.replace("lat = 40.60\nlon = 43.10", "lat = 43.10\nlon = 40.60")  # lat and lon swapped
    with pytest.raises(
        CatalogError, match=r"hub 't-kars': lat 43.1, lon 40.6 is \d+ km outside TUR: check the coordinates"
    ):
        load_catalog([write(tmp_path, text)], embedded=False)


def test_invalid_hub_is_reported_once(tmp_path):
    text = GOOD_HUBS.replace('kind = "dry_port"', 'kind = "depot"') + LEG.format(
        mode="ferry", status="operational", extra=""
    )
    text = text.replace('to = "t-alat"', 'to = "t-kars"')
    with pytest.raises(CatalogError) as info:
        load_catalog([write(tmp_path, text)], embedded=False)
    assert len(info.value.problems) == 1 and "hub 't-kars': field 'kind' = 'depot'" in info.value.problems[0]


def test_numbers_must_be_numbers(tmp_path):
    with pytest.raises(CatalogError, match=r"field 'legs\[1\]\.published_km' = '520': Input should be a valid number"):
        load_catalog([leg_file(tmp_path, extra="published_km = '520'\npublished_km_source = 'x'")], embedded=False)
