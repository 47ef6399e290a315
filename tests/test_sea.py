"""Sea and ferry legs: passage restrictions for scenarios, clean ends at the ports, the whole catalog's water legs."""

from __future__ import annotations

import numpy as np
import pytest
import searoute
from searoute.classes.passages import Passage

from geo.catalog import load_catalog
from geo.errors import CorridorMapperError, GeometryError, OptionError
from geo.geodesy import GEOD, geodesic_km
from geo.geometry import GeometryBuilder, leg_points
from geo.model import Hub, Leg, Mode
from geo.sea import PASSAGES, check_passages, sea_builder, sea_coords, sea_geometry, sea_links

SHANGHAI, ROTTERDAM = (121.48, 31.23), (4.50, 51.92)
RED_SEA = (32.0, 12.0, 44.0, 30.0)  # lon0, lat0, lon1, lat1: the Red Sea and the Suez Canal


def leg(a: str = "a", b: str = "b", mode: str = "sea") -> Leg:
    return Leg.model_validate({"from": a, "to": b, "mode": mode, "status": "operational"})


def port(id_: str, lon: float, lat: float) -> Hub:
    return Hub(id=id_, name=id_, country="NLD", kind="sea_port", lat=lat, lon=lon, sources=["test"])


def searoute_km(a, b) -> tuple[float, float]:
    """searoute's own length for two ports: port to port (with its straight end pieces), and on its network only."""
    full = searoute.searoute(list(a), list(b), units="km", append_orig_dest=True).properties["length"]
    return full, searoute.searoute(list(a), list(b), units="km").properties["length"]


def reversals(coords: np.ndarray, *, degrees: float = 150.0) -> list[int]:
    """Vertices where the line turns back on itself (a spur, an out-and-back)."""
    az_out, _, d = GEOD.inv(coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1])
    az_in, _, _ = GEOD.inv(coords[1:, 0], coords[1:, 1], coords[:-1, 0], coords[:-1, 1])
    turn = np.abs((az_out[1:] - (az_in[:-1] + 180.0) + 180.0) % 360.0 - 180.0)
    return [int(i) + 1 for i in np.flatnonzero((turn > degrees) & (d[1:] > 1.0) & (d[:-1] > 1.0))]


def in_box(coords: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    lon0, lat0, lon1, lat1 = box
    return bool(np.any((coords[:, 0] > lon0) & (coords[:, 0] < lon1) & (coords[:, 1] > lat0) & (coords[:, 1] < lat1)))


# --- passage restrictions ----------------------------------------------------------------


def test_passages_are_searoute_s_own():
    assert set(PASSAGES) == {v for k, v in vars(Passage).items() if isinstance(v, str) and not k.startswith("__")}


def test_unknown_passage_is_one_line_listing_the_valid_names():
    with pytest.raises(
        OptionError, match=r"^sea restriction 'red-sea': not a passage searoute knows: choose from "
    ) as e:
        check_passages(["suez", "red-sea"])
    assert isinstance(e.value, CorridorMapperError) and "\n" not in str(e.value)
    assert all(name in str(e.value) for name in ("babalmandab", "suez", "panama", "ormuz"))
    with pytest.raises(OptionError):
        sea_builder(["hormuz"])  # checked when the builder is made, before any leg


def test_check_passages_normalises():
    assert check_passages([" Suez", "babalmandab", "suez", ""]) == ("babalmandab", "suez")


def test_red_sea_closed_goes_round_the_cape_only_with_panama_closed_too():
    open_ = sea_geometry([SHANGHAI, ROTTERDAM], leg())
    panama = sea_geometry([SHANGHAI, ROTTERDAM], leg(), restrictions=["babalmandab", "suez"])
    cape = sea_geometry([SHANGHAI, ROTTERDAM], leg(), restrictions=["babalmandab", "suez", "panama"])
    assert open_.length_km == pytest.approx(19_600, rel=0.02)  # Rodrigue 2024: ~10,600 nm
    assert panama.coords[:, 0].max() > 180 and not in_box(panama.coords, RED_SEA)  # across the Pacific
    assert cape.coords[:, 1].min() < -33 and not in_box(cape.coords, RED_SEA)  # south of Africa
    assert cape.length_km == pytest.approx(25_558, rel=0.03)  # Rodrigue 2024: Cape route ~13,800 nm
    assert cape.length_km - open_.length_km > 5_000


def test_restrictions_drop_the_via_points_that_force_the_closed_passage():
    catalog = load_catalog()
    suez = catalog.corridors["suez-sea"].legs[0]
    points = leg_points(suez, catalog.hubs)
    assert len(points) > 2 and any(RED_SEA[0] < x < RED_SEA[2] and RED_SEA[1] < y < RED_SEA[3] for x, y in points)
    g = sea_builder(["babalmandab", "suez", "panama"])(points, suez)
    assert not in_box(g.coords, RED_SEA)
    assert tuple(g.coords[0]) == points[0] and tuple(g.coords[-1]) == points[-1]


def test_hormuz_closed_leaves_bandar_abbas_no_sea_route():
    # searoute itself warns and returns a straight line across Iran and Pakistan; this must be an error
    catalog = load_catalog()
    gulf = catalog.corridors["instc-west"].legs[-1]
    assert (gulf.from_hub, gulf.to_hub) == ("bandar-abbas", "nhava-sheva")
    build = GeometryBuilder(catalog.hubs, builders={Mode.SEA: sea_builder(["ormuz"])})
    with pytest.raises(
        GeometryError, match=r"no sea route from bandar-abbas to nhava-sheva with the Strait of Hormuz closed"
    ) as e:
        build(gulf)
    assert "\n" not in str(e.value)
    assert GeometryBuilder(catalog.hubs)(gulf).length_km > 1_500  # open, it is fine


def test_sea_cache_keys_hold_the_restrictions(tmp_path, monkeypatch):
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(tmp_path / "cache"))
    a, b = port("shanghai", *SHANGHAI), port("rotterdam", *ROTTERDAM)
    suez = sea_coords(a, b)
    cape = sea_coords(a, b, restrictions=["panama", "suez", "babalmandab"])
    assert suez is not None and cape is not None
    assert geodesic_km(cape) > geodesic_km(suez) + 5_000
    assert (
        sea_coords(port("bandar-abbas", 56.07, 27.12), port("nhava-sheva", 72.95, 18.95), restrictions=["ormuz"])
        is None
    )
    stored = (tmp_path / "cache" / "sea-links-v2.json").read_text()
    assert "closed:babalmandab,panama,suez" in stored and "closed:ormuz" in stored


