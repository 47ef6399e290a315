"""The CLI in scripts: whole ids in pipes, --json, --quiet/--verbose, exit codes, a safe --out, untouched output."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from maps.cli import main
from maps.cli._common import ExitCode
from maps.output import MANIFEST
from tests.conftest import MINI


def run(*args: str, cwd: Path | None = None):
    if cwd is None:
        return CliRunner().invoke(main, list(args))
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A finished build of the mini catalog, to check that failed builds leave it as it was."""
    out = tmp_path / "out"
    result = run("build", "--catalog", str(MINI), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    return out


# --- output for people and for programs -------------------------------------------------------------


def test_list_in_a_pipe_keeps_whole_ids_one_row_per_line():
    result = run("list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "name", "legs", "modes", "route"]
    ids = [line.split("  ")[0] for line in lines[1:]]
    assert "middle-corridor-black-sea" in ids and "suez-sea" in ids
    assert not any(ch in result.stdout for ch in "│┃━─")  # plain columns, no box drawing


def test_list_hubs_greps():
    result = run("list", "--hubs")
    kinds = [line for line in result.stdout.splitlines() if "border_crossing" in line]
    assert len(kinds) >= 5
    assert all(line.split()[0] for line in kinds)


def test_list_json():
    result = run("list", "--json")
    data = json.loads(result.stdout)
    ids = [c["id"] for c in data["corridors"]]
    assert "middle-corridor-black-sea" in ids
    mc = next(c for c in data["corridors"] if c["id"] == "middle-corridor")
    assert mc["from_hub"] == "xian" and "rail" in mc["modes"] and mc["legs"] > 3
    hubs = json.loads(run("list", "--hubs", "--json").stdout)["hubs"]
    aktau = next(h for h in hubs if h["id"] == "aktau")
    assert aktau["country"] == "KAZ" and aktau["kind"] == "sea_port" and isinstance(aktau["lat"], float)


def test_build_json_quiet_and_plain_progress(tmp_path):
    out = tmp_path / "o"
    result = run("build", "--catalog", str(MINI), "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["out"] == str(out) and "maps/t-caspian.html" in data["files"]
    assert data["corridors"][0]["corridor_id"] == "t-caspian" and data["corridors"][0]["length_km"] > 1000
    # progress: plain lines on stderr, one per stage, nothing on stdout but the JSON
    stages = [line for line in result.stderr.splitlines() if line.startswith("corridors: ")]
    assert (
        any("legs:" in s for s in stages) and any("layers:" in s for s in stages) and any("maps:" in s for s in stages)
    )
    assert len(stages) <= 6
    quiet = run("build", "--catalog", str(MINI), "--out", str(out), "--quiet")
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    verbose = run("build", "--catalog", str(MINI), "--out", str(out), "--verbose")
    assert verbose.exit_code == 0 and len(verbose.stderr.splitlines()) > len(stages)
    assert f"open {out / 'index.html'}" in verbose.stdout


def test_quiet_and_verbose_exclude_each_other():
    result = run("list", "--quiet", "--verbose")
    assert result.exit_code == ExitCode.USER_ERROR and "exclude each other" in result.output


def test_long_paths_are_not_cut(tmp_path):
    out = tmp_path / ("a-rather-long-folder-name-" * 4) / "corridor-maps-output"
    result = run("build", "--catalog", str(MINI), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"  open {out / 'index.html'}\n" in result.stdout


def test_internal_error_is_status_1_without_traceback(monkeypatch):
    import geo.catalog

    def boom(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(geo.catalog, "load_catalog", boom)
    result = run("list")
    assert result.exit_code == ExitCode.INTERNAL_ERROR
    assert "internal error (ZeroDivisionError: boom)" in result.stderr and "Traceback" not in result.stderr
    result = run("list", "--verbose")
    assert result.exit_code == ExitCode.INTERNAL_ERROR and "Traceback" in result.stderr


def test_interrupt_is_status_130(monkeypatch, built):
    import importlib

    pipeline = importlib.import_module("maps.build")  # `maps.build` the attribute is the function
    before = snapshot(built)

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "index_html", interrupt)  # the last file of a build
    result = run("build", "--catalog", str(MINI), "--out", str(built))
    assert result.exit_code == ExitCode.INTERRUPTED and "interrupted" in result.stderr
    assert snapshot(built) == before
    assert not [p for p in built.iterdir() if p.name.startswith(".corridor-mapper-tmp")]


def test_broken_pipe_exits_quietly():
    code = "from maps.cli import main; main()"
    proc = subprocess.run(
        f"{sys.executable} -c '{code}' list --hubs | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout.startswith("id") and "Traceback" not in proc.stderr and "error" not in proc.stderr


# --- a safe --out ------------------------------------------------------------------------------------


def test_empty_out_is_refused_and_the_working_folder_untouched(tmp_path):
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "mine.py").write_text("print('mine')")
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "roads.gpkg").write_text("mine")
    before = snapshot(tmp_path)
    result = run("build", "--catalog", str(MINI), "--out", "", cwd=tmp_path)
    assert result.exit_code == ExitCode.USER_ERROR
    assert "error: --out '': the output folder is empty: give a folder name" in result.stderr
    assert snapshot(tmp_path) == before


def test_out_holding_someone_elses_maps_is_refused(tmp_path):
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "mine.py").write_text("print('mine')")
    before = snapshot(tmp_path)
    result = run("build", "--catalog", str(MINI), "--out", ".", cwd=tmp_path)
    assert result.exit_code == ExitCode.USER_ERROR
    assert f"{Path('.') / 'maps'} exists and was not written by corridor-mapper" in result.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("out", ["/", "~"])
def test_root_and_home_are_refused(out):
    result = run("build", "--catalog", str(MINI), "--out", out)
    assert result.exit_code == ExitCode.USER_ERROR and "give a folder" in result.stderr


def test_out_that_is_a_file_is_refused(tmp_path):
    f = tmp_path / "report.txt"
    f.write_text("mine")
    result = run("build", "--catalog", str(MINI), "--out", str(f))
    assert result.exit_code == ExitCode.USER_ERROR and "is a file, not a folder" in result.stderr
    assert f.read_text() == "mine"


def test_build_into_the_working_folder_owns_only_its_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    assert run("build", "--catalog", str(MINI), "--out", ".", "-q", cwd=tmp_path).exit_code == 0
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    assert "notes.txt" not in manifest["files"] and "index.html" in manifest["files"]
    assert run("build", "--catalog", str(MINI), "--out", ".", "-q", cwd=tmp_path).exit_code == 0
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_build_of_the_earlier_version_is_recognised(built):
    (built / MANIFEST).unlink()  # version 0.1 wrote no manifest,
    shutil.rmtree(built / "maps" / "shared", ignore_errors=True)  # nor files shared by the pages,
    (built / "maps" / "timeline.html").unlink(missing_ok=True)  # nor the timeline
    result = run("build", "--catalog", str(MINI), "--out", str(built), "-q")
    assert result.exit_code == 0, result.output
    assert (built / MANIFEST).exists()


# --- bad catalogs leave the previous output as it was -----------------------------------------------


def _variant(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BAD_CATALOGS = {
    "overview": (
        lambda: MINI.read_text(encoding="utf-8").replace("t-caspian", "overview"),
        "corridor 'overview': id 'overview' is reserved (the build writes maps/overview.html itself): rename the corridor",
    ),
    "index": (
        lambda: MINI.read_text(encoding="utf-8").replace("t-caspian", "index"),
        "corridor 'index': id 'index' is reserved",
    ),
    "infinite": (
        lambda: (
            MINI.read_text(encoding="utf-8")
            .replace('mode = "ferry"', 'mode = "ferry"\npublished_km = inf', 1)
            .replace("published_km = inf", 'published_km = inf\npublished_km_source = "x"', 1)
        ),
        "field 'legs[1].published_km' = inf: not a finite number",
    ),
    "empty": (lambda: "", "defines no hubs and no corridors"),
    "hubs-only": (
        lambda: MINI.read_text(encoding="utf-8").split("[corridors.")[0],
        "defines hubs but no corridors: nothing to build",
    ),
    "hub-typo": (
        lambda: MINI.read_text(encoding="utf-8").replace('from = "t-tbilisi"', 'from = "t-tbilsi"'),
        "field 'legs[3].from' = 't-tbilsi': no such hub: did you mean 't-tbilisi'?",
    ),
    "two-letter-country": (
        lambda: MINI.read_text(encoding="utf-8").replace('country = "GEO"', 'country = "GE"'),
        "a two-letter code: use the three-letter ISO 3166-1 alpha-3 code 'GEO' (Georgia)",
    ),
}


def test_three_mistakes_give_three_lines(tmp_path, built):
    text = (
        MINI.read_text(encoding="utf-8")
        .replace('from = "t-tbilisi"', 'from = "t-tbilsi"')
        .replace('country = "GEO"', 'country = "GE"')
        .replace('mode = "ferry"', 'mode = "boat"')
    )
    path = _variant(tmp_path, "three.toml", text)
    before = snapshot(built)
    result = run("build", "--catalog", str(path), "--out", str(built))
    assert result.exit_code == ExitCode.USER_ERROR
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3 and all(line.startswith(f"error: {path}") for line in lines), lines
    assert snapshot(built) == before


@pytest.mark.parametrize("case", sorted(BAD_CATALOGS))
def test_bad_catalog_keeps_previous_output(tmp_path, built, case):
    text, expected = BAD_CATALOGS[case]
    path = _variant(tmp_path, f"{case}.toml", text())
    before = snapshot(built)
    result = run("build", "--catalog", str(path), "--out", str(built))
    assert result.exit_code == ExitCode.USER_ERROR, result.output
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines)
    assert expected in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(built) == before


def test_the_layout_ids_are_reserved():
    from geo.model import RESERVED_IDS
    from maps.output import PAGES, SHARED_DIR

    assert set(PAGES) <= set(RESERVED_IDS) and SHARED_DIR.split("/")[-1] in RESERVED_IDS


def test_bom_is_accepted(tmp_path):
    path = _variant(tmp_path, "bom.toml", "\ufeff" + MINI.read_text(encoding="utf-8"))
    result = run("list", "--catalog", str(path))
    assert result.exit_code == 0, result.output


# --- route, for programs ----------------------------------------------------------------------------


@pytest.mark.network
def test_route_json_parses(tmp_path):
    out = tmp_path / "r"
    result = run("route", "tbilisi", "kars", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == "route-tbilisi-kars" and data["legs"][0]["mode"] == "rail"
    assert data["countries"] == ["GEO", "TUR"] and data["border_crossings"] == 1
    assert 250 < data["length_km"] < 450 and Path(data["map"]).exists()


def test_layer_files_with_a_reserved_id_are_refused(built, tmp_path):
    import geopandas as gpd

    gpkg = tmp_path / "edited.gpkg"
    for i, layer in enumerate(("hubs", "legs", "corridors")):
        frame = gpd.read_file(built / "layers" / "corridors.gpkg", layer=layer)
        for column in ("corridor_id", "corridors", "feature"):
            if column in frame.columns:
                frame[column] = frame[column].str.replace("t-caspian", "overview")
        frame.to_file(gpkg, layer=layer, append=i > 0)
    before = snapshot(built)
    result = run("build", str(gpkg), "--out", str(built))
    assert result.exit_code == ExitCode.USER_ERROR, result.output
    assert "corridor 'overview': id 'overview' is reserved" in result.stderr
    assert snapshot(built) == before


def test_the_cli_starts_without_the_heavy_libraries():
    """`corridors --help` and the options' defaults load no GIS, map or graph library (they load on first use)."""
    import subprocess
    import sys

    code = (
        "import sys, maps.cli; heavy = {'folium', 'geopandas', 'pyogrio', 'scipy', 'shapely', 'searoute', 'pydantic'}"
        "; print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_light_defaults_agree_with_the_modules_that_use_them():
    from geo.defaults import DEFAULT_MODE_NAMES
    from geo.model import DEFAULT_MODES
    from layers.formats import DEFAULT_FORMATS, FORMAT_NAMES
    from layers.io import FORMATS

    assert tuple(FORMATS) == FORMAT_NAMES and set(DEFAULT_FORMATS) <= set(FORMATS)
    assert tuple(map(str, DEFAULT_MODES)) == DEFAULT_MODE_NAMES


def test_a_single_file_output_gets_the_permissions_open_gives_and_keeps_those_of_the_file_it_replaces(tmp_path):
    """``--out FILE`` is written to a temporary file and moved into place; the temporary file is private (0600),
    the output must not be: a page others (or a web server) cannot read is no use."""
    from maps.output import write_file

    old = os.umask(0o022)
    try:
        usual = tmp_path / "usual.html"
        usual.write_text("x", encoding="utf-8")
        page = tmp_path / "page.html"
        write_file(page, lambda p: p.write_text("<p>page</p>", encoding="utf-8"))
        assert page.stat().st_mode & 0o777 == usual.stat().st_mode & 0o777 == 0o644
        page.chmod(0o640)  # the user's own choice is kept when the file is written again
        write_file(page, lambda p: p.write_text("<p>again</p>", encoding="utf-8"))
        assert page.stat().st_mode & 0o777 == 0o640 and page.read_text(encoding="utf-8") == "<p>again</p>"
    finally:
        os.umask(old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html", "usual.html"]  # no temporary file left
