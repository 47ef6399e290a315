"""O-D matrices: pair by pair the same figures as `corridors route`, a clear reason for what cannot be reached,
malformed input refused with its row, and the same output on Dask as in process."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from geo.catalog import load_catalog
from geo.errors import CatalogError, OptionError
from geo.matrix import MATRIX_COLUMNS, matrix_input, od_matrix
from geo.metrics import corridor_figures, leg_record
from geo.multimodal import DEFAULT_MODES, plan_route
from geo.places import places_from_argument, points_from_csv
from maps.cli import main

pytestmark = pytest.mark.network

CATALOG = load_catalog()
IDS = ["xian", "baku", "istanbul", "duisburg", "tehran"]


def _hubs(ids):
    return [(i, CATALOG.hubs[i]) for i in ids]


@pytest.fixture(scope="module")
def avoid_russia():
    job = matrix_input(CATALOG, _hubs(IDS), _hubs(IDS), modes=DEFAULT_MODES, avoid=["RUS", "BLR"])
    return pd.DataFrame(od_matrix(job), columns=MATRIX_COLUMNS)


@pytest.mark.parametrize(("a", "b"), [("xian", "duisburg"), ("baku", "istanbul"), ("tehran", "duisburg")])
def test_each_pair_has_the_figures_of_corridors_route(avoid_russia, a, b):
    route = plan_route(CATALOG, a, b, avoid=["RUS", "BLR"])
    hubs = {**CATALOG.hubs, **route.hubs}
    legs = pd.DataFrame([leg_record(leg, route.geometry_of(leg), hubs) for leg in route.corridor.legs])
    expected = corridor_figures(legs)
    row = avoid_russia[(avoid_russia.origin_id == a) & (avoid_russia.destination_id == b)].iloc[0]
    assert row.reachable
    for column in ("length_km", "rail_km", "road_km", "sea_km", "ferry_km"):
        assert row[column] == pytest.approx(expected[column], abs=0.1), column  # gap-fill lines: metres apart
    for column in ("border_crossings", "gauge_breaks", "transshipments", "countries"):
        assert row[column] == expected[column], column
    for column in ("days_min", "days_max", "co2e_kg_per_tonne"):
        assert row[column] == pytest.approx(expected[column], abs=0.11), column
    assert "RUS" not in row.countries.split(",")


def test_one_row_per_pair_origins_outermost_and_a_place_to_itself_is_not_a_route(avoid_russia):
    assert len(avoid_russia) == len(IDS) ** 2
    assert list(avoid_russia.origin_id[: len(IDS)]) == [IDS[0]] * len(IDS)
    same = avoid_russia[avoid_russia.origin_id == avoid_russia.destination_id]
    assert not same.reachable.any() and (same.reason == "origin and destination are the same place").all()


def test_a_point_far_from_every_network_is_an_unreachable_row_that_says_why(tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text("id,lat,lon\nkabul,34.52,69.18\nmid-pacific,10,-150\n", encoding="utf-8")
    points = points_from_csv(csv)
    job = matrix_input(CATALOG, points, _hubs(["xian"]), modes=DEFAULT_MODES)
    rows = {r["origin_id"]: r for r in od_matrix(job)}
    assert not rows["mid-pacific"]["reachable"]
    assert "km" in rows["mid-pacific"]["reason"] and "mid-pacific" in rows["mid-pacific"]["reason"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,lat,lon\na,1,2\n", r"row 1: no column 'id'"),
        ("id,lat,lon\na,41.7,44.8\na,40,45\n", r"row 3: column 'id' = 'a' repeats row 2"),
        ("id,lat,lon\na,north,44.8\n", r"row 2: column 'lat' = 'north' is not a number"),
        ("id,lat,lon\na,41.7,244.8\n", r"row 2: column 'lon' = '244.8' is out of range"),
        ("id,lat,lon\n", r"no rows below the header"),
    ],
)
def test_a_malformed_points_file_names_the_file_the_row_and_the_value(tmp_path, text, message):
    csv = tmp_path / "p.csv"
    csv.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=rf"^{re.escape(str(csv))}: {message}"):
        points_from_csv(csv)


def test_hub_ids_are_checked_with_the_nearest_id():
    with pytest.raises(OptionError, match=r"ORIGINS: 'xain' is not a hub id: did you mean xian"):
        places_from_argument("xain,baku", CATALOG, role="ORIGINS")


def test_the_command_writes_csv_and_parquet(tmp_path):
    runner = CliRunner()
    out = tmp_path / "m.parquet"
    result = runner.invoke(main, ["matrix", "xian,baku", "istanbul,duisburg", "--avoid", "RUS,BLR", "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert list(frame.columns) == MATRIX_COLUMNS and len(frame) == 4 and frame.reachable.all()
    bad = runner.invoke(main, ["matrix", "xian", "baku", "--out", str(tmp_path / "m.xlsx")])
    assert bad.exit_code == 2 and "use .csv, .parquet" in bad.output


def test_dask_gives_the_same_rows_as_in_process(avoid_russia):
    pytest.importorskip("dask.distributed")
    from geo.distributed import od_matrix_on_dask

    job = matrix_input(CATALOG, _hubs(IDS), _hubs(IDS), modes=DEFAULT_MODES, avoid=["RUS", "BLR"])
    rows = pd.DataFrame(od_matrix_on_dask(job, workers=2), columns=MATRIX_COLUMNS)
    pd.testing.assert_frame_equal(rows, avoid_russia)
