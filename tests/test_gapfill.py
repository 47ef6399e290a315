"""Gap-fill track: the shipped file, merging lines into tiny networks built in code, the figures, the cache key."""

from __future__ import annotations

import numpy as np
import pytest

from geo import network_data
from geo.errors import CatalogError
from geo.gapfill import GAPFILL_ATTRIBUTION, gapfill_digest, load_gapfill
from geo.geodesy import distance_km
from geo.leg_geometry import LegGeometry
from geo.model import Source
from geo.network_data import load_network, merge_gapfill
from geo.routing import route_points

SOURCE = '{ text = "a test source", url = "https://example.org/line" }'


def line_toml(key: str, points: list[tuple[float, float]], *, replaces: str = "", extra: str = "") -> str:
    pts = ",\n".join(f'  {{ lat = {lat}, lon = {lon}, source = "test point" }}' for lat, lon in points)
    return (
        f'[lines.{key}]\nname = "Test line {key}"\nmode = "rail"\nopened = "2020-01-01"\naccuracy_km = 1.0\n'
        f"sources = [{SOURCE}]\n{replaces}\n{extra}\npoints = [\n{pts}\n]\n"
    )


@pytest.fixture
def gapfill_file(tmp_path):
    def write(text: str):
        path = tmp_path / "gapfill.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_shipped_lines_are_sourced():
    lines = load_gapfill()
    assert {line.id for line in lines} >= {"kti-north", "mangyshlak-uzen", "lankaran-astara", "btk-kartsakhi"}
    for line in lines:
        assert line.sources and line.accuracy_km > 0 and line.mode == "rail"
        assert all(p.source for p in line.points)
    kti = next(line for line in lines if line.id == "kti-north")
    assert kti.accuracy_km == 20.0 and "APPROXIMATE" in kti.notes
    assert kti.replaces == ((43.68, 51.313, 40.843, 55.117),)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("accuracy_km = 1.0\n", ""), r"line 'a': field 'accuracy_km' is missing: add it"),
        (lambda t: t.replace('mode = "rail"', 'mode = "rial"'), r"line 'a': field 'mode' = .*rial.*: unknown"),
        (
            lambda t: t.replace("lat = 0.0,", "lat = 95.0,", 1),
            r"line 'a': field 'points\[1\]\.lat' = 95.0: Input should be less than or equal to 90",
        ),
        (lambda t: t.replace('opened = "2020-01-01"', 'opened = "2020"'), r"field 'opened' = .*ISO date"),
        (lambda t: "foo = 1\n" + t, r"unknown top-level table 'foo'"),
        (lambda t: t + "foo = 1\n", r"line 'a': unknown field 'foo': remove it or fix its spelling"),
        (lambda t: t.replace("[lines.a]", "[lines.a"), r"not valid TOML"),
    ],
)
def test_bad_files_get_one_line_errors(gapfill_file, edit, message):
    path = gapfill_file(edit(line_toml("a", [(0.0, 0.0), (0.0, 0.1)])))
    with pytest.raises(CatalogError, match=message) as info:
        load_gapfill(path)
    assert all("\n" not in p and str(path) in p for p in info.value.problems)


def two_lines():
    """Two rail lines on the equator, lon 0-0.1 and 0.5-0.6 (nodes 0-2 and 3-5), not joined."""
    lon = np.array([0.0, 0.05, 0.1, 0.5, 0.55, 0.6])
    lat = np.zeros(6)
    pairs = np.array([[0, 1], [1, 2], [3, 4], [4, 5]])
    return lon, lat, pairs


