"""The transit model on tiny chains of legs whose days and CO2e are worked out by hand from transit.toml."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from geo.errors import CatalogError
from geo.model import Mode
from geo.transit import LegFacts, estimate, transit_model, transit_model_from_toml

M = transit_model()
H = 24.0


def rail(a, b, km, *countries, gauge=None):
    return LegFacts(a, b, Mode.RAIL, km, tuple(countries), gauge)


def test_rail_leg_across_one_border_is_haul_plus_the_border_dwell():
    e = estimate([rail("a", "b", 540.0, "CHN", "KAZ")])
    # 540 km at 54 and 42 km/h: 10 h and 12.857 h; CAREC rail border 20.6-40.6 h
    assert e.days_min == pytest.approx((10.0 + 20.6) / H)
    assert e.days_max == pytest.approx((540 / 42 + 40.6) / H)
    assert e.gauge_breaks == 1  # 1,435 -> 1,520 at the border, inside its dwell
    assert e.transshipments == 1
    assert [p.kind for p in e.parts] == ["rail line haul", "border"]


def test_inside_a_customs_union_a_crossing_costs_the_locomotive_change_only():
    e = estimate([rail("a", "b", 0.001, "RUS", "BLR")])
    assert (e.days_min * H, e.days_max * H) == pytest.approx((1.0, 2.5), abs=1e-3)
    assert e.gauge_breaks == 0


def test_a_named_crossing_replaces_the_average_and_only_on_its_own_border():
    brest = estimate([rail("brest", "malaszewicze", 0.001, "BLR", "POL")])
    assert brest.days_min == pytest.approx(2.0, abs=1e-3) and brest.days_max == pytest.approx(5.0, abs=1e-3)
    onward = estimate([rail("malaszewicze", "duisburg", 0.001, "POL", "DEU")])  # same hub, EU internal border
    assert onward.days_max * H == pytest.approx(2.5, abs=1e-3)


def test_a_gauge_of_its_own_makes_a_gauge_change_at_the_hub_between_two_rail_legs():
    e = estimate([rail("tbilisi", "akhalkalaki", 0.001, "GEO"), rail("akhalkalaki", "kars", 0.001, "GEO", gauge=1435)])
    change = [p for p in e.parts if p.kind == "gauge change"]
    assert len(change) == 1 and change[0].leg is None and "akhalkalaki" in change[0].where
    assert (change[0].min_h, change[0].max_h) == (4.25, 9.0)
    assert e.gauge_breaks == 1 and e.transshipments == 1


def test_a_caspian_ferry_costs_its_crossing_its_wait_and_a_transshipment_at_each_end():
    legs = [
        rail("beyneu", "aktau", 420.0, "KAZ"),
        LegFacts("aktau", "alat", Mode.FERRY, 480.0, ("KAZ", "AZE")),
        rail("alat", "tbilisi", 0.001, "AZE"),
    ]
    e = estimate(legs)
    kinds = sorted(p.kind for p in e.parts)
    assert kinds == sorted(
        ["rail line haul", "ferry crossing", "ferry wait", "transshipment", "rail line haul", "transshipment"]
    )
    lo = 420 / 54 + 22 + 1.0 * H + 2 * 1.0 * H  # crossing 22-24 h, wait 1-2.5 days, two transshipments 1-2.5 days
    hi = 420 / 42 + 24 + 2.5 * H + 2 * 2.5 * H + 0.001 / 42
    assert e.days_min == pytest.approx((lo + 0.001 / 54) / H)
    assert e.days_max == pytest.approx(hi / H)
    assert e.transshipments == 2
    # the sea crossing KAZ -> AZE is cleared at the ports: no border dwell
    assert not [p for p in e.parts if p.kind == "border"]
    # the ferry leg's own days: its crossing and its wait (the transshipments belong to the hubs)
    assert e.leg_days[1] == pytest.approx(((22 + 1.0 * H) / H, (24 + 2.5 * H) / H))


def test_kuryk_waits_less_than_the_default():
    kuryk = estimate([LegFacts("kuryk", "alat", Mode.FERRY, 400.0, ("KAZ", "AZE"))])
    wait = next(p for p in kuryk.parts if p.kind == "ferry wait")
    assert (wait.min_h, wait.max_h) == (0.4 * H, 1.0 * H)


def test_a_deep_sea_leg_through_suez_pays_calls_and_the_canal_and_uses_its_trade_lane_factor():
    km = 20_000.0
    e = estimate([LegFacts("shanghai", "rotterdam", Mode.SEA, km, ("CHN", "NLD"), via_suez=True)])
    fast, slow = 16.3 * 1.852, 13.7 * 1.852
    assert e.days_min == pytest.approx((km / fast + 12) / H + 2.5 * 2)
    assert e.days_max == pytest.approx((km / slow + 16) / H + 4.0 * 2)
    # Asia - North Europe lane: 46.9 g CO2e per TEU-km at 10 t per TEU
    assert e.co2e_kg_per_tonne == pytest.approx(km * 4.69 / 1000)
    assert e.co2e_kg_per_teu == pytest.approx(e.co2e_kg_per_tonne * 10)


def test_a_short_sea_leg_is_a_feeder_with_the_industry_average_factor():
    e = estimate([LegFacts("anzali", "astrakhan", Mode.SEA, 1_100.0, ("IRN", "RUS"))])
    assert [p.kind for p in e.parts] == ["sea line haul", "sailing wait"]  # Caspian feeders: 1-2.5 days
    assert e.days_max == pytest.approx(1_100 / (10 * 1.852) / H + 2.5)
    assert e.co2e_kg_per_tonne == pytest.approx(1_100 * 7.17 / 1000)
    # from a Black Sea port with a feeder a week or less, cargo waits for the sailing
    poti = estimate([LegFacts("poti", "constanta", Mode.SEA, 1_100.0, ("GEO", "ROU"))])
    assert [p.kind for p in poti.parts] == ["sea line haul", "sailing wait"]
    assert poti.days_max - e.days_max == pytest.approx(3.5 - 2.5)


def test_road_and_ferry_factors_are_well_to_wheel_per_tonne_km():
    road = estimate([LegFacts("a", "b", Mode.ROAD, 100.0, ("IRN",))])
    assert road.co2e_kg_per_tonne == pytest.approx(100 * 101.0 / 1000)
    ferry = estimate([LegFacts("a", "b", Mode.FERRY, 100.0, ("KAZ", "AZE"))])
    assert ferry.co2e_kg_per_tonne == pytest.approx(100 * 38.0 * 1.15 / 1000)
    assert "WTW" in M.short_scope and "10 t/TEU" in M.short_scope


def test_every_parameter_has_a_source_or_says_how_it_was_calibrated():
    data = tomllib.loads((resources.files("geo") / "data" / "transit.toml").read_text(encoding="utf-8"))

    def walk(node, path=""):
        if isinstance(node, dict):
            if "min" in node and "max" in node:
                yield path, node
            for k, v in node.items():
                yield from walk(v, f"{path}.{k}" if path else k)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, f"{path}[{i}]")

    params = list(walk(data))
    assert len(params) >= 15
    for path, p in params:
        assert p.get("sources") or p.get("calibrated"), path
        assert p.get("scope"), path
        assert p["max"] <= 2.5 * p["min"] or p["min"] == 0, path  # each range narrow enough to decide


def test_a_bad_parameter_file_names_the_file_the_field_and_the_value():
    text = (resources.files("geo") / "data" / "transit.toml").read_text(encoding="utf-8")
    bad = text.replace("[speed.rail]\nmin = 42.0", "[speed.rail]\nmin = -42.0", 1)
    with pytest.raises(CatalogError, match=r"^my\.toml: field 'speed\.rail\.min' = -42\.0: .*greater than or equal"):
        transit_model_from_toml(bad, "my.toml")
    swapped = text.replace("[speed.road]\nmin = 42.0\nmax = 53.0", "[speed.road]\nmin = 53.0\nmax = 42.0", 1)
    with pytest.raises(CatalogError, match=r"my\.toml: field 'speed\.road'.*min \(53\) is larger than max \(42\)"):
        transit_model_from_toml(swapped, "my.toml")
    unsourced = text.replace('calibrated = "calibrated on Poti', 'note = "x', 1)
    with pytest.raises(CatalogError, match=r"field 'speed\.sea_short'.*give 'sources'"):
        transit_model_from_toml(unsourced, "my.toml")
    with pytest.raises(CatalogError, match=r"my\.toml: not valid TOML"):
        transit_model_from_toml("[meta", "my.toml")


def test_the_calibration_table_in_the_docs_is_current_and_every_miss_is_explained():
    from pathlib import Path

    from geo.calibration import calibration_rows, calibration_table

    rows = calibration_rows()
    assert len(rows) >= 15
    docs = (Path(__file__).parents[1] / "docs" / "transit.md").read_text(encoding="utf-8")
    assert calibration_table() in docs, "regenerate: python -m geo.calibration, paste into docs/transit.md"
    for r in rows:
        t = r["target"]
        assert r["overlap"] or t.explain, f"{t.corridor} {t.from_hub} -> {t.to_hub}: a miss needs 'explain'"
        lo, hi = r["model"]
        assert hi <= 2.5 * lo
    assert sum(r["overlap"] for r in rows) >= len(rows) // 2


def test_every_catalog_corridor_has_a_days_range_at_most_two_and_a_half_times_wide():
    from geo.catalog import load_catalog
    from layers.frames import layers_from_catalog

    catalog = load_catalog()
    corridors = layers_from_catalog(catalog, catalog.select(None)).corridors
    assert (corridors["days_min"] > 0).all()
    assert (corridors["days_max"] <= 2.5 * corridors["days_min"]).all(), corridors[["corridor_id", "days_min"]]
    assert ((corridors["co2e_kg_per_teu"] - 10 * corridors["co2e_kg_per_tonne"]).abs() <= 1).all()
