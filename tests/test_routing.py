"""Routing on networks: synthetic graphs built in code (exact answers), and the real rail network."""

from __future__ import annotations

import numpy as np
import pytest

from geo import network_data
from geo.errors import NetworkError
from geo.geodesy import GEOD
from geo.heal import densify_edges, heal
from geo.network import CONNECTOR_PENALTY, network_from_edges
from geo.network_data import load_network
from geo.routing import route_points, shortest_path, snap

KM_PER_DEG = 111.195  # on the equator, roughly: tests use tiny offsets near (0, 0)


def line_network(xs, ys=None, *, name="rail"):
    """Nodes along a line at longitudes xs (latitude ys or 0), joined in order."""
    xs = np.asarray(xs, dtype=float)
    ys = np.zeros_like(xs) if ys is None else np.asarray(ys, dtype=float)
    idx = np.arange(len(xs))
    return network_from_edges(name, xs, ys, idx[:-1], idx[1:])


def grid_network():
    """A 3x3 grid, 0.1 degree apart (about 11 km), nodes numbered row by row:

    6 7 8
    3 4 5
    0 1 2
    """
    lon = np.tile([0.0, 0.1, 0.2], 3)
    lat = np.repeat([0.0, 0.1, 0.2], 3)
    a = [0, 1, 3, 4, 6, 7, 0, 3, 1, 4, 2, 5]
    b = [1, 2, 4, 5, 7, 8, 3, 6, 4, 7, 5, 8]
    return network_from_edges("rail", lon, lat, a, b)


def test_edges_are_geodesic_deduplicated_and_loop_free():
    net = network_from_edges("rail", [0.0, 1.0], [0.0, 0.0], [0, 0, 1, 0], [1, 1, 0, 0], km=[5.0, 3.0, 4.0, 0.0])
    assert net.n_edges == 1 and net.graph[0, 1] == 3.0  # shortest of the parallel edges, no self-loop
    net = network_from_edges("rail", [0.0, 1.0], [0.0, 0.0], [0], [1])
    assert net.graph[0, 1] == pytest.approx(111.319, abs=0.001)


def test_densify_splits_long_edges_only():
    lon, lat, a, b = densify_edges(
        np.array([0.0, 1.0, 1.01]), np.zeros(3), np.array([0, 1]), np.array([1, 2]), max_km=30
    )
    assert len(lon) == 3 + 3  # 111 km -> 4 pieces of ~28 km; the 1 km edge stays
    net = network_from_edges("rail", lon, lat, a, b)
    path = shortest_path(net, 0, 2)
    assert list(path) == [0, 3, 4, 5, 1, 2]
    assert np.allclose(lon[[3, 4, 5]], [0.25, 0.5, 0.75])


def test_shortest_path_on_a_grid():
    net = grid_network()
    assert list(shortest_path(net, 0, 8)) in (
        [0, 1, 2, 5, 8],
        [0, 1, 4, 5, 8],
        [0, 1, 4, 7, 8],
        [0, 3, 4, 5, 8],
        [0, 3, 4, 7, 8],
        [0, 3, 6, 7, 8],
    )
    assert list(shortest_path(net, 4, 4)) == [4]
    # the limit only speeds the search up: the answer is the same
    assert list(shortest_path(net, 0, 2, limit_km=1.0)) == [0, 1, 2]


def test_route_through_via_point_and_figures():
    net = grid_network()
    start, via, end = (0.0, -0.01), (0.2, 0.2), (0.0, 0.2)
    path = route_points(net, [start, via, end], ["a", "via", "b"], max_snap_km=5)
    assert list(path.nodes) == [0, 1, 2, 5, 8, 7, 6] or list(path.nodes)[-3:] == [8, 7, 6]
    assert tuple(path.coords[0]) == start and tuple(path.coords[-1]) == end
    assert path.snap_km == pytest.approx(0.01 * 110.57, rel=0.01)  # start is 0.01 deg south of node 0
    assert path.connector_km == 0
    assert path.network_km == pytest.approx(6 * 11.1, rel=0.01)
    assert path.on_network_share == pytest.approx(path.network_km / (path.network_km + path.snap_km))


