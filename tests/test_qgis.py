"""The layers opened in real QGIS (headless): each one styled by default, like the maps.

Needs Debian's ``python3-qgis qgis-providers`` for the system Python (not the venv); skipped
without them, unless ``CORRIDORS_REQUIRE_QGIS=1`` (set by ``.ci/run``), which makes it fail.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from geo.model import HubKind, Mode, Status
from layers.io import write_layers
from layers.style import HUB_STYLES, MODE_STYLES, QUALITY_STYLES, STATUS_STYLES

SYSTEM_PYTHON = "/usr/bin/python3"
CHECK = Path(__file__).with_name("qgis_check.py")


def _has_qgis() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def qgis_report(mini_layers, tmp_path_factory):
    if not _has_qgis():
        if os.environ.get("CORRIDORS_REQUIRE_QGIS") == "1":
            pytest.fail("QGIS is required (CORRIDORS_REQUIRE_QGIS=1): apt-get install python3-qgis qgis-providers")
        pytest.skip("needs QGIS for /usr/bin/python3: apt-get install python3-qgis qgis-providers")
    folder = tmp_path_factory.mktemp("qgis")
    write_layers(mini_layers, folder, ("gpkg", "fgb", "shp"))
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}}
    env["QT_QPA_PLATFORM"] = "offscreen"
    png = folder / "render.png"
    run = subprocess.run(
        [SYSTEM_PYTHON, str(CHECK), str(folder), "--render", str(png)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    report["png"] = png
    return report


SOURCES = ("corridors.gpkg|{}", "{}.fgb", "{}.shp.zip")


@pytest.mark.parametrize("source", SOURCES)
def test_hubs_open_styled_by_kind(qgis_report, source):
    layer = qgis_report["layers"][source.format("hubs")]
    assert layer["valid"] and layer["crs"] == "EPSG:4326" and layer["features"] == 4
    assert layer["renderer"] == "categorizedSymbol" and layer["attribute"] == "kind"
    got = {c["value"]: c for c in layer["categories"]}
    assert list(got) == [str(k) for k in HubKind]
    for kind in HubKind:
        style = HUB_STYLES[kind]
        assert got[str(kind)]["label"] == style.label
        assert got[str(kind)]["symbol"]["color"] == style.fill and got[str(kind)]["symbol"]["name"] == style.shape


@pytest.mark.parametrize("source", SOURCES)
def test_legs_open_coloured_by_mode_and_dashed_by_status(qgis_report, source):
    layer = qgis_report["layers"][source.format("legs")]
    assert layer["valid"] and layer["crs"] == "EPSG:4326" and layer["features"] == 3
    assert layer["renderer"] == "RuleRenderer"
    rules = layer["rules"]
    assert [r["label"] for r in rules] == [*(MODE_STYLES[m].label for m in Mode), "Other"]
    for rule, mode in zip(rules, Mode, strict=False):
        assert rule["filter"] == f"\"mode\" = '{mode}'"
        band, *children = rule["children"]  # the band under approximate alignments, then one rule per status
        assert band["filter"] == "\"geometry_quality\" = 'approximate'"
        assert band["symbol"]["opacity"] == QUALITY_STYLES["approximate"].band_opacity
        for child, status in zip(children, Status, strict=True):
            symbol = child["symbol"]
            assert child["label"] == STATUS_STYLES[status].label
            assert symbol["color"] == MODE_STYLES[mode].color
            assert symbol["opacity"] == STATUS_STYLES[status].opacity
            assert symbol["use_custom_dash"] == ("1" if STATUS_STYLES[status].dash else "0")


@pytest.mark.parametrize("source", SOURCES)
def test_corridors_open_as_a_simple_line(qgis_report, source):
    layer = qgis_report["layers"][source.format("corridors")]
    assert layer["valid"] and layer["features"] == 1
    assert layer["renderer"] == "singleSymbol" and layer["symbol"]["class"] == "SimpleLine"


def test_qgis_renders_the_geopackage(qgis_report):
    png = qgis_report["png"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
