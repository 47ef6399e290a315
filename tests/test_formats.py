"""Every GIS format written, read back with pyogrio (or pyarrow), checked against the layers it came from."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import sqlite3
import subprocess
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely
from click.testing import CliRunner

from geo.catalog import load_catalog
from geo.errors import CatalogError, OptionError
from geo.model import HubKind, Mode, Source, Status
from layers.frames import layers_from_catalog
from layers.geojson import rfc7946_geometry, write_geojson
from layers.io import (
    DEFAULT_FORMATS,
    FORMATS,
    GPKG_DATE,
    parse_formats,
    write_csv,
    write_flatgeobuf,
    write_geopackage,
    write_geoparquet,
    write_layers,
)
from layers.kml import write_kml
from layers.provenance import provenance_to_text, sources_frame
from layers.qgis import QML, hubs_qml, legs_qml
from layers.read import read_layers, select_corridors
from layers.shapefile import shapefile_field_names, write_shapefiles
from layers.style import HUB_STYLES, MODE_STYLES, QUALITY_STYLES, STATUS_STYLES
from maps.cli import main
from tests.conftest import MINI

NAMES = ("hubs", "legs", "corridors")
PRECISION = 1e-6  # 6 decimals in GeoJSON, KML and CSV


def frames(layers):
    """The layers as the files hold them: sources and facts as text."""
    return {name: provenance_to_text(getattr(layers, name)) for name in NAMES}


def assert_same(back: gpd.GeoDataFrame, frame: gpd.GeoDataFrame, *, tolerance: float = 1e-9, names=None) -> None:
    """Same CRS, rows, attributes (after renaming), and geometry within ``tolerance``."""
    assert back.crs is not None and back.crs.to_epsg() == 4326
    assert len(back) == len(frame)
    names = names or {}
    for column in frame.columns.drop("geometry"):
        got, want = back[names.get(column, column)], frame[column]
        if pd.api.types.is_numeric_dtype(want):
            np.testing.assert_allclose(got.astype(float), want.astype(float), rtol=0, atol=1e-9, err_msg=column)
        else:
            assert got.fillna("").astype(str).tolist() == want.fillna("").astype(str).tolist(), column
    # shapefiles store single-part lines as LineString: compare the parts
    same = shapely.equals_exact(
        shapely.normalize(back.geometry.values), shapely.normalize(frame.geometry.values), tolerance=tolerance
    ) | (shapely.hausdorff_distance(back.geometry.values, frame.geometry.values) < tolerance)
    assert same.all()


# --- the --formats option -------------------------------------------------------------------------


def test_parse_formats():
    assert parse_formats("gpkg,geojson") == DEFAULT_FORMATS
    assert parse_formats(" CSV, kml ,gpkg") == ("gpkg", "kml", "csv")
    assert parse_formats(",".join(reversed(FORMATS))) == tuple(FORMATS)
    with pytest.raises(OptionError, match=r"unknown format 'xlsx': choose from gpkg,geojson,fgb,parquet,kml,shp,csv"):
        parse_formats("gpkg,xlsx")
    with pytest.raises(OptionError, match="no format given"):
        parse_formats("")


@pytest.mark.parametrize("name", list(FORMATS))
def test_each_registered_format_writes_the_files_it_names(mini_layers, tmp_path, name):
    fmt = FORMATS[name]
    assert fmt.name == name and fmt.description
    written = write_layers(mini_layers, tmp_path, [name])
    assert [str(f.path) for f in written][-1] == "ATTRIBUTION"
    assert all((tmp_path / f.path).is_file() and f.notices for f in written[:-1])
    on_disk = sorted(p.name for p in tmp_path.iterdir() if p.name != "ATTRIBUTION")
    assert on_disk == sorted(fmt.file_names(mini_layers.corridors["corridor_id"]))


def test_cli_rejects_an_unknown_format(tmp_path):
    result = CliRunner().invoke(
        main, ["build", "--catalog", str(MINI), "--formats", "gpkg,dxf", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --formats: unknown format 'dxf': choose from gpkg,geojson,fgb,parquet,kml,shp,csv (comma-separated)"
    ]
    assert not (tmp_path / "o").exists()


# --- each format, written and read back -----------------------------------------------------------


def test_geopackage(mini_layers, tmp_path):
    path = write_geopackage(mini_layers, tmp_path / "corridors.gpkg", parameters={"input": "test"})
    assert [n for n, _ in pyogrio.list_layers(path)] == [*NAMES, "sources", "layer_styles"]
    for name, frame in frames(mini_layers).items():
        back = pyogrio.read_dataframe(path, layer=name)
        assert list(back.columns) == list(frame.columns)
        assert_same(back, frame)
        assert pyogrio.read_info(path, layer=name)["layer_metadata"]["DESCRIPTION"]
    meta = pyogrio.read_info(path, layer="hubs")["dataset_metadata"]
    assert "searoute" in meta["attribution"] and "Apache-2.0" in meta["licence"]
    assert meta["generator"].startswith("corridor-mapper") and "searoute" in meta["data_versions"]
    assert meta["build_parameters"] == "input=test"
    sources = pyogrio.read_dataframe(path, layer="sources", read_geometry=False)
    assert list(sources.columns) == ["layer", "feature", "field", "text", "url"]
    assert ("hubs", "t-aktau", "source", "UN/LOCODE KZ AAU") in set(
        sources[["layer", "feature", "field", "text"]].itertuples(index=False, name=None)
    )
    fact = sources[sources["field"].str.startswith("facts")].iloc[0]
    assert fact["url"] == "https://portnews.ru/news/346384/" and fact["text"] == "portnews.ru 346384"
    assert "t-caspian/2" in set(sources["feature"])
    # the styles QGIS loads as each layer's default: schema '', geometry column 'geom', useAsDefault
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT f_table_schema, f_table_name, f_geometry_column, useAsDefault, styleQML FROM layer_styles"
        ).fetchall()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [("", n, "geom", 1) for n in NAMES]
    assert [r[4] for r in rows] == [QML[n]() for n in NAMES]
    head = path.read_bytes()[:100]
    assert head[68:72] == b"GPKG" and int.from_bytes(head[60:64], "big") == 10200


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="needs GDAL's ogrinfo (apt-get install gdal-bin)")
def test_geopackage_opens_in_debian_gdal(mini_layers, tmp_path):
    path = write_geopackage(mini_layers, tmp_path / "corridors.gpkg")
    run = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True, text=True, check=True)
    assert run.stderr == ""  # no "partially supported" warning: GeoPackage 1.2
    sections = {part.split("\n", 1)[0]: part for part in run.stdout.split("Layer name: ")[1:]}
    counts = {name: int(re.search(r"Feature Count: (\d+)", part)[1]) for name, part in sections.items()}
    assert counts == {
        "hubs": 4,
        "legs": 3,
        "corridors": 1,
        "sources": len(sources_frame(mini_layers)),
        "layer_styles": 3,
    }
    assert "Geometry: Point" in sections["hubs"] and "Geometry: Line String" in sections["legs"]
    assert "  attribution=" in run.stdout and "Sea routes: searoute" in run.stdout
    assert 'ID["EPSG",4326]' in run.stdout
    check = subprocess.run(
        ["ogrinfo", "-ro", "-q", str(path), "legs", "-where", "seq = 2"], capture_output=True, text=True
    )
    assert check.returncode == 0 and "published_km (Real) = 550" in check.stdout


def test_flatgeobuf_with_qml_sidecars(mini_layers, tmp_path):
    paths = write_flatgeobuf(mini_layers, tmp_path)
    assert [p.name for p in paths] == ["hubs.fgb", "legs.fgb", "corridors.fgb"]
    for name, frame in frames(mini_layers).items():
        back = pyogrio.read_dataframe(tmp_path / f"{name}.fgb")
        assert list(back.columns) == list(frame.columns)
        assert_same(back, frame)
        assert (tmp_path / f"{name}.qml").read_text(encoding="utf-8") == QML[name]()


def test_geoparquet(mini_layers, tmp_path):
    write_geoparquet(mini_layers, tmp_path)
    for name, frame in frames(mini_layers).items():
        path = tmp_path / f"{name}.parquet"
        geo = json.loads(pq.read_schema(path).metadata[b"geo"])
        assert geo["version"] == "1.0.0" and geo["primary_column"] == "geometry"
        assert geo["columns"]["geometry"]["encoding"] == "WKB"
        assert geo["columns"]["geometry"]["crs"]["id"] == {"authority": "EPSG", "code": 4326}
        back = gpd.read_parquet(path)  # pyogrio's GDAL has no Parquet driver
        assert list(back.columns) == list(frame.columns)
        assert_same(back, frame)


def test_csv_with_wkt(mini_layers, tmp_path):
    write_csv(mini_layers, tmp_path)
    for name, frame in frames(mini_layers).items():
        path = tmp_path / f"{name}.csv"
        assert path.read_text(encoding="utf-8").startswith("WKT,")
        back = pyogrio.read_dataframe(path)  # GDAL reads the WKT column and the .prj
        assert list(back.columns) == ["WKT", *frame.columns]
        assert_same(back.drop(columns="WKT"), frame, tolerance=PRECISION)
        assert back.dtypes["seq" if name == "legs" else back.columns[1]] is not None
    legs = pyogrio.read_dataframe(tmp_path / "legs.csv")
    assert legs["seq"].dtype == "int32" and legs["length_km"].dtype == "float64"  # typed by the .csvt


def test_shapefile_zips(mini_layers, tmp_path):
    paths = write_shapefiles(mini_layers, tmp_path)
    assert [p.name for p in paths] == ["hubs.shp.zip", "legs.shp.zip", "corridors.shp.zip"]
    for name, frame in frames(mini_layers).items():
        path = tmp_path / f"{name}.shp.zip"
        inside = sorted(zipfile.ZipFile(path).namelist())
        assert inside == sorted(f"{name}{s}" for s in (".cpg", ".dbf", ".fields.csv", ".prj", ".qml", ".shp", ".shx"))
        names = shapefile_field_names(list(frame.columns.drop("geometry")))
        assert all(len(s) <= 10 for s in names.values()) and len(set(names.values())) == len(names)
        back = pyogrio.read_dataframe(path)
        assert list(back.columns) == [*names.values(), "geometry"]
        assert_same(back, frame, names=names)
        table = zipfile.ZipFile(path).read(f"{name}.fields.csv").decode()
        assert all(f"{s},{c}\n" in table for c, s in names.items())
    assert shapefile_field_names(["published_km", "published_source", "under_construction_km"]) == {
        "published_km": "pub_km",
        "published_source": "pub_source",
        "under_construction_km": "uc_km",
    }
    assert shapefile_field_names(["abcdefghijkl", "abcdefghijxy"]) == {
        "abcdefghijkl": "abcdefghij",
        "abcdefghijxy": "abcdefghi1",
    }


def test_shapefile_cuts_long_text(mini_layers, tmp_path):
    hubs = mini_layers.hubs.copy()
    hubs.at[0, "source"] = (Source(text="é" * 300),)
    write_shapefiles(type(mini_layers)(hubs=hubs, legs=mini_layers.legs, corridors=mini_layers.corridors), tmp_path)
    back = pyogrio.read_dataframe(tmp_path / "hubs.shp.zip")
    assert back.loc[0, "source"].endswith("…") and len(back.loc[0, "source"].encode()) <= 254


def test_kml(mini_layers, tmp_path):
    path = write_kml(mini_layers, tmp_path / "corridors.kml")
    assert [n for n, _ in pyogrio.list_layers(path)] == ["Test: Aktau to Kars"]  # the corridor's folder
    back = pyogrio.read_dataframe(path, layer="Test: Aktau to Kars")
    assert back.crs.to_epsg() == 4326
    hubs, legs = back[back["feature"] == "hub"], back[back["feature"] == "leg"]
    assert hubs["Name"].tolist() == mini_layers.hubs["name"].tolist()
    assert legs["Name"].tolist() == [
        "Aktau → Alat (ferry, approximate alignment)",  # 58 km of straight port approaches: 89 % on the lanes
        "Alat → Tbilisi (rail)",
        "Tbilisi → Kars (rail, planned, approximate alignment)",
    ]
    assert "<th align='left'>Kind</th><td>Sea port</td>" in hubs["description"].iloc[0]
    assert_same(gpd.GeoDataFrame(legs[["geometry"]], crs=4326), mini_layers.legs[["geometry"]], tolerance=PRECISION)
    assert legs["hub_id"].isna().all() and legs["mode"].tolist() == mini_layers.legs["mode"].tolist()
    text = path.read_text(encoding="utf-8")
    ferry, rail, planned = MODE_STYLES[Mode.FERRY], MODE_STYLES[Mode.RAIL], STATUS_STYLES[Status.PLANNED]

    def kml_color(color: str, alpha: float) -> str:  # aabbggrr
        return f"{round(alpha * 255):02x}{color[5:7]}{color[3:5]}{color[1:3]}"

    approximate = QUALITY_STYLES["approximate"]
    assert f"<color>{kml_color(rail.color, 0.9)}</color>" in text  # operational, on the network
    assert f"<color>{kml_color(ferry.color, 0.9 * 0.6)}</color>" in text  # approximate: lighter
    assert f"<color>{kml_color(rail.color, planned.opacity * 0.6)}</color>" in text
    assert f"<width>{rail.weight * approximate.weight_factor:g}</width>" in text  # and thinner
    assert "<href>http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png</href>" in text
    assert "<name>Trade corridors</name>" in text and "searoute" in text


# --- GeoJSON and the antimeridian -----------------------------------------------------------------

PACIFIC = """
[hubs.t-shanghai]
name = "Shanghai"
country = "CHN"
kind = "sea_port"
lat = 31.23
lon = 121.50
sources = ["UN/LOCODE CN SHA"]