def test_snap_too_far_names_point_and_distance():
    net = grid_network()
    with pytest.raises(
        NetworkError, match=r"kars is 111 km from the nearest rail line \(the limit is 25 km\): add a via point"
    ):
        route_points(net, [(0.0, 0.0), (0.0, -1.0)], ["tbilisi", "kars"], max_snap_km=25)


def test_disconnected_parts_are_named():
    net = network_from_edges("rail", [0.0, 0.01, 1.0, 1.01], [0.0] * 4, [0, 2], [1, 3])
    with pytest.raises(
        NetworkError,
        match=r"a \(nearest line 0\.0 km\), b \(nearest line 0\.0 km\) lie on parts of the rail network that the data does not connect",
    ):
        route_points(net, [(0.0, 0.0), (1.01, 0.0)], ["a", "b"], max_snap_km=25)


def test_snap_prefers_the_component_all_points_reach():
    # a tiny fragment right next to the start, and the real line a bit farther
    lon = [0.0, 0.001, 0.0, 0.5]
    lat = [0.001, 0.001, 0.03, 0.03]
    net = network_from_edges("rail", lon, lat, [0, 2], [1, 3])
    snaps = snap(net, [(0.0, 0.0), (0.5, 0.03)], ["a", "b"], max_snap_km=10)
    assert [s.node for s in snaps] == [2, 3]


def test_heal_joins_components_within_radius_and_flags_connectors():
    lon = np.array([0.0, 0.01, 0.025, 0.035])  # gap of 0.015 deg = 1.67 km between nodes 1 and 2
    net = network_from_edges("rail", lon, np.zeros(4), [0, 2], [1, 3])
    assert net.components()[0] == 2
    assert heal(net, 1.0, gap_km=0).components()[0] == 2
    healed = heal(net, 2.0, gap_km=0)
    assert healed.components()[0] == 1
    assert healed.connector.sum() == 2  # one undirected edge, stored both ways
    path = route_points(healed, [(0.0, 0.0), (0.035, 0.0)], ["a", "b"])
    assert path.connector_km == pytest.approx(1.67, abs=0.01)


def test_heal_joins_a_broken_line_inside_one_component():
    # 0-1   2-3 is a line broken at 1..2 (5.6 km), but 0 and 3 are also joined by a long loop via 4
    lon = np.array([0.0, 0.1, 0.15, 0.25, 0.125])
    lat = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    net = network_from_edges("rail", lon, lat, [0, 2, 0, 4], [1, 3, 4, 3])
    assert net.components()[0] == 1
    before = route_points(net, [(0.1, 0.0), (0.15, 0.0)], ["a", "b"])
    assert before.network_km > 200  # around the loop
    healed = heal(net, 2.0, gap_km=10.0)  # 1 and 2 are line ends 5.6 km apart
    after = route_points(healed, [(0.1, 0.0), (0.15, 0.0)], ["a", "b"])
    assert list(after.nodes) == [1, 2] and after.connector_km == pytest.approx(5.56, abs=0.05)
    assert heal(net, 2.0, gap_km=5.0).connector.sum() == 0  # beyond the gap radius


def test_heal_leaves_nodes_already_joined_nearby():
    net = line_network([0.0, 0.005, 0.01, 0.015])  # a line of 0.55 km steps: its ends are joined by it
    assert heal(net, 2.0, gap_km=20.0).connector.sum() == 0


def test_connectors_cost_more_than_track():
    # a -- 10 km connector -- b, or a -- 15 km of track -- b: track wins because 15 < 10 * penalty
    lon = np.array([0.0, 0.0899, 0.045])
    lat = np.array([0.0, 0.0, 0.06])
    net = network_from_edges(
        "rail", lon, lat, [0, 0, 2], [1, 2, 1], km=[10.0, 7.5, 7.5], connector=[True, False, False]
    )
    assert CONNECTOR_PENALTY * 10.0 > 15.0
    assert list(shortest_path(net, 0, 1)) == [0, 2, 1]


