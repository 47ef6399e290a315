"""Still pictures of the maps (``corridors build --png --svg``): written, sized, legible, byte-identical, opt-in."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely

from geo.errors import OptionError
from maps.output import MANIFEST
from tests.conftest import MINI
from tests.test_cli_output import run

static = pytest.importorskip("maps.static", reason="matplotlib is not installed")


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, i = [], 8
    while i < len(data):
        (n,) = struct.unpack(">I", data[i : i + 4])
        kind, body = data[i + 4 : i + 8], data[i + 8 : i + 8 + n]
        assert struct.unpack(">I", data[i + 8 + n : i + 12 + n])[0] == zlib.crc32(kind + body)
        chunks.append((kind, body))
        i += 12 + n
    return chunks


def svg_texts(svg: str) -> list[str]:
    return [re.sub(r"[ \t\n]+", " ", t).strip(" ") for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


@pytest.fixture(scope="module")
def pictures(mini_layers, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pictures")
    static.write_pictures(
        mini_layers, folder, ["png", "svg"], title="Caspian <links>", subtitle="A test", as_of="2026-12"
    )
    return folder


def test_every_map_gets_a_picture_in_each_format(pictures):
    assert sorted(p.name for p in pictures.iterdir()) == [
        "overview.png",
        "overview.svg",
        "t-caspian.png",
        "t-caspian.svg",
    ]


def test_png_has_the_fixed_size_and_no_timestamp(pictures):
    data = (pictures / "t-caspian.png").read_bytes()
    chunks = png_chunks(data)
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert (width, height) == (static.WIDTH_PX, static.HEIGHT_PX) == (1600, 1000)
    kinds = {kind for kind, _ in chunks}
    assert b"tIME" not in kinds  # no modification time
    texts = b"".join(body for kind, body in chunks if kind in (b"tEXt", b"iTXt", b"zTXt"))
    assert b"Software" not in texts and b"matplotlib" not in texts.lower()
    assert b"Test: Aktau to Kars" in texts  # the title, as metadata
    assert 40_000 < len(data) < 1_500_000


def test_svg_holds_title_legend_scale_date_and_attribution_as_text(pictures):
    svg = (pictures / "t-caspian.svg").read_text(encoding="utf-8")
    texts = svg_texts(svg)
    assert "Test: Aktau to Kars" in texts  # the corridor's name is the title
    assert "1,165 km · 6–12 days (model) · 343 kg CO2e/TEU" in texts  # its figures line, as the interactive legend
    for label in ("Rail", "Ferry", "Operational", "Planned", "Approximate alignment (not surveyed track)", "Sea port",
                  "Dry port", "Rail junction"):  # fmt: skip
        assert label in texts, label
    assert "Border crossing" not in texts  # only the kinds shown
    assert {"Aktau", "Kars", "Alat"} <= set(texts)  # the hubs the interactive map names
    assert any(re.fullmatch(r"\d[\d,]* km, true at 42° N", t) for t in texts), texts
    footer = " ".join(t for t in texts if "as of" in t or "OpenStreetMap" in t or "Natural Earth" in t)
    assert "Data as of 2026-12" in footer
    assert "© OpenStreetMap contributors (ODbL)" in footer and "Natural Earth" in footer and "searoute" in footer
    assert "<dc:date>" not in svg and "Matplotlib" not in svg
    assert 'id="corridor-map"' in svg


def test_the_overview_names_each_corridor_and_takes_title_and_subtitle(pictures):
    texts = svg_texts((pictures / "overview.svg").read_text(encoding="utf-8"))
    assert {"Caspian &lt;links&gt;", "A test"} <= set(texts)  # user text is escaped in the SVG
    assert any(t.startswith("Test: Aktau to Kars · 1,165\u00a0km · 6–12\u00a0d") for t in texts), texts
    assert "Rail" not in texts  # colour means corridor there, not mode


def test_pictures_are_byte_identical_when_drawn_again(mini_layers, pictures, tmp_path):
    static.write_pictures(
        mini_layers, tmp_path, ["svg", "png"], title="Caspian <links>", subtitle="A test", as_of="2026-12"
    )
    for name in ("t-caspian.png", "t-caspian.svg", "overview.png", "overview.svg"):
        assert (tmp_path / name).read_bytes() == (pictures / name).read_bytes(), name


def test_the_scale_is_true_at_the_centre_and_near_true_across_the_map(mini_layers):
    """The projection is conformal and centred: the Aktau–Alat distance measured on the picture, in scale-bar
    units, is the geodesic one within 1 %."""
    frame = static._Frame(mini_layers, aspect=1.6)
    hubs = mini_layers.hubs.set_index("hub_id").geometry
    a, b = hubs["t-aktau"], hubs["t-alat"]
    _, _, metres = pyproj.Geod(ellps="WGS84").inv(a.x, a.y, b.x, b.y)
    xy = frame.xy(shapely.get_coordinates([a, b]))
    on_map_km = float(np.hypot(*(xy[1] - xy[0]))) / frame.metres_per_km_at_centre()
    assert on_map_km == pytest.approx(metres / 1000, rel=0.01)
    assert frame.crs.coordinate_operation.method_name == "Lambert Conic Conformal (2SP)"
    equator = static.picture_projection((100.0, -5.0, 110.0, 8.0))
    assert equator.coordinate_operation.method_name.startswith("Mercator")


def test_an_unknown_picture_format_is_refused(mini_layers, tmp_path):
    with pytest.raises(OptionError, match="picture format 'jpg' is not one of png, svg"):
        static.write_pictures(mini_layers, tmp_path, ["jpg"])
    assert not list(tmp_path.iterdir())


def test_matplotlib_loads_only_for_pictures():
    code = "import sys, maps.cli, maps.build, maps.cli.build; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


TWO = """
[corridors.t-short]
name = "Test: Alat to Tbilisi, planned"
summary = "A planned rail link, for the pictures."
sources = ["tests"]