[hubs.t-long-beach]
name = "Long Beach"
country = "USA"
kind = "sea_port"
lat = 33.75
lon = -118.20
sources = ["UN/LOCODE US LGB"]

[corridors.t-pacific]
name = "Test: across the Pacific"
summary = "A sea leg that crosses the antimeridian."
sources = ["tests"]

[[corridors.t-pacific.legs]]
from = "t-shanghai"
to = "t-long-beach"
mode = "sea"
status = "operational"
"""


@pytest.fixture(scope="module")
def pacific_layers(tmp_path_factory):
    path = tmp_path_factory.mktemp("pacific") / "pacific.toml"
    path.write_text(PACIFIC, encoding="utf-8")
    catalog = load_catalog([path], embedded=False)
    return layers_from_catalog(catalog, catalog.select(None))


def _lines(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Point":
        return [[geometry["coordinates"]]]
    return [geometry["coordinates"]] if geometry["type"] == "LineString" else geometry["coordinates"]


def rfc7946_problems(doc: dict) -> list[str]:
    """What breaks RFC 7946 (and our 6-decimal rule) in a FeatureCollection."""
    problems = []
    if doc.get("type") != "FeatureCollection" or "crs" in doc:
        problems.append("not a FeatureCollection without crs")
    for feature in doc["features"]:
        if feature["geometry"] is None:
            continue
        for line in _lines(feature["geometry"]):
            for x, y in line:
                if not (-180 <= x <= 180 and -90 <= y <= 90):
                    problems.append(f"{x},{y} out of range")
                if round(x, 6) != x or round(y, 6) != y:
                    problems.append(f"{x},{y} has more than 6 decimals")
            if any(abs(b[0] - a[0]) > 180 for a, b in itertools.pairwise(line)):
                problems.append("a segment jumps across the antimeridian: not cut")
    return problems


def test_geojson_follows_rfc7946(mini_layers, tmp_path):
    doc = json.loads(write_geojson(mini_layers, tmp_path / "c.geojson").read_text(encoding="utf-8"))
    assert rfc7946_problems(doc) == []
    assert [f["properties"]["feature"] for f in doc["features"]] == ["corridor"] + ["hub"] * 4 + ["leg"] * 3
    assert doc["features"][0]["geometry"] is None and doc["features"][0]["properties"]["n_legs"] == 3


def test_geojson_cuts_a_trans_pacific_sea_leg(pacific_layers, tmp_path):
    leg = pacific_layers.legs.geometry.iloc[0]
    assert shapely.get_coordinates(leg)[:, 0].max() > 180  # continuous longitudes in the layer
    path = write_geojson(pacific_layers, tmp_path / "t-pacific.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert rfc7946_problems(doc) == []
    geom = doc["features"][-1]["geometry"]
    assert geom["type"] == "MultiLineString" and len(geom["coordinates"]) == 2
    west, east = geom["coordinates"]
    assert west[-1][0] == 180.0 and east[0][0] == -180.0 and west[-1][1] == east[0][1]
    back = pyogrio.read_dataframe(path)  # GDAL reads it as RFC 7946 data
    assert back.crs.to_epsg() == 4326 and back.geometry.iloc[-1].geom_type == "MultiLineString"
    # read back as layers, the leg is one line again, as long as before
    again = read_layers(path)
    line = again.legs.geometry.iloc[0]
    assert line.geom_type == "LineString"
    assert again.legs["length_km"].iloc[0] == pytest.approx(pacific_layers.legs["length_km"].iloc[0], abs=0.01)


def test_rfc7946_cuts_lines_at_the_antimeridian():
    geom = rfc7946_geometry(shapely.LineString([(170.0, 10.0), (185.0, 20.0), (200.0, 30.0)]))
    assert geom["type"] == "MultiLineString"
    west, east = geom["coordinates"]
    assert west[0] == [170.0, 10.0] and west[-1] == [180.0, pytest.approx(16.666667)]
    assert east[0] == [-180.0, pytest.approx(16.666667)] and east[-1] == [-160.0, 30.0]
    # a vertex on the antimeridian gives no empty or repeated part
    assert rfc7946_geometry(shapely.LineString([(170.0, 0.0), (180.0, 1.0)])) == {
        "type": "LineString",
        "coordinates": [[170.0, 0.0], [180.0, 1.0]],
    }
    geom = rfc7946_geometry(shapely.LineString([(170.0, 0.0), (180.0, 1.0), (190.0, 2.0)]))
    assert geom["coordinates"] == [[[170.0, 0.0], [180.0, 1.0]], [[-180.0, 1.0], [-170.0, 2.0]]]
    assert rfc7946_geometry(shapely.LineString([(10, 1), (20, 2)]))["type"] == "LineString"
    assert rfc7946_geometry(shapely.Point(190.0, 5.0))["coordinates"] == [-170.0, 5.0]


# --- styles from the one style definition ---------------------------------------------------------


def _rgb(color: str) -> str:
    return ",".join(str(int(color[i : i + 2], 16)) for i in (1, 3, 5))


def test_qml_comes_from_the_style_tables():
    legs = ET.fromstring(legs_qml().split("\n", 1)[1])
    assert legs.find("renderer-v2").get("type") == "RuleRenderer"
    rules = legs.find("renderer-v2/rules")
    assert [r.get("label") for r in rules] == [*(MODE_STYLES[m].label for m in Mode), "Other"]
    symbols = {s.get("name"): s for s in legs.find("renderer-v2/symbols")}
    for mode_rule, mode in zip(rules, Mode, strict=False):
        assert mode_rule.get("filter") == f"\"mode\" = '{mode}'"
        band, *by_status = mode_rule  # first the band under approximate alignments
        assert band.get("filter") == "\"geometry_quality\" = 'approximate'"
        assert float(symbols[band.get("symbol")].get("alpha")) == QUALITY_STYLES["approximate"].band_opacity
        for rule, status in zip(by_status, Status, strict=True):
            symbol = symbols[rule.get("symbol")]
            props = {o.get("name"): o.get("value") for o in symbol.iter("Option") if o.get("name")}
            assert props["line_color"] == _rgb(MODE_STYLES[mode].color) + ",255"
            assert float(symbol.get("alpha")) == STATUS_STYLES[status].opacity
            assert props["use_custom_dash"] == ("1" if STATUS_STYLES[status].dash else "0")
    hubs = ET.fromstring(hubs_qml().split("\n", 1)[1])
    renderer = hubs.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "kind"
    categories = renderer.find("categories")
    assert [c.get("value") for c in categories] == [str(k) for k in HubKind]
    for category, kind in zip(categories, HubKind, strict=True):
        symbol = renderer.find(f"symbols/symbol[@name='{category.get('symbol')}']")
        props = {o.get("name"): o.get("value") for o in symbol.iter("Option") if o.get("name")}
        assert props["name"] == HUB_STYLES[kind].shape and props["color"] == _rgb(HUB_STYLES[kind].fill) + ",255"


def test_no_second_copy_of_the_colours():
    here = Path(__file__).parent.parent / "layers"
    colours = {s.color for s in MODE_STYLES.values()} | {s.fill for s in HUB_STYLES.values()}
    for module in ("qgis.py", "kml.py", "io.py", "geojson.py", "shapefile.py"):
        text = (here / module).read_text(encoding="utf-8").lower()
        assert not [c for c in colours if c.lower() in text], module


# --- the build: formats, determinism, round trip --------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_build_every_format(tmp_path):
    out = tmp_path / "out"
    result = run("build", "--catalog", str(MINI), "--out", str(out), "--formats", ",".join(FORMATS), "--tiles", "none")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (out / "layers").iterdir())
    assert names == sorted(
        ["ATTRIBUTION", "corridors.gpkg", "corridors.kml", "t-caspian.geojson"]
        + [f"{n}{s}" for n in NAMES for s in (".fgb", ".qml", ".parquet", ".shp.zip", ".csv", ".csvt", ".prj")]
    )
    text = (out / "layers" / "ATTRIBUTION").read_text(encoding="utf-8")
    assert "] Sea routes: searoute (Eurostat marnet, Apache-2.0)" in text
    assert "  hubs.fgb" in text and "  legs.shp.zip" in text and "  corridors.kml" in text
    assert f"- input: catalog {MINI}" in text and "- formats: gpkg,geojson,fgb,parquet,kml,shp,csv" in text
    assert "- tiles: none" in text and "- corridors: t-caspian" in text


def test_two_builds_give_the_same_bytes(tmp_path):
    """Every file of two builds of the same input, in every format, the GeoPackage included."""
    files = {}
    for name in ("a", "b"):
        out = tmp_path / name
        result = run("build", "--catalog", str(MINI), "--out", str(out), "--formats", ",".join(FORMATS))
        assert result.exit_code == 0, result.output
        files[name] = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        time.sleep(1.1)  # GDAL's clock would show in the GeoPackage's dates (to the millisecond)
    assert {"layers/corridors.gpkg", "layers/t-caspian.geojson", "layers/legs.shp.zip", "index.html"} <= set(files["a"])
    assert sorted(files["a"]) == sorted(files["b"])
    assert [n for n in files["a"] if files["a"][n] != files["b"][n]] == []


def test_geopackage_dates_are_fixed_and_gdal_config_restored(mini_layers, tmp_path):
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    path = write_geopackage(mini_layers, tmp_path / "corridors.gpkg")
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None
    with sqlite3.connect(path) as db:
        dates = db.execute(
            "SELECT last_change FROM gpkg_contents UNION SELECT timestamp FROM gpkg_metadata_reference "
            "UNION SELECT update_time FROM layer_styles"
        ).fetchall()
    assert dates == [(GPKG_DATE,)]


@pytest.mark.parametrize("source", ["corridors.gpkg", "t-caspian.geojson"])
def test_rebuild_from_written_layers(tmp_path, source):
    first, second = tmp_path / "first", tmp_path / "second"
    assert run("build", "--catalog", str(MINI), "--out", str(first), "--tiles", "none").exit_code == 0
    result = run("build", str(first / "layers" / source), "--out", str(second), "--tiles", "none")
    assert result.exit_code == 0, result.output
    assert "Built 1 corridor (3 legs)" in result.output
    assert sorted(p.name for p in (second / "maps").iterdir()) == [
        "overview.html",
        "shared",
        "t-caspian.html",
        "timeline.html",
    ]
    if source.endswith(".gpkg"):  # exact geometry: the same maps and index, byte for byte
        for page in ("maps/t-caspian.html", "maps/overview.html", "index.html"):
            assert (second / page).read_bytes() == (first / page).read_bytes(), page
    text = (second / "layers" / "ATTRIBUTION").read_text(encoding="utf-8")
    assert f"- input: layers {first / 'layers' / source}" in text
    assert not list((first / "layers").glob("*.aux.xml"))  # reading left nothing behind


def test_read_layers_equal_to_the_written_ones(mini_layers, tmp_path):
    write_layers(mini_layers, tmp_path, ("gpkg", "geojson"))
    for path in (tmp_path / "corridors.gpkg", tmp_path / "t-caspian.geojson"):
        back = read_layers(path)
        for name, frame in frames(mini_layers).items():
            got = frames(back)[name]
            assert list(got.columns) == list(frame.columns)
            pd.testing.assert_frame_equal(
                pd.DataFrame(got.drop(columns="geometry")), pd.DataFrame(frame.drop(columns="geometry"))
            )
            assert shapely.equals_exact(got.geometry.values, frame.geometry.values, tolerance=PRECISION).all()


def test_edited_leg_is_measured_again_and_extra_columns_kept(mini_layers, tmp_path):
    legs = mini_layers.legs.copy()
    legs["network_km"] = [0.0, 512.5, np.nan]  # a column another part of the tool may add
    legs.loc[2, "geometry"] = shapely.LineString([(44.78, 41.72), (44.0, 41.0), (43.10, 40.60)])  # moved in QGIS
    edited = type(mini_layers)(hubs=mini_layers.hubs, legs=legs, corridors=mini_layers.corridors)
    back = read_layers(write_geopackage(edited, tmp_path / "corridors.gpkg"))
    assert back.legs["network_km"].tolist()[:2] == [0.0, 512.5] and np.isnan(back.legs["network_km"].iloc[2])
    assert back.legs["length_km"].iloc[2] != mini_layers.legs["length_km"].iloc[2]
    assert back.corridors["length_km"].iloc[0] == pytest.approx(back.legs["length_km"].sum(), abs=0.001)
    assert back.corridors["planned_km"].iloc[0] == back.legs["length_km"].iloc[2]


def test_select_corridors(mini_layers):
    assert select_corridors(mini_layers, []) is mini_layers
    assert len(select_corridors(mini_layers, ["t-caspian"]).legs) == 3
    with pytest.raises(CatalogError, match="unknown corridor 'nope': choose from t-caspian"):
        select_corridors(mini_layers, ["nope"])


def test_foreign_or_broken_files_give_one_line(mini_layers, tmp_path):
    foreign = tmp_path / "roads.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(0, 0)], crs=4326).to_file(foreign, layer="roads")
    text = tmp_path / "notes.gpkg"
    text.write_text("hello")
    legs = mini_layers.legs.drop(columns="mode")
    no_mode = write_geopackage(
        type(mini_layers)(mini_layers.hubs, legs, mini_layers.corridors), tmp_path / "nomode.gpkg"
    )
    boat = mini_layers.legs.assign(mode=["boat", "rail", "rail"])
    bad_mode = write_geopackage(
        type(mini_layers)(mini_layers.hubs, boat, mini_layers.corridors), tmp_path / "boat.gpkg"
    )
    cases = {
        foreign: "roads.gpkg: no layer 'hubs', 'legs', 'corridors' (it has roads): not a layers file written by `corridors build`",
        text: "notes.gpkg: not a GeoPackage GDAL can open",
        no_mode: "nomode.gpkg: layer 'legs' has no column 'mode': not a layers file written by `corridors build`",
        bad_mode: "boat.gpkg: layer 'legs', corridor_id 't-caspian', leg 1 (t-aktau -> t-alat): mode 'boat' is not one of ferry, rail, road, sea",
        tmp_path / "missing.gpkg": "missing.gpkg: no such file",
        MINI: "mini.toml: cannot read .toml files as layers: give a .gpkg or a .geojson: a catalog file goes with --catalog",
    }
    for path, message in cases.items():
        result = CliRunner().invoke(main, ["build", str(path), "--out", str(tmp_path / "o")])
        assert result.exit_code == 2, path
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert not (tmp_path / "o").exists()
    result = CliRunner().invoke(main, ["build", str(foreign), "--catalog", str(MINI), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "either layer files or --catalog" in result.output
