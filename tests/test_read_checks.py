"""Layers read back from an edited GeoPackage are checked like a catalog: hubs exist, legs chain."""

from __future__ import annotations

import sqlite3

import pytest

from geo.errors import CatalogError
from layers.io import write_geopackage
from layers.read import read_layers


@pytest.fixture
def gpkg(mini_layers, tmp_path):
    return write_geopackage(mini_layers, tmp_path / "corridors.gpkg")


def edit(path, sql: str) -> None:
    """Edit the file as a user would in a database tool (GDAL's triggers want these functions)."""
    with sqlite3.connect(path) as db:
        db.create_function("ST_IsEmpty", 1, lambda g: 0)
        for name in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
            db.create_function(name, 1, lambda g: 0.0)
        db.execute(sql)


def test_untouched_file_reads(gpkg):
    assert len(read_layers(gpkg).legs) == 3


def test_unknown_hub_is_named(gpkg):
    edit(gpkg, "UPDATE legs SET from_hub = 't-tbilsi' WHERE seq = 3")
    with pytest.raises(CatalogError, match=r"corridor 't-caspian', leg 3: from_hub 't-tbilsi' is not in layer 'hubs'"):
        read_layers(gpkg)


def test_deleted_hub_is_named(gpkg):
    edit(gpkg, "DELETE FROM hubs WHERE hub_id = 't-tbilisi'")
    with pytest.raises(CatalogError, match=r"leg 2: to_hub 't-tbilisi' is not in layer 'hubs'"):
        read_layers(gpkg)


def test_broken_chain_is_named(gpkg):
    edit(gpkg, "UPDATE legs SET from_hub = 't-aktau' WHERE seq = 3")
    with pytest.raises(CatalogError, match=r"leg 3: starts at 't-aktau' but the leg before ends at 't-tbilisi'"):
        read_layers(gpkg)


def test_bad_status_names_the_leg(gpkg):
    edit(gpkg, "UPDATE legs SET status = 'Planned' WHERE seq = 3")
    with pytest.raises(CatalogError, match=r"corridor_id 't-caspian', leg 3 \(t-tbilisi -> t-kars\): status 'Planned'"):
        read_layers(gpkg)


def test_toml_given_as_layers_points_to_catalog(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"a catalog file goes with --catalog"):
        read_layers(path)
