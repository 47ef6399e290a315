"""Closed borders as data (geo/borders.py) and border noise in geo.countries.countries_along."""

from __future__ import annotations

import pytest
import shapely

from geo.borders import borders, borders_from_toml, closed_borders_crossed, war_zones_entered
from geo.countries import countries_along
from geo.errors import CatalogError
from geo.model import Mode


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


# --- closed borders on the multimodal graph (synthetic: two countries sharing the line x = 30) -----------

RUS_BOX = shapely.box(30, 45, 40, 55)
UKR_BOX = shapely.box(20, 45, 30, 55)
POL_BOX = shapely.box(20, 55, 40, 60)
OUTLINES = {"RUS": RUS_BOX, "UKR": UKR_BOX, "POL": POL_BOX}
# 0 in RUS, 1 exactly on the border line, 2 in UKR; 3, 4 a detour through POL; 5, 6 a bridge over "sea"
# (in no country) from 1 km off RUS to 1 km off UKR, south of both, like the Kerch bridge.
B_LON = [35.0, 30.0, 25.0, 35.0, 25.0, 31.0, 29.0]
B_LAT = [50.0, 50.0, 50.0, 57.0, 57.0, 44.99, 44.99]


def _net(src, dst):
    import numpy as np

    from geo.network import network_from_edges

    return network_from_edges("rail", np.array(B_LON), np.array(B_LAT), src, dst)


def _catalog():
    from geo.catalog import Catalog
    from geo.model import Hub

    def hub(id_, lon, lat, country):
        return Hub(id=id_, name=id_.title(), country=country, kind="rail_junction", lat=lat, lon=lon, sources=["t"])

    return Catalog(hubs={"east": hub("east", 35.0, 50.0, "RUS"), "west": hub("west", 25.0, 50.0, "UKR")}, corridors={})


def test_closed_border_cut_marks_edges_across_on_and_off_the_line():
    import numpy as np

    from geo.multimodal import closed_border_cut

    net = _net([0, 1, 0, 3, 4, 0, 5, 6], [1, 2, 3, 4, 2, 5, 6, 2])
    cut = closed_border_cut(net, [b for b in borders("closed") if b.id == "RUS-UKR"], OUTLINES)
    coo = net.graph.tocoo()
    pairs = {
        tuple(sorted(p)) for p, c in zip(zip(coo.row.tolist(), coo.col.tolist(), strict=True), cut, strict=True) if c
    }
    # onto the border node from either side, and the bridge between the off-shore nodes; the POL detour stays
    assert pairs == {(0, 1), (1, 2), (5, 6)}
    assert len(cut) == net.graph.nnz and cut.dtype == np.bool_


def test_route_respects_closed_borders_and_allows_them_on_request():
    from geo.multimodal import plan_route

    net = _net([0, 1, 0, 3, 4], [1, 2, 3, 4, 2])
    kw = {"network_of": lambda kind: net, "boundaries": OUTLINES, "modes": [Mode.RAIL]}
    respected = plan_route(_catalog(), "east", "west", **kw)
    assert min(p[1] for p in respected.geometry[0].coords) < 56 < max(p[1] for p in respected.geometry[0].coords)
    assert [b.id for b in respected.avoided_borders] == ["RUS-UKR"]
    assert "Closed borders respected: RUS–UKR (closed since 2022-02-24)" in respected.corridor.summary
    allowed = plan_route(_catalog(), "east", "west", closed_borders="allow", **kw)
    assert max(p[1] for p in allowed.geometry[0].coords) < 51  # straight across
    assert allowed.avoided_borders == () and "Closed borders allowed" in allowed.corridor.summary


def test_no_route_names_the_closed_borders():
    from geo.errors import NetworkError, OptionError
    from geo.multimodal import plan_route

    net = _net([0, 1], [1, 2])
    kw = {"network_of": lambda kind: net, "boundaries": OUTLINES, "modes": [Mode.RAIL]}
    with pytest.raises(NetworkError, match=r"respecting the closed borders \(.*RUS–UKR.*--allow-closed-borders opens"):
        plan_route(_catalog(), "east", "west", **kw)
    with pytest.raises(OptionError, match=r"closed_borders 'maybe': choose from respect, allow"):
        plan_route(_catalog(), "east", "west", closed_borders="maybe", **kw)