def test_gapfill_line_joins_two_components(gapfill_file):
    lon, lat, pairs = two_lines()
    path = gapfill_file(line_toml("bridge", [(0.001, 0.1), (0.05, 0.3), (0.001, 0.5)]))
    net = merge_gapfill("rail", lon, lat, pairs, gapfill=path)
    assert net.components()[0] == 1
    labels = net.gapfill_labels()
    assert set(labels.tolist()) == {-1, 0}
    assert labels.dtype == np.int16 and len(labels) == net.graph.nnz
    # split like the network: no gap-fill edge longer than the densify step
    assert net.graph.data[labels == 0].max() <= network_data.DENSIFY_KM + 1e-9
    # the line's ends join the lines' end nodes by short flagged connectors
    assert net.connector.sum() == 4 and net.graph.data[net.connector].max() < 0.2
    routed = route_points(net, [(0.0, 0.0), (0.6, 0.0)], ["west", "east"])
    fill_km = distance_km(0.1, 0.001, 0.3, 0.05) + distance_km(0.3, 0.05, 0.5, 0.001)
    assert routed.gapfill_km == pytest.approx(fill_km, rel=1e-6)
    assert routed.network_km == pytest.approx(2 * distance_km(0.0, 0.0, 0.1, 0.0), rel=1e-6)
    assert routed.gapfill_lines == (0,)
    total = routed.network_km + routed.gapfill_km + routed.connector_km + routed.snap_km
    assert routed.on_network_share == pytest.approx(routed.network_km / total)


def test_replaced_edge_is_dropped(gapfill_file):
    # one long straight edge (0,0)-(1,0); the gap-fill line bends north of it and replaces it
    lon, lat, pairs = np.array([0.0, 1.0]), np.array([0.0, 0.0]), np.array([[0, 1]])
    text = line_toml("bend", [(0.0, 0.0), (0.3, 0.5), (0.0, 1.0)], replaces="replaces = [[0.004, 1.002, 0.0, 0.0]]")
    net = merge_gapfill("rail", lon, lat, pairs, gapfill=gapfill_file(text))
    assert (net.gapfill_labels() == 0).sum() == 2 * (net.n_edges - 2)  # all edges but the two end connectors
    routed = route_points(net, [(0.0, 0.0), (1.0, 0.0)], ["a", "b"])
    assert routed.coords[:, 1].max() == pytest.approx(0.3)  # over the bend, not the straight edge
    assert routed.network_km == 0 and routed.gapfill_km > 111


def test_replaces_that_matches_nothing_is_named(gapfill_file):
    lon, lat, pairs = two_lines()
    text = line_toml("a", [(0.0, 0.1), (0.0, 0.5)], replaces="replaces = [[5.0, 5.0, 6.0, 6.0]]")
    with pytest.raises(CatalogError, match=r"replaces = \[5.0, 5.0, 6.0, 6.0\] matches no network edge within 1 km"):
        merge_gapfill("rail", lon, lat, pairs, gapfill=gapfill_file(text))


SCGRAPH_MODULE = """graph=[{1: 1.1}, {0: 1.1}, {3: 1.1}, {2: 1.1}]
nodes=[[0.0, 0.0], [0.0, 0.01], [0.0, 0.5], [0.0, 0.51]]
"""


def test_cache_key_changes_with_the_gapfill_file(tmp_path, monkeypatch, gapfill_file):
    source = tmp_path / "world_railways.py"
    source.write_text(SCGRAPH_MODULE, encoding="utf-8")
    monkeypatch.setattr(network_data, "_source_file", lambda kind: (source, "9.9", "abc123"))
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(tmp_path / "cache"))
    path = gapfill_file(line_toml("a", [(0.0, 0.01), (0.0, 0.5)]))
    monkeypatch.setattr(network_data, "GAPFILL_FILE", path)
    first = network_data._cache_path("rail", "9.9", "abc123")
    net = load_network("rail")
    assert net.components()[0] == 1 and (net.gapfill_labels() == 0).any()
    steps = []
    assert load_network("rail", progress=lambda *a: steps.append(a)).components()[0] == 1 and not steps  # cached
    digest = gapfill_digest(path)
    path.write_text(line_toml("a", [(0.0, 0.01), (0.2, 0.3), (0.0, 0.5)]), encoding="utf-8")
    assert gapfill_digest(path) != digest
    assert network_data._cache_path("rail", "9.9", "abc123") != first
    assert network_data._cache_path("road", "9.9", "abc123").name.count("gapfill") == 0
    again = load_network("rail", progress=lambda *a: steps.append(a))
    assert steps and again.lat.max() == pytest.approx(0.2)  # rebuilt with the edited line
    assert [p.name for p in (tmp_path / "cache").glob("rail-*.npz")] == [
        network_data._cache_path("rail", "9.9", "abc123").name
    ]


