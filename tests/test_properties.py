"""Property-based tests (hypothesis): random valid corridors build into chained, valid lines; random malformed
catalogs end in a clear error, never a traceback or a half-written output."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.catalog import load_catalog
from geo.geodesy import GEOD
from layers.frames import layers_from_catalog
from layers.geojson import rfc7946_geometry
from maps.cli import main
from tests.conftest import MINI

# a box well inside Kazakhstan (Natural Earth 1:10m), so every random hub lies in the country it names
LAT, LON = (46.0, 50.0), (62.0, 78.0)

coordinate = st.tuples(
    st.floats(*LAT, allow_nan=False, allow_infinity=False), st.floats(*LON, allow_nan=False, allow_infinity=False)
)
# land legs that are drawn without the network: planned or under construction, or routing = "great-circle"
land_leg = st.tuples(
    st.sampled_from(["rail", "road"]),
    st.sampled_from(["planned", "under_construction", "operational"]),
    st.lists(coordinate, max_size=3),
)


def _toml(hubs: list[tuple[float, float]], legs: list[tuple[str, str, list[tuple[float, float]]]]) -> str:
    lines = []
    for i, (lat, lon) in enumerate(hubs):
        lines += [f"[hubs.h{i}]", f'name = "Hub {i}"', 'country = "KAZ"', 'kind = "rail_junction"']
        lines += [f"lat = {lat!r}", f"lon = {lon!r}", 'sources = ["hypothesis"]', ""]
    lines += ["[corridors.random]", 'name = "Random"', 'summary = "s"', 'sources = ["hypothesis"]', ""]
    for i, (mode, status, via) in enumerate(legs):
        lines += ["[[corridors.random.legs]]", f'from = "h{i}"', f'to = "h{i + 1}"', f'mode = "{mode}"']
        lines += [f'status = "{status}"', 'routing = "great-circle"' if status == "operational" else ""]
        if via:
            lines.append("via = [" + ", ".join(f"[{lat!r}, {lon!r}]" for lat, lon in via) + "]")
        lines.append("")
    return "\n".join(lines)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_valid_corridors_build_into_chained_lines(tmp_path_factory, data):
    legs = data.draw(st.lists(land_leg, min_size=1, max_size=5))
    hubs = data.draw(st.lists(coordinate, min_size=len(legs) + 1, max_size=len(legs) + 1, unique=True))
    path = tmp_path_factory.mktemp("cat") / "random.toml"
    path.write_text(_toml(hubs, legs), encoding="utf-8")
    catalog = load_catalog([path], embedded=False)
    corridor = catalog.corridors["random"]
    assert [leg.from_hub for leg in corridor.legs[1:]] == [leg.to_hub for leg in corridor.legs[:-1]]
    layers = layers_from_catalog(catalog, [corridor])
    lines = list(layers.legs.geometry)
    for i, line in enumerate(lines):
        assert line.is_valid and not line.is_empty
        coords = np.asarray(line.coords)
        assert np.all(np.isfinite(coords))
        (lat0, lon0), (lat1, lon1) = hubs[i], hubs[i + 1]
        assert coords[0] == pytest.approx([lon0, lat0]) and coords[-1] == pytest.approx([lon1, lat1])
        straight = GEOD.inv(lon0, lat0, lon1, lat1)[2] / 1000.0
        assert layers.legs["length_km"].iloc[i] >= straight - 1e-3  # through via points, never shorter
    for a, b in itertools.pairwise(lines):  # legs meet
        assert a.coords[-1] == b.coords[0]
    total = layers.corridors["length_km"].iloc[0]
    assert math.isfinite(total) and total == pytest.approx(layers.legs["length_km"].sum(), abs=0.01)
    for geom in lines:
        json.dumps(rfc7946_geometry(geom), allow_nan=False)  # valid JSON: no NaN or Infinity
    assert shapely.multilinestrings(lines).is_valid


BAD_VALUES = ["inf", "nan", "-inf", '"43.2"', '"north"', "-1", "1e9", "[]", "{}", '"KZ"', '"kaz"', '""', "true"]


def _mutate(text: str, data: st.DataObject) -> bytes:
    lines = text.splitlines()
    kind = data.draw(st.sampled_from(["value", "delete", "duplicate", "garble", "truncate", "bom", "bytes"]))
    i = data.draw(st.integers(0, len(lines) - 1))
    if kind == "value" and "=" in lines[i]:
        key = lines[i].split("=", 1)[0]
        lines[i] = f"{key}= {data.draw(st.sampled_from(BAD_VALUES))}"
    elif kind == "delete":
        del lines[i]
    elif kind == "duplicate":
        lines.insert(i, lines[i])
    elif kind == "garble" and lines[i].strip():
        j = data.draw(st.integers(0, len(lines[i]) - 1))
        lines[i] = lines[i][:j] + data.draw(st.text(min_size=1, max_size=3)) + lines[i][j + 1 :]
    elif kind == "truncate":
        return "\n".join(lines)[: data.draw(st.integers(0, len(text)))].encode("utf-8")
    elif kind == "bytes":
        return "\n".join(lines).encode("utf-8") + data.draw(st.binary(min_size=1, max_size=8))
    out = "\n".join(lines).encode("utf-8")
    return b"\xef\xbb\xbf" + out if kind == "bom" else out


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("prev") / "out"
    result = CliRunner().invoke(main, ["build", "--catalog", str(MINI), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_malformed_catalogs_fail_cleanly_and_leave_the_output(tmp_path_factory, previous_build, data):
    path = tmp_path_factory.mktemp("bad") / "bad.toml"
    path.write_bytes(_mutate(MINI.read_text(encoding="utf-8"), data))
    before = _snapshot(previous_build)
    command = data.draw(st.sampled_from(["list", "build"]))
    args = [command, "--catalog", str(path)] + (["--out", str(previous_build)] if command == "build" else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 2), result.output  # never an internal error
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert lines and all(line.startswith("error: ") for line in lines), result.stderr
        assert _snapshot(previous_build) == before
    else:  # a harmless mutation (a comment, a duplicated blank line): the build is whole
        assert command == "list" or (previous_build / ".corridor-mapper.json").exists()
