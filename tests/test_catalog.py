"""The embedded catalog: the ids other corridors and users rely on, sources, and lines that make sense."""

from __future__ import annotations

import pytest
import shapely

from geo.geometry import GeometryBuilder
from geo.sea import VOLGA_DON
from layers.frames import layers_from_catalog

CORRIDORS = [
    "middle-corridor", "middle-corridor-black-sea", "baku-tbilisi-kars", "northern-route", "instc-west",
    "instc-caspian", "instc-east", "zangezur", "suez-sea", "kuryk-alat", "alat-turkmenbashi", "aras-corridor",
]  # fmt: skip
HUBS = [
    "xian",
    "khorgos",
    "dostyk",
    "almaty",
    "beyneu",
    "aktau",
    "kuryk",
    "alat",
    "baku",
    "tbilisi",
    "akhalkalaki",
    "kars",
    "istanbul",
    "poti",
    "batumi",
    "constanta",
    "moscow",
    "brest",
    "duisburg",
    "astrakhan",
    "makhachkala",
    "yalama",
    "astara",
    "rasht",
    "qazvin",
    "tehran",
    "bandar-abbas",
    "nhava-sheva",
    "anzali",
    "horadiz",
    "meghri",
    "nakhchivan",
    "igdir",
    "shanghai",
    "rotterdam",
]


@pytest.fixture(scope="module")
def layers(catalog):
    return layers_from_catalog(catalog, catalog.select(None), geometry_of=GeometryBuilder(catalog.hubs))


def test_ids(catalog):
    assert list(catalog.corridors) == CORRIDORS
    assert set(HUBS) <= set(catalog.hubs)


@pytest.mark.parametrize("corridor_id", CORRIDORS)
def test_corridor(catalog, layers, corridor_id):
    corridor = catalog.corridors[corridor_id]
    assert corridor.sources and corridor.summary
    mine = layers.for_corridor(corridor_id)
    assert len(mine.legs) == len(corridor.legs)
    for leg in mine.legs.itertuples():
        line = mine.legs.geometry[leg.Index]
        if leg.mode in ("sea", "ferry"):
            assert not shapely.intersects(line, VOLGA_DON)
        if leg.published_km == leg.published_km:  # not NaN
            if leg.method == "great-circle":
                # a straight line cannot be longer than the track (5 % for coordinate uncertainty)...
                assert leg.length_km <= 1.05 * leg.published_km, leg
                # ...nor much shorter, except for very short legs where hub points are coarse
                assert leg.length_km >= 0.6 * leg.published_km or leg.published_km < 20, leg
            elif (leg.from_hub, leg.to_hub) == ("astara", "astara-iran"):
                # gap-fill track whose border bridge and stations are not published: 4 km against 8–12 (known short)
                assert 3 < leg.length_km < leg.published_km, leg
            else:
                assert leg.length_km == pytest.approx(leg.published_km, rel=0.05), leg


def test_hub_kinds_and_sources(catalog):
    for hub in catalog.hubs.values():
        assert hub.sources, hub.id
    assert catalog.hubs["aktau"].kind == "sea_port"
    assert catalog.hubs["astara"].country == "AZE"
    assert catalog.hubs["meghri"].country == "ARM"


def test_middle_corridor_shape(layers):
    row = layers.corridors.set_index("corridor_id").loc["middle-corridor"]
    assert row["countries"] == "CHN,KAZ,AZE,GEO,TUR"
    assert row["ferry_km"] > 400  # the Caspian crossing
    # Xi'an to Istanbul: at least the great circle (about 6,100 km), at most a generous detour
    assert 6_100 < row["length_km"] < 10_000


def test_zangezur_crosses_armenia(layers):
    row = layers.corridors.set_index("corridor_id").loc["zangezur"]
    assert row["countries"] == "AZE,ARM,TUR" and row["border_crossings"] == 3
    assert row["planned_km"] > 0 and row["under_construction_km"] > 0


def test_operational_land_legs_follow_the_network(catalog, layers):
    """Issue 3's bar: on-network share >= 0.9, or an exception the catalog documents.

    Issue 9: sourced gap-fill track counts towards the bar when the leg says so (its ``gapfill_source``).
    """
    legs = layers.legs
    for c in catalog.corridors.values():
        for seq, leg in enumerate(c.legs, start=1):
            if leg.mode.is_water or leg.status != "operational":
                continue
            row = legs[(legs["corridor_id"] == c.id) & (legs["seq"] == seq)].iloc[0]
            where = f"{c.id} leg {seq} {leg.from_hub} -> {leg.to_hub}"
            if leg.routing == "great-circle":
                assert (row["method"] == "great-circle" and "Routing" in (leg.notes + "")) or leg.notes, where
                continue
            assert row["method"] == f"{leg.mode} network", where
            documented = leg.max_snap_km is not None or row["length_km"] < 20  # short legs: a 2 km snap is 10 %
            assert (row["gapfill_km"] > 0) == bool(row["gapfill_source"]), where
            share = (row["network_km"] + row["gapfill_km"]) / row["length_km"]
            assert share >= 0.9 or documented, (where, share)
            assert share >= 0.8, (where, share)


def test_planned_legs_stay_straight_and_flagged(layers):
    unbuilt = layers.legs[layers.legs["status"] != "operational"]
    assert len(unbuilt) and set(unbuilt["method"]) == {"great-circle"}
    assert (unbuilt["on_network_share"] == 0).all()
