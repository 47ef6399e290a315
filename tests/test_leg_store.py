"""Lines kept on disk between runs (geo.leg_store): the same lines back, nothing stale, nothing foreign."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geo import leg_store
from geo.errors import GeometryError
from geo.geometry import GeometryBuilder, great_circle_geometry
from geo.model import Leg, Mode
from geo.sea import sea_builder


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store of its own (the networks stay in the shared cache), read afresh as a new process would."""
    path = tmp_path / "cache" / "legs-test.npz"
    monkeypatch.setattr(leg_store, "store_file", lambda: path)
    monkeypatch.setattr(leg_store, "_LOADED", {})
    monkeypatch.setattr(leg_store, "_PENDING", {})
    return path


def _legs(catalog, corridor: str) -> list[Leg]:
    return list(catalog.corridors[corridor].legs)


def _same(a, b) -> None:
    assert np.array_equal(a.coords, b.coords)
    assert (a.method, a.attribution, dict(a.extras)) == (b.method, b.attribution, dict(b.extras))


def test_a_new_run_reads_the_lines_it_routed_before(catalog, store, monkeypatch):
    legs = _legs(catalog, "middle-corridor") + _legs(catalog, "baku-tbilisi-kars")  # rail, ferry, gap-fill
    first = GeometryBuilder(catalog.hubs)
    routed = [first(leg) for leg in legs]
    assert not store.exists()  # nothing is written until asked
    first.save()
    assert store.exists()

    monkeypatch.setattr(leg_store, "_LOADED", {})  # a new process
    second = GeometryBuilder(catalog.hubs)
    stored = [k for leg in legs if (k := second._stored_key(second.builders[leg.mode], _key(second, leg)))]
    assert stored and all(isinstance(leg_store.stored(k), type(routed[0])) for k in stored)
    assert second.missing(legs) == [leg for leg in legs if leg.status != "operational"]

    for mode in (Mode.RAIL, Mode.FERRY):
        monkeypatch.setitem(second.builders, mode, _named(_no_routing(), first.builders[mode]))
    for leg, line in zip(legs, routed, strict=True):
        _same(second(leg), line)  # gap-fill sources and all


def _key(builder: GeometryBuilder, leg: Leg) -> str:
    from geo.geometry import _key as key
    from geo.geometry import leg_points

    return key(leg, leg_points(leg, builder.hubs))


def _no_routing():
    def build(*args, **kwargs):
        raise AssertionError("routed again")

    return build


def _named(fn, like):
    """``fn`` under the name the shipped builder ``like`` stores its lines by."""
    fn.stored_as = like.stored_as
    return fn


def test_a_builder_of_ones_own_is_never_stored(catalog, store):
    leg = _legs(catalog, "middle-corridor")[0]
    calls = []

    def mine(points, leg):
        calls.append(leg)
        return great_circle_geometry(points, leg)

    GeometryBuilder(catalog.hubs, builders={Mode.RAIL: mine})(leg)
    GeometryBuilder(catalog.hubs, builders={Mode.RAIL: mine})(leg)
    leg_store.save()
    assert len(calls) == 2 and not store.exists()


def test_no_sea_route_is_remembered_too(catalog, store, monkeypatch):
    gulf = next(leg for c in catalog.corridors.values() for leg in c.legs if leg.from_hub == "bandar-abbas")
    shut = GeometryBuilder(catalog.hubs).with_water(sea_builder(["ormuz"]))
    with pytest.raises(GeometryError, match="Hormuz") as first:
        shut.line(gulf)
    leg_store.save()
    monkeypatch.setattr(leg_store, "_LOADED", {})
    again = GeometryBuilder(catalog.hubs).with_water(_named(_no_routing(), shut.builders[Mode.SEA]))
    with pytest.raises(GeometryError) as second:
        again.line(gulf)
    assert str(second.value) == str(first.value)


def test_a_broken_store_is_deleted_and_the_lines_routed_again(catalog, store):
    store.parent.mkdir(parents=True)
    store.write_bytes(b"not an archive")
    leg = _legs(catalog, "kuryk-alat")[0]
    builder = GeometryBuilder(catalog.hubs)
    line = builder(leg)
    assert not store.exists()  # deleted when it did not read
    builder.save()
    assert store.exists() and line.length_km > 300


def test_a_store_of_other_code_is_deleted_when_a_new_one_is_written(catalog, store):
    store.parent.mkdir(parents=True)
    old = store.parent / "legs-0123456789abcdef.npz"
    old.write_bytes(b"old")
    builder = GeometryBuilder(catalog.hubs)
    builder(_legs(catalog, "kuryk-alat")[0])
    builder.save()
    assert store.exists() and not old.exists()


def test_the_store_is_named_by_the_code_data_and_libraries():
    name = leg_store.store_file().name
    assert name.startswith("legs-") and name.endswith(".npz") and len(name) == len("legs-") + 16 + len(".npz")
    assert leg_store._digest() == leg_store._digest()  # once per process, the same