# --- clean ends --------------------------------------------------------------------------


def test_caspian_ferries_end_without_dog_legs():
    catalog = load_catalog()
    for cid, was in (("middle-corridor", 525.9), ("kuryk-alat", 583.4)):
        ferry = next(leg for leg in catalog.corridors[cid].legs if leg.mode == Mode.FERRY)
        g = sea_geometry(leg_points(ferry, catalog.hubs), ferry)
        alat = np.array([catalog.hubs["alat"].lon, catalog.hubs["alat"].lat])
        _, _, to_alat = GEOD.inv(
            g.coords[:, 0], g.coords[:, 1], np.full(len(g.coords), alat[0]), np.full(len(g.coords), alat[1])
        )
        assert np.all(np.diff(to_alat) < 0), (cid, to_alat)  # every vertex nearer Alat than the one before
        assert g.length_km < was - 15  # measured before the fix: searoute's nearest nodes lay past the ports


def test_via_points_leave_no_spur():
    catalog = load_catalog()
    suez = catalog.corridors["suez-sea"].legs[0]
    g = sea_geometry(leg_points(suez, catalog.hubs), suez)
    assert reversals(g.coords) == []
    assert g.length_km < 19_793.9 - 150  # the spurs out to the five waypoints and back were ~185 km


def test_reversals_finds_a_spur():
    line = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [1.5, 0.0], [1.5, 1.0]])
    assert reversals(line) == [2]


def _water_legs():
    catalog = load_catalog()
    seen: dict[tuple, Leg] = {}
    for c in catalog.corridors.values():
        for lg in c.legs:
            if lg.mode.is_water:
                seen.setdefault((lg.from_hub, lg.to_hub, lg.mode, tuple(map(str, lg.via))), lg)
    return catalog, list(seen.values())


@pytest.mark.parametrize("water", _water_legs()[1], ids=lambda lg: f"{lg.from_hub}-{lg.to_hub}")
def test_every_catalog_water_leg_is_as_long_as_searoute_s_and_never_turns_back(water):
    catalog = load_catalog()
    points = leg_points(water, catalog.hubs)
    g = GeometryBuilder(catalog.hubs)(water)
    full, network = searoute_km(points[0], points[-1])
    # never longer than searoute's own port-to-port line; shorter only by the dog-legs cut at the ports,
    # never shorter than searoute's network part alone
    assert 0.98 * network <= g.length_km <= 1.02 * full, (g.length_km, full, network)
    assert reversals(g.coords) == []
    assert tuple(g.coords[0]) == points[0] and tuple(g.coords[-1]) == points[-1]


# --- sea links ---------------------------------------------------------------------------


def test_sea_links_hold_every_catalog_water_leg_with_its_via_points():
    catalog = load_catalog()
    links = sea_links(catalog, dict(catalog.hubs))
    suez = links[("rotterdam", "shanghai")]
    assert suez.mode == Mode.SEA and len(suez.via) == 5
    assert suez.via[0] == (-5.60, 35.95)  # reversed: the pair is sorted, the via points follow it
    assert links[("aktau", "alat")].mode == Mode.FERRY
    ports = [h for h in catalog.hubs.values() if h.kind == "sea_port"]
    assert len(links) >= len(ports) * (len(ports) - 1) // 2  # every pair of ports, however far apart


# --- ports on the quay -------------------------------------------------------------------

NOT_ON_THE_COAST = {
    "shanghai": "city point on the Huangpu, 16 km from the 1:10m coast; the Yangshan terminals lie offshore",
    "st-petersburg": "on the Neva, 5 km from the 1:10m coast",
    "hamburg": "on the Elbe, 100 km upriver",
    "astrakhan": "on the Volga, 48 km upriver",
    "rotterdam": "city point on the Nieuwe Maas, 27 km from Maasvlakte",
    "varna-zapad": "on Lake Beloslav, joined to the sea by a canal",
    "turkmenbashi": "searoute's port point, 5 km from the 1:10m coast: no terminal coordinate found yet",
}
"""Sea ports not within 3 km of the 1:10m coastline, and why (river and lake ports cannot be checked this way)."""


def test_sea_ports_lie_in_their_country_on_the_coast():
    import shapely
    import shapely.ops

    from geo.countries import country_outlines
    from geo.geodesy import distance_km

    outlines = country_outlines()
    far = {}
    for h in load_catalog().hubs.values():
        if h.kind != "sea_port":
            continue
        outline, point = outlines[h.country], shapely.Point(h.lon, h.lat)
        assert outline.contains(point), h.id
        edge = shapely.ops.nearest_points(outline.boundary, point)[0]
        if (km := float(distance_km(h.lon, h.lat, edge.x, edge.y))) > 3.0:
            far[h.id] = km
    assert set(far) == set(NOT_ON_THE_COAST), far
