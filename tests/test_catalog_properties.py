"""Property-based tests of catalog reading: valid catalogs always load; malformed ones only ever fail cleanly.

(a) Random valid catalogs (hubs inside a box of Kazakhstan, chained legs of any mode and status, via points)
always validate, chain, and resolve every hub they name. (b) Random mutations of ``tests/data/mini.toml`` (a
field deleted, a value of another type, inf and nan, garbled ids and codes, stray bytes, a byte-order mark,
a table twice) either load or raise :class:`CatalogError`, never anything else, and every line of the error
starts with the file's name, is one line, and holds no raw pydantic text. No geometry is built.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import math
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.catalog import Catalog, load_catalog
from geo.errors import CatalogError
from geo.model import RESERVED_IDS, HubKind, Mode, Status
from tests.conftest import MINI

# CATALOG_EXAMPLES=2000 for a longer hunt; 60 keeps the suite fast
SETTINGS = settings(
    max_examples=int(os.environ.get("CATALOG_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

RAW_PYDANTIC = (
    "Input should",
    "String should",
    "List should",
    "should match pattern",
    "Value error",
    "validation error",
)

# a box well inside Kazakhstan (every point of it lies in the country's outline)
LAT, LON = (46.0, 51.0), (63.0, 77.0)


# --- a small TOML writer: inline values under [hubs.<id>] and [corridors.<id>] tables -------------------------


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            ("nan" if math.isnan(value) else ("inf" if value > 0 else "-inf"))
            if not math.isfinite(value)
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}" for k, v in value.items())
            + "}"
        )
    raise TypeError(value)


def to_toml(data: dict[str, Any]) -> str:
    lines = []
    for top, table in data.items():
        if not isinstance(table, dict):
            lines.append(f"{json.dumps(top)} = {toml_value(table)}")
            continue
        for key, fields in table.items():
            if not isinstance(fields, dict):
                lines.append(f"{json.dumps(top)}.{json.dumps(str(key), ensure_ascii=False)} = {toml_value(fields)}")
                continue
            lines.append(f"\n[{json.dumps(top)}.{json.dumps(str(key), ensure_ascii=False)}]")
            lines += [f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}" for k, v in fields.items()]
    return "\n".join(lines) + "\n"


def test_writer_round_trips_mini():
    data = tomllib.loads(MINI.read_text(encoding="utf-8"))
    assert tomllib.loads(to_toml(data)) == data


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("catalogs")


# --- (a) random valid catalogs -------------------------------------------------------------------------------

slugs = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True).filter(lambda s: s not in RESERVED_IDS)
words = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=20).filter(
    str.strip
)
lats = st.floats(*LAT, allow_nan=False)
lons = st.floats(*LON, allow_nan=False)


@st.composite
def valid_catalogs(draw: st.DrawFn) -> dict[str, Any]:
    hub_ids = draw(st.lists(slugs, min_size=2, max_size=8, unique=True))
    hubs = {
        h: {
            "name": draw(words),
            "country": "KAZ",
            "kind": draw(st.sampled_from(list(HubKind))).value,
            "lat": draw(lats),
            "lon": draw(lons),
            "sources": draw(
                st.lists(
                    st.one_of(words, st.builds(lambda t: {"text": t, "url": "https://example.org/a"}, words)),
                    min_size=1,
                    max_size=2,
                )
            ),
        }
        for h in hub_ids
    }
    corridors = {}
    for cid in draw(st.lists(slugs, min_size=1, max_size=3, unique=True)):
        stops = [draw(st.sampled_from(hub_ids))]
        for _ in range(draw(st.integers(1, 5))):
            stops.append(draw(st.sampled_from([h for h in hub_ids if h != stops[-1]])))
        legs = []
        for a, b in itertools.pairwise(stops):
            leg: dict[str, Any] = {
                "from": a,
                "to": b,
                "mode": draw(st.sampled_from(list(Mode))).value,
                "status": draw(st.sampled_from(list(Status))).value,
            }
            via = draw(st.lists(st.one_of(st.sampled_from(hub_ids), st.tuples(lats, lons).map(list)), max_size=2))
            if via:
                leg["via"] = via
            if draw(st.booleans()):
                leg["published_km"] = draw(st.floats(0.5, 25_000))
                leg["published_km_source"] = draw(words)
            if draw(st.booleans()):
                leg["max_snap_km"] = draw(st.floats(0.5, 200))
            if draw(st.booleans()):
                leg["routing"] = draw(st.sampled_from(["network", "great-circle"]))
            legs.append(leg)
        corridors[cid] = {"name": draw(words), "summary": draw(words), "sources": [draw(words)], "legs": legs}
    return {"hubs": hubs, "corridors": corridors}


@SETTINGS
@given(data=valid_catalogs(), bom=st.booleans())
def test_valid_catalogs_load_and_chain(folder, data, bom):
    path = folder / "valid.toml"
    path.write_text(("\ufeff" if bom else "") + to_toml(data), encoding="utf-8")
    cat = load_catalog([path], embedded=False)
    assert list(cat.corridors) == list(data["corridors"])
    assert [c.id for c in cat.corridors_from([path])] == list(data["corridors"])
    for cid, corridor in cat.corridors.items():
        raw = data["corridors"][cid]["legs"]
        assert [(leg.from_hub, leg.to_hub) for leg in corridor.legs] == [(r["from"], r["to"]) for r in raw]
        assert all(b.from_hub == a.to_hub for a, b in itertools.pairwise(corridor.legs))
        assert all(h in cat.hubs for h in corridor.hub_ids)
        assert [leg.mode.value for leg in corridor.legs] == [r["mode"] for r in raw]
        assert all(math.isfinite(leg.published_km) for leg in corridor.legs if leg.published_km is not None)


# --- (b) random malformed catalogs ---------------------------------------------------------------------------

MINI_DATA = tomllib.loads(MINI.read_text(encoding="utf-8"))

toml_values = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([math.inf, -math.inf, math.nan, 0.0, -0.0, 1e308, 91.0, 181.0, 25_001.0]),
        st.text(max_size=12),
        st.sampled_from(
            ["KZ", "kaz", "XXX", "Kazakhstan", "T_x", "overview", "ferry", "boat", "t-alat", "t-tbilsi", ""]
        ),
        st.datetimes(),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


def paths_in(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside nested dicts and lists."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths_in(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths_in(v, (*prefix, i))
    return out


@st.composite
def mutated_data(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(MINI_DATA)
    for _ in range(draw(st.integers(1, 4))):
        paths = paths_in(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        *parents, last = path
        holder: Any = data
        for p in parents:
            holder = holder[p]
        choice = draw(st.sampled_from(["delete", "replace", "rename"]))
        if choice == "rename" and isinstance(holder, dict):  # garble an id or a field name
            holder[draw(st.sampled_from(["overview", "Bad_Id", "a" * 70, "t-kars", "x y", "", str(last).upper()]))] = (
                holder.pop(last)
            )
        elif choice == "delete":
            if isinstance(holder, dict):
                del holder[last]
            else:
                holder.pop(last)
        else:
            holder[last] = draw(toml_values)
    return data


def garble(text: str, data: st.DataObject) -> bytes:
    raw = text.encode("utf-8")
    for _ in range(data.draw(st.integers(0, 3))):
        kind = data.draw(st.sampled_from(["insert", "delete", "bom", "duplicate", "truncate"]))
        at = data.draw(st.integers(0, len(raw)))
        if kind == "insert":
            raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=4)) + raw[at:]
        elif kind == "delete":
            raw = raw[:at] + raw[at + data.draw(st.integers(1, 8)) :]
        elif kind == "bom":
            raw = b"\xef\xbb\xbf" + raw
        elif kind == "duplicate":  # a table twice
            raw = raw + b"\n" + raw[: data.draw(st.integers(0, len(raw)))]
        else:
            raw = raw[:at]
    return raw


def check_clean(path: Path, *, embedded: bool = False) -> Catalog | None:
    try:
        return load_catalog([path], embedded=embedded)
    except CatalogError as err:
        assert err.problems
        for line in err.problems:
            assert line.startswith(f"{path}: "), line
            assert len(line.splitlines()) == 1, line
            assert not any(raw in line for raw in RAW_PYDANTIC), line
        return None


@SETTINGS
@given(data=mutated_data())
def test_mutated_catalogs_fail_cleanly(folder, data):
    path = folder / "mutated.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    cat = check_clean(path)
    if cat is not None:  # the mutation was harmless: then what loaded is sound
        for corridor in cat.corridors.values():
            assert all(h in cat.hubs for h in corridor.hub_ids)
            assert all(math.isfinite(leg.published_km or 1.0) for leg in corridor.legs)


@SETTINGS
@given(data=st.data())
def test_garbled_bytes_fail_cleanly(folder, data):
    path = folder / "garbled.toml"
    path.write_bytes(garble(MINI.read_text(encoding="utf-8"), data))
    check_clean(path)


@SETTINGS
@given(raw=st.binary(max_size=200))
def test_random_bytes_fail_cleanly(folder, raw):
    path = folder / "random.toml"
    path.write_bytes(raw)
    assert check_clean(path, embedded=True) is None  # no bytes are a catalog by chance: empty is an error too
