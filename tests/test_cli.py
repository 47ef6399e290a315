"""The `corridors` command: list, build, the output layout, clear errors, all-or-nothing writes."""

from __future__ import annotations

from pathlib import Path

import pyogrio
from click.testing import CliRunner

from maps.cli import main
from tests.conftest import MINI

LAYOUT = [".corridor-mapper.json", "index.html", "layers/ATTRIBUTION", "layers/corridors.gpkg", "layers/t-caspian.geojson",
          "maps/overview.html", "maps/shared/corridor-maps.css", "maps/shared/corridor-maps.js",
          "maps/shared/outlines-0.05.js", "maps/t-caspian.html", "maps/timeline.html"]  # fmt: skip


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_list():
    result = run("list")
    assert result.exit_code == 0
    for cid in ("middle-corridor", "instc-west", "zangezur", "suez-sea"):
        assert cid in result.output


def test_build_user_catalog(tmp_path):
    out = tmp_path / "out"
    result = run("build", "--catalog", str(MINI), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Built 1 corridor (3 legs)" in result.output
    assert files(out) == LAYOUT
    assert [n for n, _ in pyogrio.list_layers(out / "layers/corridors.gpkg")] == [
        "hubs",
        "legs",
        "corridors",
        "sources",
        "layer_styles",
    ]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folders left


def test_build_replaces_only_what_it_owns(tmp_path):
    out = tmp_path / "out"
    two = tmp_path / "two.toml"
    two.write_text(MINI.read_text(encoding="utf-8").replace("t-caspian", "t-other"), encoding="utf-8")
    assert run("build", "--catalog", str(two), "--out", str(out)).exit_code == 0
    (out / "maps" / "mine.html").write_text("mine")  # the user's, beside ours
    (out / "notes.txt").write_text("mine")
    assert run("build", "--catalog", str(MINI), "--out", str(out)).exit_code == 0
    assert not (out / "maps" / "t-other.html").exists()  # ours, and no longer built
    assert (out / "maps" / "mine.html").read_text() == "mine"
    assert (out / "notes.txt").read_text() == "mine"
    assert files(out) == sorted([*LAYOUT, "maps/mine.html", "notes.txt"])


def test_bad_catalog_one_line_no_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(MINI.read_text(encoding="utf-8").replace('mode = "ferry"', 'mode = "boat"'), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--catalog", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: ")
    assert "bad.toml: corridor 't-caspian': field 'legs[1].mode' = 'boat'" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_unknown_corridor_and_tiles(tmp_path):
    result = CliRunner().invoke(main, ["build", "--corridor", "nope", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "unknown corridor 'nope'" in result.output
    result = CliRunner().invoke(
        main, ["build", "--catalog", str(MINI), "--tiles", "nope", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and "no such tile provider" in result.output
    assert not (tmp_path / "o").exists()


def test_failed_build_leaves_output_untouched(tmp_path):
    out = tmp_path / "out"
    assert run("build", "--catalog", str(MINI), "--out", str(out)).exit_code == 0
    before = {p: (out / p).read_bytes() for p in files(out)}
    volga = tmp_path / "volga.toml"
    volga.write_text(
        MINI.read_text(encoding="utf-8")
        + '\n[hubs.t-poti]\nname = "Poti"\ncountry = "GEO"\nkind = "sea_port"\nlat = 42.15\nlon = 41.68\nsources = ["x"]\n'
        + '\n[corridors.t-bad]\nname = "Bad"\nsummary = "s"\nsources = ["x"]\n'
        + '[[corridors.t-bad.legs]]\nfrom = "t-alat"\nto = "t-poti"\nmode = "sea"\nstatus = "operational"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build", "--catalog", str(volga), "--out", str(out)])
    assert result.exit_code == 2 and "Volga-Don" in result.output
    assert {p: (out / p).read_bytes() for p in files(out)} == before


def test_leg_off_the_network_is_a_clear_error(tmp_path):
    far = tmp_path / "far.toml"
    far.write_text(
        '[hubs.desert]\nname = "Desert"\ncountry = "TKM"\nkind = "city"\nlat = 40.0\nlon = 58.0\nsources = ["t"]\n'
        '[corridors.far]\nname = "Far"\nsummary = "s"\nsources = ["t"]\n'
        '[[corridors.far.legs]]\nfrom = "bereket"\nto = "desert"\nmode = "rail"\nstatus = "operational"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build", "--catalog", str(far), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert (
        f"{far}: corridor 'far', leg 1: rail leg bereket -> desert: desert is 81 km from the nearest rail line"
        in result.output
    )
    assert "max_snap_km" in result.output and not (tmp_path / "o").exists()


def test_custom_tile_url_needs_and_escapes_its_attribution(tmp_path):
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    result = CliRunner().invoke(main, ["build", "--catalog", str(MINI), "--tiles", url, "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "a tile URL needs its attribution: add --tiles-attr" in result.output
    assert not (tmp_path / "o").exists()
    result = CliRunner().invoke(
        main, ["build", "--catalog", str(MINI), "--tiles", "OpenStreetMap Mapnik", "--tiles-attr", "x"]
    )
    assert result.exit_code == 2 and "--tiles-attr goes with a tile URL" in result.output
    attr = "© Example <img src=x onerror=alert(1)>"
    result = run("build", "--catalog", str(MINI), "--tiles", url, "--tiles-attr", attr, "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "o" / "maps" / "t-caspian.html").read_text(encoding="utf-8")
    assert "tiles.example.org/{z}/{x}/{y}.png" in page
    assert "<img src=x" not in page and "\\u0026lt;img src=x" in page
