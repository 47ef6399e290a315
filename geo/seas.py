"""Sea names for the maps: label points of the seas the corridors sail (``geo/data/seas.toml``).

Each sea has a name, a label point (lat, lon in degrees, EPSG:4326) and a box
(west, south, east, north) around its water; how the points were made, and from
what, is written at the top of the data file, and :func:`sea_label_point`
recomputes a point from its box. No rendering here: :mod:`maps.render` decides
which maps name which sea.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import shapely
import shapely.ops
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from geo.countries import simplified_outlines
from geo.errors import CatalogError, field_problem, toml_data

__all__ = ["SEAS_FILE", "Sea", "sea_label_point", "seas", "seas_from_toml"]

SEAS_FILE = "geo/data/seas.toml"
"""Where the shipped sea labels live (as a reader finds it in the repository)."""
LAND_TOLERANCE = 0.02
"""Simplification of the land outlines the label points were computed from, in degrees."""


class Sea(BaseModel):
    """A sea's name, its label point and the box around its water (degrees, EPSG:4326)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    lat: float
    lon: float
    box: tuple[float, float, float, float]
    source: str

    @model_validator(mode="after")
    def _point_in_box(self) -> Sea:
        west, south, east, north = self.box
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ValueError(f"box {list(self.box)} is not [west, south, east, north] in degrees")
        if not (west <= self.lon <= east and south <= self.lat <= north):
            raise ValueError(f"label point {self.lat}, {self.lon} lies outside its box {list(self.box)}")
        return self


def seas_from_toml(text: str, source: str = SEAS_FILE) -> tuple[Sea, ...]:
    """Seas from the text of a seas file, every problem reported together, one line each.

    Raises
    ------
    CatalogError
        The file is not valid TOML or an entry breaks the schema (the message
        names the file, the entry, the field and the value).
    """
    data = toml_data(text, source)
    table, about = data.get("seas"), data.get("source")
    if set(data) - {"seas", "source"} or not isinstance(table, dict) or not isinstance(about, str):
        raise CatalogError(f"{source}: a seas file holds a `source` line and [seas.<id>] tables")
    problems: list[str] = []
    out = []
    for key, entry in table.items():
        if not isinstance(entry, dict):
            problems.append(f"{source}: sea {key!r}: expected a table, got {entry!r}")
            continue
        try:
            out.append(Sea.model_validate({"id": key, "source": about, **entry}))
        except ValidationError as exc:
            problems += [field_problem(f"{source}: sea {key!r}", e, top="(entry)") for e in exc.errors()]
    if problems:
        raise CatalogError("\n".join(problems))
    return tuple(out)


@cache
def seas() -> tuple[Sea, ...]:
    """The shipped seas, in the file's order."""
    return seas_from_toml((resources.files("geo") / "data" / "seas.toml").read_text(encoding="utf-8"))


def sea_label_point(box: tuple[float, float, float, float]) -> tuple[float, float]:
    """``(lat, lon)``: the pole of inaccessibility of the largest piece of water inside ``box``.

    The land is Natural Earth's 1:10m admin-0 countries simplified at :data:`LAND_TOLERANCE`.
    """
    _, outlines = simplified_outlines(LAND_TOLERANCE)
    land = shapely.union_all(np.asarray(shapely.clip_by_rect(np.asarray(outlines, dtype=object), *box)))
    water = shapely.box(*box).difference(land)
    biggest = max(getattr(water, "geoms", [water]), key=lambda g: g.area)
    point = shapely.ops.polylabel(biggest, tolerance=0.05)
    return point.y, point.x