[[corridors.t-short.legs]]
from = "t-alat"
to = "t-tbilisi"
mode = "rail"
status = "planned"
"""


def test_build_writes_pictures_only_when_asked_and_the_same_bytes_again(tmp_path):
    catalog = tmp_path / "two.toml"
    catalog.write_text(MINI.read_text(encoding="utf-8") + TWO, encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", "--catalog", str(catalog), "--out", str(out), "--quiet", "--json"]
    result = run(*args, "--png", "--svg")
    assert result.exit_code == 0, result.output
    pictures = {f"maps/{stem}.{kind}" for stem in ("t-caspian", "t-short", "overview") for kind in ("png", "svg")}
    assert pictures <= set(json.loads(result.stdout)["files"])
    assert pictures <= set(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"])
    first = {p: (out / p).read_bytes() for p in sorted(pictures)}
    assert all(len(b) > 10_000 for b in first.values())
    short = (out / "maps" / "t-short.svg").read_text(encoding="utf-8")
    assert "Test: Alat to Tbilisi, planned" in svg_texts(short)

    again = run(*args, "--png", "--svg")  # a rebuild: byte for byte the same pictures
    assert again.exit_code == 0, again.output
    assert {p: (out / p).read_bytes() for p in sorted(pictures)} == first

    plain = run(*args)
    assert plain.exit_code == 0, plain.output
    assert not [p for p in out.rglob("*") if p.suffix in (".png", ".svg")]


def test_build_help_and_readme_name_the_flags():
    result = run("build", "--help")
    assert "--png" in result.output and "--svg" in result.output
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("## The command", 1)[1].split("```", 2)[1]
    assert "[--png] [--svg]" in block
    assert "DIR/maps/<corridor-id>.png" in readme


def test_a_picture_names_the_hubs_of_the_story_where_they_fit_and_no_two_names_overlap(catalog):
    """A still has no zoom: past the routes' ends and ports it names, in the interactive map's rank order, every
    hub whose name fits clear of the others, of the hub symbols and of the legend (the BTK picture names Tbilisi,
    Akhalkalaki and Ganja); every name lies inside the map."""
    from layers.frames import layers_from_catalog

    layers = layers_from_catalog(catalog, catalog.select(["baku-tbilisi-kars"]))
    fig = static.corridor_picture(layers, "baku-tbilisi-kars")
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    hub_names = set(layers.hubs["name"])
    names = [t for t in ax.texts if t.get_text() in hub_names]
    shown = {t.get_text() for t in names}
    assert {"Kars", "Port of Baku (Alat)", "Tbilisi", "Akhalkalaki", "Ganja"} <= shown
    boxes = [t.get_window_extent(renderer) for t in names]
    frame = ax.get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in boxes)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    legend = ax.get_legend().get_window_extent(renderer)
    assert not any(b.overlaps(legend) for b in boxes)