def test_route_warnings():
    from geo.multimodal import route_warnings

    assert route_warnings(["AZE", "GEO", "ROU", "UKR", "POL"]) == [
        "the route passes through UKR, a war zone (since 2022-02-24)"
    ]
    assert route_warnings(["RUS", "UKR"])[1] == "the route crosses the closed border RUS–UKR (closed since 2022-02-24)"
    assert route_warnings(["RUS", "BLR", "POL"]) == [
        "the route crosses BLR–POL (restricted since 2025-09-12), which may close at short notice"
    ]


@pytest.mark.network
def test_real_baku_duisburg_does_not_cross_from_russia_into_ukraine():
    import itertools

    from geo.catalog import load_catalog
    from geo.multimodal import plan_route

    route = plan_route(load_catalog(), "baku", "duisburg")
    assert ("RUS", "UKR") not in set(itertools.pairwise(route.countries))
    assert "RUS-UKR" in {b.id for b in route.avoided_borders}
    assert "Closed borders respected: RUS–UKR (closed since 2022-02-24)" in route.corridor.summary
    allowed = plan_route(load_catalog(), "baku", "duisburg", closed_borders="allow")
    assert ("RUS", "UKR") in set(itertools.pairwise(allowed.countries))  # what the fix changes
    assert any("closed border RUS–UKR" in w for w in allowed.warnings)


@pytest.mark.network
def test_cli_route_says_what_it_avoided_and_warns(tmp_path):
    import json

    from click.testing import CliRunner

    from maps.cli import main

    args = ["route", "baku", "duisburg", "--json", "--formats", "geojson", "--out"]
    result = CliRunner().invoke(main, [*args, str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["closed_borders"] == "respect" and "RUS–UKR" in [b["border"] for b in data["avoided_borders"]]
    assert data["warnings"] == ["the route passes through UKR, a war zone (since 2022-02-24)"]
    assert "warning: the route passes through UKR" in result.stderr
    allowed = CliRunner().invoke(main, [*args, str(tmp_path / "a"), "--allow-closed-borders"])
    assert allowed.exit_code == 0, allowed.output
    data = json.loads(allowed.stdout)
    assert data["closed_borders"] == "allow" and data["avoided_borders"] == []
    assert "the route crosses the closed border RUS–UKR (closed since 2022-02-24)" in data["warnings"]


def test_zangezur_legs_are_marked_not_rerouted(catalog):
    from layers.frames import layers_from_catalog

    layers = layers_from_catalog(catalog, [catalog.corridors["zangezur"]])
    marked = layers.legs[layers.legs["depends_on"] != ""]
    assert list(zip(marked["from_hub"], marked["to_hub"], strict=True)) == [("aghband", "ordubad")]
    assert marked["countries"].iloc[0] == "AZE,ARM,AZE"
    assert marked["depends_on"].iloc[0] == "border ARM–AZE opening (closed since 1991)"
    assert layers.corridors["depends_on"].iloc[0] == "border ARM–AZE opening (closed since 1991)"
    assert layers.legs["depends_on"].eq("").sum() == len(layers.legs) - 1  # the other legs depend on nothing


@pytest.mark.network
@pytest.mark.parametrize("mode", ["rail", "road"])
def test_no_path_across_a_closed_border_on_the_shipped_networks(mode):
    """After the cut, no path joins the two countries of a closed border through them (or no country) alone.

    Checked within 1° around the smaller of the two countries (where the border is), to keep it quick.
    """
    import numpy as np
    from scipy.sparse import csgraph

    from geo.countries import _country_tree, country_outlines
    from geo.graph import _inside, closed_border_cut
    from geo.network_data import prepared_network

    outlines = country_outlines()
    _, tree = _country_tree()
    net = prepared_network(mode)
    cut = net.without_edges(closed_border_cut(net, borders("closed"), outlines))
    for border in borders("closed"):
        a, b = border.countries
        in_a, in_b = _inside(net, a, outlines[a]), _inside(net, b, outlines[b])
        small = min((a, b), key=lambda c: shapely.area(shapely.envelope(outlines[c])))
        x0, y0, x1, y1 = outlines[small].bounds
        window = (net.lon > x0 - 1) & (net.lon < x1 + 1) & (net.lat > y0 - 1) & (net.lat < y1 + 1)
        rest = np.flatnonzero(window & ~in_a & ~in_b)
        in_other = np.zeros(net.n_nodes, dtype=bool)
        hit, _ = tree.query(shapely.points(net.lon[rest], net.lat[rest]), predicate="within")
        in_other[rest[hit]] = True
        keep = np.flatnonzero(window & ~in_other)
        _, label = csgraph.connected_components(cut.graph[keep][:, keep], directed=False)
        assert not set(label[in_a[keep]]) & set(label[in_b[keep]]), border.id
