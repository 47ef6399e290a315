"""Catalog files: good ones load, bad ones fail with one line per problem naming file, item, field, value."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.catalog import load_catalog
from geo.errors import CatalogError
from geo.model import RESERVED_IDS, Corridor, Leg, Mode, Status
from tests.conftest import MINI

MINI_TEXT = MINI.read_text(encoding="utf-8")

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
            r"cat\.toml: corridor 'c1': field 'legs\[1\]\.mode' = 'boat': unknown mode: choose from rail, road, sea, ferry$",
        ),
        ({"status": "open"}, r"field 'legs\[1\]\.status' = 'open'"),
        ({"extra": "published_km = 12"}, r"published_km needs published_km_source"),
        (
            {"extra": "published_km = -3\npublished_km_source = 'x'"},
            r"'legs\[1\]\.published_km' = -3: out of range: published_km must be more than 0 and at most 25,000 km",
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
    path = tmp_path / "cat.toml"
    assert info.value.problems == [
        f"{path}: corridor 'c1': field 'legs[2].to' = 't-nowhere': no such hub: define it under [hubs] or use an "
        "existing hub id (`corridors list --hubs` lists them)",
        f"{path}: corridor 'c1': leg 2 starts at 't-tbilisi' but leg 1 ends at 't-alat': legs must chain",
    ]


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
        (
            "[hubs.Bad_Id]\nname='a'",
            r"hub 'Bad_Id': id 'Bad_Id' is not valid: ids are lower-case letters, digits and single hyphens, e.g. 'my-corridor'",
        ),
        (
            "[hubs.x]\nname='X'\nkind='sea_port'\nlat=1\nlon=2\nsources=['s']",
            r"hub 'x': field 'country' is missing: add it",
        ),
        (
            "[hubs.x]\nname='X'\ncountry='XXX'\nkind='port'\nlat=1\nlon=2\nsources=['s']",
            r"country' = 'XXX': not an ISO 3166-1 alpha-3 country code \(e.g. KAZ, AZE, TUR\)",
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
    with pytest.raises(CatalogError, match=r"^unknown corridor 'zzz': choose from t-caspian \(see `corridors list`\)$"):
        mini_catalog.select(["zzz"])


def test_hub_outside_its_country(tmp_path):
    text = GOOD_HUBS.replace("lat = 40.60\nlon = 43.10", "lat = 43.10\nlon = 40.60")  # lat and lon swapped
    with pytest.raises(
        CatalogError,
        match=r"hub 't-kars': lat 43.1, lon 40.6 is \d+ km outside TUR: lat and lon look swapped: give lat first$",
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
    with pytest.raises(
        CatalogError, match=r"field 'legs\[1\]\.published_km' = '520': must be a number in km \(no quotes\)$"
    ):
        load_catalog([leg_file(tmp_path, extra="published_km = '520'\npublished_km_source = 'x'")], embedded=False)


def problems_of(tmp_path: Path, text: str, *, embedded: bool = False) -> list[str]:
    """The problems a catalog file holds, each without the file name it starts with."""
    path = write(tmp_path, text)
    with pytest.raises(CatalogError) as info:
        load_catalog([path], embedded=embedded)
    assert all(p.startswith(f"{path}: ") and len(p.splitlines()) == 1 for p in info.value.problems)
    return [p.removeprefix(f"{path}: ") for p in info.value.problems]


@pytest.mark.parametrize(
    ("cid", "expected"),
    [
        ("overview", "id 'overview' is reserved (the build writes maps/overview.html itself): rename the corridor"),
        ("index", "id 'index' is reserved (the build writes index.html itself): rename the corridor"),
        (
            "flows",
            "id 'flows' is reserved (the build writes maps/flows.html and layers/flows.gpkg itself): rename the corridor",
        ),
    ],
)
def test_reserved_corridor_ids(tmp_path, cid, expected):
    assert problems_of(tmp_path, MINI_TEXT.replace("corridors.t-caspian", f"corridors.{cid}")) == [
        f"corridor {cid!r}: {expected}"
    ]


def test_reserved_ids_cover_the_output_layout(catalog):
    for name in ("overview", "index", "compare", "timeline", "flows", "matrix", "assets", "shared", "layers",
                 "maps", "hubs", "legs", "corridors", "sources", "attribution"):  # fmt: skip
        assert name in RESERVED_IDS
    assert not set(RESERVED_IDS) & set(catalog.corridors)
    leg = {"from": "a", "to": "b", "mode": "rail", "status": "planned"}
    with pytest.raises(ValueError, match="id 'index' is reserved"):  # programmatic users too
        Corridor.model_validate({"id": "index", "name": "n", "summary": "s", "sources": ["x"], "legs": [leg]})


KM_RANGE = (
    "published_km must be more than 0 and at most 25,000 km (no single leg is longer than half the Earth's "
    "circumference, about 20,000 km, plus detours)"
)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "published_km = 550",
            "published_km = inf",
            f"field 'legs[2].published_km' = inf: not a finite number: {KM_RANGE}",
        ),
        (
            "published_km = 550",
            "published_km = -inf",
            f"field 'legs[2].published_km' = -inf: not a finite number: {KM_RANGE}",
        ),
        (
            "published_km = 550",
            "published_km = nan",
            f"field 'legs[2].published_km' = nan: not a finite number: {KM_RANGE}",
        ),
        (
            "published_km = 550",
            "published_km = 30000",
            f"field 'legs[2].published_km' = 30000: out of range: {KM_RANGE}",
        ),
        ("published_km = 550", "published_km = 0", f"field 'legs[2].published_km' = 0: out of range: {KM_RANGE}"),
        (
            "published_km = 550",
            "published_km = 550\nmax_snap_km = inf",
            "field 'legs[2].max_snap_km' = inf: not a finite number: max_snap_km must be more than 0 and at most 200 km",
        ),
        (
            "lat = 43.65",
            "lat = nan",
            "field 'lat' = nan: not a finite number: a latitude must be between -90 and 90 degrees",
        ),
        (
            "lon = 51.15",
            "lon = -inf",
            "field 'lon' = -inf: not a finite number: a longitude must be between -180 and 180 degrees",
        ),
        (
            "via = [[40.67, 46.35]]",
            "via = [[40.67, inf]]",
            "field 'legs[2].via[1].lon' = inf: not a finite number: a longitude must be between -180 and 180 degrees",
        ),
        (
            "lat = 43.65",
            "lat = 99999999999999999999999999999999999",
            "field 'lat' = 99999999999999999999999999999999999: out of range: a latitude must be between -90 and 90 degrees",
        ),
    ],
)
def test_numbers_are_finite_and_plausible(tmp_path, old, new, expected):
    where = "corridor 't-caspian'" if "legs" in expected else "hub 't-aktau'"
    assert problems_of(tmp_path, MINI_TEXT.replace(old, new, 1)) == [f"{where}: {expected}"]


def test_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINI.read_bytes())
    assert list(load_catalog([path], embedded=False).corridors) == ["t-caspian"]


def test_not_utf8(tmp_path):
    assert problems_of(tmp_path, "") == [
        "defines no hubs and no corridors: add [corridors.<id>] tables (and [hubs.<id>] for places the embedded "
        "catalog lacks)"
    ]
    path = tmp_path / "latin1.toml"
    path.write_bytes("[hubs.a]\nname = 'Gümüşhane'".encode("cp1254"))
    with pytest.raises(
        CatalogError, match=r"latin1\.toml: not UTF-8 text \(byte 0xfc at position 18\): save the file as UTF-8$"
    ):
        load_catalog([path])


@pytest.mark.parametrize("text", ["", "# only a comment\n\n", "[hubs]\n[corridors]\n"])
def test_empty_catalog_is_an_error(tmp_path, text):
    assert problems_of(tmp_path, text, embedded=True) == [
        "defines no hubs and no corridors: add [corridors.<id>] tables (and [hubs.<id>] for places the embedded "
        "catalog lacks)"
    ]


def test_corridors_from_user_files(tmp_path):
    hubs = write(tmp_path, GOOD_HUBS, "hubs.toml")
    legs = write(tmp_path, LEG.format(mode="ferry", status="operational", extra=""), "legs.toml")
    cat = load_catalog([hubs, legs])
    assert cat.files == (str(hubs), str(legs))
    assert [c.id for c in cat.corridors_from([hubs, legs])] == ["c1"]
    assert [c.id for c in cat.corridors_from([str(legs)])] == ["c1"]
    assert cat.corridors_from([]) == []
    with pytest.raises(CatalogError) as info:
        cat.corridors_from([hubs])
    assert info.value.problems == [
        f"{hubs}: defines hubs but no corridors: nothing to build: add [corridors.<id>] tables with their "
        "[[corridors.<id>.legs]]"
    ]
    with pytest.raises(ValueError, match="not read into this catalog"):
        cat.corridors_from([tmp_path / "other.toml"])


def test_three_mistakes_three_lines(tmp_path):
    text = (
        MINI_TEXT.replace('to = "t-tbilisi"', 'to = "t-tblisi"')
        .replace('mode = "ferry"', 'mode = "fery"')
        .replace('kind = "dry_port"', 'kind = "dryport"')
    )
    assert problems_of(tmp_path, text) == [
        "hub 't-kars': field 'kind' = 'dryport': unknown hub kind: did you mean 'dry_port'? "
        "(one of sea_port, dry_port, rail_junction, border_crossing, city)",
        "corridor 't-caspian': field 'legs[1].mode' = 'fery': unknown mode: did you mean 'ferry'? (one of rail, road, sea, ferry)",
        "corridor 't-caspian': field 'legs[2].to' = 't-tblisi': no such hub: did you mean 't-tbilisi'? "
        "(`corridors list --hubs` lists them)",
    ]


def test_hub_typo_is_not_a_broken_chain(tmp_path):
    """The typo breaks the chain too; the unknown hub is the mistake to name."""
    assert problems_of(tmp_path, MINI_TEXT.replace('from = "t-tbilisi"', 'from = "t-tbilsi"')) == [
        "corridor 't-caspian': field 'legs[3].from' = 't-tbilsi': no such hub: did you mean 't-tbilisi'? "
        "(`corridors list --hubs` lists them)"
    ]
    assert problems_of(tmp_path, MINI_TEXT.replace('from = "t-tbilisi"', 'from = "T-Tbilisi"')) == [
        "corridor 't-caspian': field 'legs[3].from' = 'T-Tbilisi': no such hub: did you mean 't-tbilisi'? "
        "(`corridors list --hubs` lists them)"
    ]
    assert problems_of(tmp_path, MINI_TEXT.replace('from = "t-tbilisi"', 'from = "t-aktau"')) == [
        "corridor 't-caspian': leg 3 starts at 't-aktau' but leg 2 ends at 't-tbilisi': legs must chain"
    ]


def test_chain_invariant_stays_in_the_model():
    legs = [
        {"from": "a", "to": "b", "mode": "rail", "status": "planned"},
        {"from": "c", "to": "d", "mode": "rail", "status": "planned"},
    ]
    with pytest.raises(ValueError, match="leg 2 starts at 'c' but leg 1 ends at 'b': legs must chain"):
        Corridor.model_validate({"id": "x", "name": "n", "summary": "s", "sources": ["x"], "legs": legs})
    with pytest.raises(ValueError, match="leg starts and ends at the same hub 'a'"):
        Leg.model_validate({"from": "a", "to": "a", "mode": "rail", "status": "planned"})


def test_hubs_of_invalid_corridors_are_checked(tmp_path):
    """A corridor the model refuses (bad mode, missing field) still has its hubs and chain checked."""
    text = MINI_TEXT.replace('mode = "ferry"', 'mode = "boat"').replace("via = [[40.67, 46.35]]", 'via = ["t-ganja"]')
    text = text.replace('summary = "A ferry across', 'summry = "A ferry across')
    assert problems_of(tmp_path, text) == [
        "corridor 't-caspian': field 'summary' is missing: add it",
        "corridor 't-caspian': unknown field 'summry': did you mean 'summary'?",
        "corridor 't-caspian': field 'legs[1].mode' = 'boat': unknown mode: choose from rail, road, sea, ferry",
        "corridor 't-caspian': field 'legs[2].via[1]' = 't-ganja': no such hub: define it under [hubs] or use an "
        "existing hub id (`corridors list --hubs` lists them)",
    ]


def test_same_hub_and_missing_source_beside_other_problems(tmp_path):
    text = MINI_TEXT.replace('to = "t-kars"', 'to = "t-tbilisi"').replace(
        'published_km_source = "made up for the test"', ""
    )
    text = text.replace('mode = "ferry"', 'mode = "ship"')
    assert problems_of(tmp_path, text) == [
        "corridor 't-caspian': field 'legs[1].mode' = 'ship': unknown mode: choose from rail, road, sea, ferry",
        "corridor 't-caspian': leg 2: published_km needs published_km_source: say where the figure comes from",
        "corridor 't-caspian': leg 3: leg starts and ends at the same hub 't-tbilisi': end it at another hub",
    ]


def test_did_you_mean_corridor(catalog):
    with pytest.raises(CatalogError) as info:
        catalog.select(["midle-corridor", "zangezur", "xyz-nothing"])
    assert (
        info.value.problems[0]
        == "unknown corridor 'midle-corridor': did you mean 'middle-corridor'? (see `corridors list`)"
    )
    assert info.value.problems[1].startswith("unknown corridor 'xyz-nothing': choose from middle-corridor, ")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('"KAZ"', '"KZ"', "a two-letter code: use the three-letter ISO 3166-1 alpha-3 code 'KAZ' (Kazakhstan)"),
        ('"KAZ"', '"kaz"', "use upper case 'KAZ'"),
        ('"KAZ"', '"Kazakhstan"', "a country name: use its ISO 3166-1 alpha-3 code 'KAZ' (Kazakhstan)"),
        ('"KAZ"', '"Kazakstan"', "not an ISO 3166-1 alpha-3 country code: did you mean 'KAZ' (Kazakhstan)?"),
        ('"KAZ"', '"GER"', "not an ISO 3166-1 alpha-3 country code: did you mean 'DEU' (Germany)?"),
        ('"KAZ"', '"UK"', "a two-letter code: use the three-letter ISO 3166-1 alpha-3 code 'GBR' (United Kingdom)"),
        ('"KAZ"', '"Turkey"', "a country name: use its ISO 3166-1 alpha-3 code 'TUR' (Türkiye)"),
        ('"KAZ"', "398", "must be text in quotes"),
    ],
)
def test_country_codes(tmp_path, old, new, expected):
    assert problems_of(tmp_path, MINI_TEXT.replace(old, new, 1)) == [
        f"hub 't-aktau': field 'country' = {new.strip(chr(34))!r}: {expected}".replace("'398'", "398")
    ]


@pytest.mark.parametrize("value", ['"43.65"', '"north"', "true", "1979-05-27"])
def test_coordinates_must_be_numbers(tmp_path, value):
    (line,) = problems_of(tmp_path, MINI_TEXT.replace("lat = 43.65", f"lat = {value}"))
    assert line.startswith("hub 't-aktau': field 'lat' = ") and line.endswith(
        ": must be a number in degrees (no quotes)"
    )


def test_swapped_coordinates(tmp_path):
    # Xi'an given lon first: the latitude is out of range, and swapping puts it in China
    text = MINI_TEXT.replace('"KAZ"', '"CHN"').replace("lat = 43.65\nlon = 51.15", "lat = 108.94\nlon = 34.34")
    assert problems_of(tmp_path, text) == [
        "hub 't-aktau': field 'lat' = 108.94: out of range: a latitude must be between -90 and 90 degrees: "
        "lat and lon look swapped: give lat first"
    ]
    # out of range and no better swapped: the range alone
    assert problems_of(tmp_path, MINI_TEXT.replace("lat = 43.65", "lat = 143.65")) == [
        "hub 't-aktau': field 'lat' = 143.65: out of range: a latitude must be between -90 and 90 degrees"
    ]
    # in range but outside the country, and not a swap: the general advice
    assert problems_of(tmp_path, MINI_TEXT.replace('"KAZ"', '"GEO"'))[0].endswith(
        "km outside GEO: check the coordinates (lat first, then lon) or the country code"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "t-kars",
            "T_Kars",
            "hub 'T_Kars': id 'T_Kars' is not valid: ids are lower-case letters, digits and single hyphens, e.g. 'my-corridor'",
        ),
        (
            "corridors.t-caspian",
            "corridors.my--route",
            "corridor 'my--route': id 'my--route' is not valid: ids are lower-case letters, digits and single hyphens, e.g. 'my-corridor'",
        ),
        (
            "corridors.t-caspian",
            f"corridors.{'a' * 65}",
            f"corridor '{'a' * 65}': id '{'a' * 65}' is not valid: ids are at most 64 characters",
        ),
        (
            'url = "https://portnews.ru/news/346384/"',
            'url = "portnews.ru"',
            "hub 't-alat': field 'facts[1].sources[1].url' = 'portnews.ru': must be a web address starting with https:// or http://, without spaces",
        ),
        ('name = "Kars"', "name = 3", "hub 't-kars': field 'name' = 3: must be text in quotes"),
        ('name = "Kars"', 'name = "  "', "hub 't-kars': field 'name' = '  ': must not be empty"),
        (
            'sources = ["tests"]',
            'sources = "tests"',
            "corridor 't-caspian': field 'sources' = 'tests': must be a list in brackets: [...]",
        ),
        (
            'sources = ["tests"]',
            "sources = []",
            "corridor 't-caspian': field 'sources' = []: must not be empty: give at least one",
        ),
        (
            "via = [[40.67, 46.35]]",
            "via = [3]",
            "corridor 't-caspian': field 'legs[2].via[1]' = 3: a via point is a hub id or [lat, lon]",
        ),
        (
            "via = [[40.67, 46.35]]",
            "via = [[40.67, 46.35, 1]]",
            "corridor 't-caspian': field 'legs[2].via[1]' = [40.67, 46.35, 1]: a via point is a hub id or [lat, lon]",
        ),
        (
            "via = [[40.67, 46.35]]",
            "via = [{hub = 't-aktau', lat = 1.0}]",
            "corridor 't-caspian': field 'legs[2].via[1]' = {'hub': 't-aktau', 'lat': 1.0}: a via point is either a hub id or both lat and lon",
        ),
        (
            'mode = "ferry"',
            'mode = "ferry"\nrouting = "straight"',
            "corridor 't-caspian': field 'legs[1].routing' = 'straight': unknown routing: choose from network, great-circle",
        ),
        (
            'status = "planned"',
            "status = 3",
            "corridor 't-caspian': field 'legs[3].status' = 3: must be text in quotes, one of operational, under_construction, planned",
        ),
        (
            'status = "planned"',
            'status = "Planned"',
            "corridor 't-caspian': field 'legs[3].status' = 'Planned': unknown status: did you mean 'planned'? (one of operational, under_construction, planned)",
        ),
        (
            'facts = [{ text = "Phase 1',
            'facts = [{ txt = "Phase 1',
            "hub 't-alat': unknown field 'facts[1].txt': did you mean 'text'?",
        ),
        ('name = "Kars"', 'nmae = "Kars"', "hub 't-kars': unknown field 'nmae': did you mean 'name'?"),
        (
            'name = "Kars"',
            'name = "Kars"\nid = "kars"',
            "hub 't-kars': field 'id': the id is the table's key: remove the field",
        ),
        (
            '[[corridors.t-caspian.legs]]\nfrom = "t-aktau"',
            "[[corridors.t-caspian.legs]]\nfrom = 1",
            "corridor 't-caspian': field 'legs[1].from' = 1: must be text in quotes",
        ),
    ],
)
def test_friendly_messages(tmp_path, old, new, expected):
    """One mistake, one line; a missing field beside an unknown one is said too (see test_hubs_of_invalid...)."""
    assert old in MINI_TEXT
    found = problems_of(tmp_path, MINI_TEXT.replace(old, new))
    assert [p for p in found if not p.endswith("is missing: add it")] == [expected]


def test_legs_of_the_wrong_shape(tmp_path):
    head = MINI_TEXT.split("[[corridors")[0]
    assert problems_of(tmp_path, head + 'legs = "x"\n') == [
        "corridor 't-caspian': field 'legs' = 'x': must be a list in brackets: [...]"
    ]
    assert problems_of(tmp_path, head + 'legs = ["x"]\n') == [
        "corridor 't-caspian': field 'legs[1]' = 'x': must be a table of fields: { field = value, ... }"
    ]
