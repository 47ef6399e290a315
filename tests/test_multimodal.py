"""Ad-hoc routing on the multimodal graph: synthetic rail lines around the Caspian, a real ferry link."""

from __future__ import annotations

import re

import numpy as np
import pytest
import shapely
from click.testing import CliRunner

from geo.catalog import Catalog
from geo.errors import NetworkError, OptionError
from geo.model import Corridor, Hub, Mode
from geo.multimodal import plan_route
from geo.network import network_from_edges
from geo.places import parse_place

# An overland line east -> (Aktau) -> a junction in country ZZZ -> west, and a line Alat -> west.
LON = np.array([55.0, 51.2, 48.5, 46.0, 49.45])
LAT = np.array([43.65, 43.65, 43.65, 40.5, 39.95])
ZZZ = shapely.box(47.5, 42.5, 49.5, 44.5)  # holds node 2 only: not the hubs, not the sea route


def hub(id_, lon, lat, kind="rail_junction", country="KAZ"):
    return Hub(id=id_, name=id_.title(), country=country, kind=kind, lat=lat, lon=lon, sources=["test"])


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(tmp_path / "cache"))
    hubs = {
        "east": hub("east", 55.0, 43.65),
        "aktau": hub("aktau", 51.15, 43.65, "sea_port"),
        "alat": hub("alat", 49.40, 39.95, "sea_port", "AZE"),
        "west": hub("west", 46.0, 40.5, country="AZE"),
    }
    ferry = Corridor.model_validate(
        {"id": "ferry", "name": "F", "summary": "s", "sources": ["t"],
         "legs": [{"from": "aktau", "to": "alat", "mode": "ferry", "status": "operational"}]}
    )  # fmt: skip
    catalog = Catalog(hubs=hubs, corridors={"ferry": ferry})
    full = network_from_edges("rail", LON, LAT, [0, 1, 2, 4], [1, 2, 3, 3])
    no_overland = network_from_edges("rail", LON, LAT, [0, 4], [1, 3])
    return catalog, {"full": full, "split": no_overland}


def test_shortest_route_goes_overland(world):
    catalog, nets = world
    route = plan_route(catalog, "east", "west", network_of=lambda kind: nets["full"], boundaries={"ZZZ": ZZZ})
    assert [(leg.from_hub, leg.to_hub, leg.mode) for leg in route.corridor.legs] == [("east", "west", Mode.RAIL)]
    assert route.corridor.id == "route-east-west"
    geom = route.geometry[0]
    assert geom.extras["network_km"] > 0 and geom.on_network_share > 0.95


def test_avoiding_a_country_takes_the_ferry(world):
    catalog, nets = world
    route = plan_route(
        catalog, "east", "west", avoid=["zzz"], network_of=lambda kind: nets["full"], boundaries={"ZZZ": ZZZ}
    )
    legs = [(leg.from_hub, leg.to_hub, leg.mode) for leg in route.corridor.legs]
    assert legs == [("east", "aktau", Mode.RAIL), ("aktau", "alat", Mode.FERRY), ("alat", "west", Mode.RAIL)]
    ferry = route.geometry[1]
    assert ferry.method == "searoute" and 450 < ferry.length_km < 600
    for g in route.geometry.values():
        assert not shapely.intersects(g.line, ZZZ)
    assert "avoiding ZZZ" in route.corridor.summary


def test_no_route_says_which_constraint_cut_it(world):
    catalog, nets = world
    kw = {"network_of": lambda kind: nets["full"], "boundaries": {"ZZZ": ZZZ}}
    with pytest.raises(
        NetworkError, match=r"no route from east to west by rail avoiding ZZZ: avoiding ZZZ cuts every route"
    ):
        plan_route(catalog, "east", "west", avoid=["ZZZ"], modes=[Mode.RAIL], **kw)
    kw = {"network_of": lambda kind: nets["split"], "boundaries": {"ZZZ": ZZZ}}
    with pytest.raises(NetworkError, match=r"by rail: the modes cut every route \(one exists with --modes"):
        plan_route(catalog, "east", "west", modes=[Mode.RAIL], **kw)


def test_via_and_points(world):
    catalog, nets = world
    route = plan_route(
        catalog, "43.7,55.1", "west", via=["alat"], network_of=lambda kind: nets["full"], boundaries={"ZZZ": ZZZ}
    )
    assert route.corridor.legs[0].from_hub == "pt-43-7n-55-1e"
    assert "alat" in route.corridor.hub_ids
    assert route.hubs["pt-43-7n-55-1e"].country == "KAZ"


def test_bad_places_and_countries(world):
    catalog, nets = world
    with pytest.raises(OptionError, match=r"FROM 'nowhere': not a hub id nor 'lat,lon'"):
        parse_place("nowhere", catalog, role="FROM")
    with pytest.raises(OptionError, match=r"latitude must be within"):
        parse_place("95,200", catalog, role="TO")
    with pytest.raises(OptionError, match=r"avoid XYZ: no outline for this country code"):
        plan_route(
            catalog, "east", "west", avoid=["XYZ"], network_of=lambda kind: nets["full"], boundaries={"ZZZ": ZZZ}
        )
    inside = {"ZZZ": shapely.box(54, 43, 56, 44)}
    with pytest.raises(OptionError, match=r"east \(East\) lies in a country you avoid \(ZZZ\)"):
        plan_route(catalog, "east", "west", avoid=["ZZZ"], network_of=lambda kind: nets["full"], boundaries=inside)


