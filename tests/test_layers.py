"""Layers as GeoDataFrames, and the files written from them, read back with pyogrio."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pyogrio
import pytest
import shapely
import shapely.geometry

from geo.errors import CatalogError
from geo.metrics import corridor_figures
from geo.model import Fact, Source
from layers.frames import CORRIDOR_COLUMNS, HUB_COLUMNS, LEG_COLUMNS
from layers.geojson import rejoin_antimeridian, rfc7946_geometry, write_geojson
from layers.io import write_attribution, write_geopackage
from layers.provenance import (
    citations,
    facts_from_json,
    facts_to_json,
    provenance_from_text,
    provenance_to_text,
    sources_from_text,
    sources_to_text,
)
from layers.read import read_layers


def test_frames(mini_layers):
    hubs, legs, corridors = mini_layers.hubs, mini_layers.legs, mini_layers.corridors
    assert list(hubs.columns) == [*HUB_COLUMNS, "geometry"]
    assert list(legs.columns) == [*LEG_COLUMNS, "geometry"]
    assert list(corridors.columns) == [*CORRIDOR_COLUMNS, "geometry"]
    assert all(f.crs.to_epsg() == 4326 for f in (hubs, legs, corridors))
    assert list(hubs["hub_id"]) == ["t-aktau", "t-alat", "t-tbilisi", "t-kars"]
    assert list(legs["seq"]) == [1, 2, 3]
    assert list(legs["method"]) == ["searoute", "rail network", "great-circle"]
    assert set(legs.geom_type) == {"LineString"} and set(corridors.geom_type) == {"MultiLineString"}
    row = corridors.iloc[0]
    assert row["length_km"] == pytest.approx(legs["length_km"].sum(), abs=0.01)
    assert row["ferry_km"] == pytest.approx(legs["length_km"].iloc[0], abs=0.01)
    assert row["rail_km"] == pytest.approx(legs["length_km"].iloc[1:].sum(), abs=0.01)
    assert row["planned_km"] == pytest.approx(legs["length_km"].iloc[2], abs=0.01)
    # the planned Tbilisi–Kars leg is a straight line: it crosses Armenia, and says so
    assert row["countries"] == "KAZ,AZE,GEO,ARM,TUR" and row["border_crossings"] == 4
    assert legs["published_km"].iloc[1] == 550 and np.isnan(legs["published_km"].iloc[0])


def test_geopackage_round_trip(mini_layers, tmp_path):
    path = write_geopackage(mini_layers, tmp_path / "corridors.gpkg")
    assert [name for name, _ in pyogrio.list_layers(path)][:3] == ["hubs", "legs", "corridors"]  # then sources, styles
    for name, frame in [("hubs", mini_layers.hubs), ("legs", mini_layers.legs), ("corridors", mini_layers.corridors)]:
        back = pyogrio.read_dataframe(path, layer=name)
        assert back.crs.to_epsg() == 4326
        assert len(back) == len(frame)
        assert list(back.columns) == list(frame.columns)
        assert shapely.equals_exact(back.geometry.values, frame.geometry.values, tolerance=1e-9).all()
        info = pyogrio.read_info(path, layer=name)
        assert info["geometry_type"] in {"Point", "LineString", "MultiLineString"}
    back = pyogrio.read_dataframe(path, layer="legs")
    assert back["status"].tolist() == mini_layers.legs["status"].tolist()
    meta = pyogrio.read_info(path, layer="hubs")["dataset_metadata"]
    assert "searoute" in meta["attribution"] and meta["generator"].startswith("corridor-mapper")
    # GeoPackage 1.2 (application_id GPKG, user_version 10200) so QGIS 3.22 and GDAL 3.6 open it silently
    head = path.read_bytes()[:100]
    assert head[68:72] == b"GPKG" and int.from_bytes(head[60:64], "big") == 10200


def test_geojson_follows_rfc7946(mini_layers, tmp_path):
    path = write_geojson(mini_layers, tmp_path / "c.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    kinds = [f["properties"]["feature"] for f in doc["features"]]
    assert kinds == ["corridor"] + ["hub"] * 4 + ["leg"] * 3
    coords = [
        c
        for f in doc["features"]
        if (f["geometry"] or {}).get("type") == "LineString"
        for c in f["geometry"]["coordinates"]
    ]
    assert all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in coords)
    assert all(round(v, 6) == v for xy in coords for v in xy)
    back = pyogrio.read_dataframe(path)
    assert len(back) == 8 and back.crs.to_epsg() == 4326
    # same input, same bytes
    assert write_geojson(mini_layers, tmp_path / "d.geojson").read_bytes() == path.read_bytes()


def test_rfc7946_cuts_lines_at_the_antimeridian():
    line = shapely.LineString([(170.0, 10.0), (185.0, 20.0), (200.0, 30.0)])
    geom = rfc7946_geometry(line)
    assert geom["type"] == "MultiLineString"
    west, east = geom["coordinates"]
    assert west[0] == [170.0, 10.0] and west[-1] == [180.0, pytest.approx(16.666667)]
    assert east[0] == [-180.0, pytest.approx(16.666667)] and east[-1] == [-160.0, 30.0]
    assert rfc7946_geometry(shapely.LineString([(10, 1), (20, 2)]))["type"] == "LineString"
    assert rfc7946_geometry(shapely.Point(190.0, 5.0))["coordinates"] == [-170.0, 5.0]


def test_rejoin_undoes_the_antimeridian_cut():
    line = shapely.LineString([(170.0, 10.0), (185.0, 20.0), (200.0, 30.0)])
    cut = shapely.geometry.shape(rfc7946_geometry(line))
    back = rejoin_antimeridian(cut)
    assert back.geom_type == "LineString" and shapely.hausdorff_distance(back, line) < 1e-6
    apart = shapely.MultiLineString([[(0, 0), (1, 1)], [(5, 5), (6, 6)]])  # not a cut line: left as it is
    assert rejoin_antimeridian(apart) is apart and rejoin_antimeridian(line) is line


def test_attribution_file(mini_layers, tmp_path):
    text = write_attribution(mini_layers, tmp_path / "ATTRIBUTION").read_text(encoding="utf-8")
    assert "searoute" in text and "UN/LOCODE" in text


# --- sources and facts: typed in the frames, text in the files ------------------------------------

SOURCES = (Source(text="UN/LOCODE KZ AAU"), Source(text="portnews.ru 346384", url="https://portnews.ru/news/346384/"))


def test_frames_hold_typed_sources_and_facts(mini_layers):
    hubs, legs, corridors = mini_layers.hubs, mini_layers.legs, mini_layers.corridors
    assert hubs["source"].iloc[0] == (Source(text="UN/LOCODE KZ AAU"),)
    (fact,) = hubs.set_index("hub_id").loc["t-alat", "facts"]
    assert isinstance(fact, Fact) and fact.sources[0].url == "https://portnews.ru/news/346384/"
    assert list(legs["published_source"]) == [(), (Source(text="made up for the test"),), ()]
    assert corridors["source"].iloc[0] == (Source(text="tests"),) and corridors["facts"].iloc[0] == ()


def test_sources_as_text_and_back():
    text = sources_to_text(SOURCES)
    assert text == "UN/LOCODE KZ AAU; portnews.ru 346384 <https://portnews.ru/news/346384/>"
    assert sources_from_text(text) == SOURCES
    assert sources_from_text("") == () and sources_from_text(None) == () and sources_to_text(()) == ""
    assert sources_from_text("<https://example.org/a>") == (
        Source(text="https://example.org/a", url="https://example.org/a"),
    )
    with pytest.raises(TypeError, match="not text"):
        sources_to_text("UN/LOCODE KZ AAU")
    # several citations in one text (a catalog's published_km_source): one Source each, as the files read back
    assert citations([Source(text="a 2022; b", url="https://b.example/"), None]) == (
        Source(text="a 2022"),
        Source(text="b", url="https://b.example/"),
    )


def test_facts_as_json_and_back():
    facts = (Fact(text="15 Mt, ≈ 100,000 TEU", sources=list(SOURCES)),)
    text = facts_to_json(facts)
    assert json.loads(text) == [{"text": "15 Mt, ≈ 100,000 TEU", "sources": [str(s) for s in SOURCES]}]
    assert "≈" in text  # not escaped: the files are UTF-8
    assert facts_from_json(text) == facts and facts_from_json("") == () and facts_to_json(()) == ""
    for bad, match in [
        ("[{", "not JSON"),
        ('{"text": "x"}', "not a JSON list"),
        ('[{"text": "x", "sources": []}]', "sources"),
    ]:
        with pytest.raises(ValueError, match=match):
            facts_from_json(bad)


def test_provenance_columns_to_text_and_back(mini_layers):
    for frame in (mini_layers.hubs, mini_layers.legs, mini_layers.corridors):
        text = provenance_to_text(frame)
        assert all(isinstance(v, str) for c in ("source", "facts", "published_source") if c in text for v in text[c])
        back = provenance_from_text(text)
        for column in ("source", "facts", "published_source"):
            if column in frame:
                assert list(back[column]) == list(frame[column]), column


def _tables(path):
    with sqlite3.connect(path) as db:
        return {t: db.execute(f'SELECT * FROM "{t}"').fetchall() for t in ("hubs", "legs", "corridors", "sources")}


def _same_provenance(back, layers):
    for name in ("hubs", "legs", "corridors"):
        for column in ("source", "facts", "published_source"):
            if column in getattr(layers, name):
                assert list(getattr(back, name)[column]) == list(getattr(layers, name)[column]), (name, column)


def test_geojson_read_back_gives_the_same_sources_and_facts(mini_layers, tmp_path):
    _same_provenance(read_layers(write_geojson(mini_layers, tmp_path / "t-caspian.geojson")), mini_layers)


def test_geopackage_read_back_gives_the_same_typed_layers_and_file(mini_layers, tmp_path):
    first = write_geopackage(mini_layers, tmp_path / "first.gpkg")
    back = read_layers(first)
    _same_provenance(back, mini_layers)
    second = write_geopackage(back, tmp_path / "second.gpkg")
    assert _tables(second) == _tables(first)
    assert second.read_bytes() == first.read_bytes()  # dates included (layers.io.GPKG_DATE)


def test_reading_an_edited_fact_that_is_not_json_names_the_cell(mini_layers, tmp_path):
    path = tmp_path / "corridors.gpkg"
    hubs = provenance_to_text(mini_layers.hubs)
    hubs.loc[hubs["hub_id"] == "t-alat", "facts"] = '[{"text": broken'  # as a user might leave it in QGIS
    layers = {"hubs": hubs, "legs": provenance_to_text(mini_layers.legs)}
    layers["corridors"] = provenance_to_text(mini_layers.corridors)
    for i, (name, frame) in enumerate(layers.items()):
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=i > 0)
    with pytest.raises(CatalogError) as err:
        read_layers(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: layer 'hubs', hub_id 't-alat': facts '[{{\"text\": broken': not JSON (")
    assert message.endswith(
        "write sources as 'text <https://...>; text' and facts as the JSON list `corridors build` writes"
    )


# --- corridor figures: one function, for a build and for layers read back -------------------------


def test_corridor_figures_from_legs(mini_layers):
    figures = corridor_figures(mini_layers.legs)
    row = mini_layers.corridors.iloc[0]
    assert figures == {k: row[k] for k in figures}
    assert figures["countries"] == "KAZ,AZE,GEO,ARM,TUR" and figures["border_crossings"] == 4 and figures["n_legs"] == 3


def test_read_back_figures_follow_edited_legs(mini_layers, tmp_path):
    path = tmp_path / "corridors.gpkg"
    legs = provenance_to_text(mini_layers.legs)
    legs = legs[legs["seq"] < 3].copy()  # the planned leg deleted, the rail leg's countries edited
    legs.loc[legs["seq"] == 2, "countries"] = "AZE,ARM,GEO"
    hubs = provenance_to_text(mini_layers.hubs)
    layers = {
        "hubs": hubs[hubs["hub_id"] != "t-kars"],
        "legs": legs,
        "corridors": provenance_to_text(mini_layers.corridors),
    }
    for i, (name, frame) in enumerate(layers.items()):
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=i > 0)
    back = read_layers(path)
    row = back.corridors.iloc[0]
    assert row["countries"] == "KAZ,AZE,ARM,GEO" and row["border_crossings"] == 3 and row["n_legs"] == 2
    assert row["planned_km"] == 0 and row["length_km"] == pytest.approx(back.legs["length_km"].sum(), abs=0.01)
    assert corridor_figures(back.legs) == {k: row[k] for k in corridor_figures(back.legs)}