def test_legs_layer_carries_gapfill_figures_and_sources(mini_catalog, tmp_path):
    from layers.frames import layers_from_catalog
    from layers.io import write_geopackage
    from layers.read import read_layers

    fill = (Source(text="gap-fill line source", url="https://example.org/gf"),)

    def geometry_of(leg):
        coords = np.array([[mini_catalog.hubs[leg.from_hub].lon, mini_catalog.hubs[leg.from_hub].lat],
                           [mini_catalog.hubs[leg.to_hub].lon, mini_catalog.hubs[leg.to_hub].lat]])  # fmt: skip
        total = LegGeometry(coords, "rail network").length_km
        extras = {"network_km": 0.25 * total, "gapfill_km": 0.75 * total, "gapfill_sources": fill}
        return LegGeometry(coords, "rail network", ("OSM", GAPFILL_ATTRIBUTION), extras)

    layers = layers_from_catalog(mini_catalog, mini_catalog.select(None), geometry_of=geometry_of)
    legs = layers.legs
    assert (legs["gapfill_km"] > 0).all() and all(s == fill for s in legs["gapfill_source"])
    assert legs["on_network_share"].round(2).eq(0.25).all()  # gap-fill km are not on the shipped network
    assert GAPFILL_ATTRIBUTION in layers.attribution
    back = read_layers(write_geopackage(layers, tmp_path / "new.gpkg")).legs
    assert list(back["gapfill_source"]) == list(legs["gapfill_source"])
    assert back["gapfill_km"].tolist() == legs["gapfill_km"].tolist()
    from layers.kml import write_kml
    from layers.provenance import attribution_lines, licence_lines

    kml = write_kml(layers, tmp_path / "c.kml").read_text(encoding="utf-8")
    assert "Gap-fill track" in kml and "gap-fill line source" in kml
    assert any("digitised by corridor-mapper" in line for line in licence_lines(attribution_lines(layers)))
    # a file written before the columns existed reads with no gap-fill
    old = type(layers)(layers.hubs, legs.drop(columns=["gapfill_km", "gapfill_source"]), layers.corridors)
    before = read_layers(write_geopackage(old, tmp_path / "old.gpkg")).legs
    assert (before["gapfill_km"] == 0).all() and all(s == () for s in before["gapfill_source"])


@pytest.mark.network
def test_real_network_uzen_to_bereket_stays_on_land():
    import shapely

    from geo.countries import country_outlines
    from geo.gapfill import shipped_gapfill
    from geo.network_data import prepared_network

    net = prepared_network("rail")
    path = route_points(net, [(52.86, 43.34), (55.52, 39.24)], ["uzen", "bereket"])
    ids = [shipped_gapfill()[i].id for i in path.gapfill_lines]
    assert ids == ["kti-north"] and path.gapfill_km > 300
    outlines = country_outlines()
    land = shapely.union_all([outlines["KAZ"], outlines["TKM"]]).buffer(0.02)  # ~2 km for the coastline
    line = shapely.LineString(path.coords)
    assert shapely.difference(line, land).length == pytest.approx(0, abs=1e-9)  # not over the Kara-Bogaz-Gol
    # and the superseded 445 km straight edge is gone: no step longer than the densify step
    steps = distance_km(path.coords[:-1, 0], path.coords[:-1, 1], path.coords[1:, 0], path.coords[1:, 1])
    assert steps.max() <= network_data.DENSIFY_KM + 1e-6
