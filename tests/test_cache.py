"""The disk-cache helper: its folder, atomic writes, broken files rebuilt, unwritable caches tolerated."""

from __future__ import annotations

import numpy as np
import pytest

from geo import _cache, network_data
from geo.network_data import load_network
from tests.test_routing import SCGRAPH_MODULE


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_cache_dir_honours_the_environment(cache, monkeypatch):
    assert _cache.cache_dir() == cache
    monkeypatch.delenv("CORRIDORS_CACHE_DIR")
    assert _cache.cache_dir().name == "corridor-mapper"


def test_npz_and_json_round_trip_without_leftovers(cache):
    assert _cache.write_npz(cache / "a.npz", x=np.arange(3)) and _cache.write_json(cache / "b.json", {"k": [1, 2]})
    assert _cache.read_npz(cache / "a.npz", ["x"])["x"].tolist() == [0, 1, 2]
    assert _cache.read_json(cache / "b.json") == {"k": [1, 2]}
    assert sorted(p.name for p in cache.iterdir()) == ["a.npz", "b.json"]  # no temporary files left
    assert _cache.read_npz(cache / "missing.npz", ["x"]) is None and _cache.read_json(cache / "no.json") is None


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04 truncated"])
def test_broken_files_are_deleted(cache, content):
    cache.mkdir()
    for name in ("a.npz", "b.json"):
        (cache / name).write_bytes(content)
    assert _cache.read_npz(cache / "a.npz", ["x"]) is None
    assert _cache.read_json(cache / "b.json") is None
    assert not list(cache.iterdir())


def test_missing_key_counts_as_broken(cache):
    _cache.write_npz(cache / "a.npz", x=np.arange(3))
    assert _cache.read_npz(cache / "a.npz", ["x", "y"]) is None and not (cache / "a.npz").exists()


def test_unwritable_cache_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(blocker / "cache"))
    assert not _cache.write_npz(_cache.cache_dir() / "a.npz", x=np.arange(3))
    assert not _cache.write_json(_cache.cache_dir() / "b.json", {})


def test_stale_siblings_are_removed(cache):
    cache.mkdir()
    for name in ("rail-1.npz", "rail-2.npz", "rail-1-heal.npz", "road-1.npz"):
        (cache / name).write_bytes(b"x")
    _cache.remove_stale(cache / "rail-2.npz", "rail-*.npz", stale=lambda p: "-heal" not in p.name)
    assert sorted(p.name for p in cache.iterdir()) == ["rail-1-heal.npz", "rail-2.npz", "road-1.npz"]


def test_broken_network_cache_is_rebuilt_and_unwritable_one_tolerated(tmp_path, monkeypatch, cache, no_gapfill):
    source = tmp_path / "world_railways.py"
    source.write_text(SCGRAPH_MODULE, encoding="utf-8")
    monkeypatch.setattr(network_data, "_source_file", lambda kind: (source, "9.9", "abc123"))
    load_network("rail")
    (cached,) = cache.glob("rail-scgraph-data-9.9-*.npz")
    cached.write_bytes(cached.read_bytes()[:100])  # truncated
    steps = []
    assert load_network("rail", progress=lambda d, i, n: steps.append(d)).n_edges == 2
    assert steps and cached.exists()  # converted again, and cached again
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(blocker / "cache"))
    assert load_network("rail").n_edges == 2  # no cache, no error


def test_network_cache_holds_component_labels(tmp_path, monkeypatch, cache, no_gapfill):
    source = tmp_path / "world_railways.py"
    source.write_text(SCGRAPH_MODULE, encoding="utf-8")
    monkeypatch.setattr(network_data, "_source_file", lambda kind: (source, "9.9", "abc123"))
    built = load_network("rail")
    (cached,) = cache.glob("rail-scgraph-data-9.9-*.npz")
    assert f"-v{network_data.CACHE_FORMAT}" in cached.name
    loaded = load_network("rail")
    assert loaded._components  # read, not recomputed
    n, labels = loaded.components()
    assert n == built.components()[0] and np.array_equal(labels, built.components()[1])
    arrays = dict(np.load(cached))
    del arrays["components"]  # a cache of the format before: rebuilt
    _cache.write_npz(cached, **arrays)
    steps = []
    assert load_network("rail", progress=lambda d, i, m: steps.append(d)).components()[0] == n and steps
