"""Nearest nodes (the grid search against brute force) and the networks' node cache on disk."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from geo import graph as graph_module
from geo.borders import borders
from geo.geodesy import chord_to_km, unit_xyz
from geo.network import NEAREST_MAX_CELLS, network_from_edges


def _brute(net, lon, lat, k):
    chord = np.linalg.norm(net.xyz - unit_xyz(np.array([lon]), np.array([lat]))[0], axis=1)
    order = np.lexsort((np.arange(net.n_nodes), chord))[:k]
    return order, chord_to_km(chord[order])


def _random_network(seed: int, n: int = 4000):
    rng = np.random.default_rng(seed)
    lon = np.concatenate([rng.uniform(20, 60, n // 2), rng.uniform(-180, 180, n // 4), rng.uniform(170, 180, n // 4)])
    lat = np.concatenate([rng.uniform(35, 50, n // 2), rng.uniform(-89.9, 89.9, n // 4), rng.uniform(60, 89.9, n // 4)])
    lon = np.concatenate([lon, lon[:5]])  # five duplicated nodes: ties go to the lower id
    lat = np.concatenate([lat, lat[:5]])
    idx = np.arange(len(lon))
    return network_from_edges("rail", lon, lat, idx[:-1], idx[1:])


@pytest.mark.parametrize("seed", [0, 1])
def test_nearest_equals_brute_force_everywhere(seed):
    """Points inside the network, at sea far from it, by the poles and across the antimeridian."""
    net = _random_network(seed)
    rng = np.random.default_rng(100 + seed)
    points = [(float(a), float(b)) for a, b in zip(rng.uniform(-180, 180, 150), rng.uniform(-90, 90, 150), strict=True)]
    points += [(float(net.lon[i]), float(net.lat[i])) for i in range(5)]  # on a duplicated node
    points += [(179.99, 70.0), (-179.99, 70.0), (0.0, 90.0), (0.0, -90.0), (40.0, 42.0)]
    for lon, lat in points:
        for k in (1, 8):
            idx, km = net.nearest(lon, lat, k=k)
            want_idx, want_km = _brute(net, lon, lat, k)
            assert np.allclose(km, want_km, atol=1e-9), (lon, lat, k)
            assert list(idx) == list(want_idx), (lon, lat, k)


def test_nearest_far_from_every_node_uses_the_tree_and_agrees():
    """A point farther than the grid blocks reach: the KD-tree answers, with the same node."""
    net = network_from_edges("rail", np.array([10.0, 10.1]), np.array([0.0, 0.0]), np.array([0]), np.array([1]))
    assert NEAREST_MAX_CELLS < 200
    idx, km = net.nearest(-150.0, -60.0, k=2)
    want_idx, want_km = _brute(net, -150.0, -60.0, 2)
    assert list(idx) == list(want_idx) and np.allclose(km, want_km)


def test_node_cache_survives_the_process(tmp_path, monkeypatch):
    """Node countries and closed-border sides computed once, read back from disk by a fresh start."""
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(tmp_path))
    lon = np.array([44.5, 44.8, 45.2, 45.6, 46.0, 46.4])  # Armenia into Azerbaijan, near Lake Sevan
    lat = np.array([40.2, 40.3, 40.4, 40.5, 40.55, 40.6])
    idx = np.arange(len(lon))
    net = network_from_edges("rail", lon, lat, idx[:-1], idx[1:])
    closed = [b for b in borders("closed") if set(b.countries) == {"ARM", "AZE"}]
    assert closed
    _, labels = graph_module.node_countries(net)
    cut = graph_module.closed_border_cut(net, closed)
    assert cut.any()
    assert list(tmp_path.glob("nodes-rail-*.npz"))
    fresh = network_from_edges("rail", lon, lat, idx[:-1], idx[1:])  # the same network, nothing in memory
    assert fresh not in graph_module._NODES
    assert graph_module._node_cache(fresh).keys() >= {"labels", "side:" + "|".join(closed[0].countries)}
    assert np.array_equal(graph_module.node_countries(fresh)[1], labels)
    assert np.array_equal(graph_module.closed_border_cut(fresh, closed), cut)
    own = dict(graph_module._shipped_outlines())  # the user's own outlines: computed, not read from the cache
    assert np.array_equal(graph_module.closed_border_cut(fresh, closed, own), cut)


@pytest.mark.network
def test_route_answers_without_files_or_heavy_imports(tmp_path):
    """``corridors route`` without --out prints the answer, writes nothing, and loads no pandas, GDAL or Folium;
    its figures are those of the layers ``--out`` writes."""
    code = (
        "import sys, json; from maps.cli import main\n"
        "sys.argv = ['corridors', 'route', 'tbilisi', 'kars', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in ('pandas', 'geopandas', 'pyogrio', 'folium', 'searoute', 'scipy.spatial')"
        " if m in sys.modules)))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    *answer, loaded = run.stdout.strip().splitlines()
    assert loaded == "[]", loaded
    assert list(tmp_path.iterdir()) == []
    import json

    quick = json.loads("\n".join(answer))
    assert quick["map"] is None and quick["files"] == []
    from click.testing import CliRunner

    from maps.cli import main

    built = CliRunner().invoke(main, ["route", "tbilisi", "kars", "--json", "--out", str(tmp_path / "r")])
    assert built.exit_code == 0, built.output
    full = json.loads(built.stdout)
    for key in ("length_km", "rail_km", "border_crossings", "days_min", "days_max", "co2e_kg_per_teu", "countries"):
        assert quick[key] == full[key], key
    assert quick["legs"] == full["legs"]