def test_cli_bad_modes_and_boundaries(tmp_path):
    from maps.cli import main

    result = CliRunner().invoke(main, ["route", "xian", "kars", "--modes", "rail,boat"])
    assert result.exit_code == 2 and "--modes 'rail,boat': choose from rail, road, sea, ferry" in result.output
    bad = tmp_path / "b.geojson"
    bad.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},'
                   '"geometry":{"type":"Point","coordinates":[0,0]}}]}')  # fmt: skip
    result = CliRunner().invoke(main, ["route", "xian", "kars", "--avoid", "RUS", "--boundaries", str(bad)])
    assert (
        result.exit_code == 2 and "no ISO 3166-1 alpha-3 column" in result.output and "Traceback" not in result.output
    )


@pytest.mark.network
def test_real_xian_to_duisburg_avoiding_russia_and_belarus(tmp_path, catalog):
    from geo.countries import country_outlines
    from maps.cli import main

    out = tmp_path / "route"
    result = CliRunner().invoke(main, ["route", "xian", "duisburg", "--avoid", "RUS,BLR", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "maps" / "route-xian-duisburg-avoid-blr-rus.html").exists()
    assert (out / "layers" / "corridors.gpkg").exists()
    import pyogrio

    legs = pyogrio.read_dataframe(out / "layers" / "corridors.gpkg", layer="legs")
    assert "ferry" in set(legs["mode"])  # the Caspian crossing
    assert ("aktau", "alat") in set(zip(legs["from_hub"], legs["to_hub"], strict=True))
    line = shapely.union_all(legs.geometry.values)
    for iso in ("RUS", "BLR"):
        assert not shapely.intersects(line, country_outlines()[iso].buffer(-0.1))
    # without --avoid the shortest route crosses Russia
    plain = plan_route(catalog, "xian", "duisburg")
    assert any(shapely.intersects(g.line, country_outlines()["RUS"]) for g in plain.geometry.values())


# --- messages for places: malformed, swapped, near-miss, far from any network ------------------------

PLACE_MESSAGES = [
    ("41.7,abc", "FROM '41.7,abc': 'abc' is not a number: give lat,lon in decimal degrees, e.g. 41.72,44.78"),
    ("41.72 44.78", "FROM '41.72 44.78': not a point: give lat,lon in decimal degrees, e.g. 41.72,44.78 "
     "(two numbers and one comma)"),
    ("41,72,44,78", "FROM '41,72,44,78': decimal commas? Write decimals with a point: give lat,lon in decimal "
     "degrees, e.g. 41.72,44.78 (not 41,72,44,78)"),
    ("44.78,", "FROM '44.78,': a number is missing: give lat,lon in decimal degrees, e.g. 41.72,44.78"),
    ("121.5,31.2", "FROM '121.5,31.2': latitude 121.5 is beyond ±90, and this looks like lon,lat: "
     "give lat first (31.2,121.5)"),
    ("95,200", "FROM '95,200': latitude must be within ±90 and longitude within ±180"),
    ("aktua", "FROM 'aktua': not a hub id nor 'lat,lon': did you mean aktau? Or use a hub id "
     "(`corridors list --hubs` lists them) or a point such as 41.72,44.78"),
    ("West", "FROM 'West': not a hub id nor 'lat,lon': did you mean west? Or use a hub id "
     "(`corridors list --hubs` lists them) or a point such as 41.72,44.78"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), PLACE_MESSAGES)
def test_place_messages(world, text, message):
    catalog, _ = world
    with pytest.raises(OptionError) as err:
        parse_place(text, catalog, role="FROM")
    assert str(err.value) == message


def test_points_in_every_spelling_still_parse(world):
    catalog, _ = world
    for text in ("43.7,55.1", " +43.7 , 55.1 ", "43.70,55.10"):
        assert parse_place(text, catalog, role="FROM").id == "pt-43-7n-55-1e"
    assert parse_place("-33.9,18.4", catalog, role="TO").id == "pt-33-9s-18-4e"
    assert parse_place(".5,-0.5", catalog, role="TO").id == "pt-0-5n-0-5w"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tbilsi", "kars"], "error: FROM 'tbilsi': not a hub id nor 'lat,lon': did you mean tbilisi?"),
        (["xian", "41.7;44.8"], "error: TO '41.7;44.8': not a point: give lat,lon in decimal degrees"),
        (["xian", "kars", "--via", "44.8,121.5"], None),  # a valid point (in the Gobi), refused further on
        (["xian", "kars", "--via", "121.5,44.8"], "error: --via '121.5,44.8': latitude 121.5 is beyond ±90, and "
         "this looks like lon,lat: give lat first (44.8,121.5)"),
        (["30,-40", "rotterdam"], "error: FROM '30,-40' is "),
    ],
)  # fmt: skip
def test_cli_place_messages(args, message):
    """``--modes sea`` needs no rail or road network: these fail before any is loaded."""
    from maps.cli import main

    result = CliRunner().invoke(main, ["route", *args, "--modes", "sea,ferry"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    if message is not None:
        assert result.output.strip().startswith(message), result.output


def test_far_point_says_how_far_and_from_what(world):
    catalog, nets = world
    kw = {"network_of": lambda kind: nets["full"], "boundaries": {"ZZZ": ZZZ}}
    with pytest.raises(NetworkError) as err:
        plan_route(catalog, "30,-40", "west", **kw)
    assert re.fullmatch(
        r"FROM '30,-40' is [\d,]+ km from the nearest rail line \(at 40\.50,46\.00, near hub west\) and [\d,]+ km "
        r"from the nearest sea port hub \(aktau\): choose a point within 25 km of a rail line, or start or end at a "
        r"port hub, or add road to --modes",
        str(err.value),
    ), err.value
    with pytest.raises(NetworkError, match=r"^--via '10,10' is [\d,]+ km from the nearest rail line .*, or add road"):
        plan_route(catalog, "east", "west", via=["10,10"], **kw)
    with pytest.raises(NetworkError, match=r"^TO 'west' is [\d,]+ km from the nearest sea port hub \(alat\): "
                       r"start or end at a port hub, or add rail,road to --modes$"):  # fmt: skip
        plan_route(catalog, "aktau", "west", modes=[Mode.SEA, Mode.FERRY], **kw)


def test_ports_and_points_near_a_line_pass_the_check(world):
    catalog, nets = world
    kw = {"network_of": lambda kind: nets["full"], "boundaries": {"ZZZ": ZZZ}}
    route = plan_route(catalog, "aktau", "alat", modes=[Mode.FERRY], **kw)  # ports, far from no network needed
    assert [leg.mode for leg in route.corridor.legs] == [Mode.FERRY]
    near = plan_route(catalog, "43.8,51.2", "west", **kw)  # about 17 km north of a node of the line
    assert near.corridor.legs[0].from_hub.startswith("pt-")


@pytest.mark.network
def test_cli_mid_atlantic_point(catalog):
    from maps.cli import main

    result = CliRunner().invoke(main, ["route", "30,-40", "rotterdam"])
    assert result.exit_code == 2
    line = result.output.strip()
    assert len(line.splitlines()) == 1
    assert re.fullmatch(
        r"error: FROM '30,-40' is [\d,]+ km from the nearest rail line \(at [-\d.]+,[-\d.]+(, near hub [a-z-]+)?\) and "
        r"[\d,]+ km from the nearest sea port hub \([a-z-]+\): choose a point within 25 km of a rail line, or start "
        r"or end at a port hub, or add road to --modes",
        line,
    ), line


def _no_land_network(kind: str):
    raise AssertionError(f"--modes sea needs no {kind} network")


def test_sea_only_route_between_far_ports(catalog):
    """Shanghai → Rotterdam has no port of call in the catalog: the link is the catalog's own Suez leg."""
    route = plan_route(catalog, "shanghai", "rotterdam", modes=[Mode.SEA], network_of=_no_land_network)
    (geom,) = route.geometry.values()
    assert [leg.mode for leg in route.corridor.legs] == [Mode.SEA]
    assert geom.length_km == pytest.approx(19_600, rel=0.02)
    cape = plan_route(
        catalog, "shanghai", "rotterdam", modes=[Mode.SEA], network_of=_no_land_network,
        sea_restrictions=["babalmandab", "suez", "panama"],
    )  # fmt: skip
    assert cape.geometry[0].coords[:, 1].min() < -33 and cape.geometry[0].length_km > geom.length_km + 5_000
    far = plan_route(catalog, "nhava-sheva", "st-petersburg", modes=[Mode.SEA], network_of=_no_land_network)
    assert far.geometry[0].length_km > 10_000  # no chain of ports under 2,500 km apart joins these


def test_sea_only_route_with_hormuz_closed_says_so(catalog):
    with pytest.raises(NetworkError, match=r"with the Strait of Hormuz closed no sea route is left"):
        plan_route(catalog, "bandar-abbas", "nhava-sheva", modes=[Mode.SEA], network_of=_no_land_network,
                   sea_restrictions=["ormuz"])  # fmt: skip
    with pytest.raises(OptionError, match=r"sea restriction 'hormuz': not a passage searoute knows"):
        plan_route(catalog, "bandar-abbas", "nhava-sheva", modes=[Mode.SEA], sea_restrictions=["hormuz"])


def test_cli_route_by_sea_finds_the_sea_route(tmp_path):
    from maps.cli import main

    result = CliRunner().invoke(main, ["route", "shanghai", "rotterdam", "--modes", "sea", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert re.search(r"shanghai → rotterdam\s+sea\s+19,\d{3}", result.output)