def test_without_nodes_removes_their_edges():
    net = grid_network()
    mask = np.zeros(net.n_nodes, dtype=bool)
    mask[[1, 4, 7]] = True  # cut the middle column
    cut = net.without_nodes(mask)
    assert shortest_path(cut, 0, 2) is None
    assert cut.connector.shape == (cut.graph.nnz,)
    assert list(shortest_path(net, 0, 2)) == [0, 1, 2]


SCGRAPH_MODULE = """from scgraph.core import GeoGraph
graph=[{1: 1.1, 0: 0.0}, {0: 1.1, 2: 1.1}, {1: 1.1}]
nodes=[[0.0, 0.0], [0.0, 0.01], [0.0, 0.02]]
world_railways_geograph = GeoGraph(graph=graph, nodes=nodes)
"""


def test_scgraph_module_is_parsed_not_run_and_cached(tmp_path, monkeypatch, no_gapfill):
    source = tmp_path / "world_railways.py"
    source.write_text(SCGRAPH_MODULE, encoding="utf-8")
    monkeypatch.setattr(network_data, "_source_file", lambda kind: (source, "9.9", "abc123"))
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(tmp_path / "cache"))
    stale = tmp_path / "cache" / "rail-scgraph-data-1.0.0-old-v1.npz"
    stale.parent.mkdir()
    stale.write_bytes(b"an older version's cache")
    steps = []
    net = load_network("rail", progress=lambda d, i, n: steps.append(d))
    assert steps and net.n_nodes == 3 and net.n_edges == 2
    assert not stale.exists()  # replaced caches are deleted
    assert list(net.lon) == [0.0, 0.01, 0.02] and list(net.lat) == [0.0, 0.0, 0.0]
    assert net.graph[0, 1] == pytest.approx(GEOD.inv(0, 0, 0.01, 0)[2] / 1000)  # measured, not the file's 1.1
    cached = list((tmp_path / "cache").glob("rail-scgraph-data-9.9-abc123-*.npz"))
    assert len(cached) == 1
    steps.clear()
    again = load_network("rail", progress=lambda d, i, n: steps.append(d))
    assert steps == [] and again.n_edges == 2  # read from the cache


def test_scgraph_module_that_does_not_match(tmp_path, monkeypatch, no_gapfill):
    source = tmp_path / "world_railways.py"
    source.write_text("graph=[{1: 1.0}]\nnodes=[[0.0, 0.0], [1.0, 1.0]]\n", encoding="utf-8")
    monkeypatch.setattr(network_data, "_source_file", lambda kind: (source, "9.9", "bad"))
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(NetworkError, match="do not match"):
        load_network("rail")


@pytest.mark.network
def test_real_network_tbilisi_to_kars(catalog):
    import shapely

    from geo.countries import country_outlines
    from geo.gapfill import shipped_gapfill
    from geo.network_data import prepared_network

    net = prepared_network("rail")
    hubs = catalog.hubs
    points = [(hubs[h].lon, hubs[h].lat) for h in ("tbilisi", "akhalkalaki", "kars")]
    path = route_points(net, points, ["tbilisi", "akhalkalaki", "kars"])
    gc = GEOD.inv(*points[0], *points[-1])[2] / 1000
    # the Baku-Tbilisi-Kars line: longer than the straight line, not a detour
    assert gc < path.length_km < 1.6 * gc
    # on the shipped network, but for the BTK new-build via Kartsakhi, which is gap-fill track
    assert (path.network_km + path.gapfill_km) / path.length_km > 0.9
    assert 55 < path.gapfill_km < 70
    assert [shipped_gapfill()[i].id for i in path.gapfill_lines] == ["btk-kartsakhi"]
    line = shapely.LineString(path.coords)
    assert shapely.distance(line, shapely.Point(43.27889, 41.24583)) < 0.01  # passes Kartsakhi
    for iso in ("RUS", "ARM", "AZE"):
        assert not shapely.intersects(line, country_outlines()[iso].buffer(-0.05))
