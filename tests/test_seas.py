"""The shipped sea labels: every point is what its box gives, lies at sea, and the file's errors name the entry."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo.countries import simplified_outlines
from geo.errors import CatalogError
from geo.seas import LAND_TOLERANCE, sea_label_point, seas, seas_from_toml

SEAS = seas()


def test_the_seas_the_corridors_sail_are_there():
    names = {s.name for s in SEAS}
    assert {"Caspian Sea", "Black Sea", "Mediterranean Sea", "Red Sea", "Arabian Sea", "Baltic Sea"} <= names
    assert all(s.source.startswith("label point:") for s in SEAS)


@pytest.mark.parametrize("sea", SEAS, ids=[s.id for s in SEAS])
def test_each_label_point_is_recomputed_from_its_box_and_lies_at_sea(sea):
    lat, lon = sea_label_point(sea.box)
    assert abs(lat - sea.lat) <= 0.01 and abs(lon - sea.lon) <= 0.01
    _, outlines = simplified_outlines(LAND_TOLERANCE)
    assert not shapely.intersects(np.asarray(outlines, dtype=object), shapely.Point(sea.lon, sea.lat)).any()


def test_a_bad_entry_is_named_with_its_field():
    text = 'source = "x"\n[seas.a]\nname = "A"\nlat = 50\nlon = 10\nbox = [0, 0, 5, 5]\n'
    with pytest.raises(CatalogError, match=r"seas.toml: sea 'a'.*outside its box"):
        seas_from_toml(text, "seas.toml")
    with pytest.raises(CatalogError, match=r"seas.toml: sea 'b'.*name"):
        seas_from_toml('source = "x"\n[seas.b]\nlat = 1\nlon = 1\nbox = [0, 0, 5, 5]\n', "seas.toml")
    with pytest.raises(CatalogError, match="holds a `source` line"):
        seas_from_toml("[seas.c]\n", "seas.toml")
