"""Writing layers to the files GIS users open.

* ``corridors.gpkg``: GeoPackage 1.2 (opens silently in QGIS 3.22 and GDAL 3.6)
  with the layers ``hubs``, ``legs`` and ``corridors`` and the attribution in
  the dataset metadata;
* ``<corridor-id>.geojson``: RFC 7946 GeoJSON per corridor (WGS84 lon/lat, no
  ``crs`` member, lines cut at the antimeridian, 6 decimals), hubs first, then
  legs in route order, each feature with a ``feature`` property saying which;
* ``ATTRIBUTION``: the licence notices owed by the data in the folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from layers.frames import Layers

__all__ = ["rfc7946_geometry", "tool_version", "write_attribution", "write_geojson", "write_geopackage"]

GEOJSON_DECIMALS = 6
HUB_ATTRIBUTION = "Hub locations: UN/LOCODE and desk research, see each hub's source"


def tool_version() -> str:
    try:
        return version("corridor-mapper")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def attribution_lines(layers: Layers) -> list[str]:
    return [*layers.attribution, HUB_ATTRIBUTION]


def write_geopackage(layers: Layers, path: Path) -> Path:
    """Write the three layers into one GeoPackage 1.2 file, replacing it."""
    meta = {"generator": f"corridor-mapper {tool_version()}", "attribution": " | ".join(attribution_lines(layers))}
    path.unlink(missing_ok=True)
    for i, (name, frame) in enumerate([("hubs", layers.hubs), ("legs", layers.legs), ("corridors", layers.corridors)]):
        frame.to_file(
            path,
            layer=name,
            driver="GPKG",
            engine="pyogrio",
            append=i > 0,
            VERSION="1.2",
            dataset_metadata=meta if i == 0 else None,
        )
    return path


def _split_antimeridian(coords: np.ndarray) -> list[np.ndarray]:
    """Cut a line with continuous longitudes where it crosses ±180°, wrapping each part."""
    parts: list[np.ndarray] = []
    lons = coords[:, 0]
    shifts = np.floor((lons + 180.0) / 360.0)
    pieces = [coords[:1]]
    for i in range(1, len(coords)):
        if shifts[i] != shifts[i - 1]:
            (x0, y0), (x1, y1) = coords[i - 1], coords[i]
            edge = 180.0 + 360.0 * min(shifts[i - 1], shifts[i])
            t = (edge - x0) / (x1 - x0)
            y = y0 + t * (y1 - y0)
            pieces.append(np.array([[edge, y]]))
            parts.append(np.concatenate(pieces))
            pieces = [np.array([[edge, y]])]
        pieces.append(coords[i : i + 1])
    parts.append(np.concatenate(pieces))
    out = []
    for p in parts:
        p = p.copy()
        mid = np.floor((p[:, 0].mean() + 180.0) / 360.0)
        p[:, 0] -= 360.0 * mid
        out.append(p)
    return out


def _round(a: np.ndarray) -> list[list[float]]:
    return np.round(a, GEOJSON_DECIMALS).tolist()


def rfc7946_geometry(geom: shapely.Geometry) -> dict[str, Any]:
    """A GeoJSON geometry per RFC 7946: lon/lat in [-180, 180], lines cut at the antimeridian."""
    if isinstance(geom, shapely.Point):
        lon = (geom.x + 180.0) % 360.0 - 180.0
        return {"type": "Point", "coordinates": _round(np.array([lon, geom.y]))}
    lines = list(geom.geoms) if isinstance(geom, shapely.MultiLineString) else [geom]
    parts = [p for line in lines for p in _split_antimeridian(shapely.get_coordinates(line))]
    if len(parts) == 1:
        return {"type": "LineString", "coordinates": _round(parts[0])}
    return {"type": "MultiLineString", "coordinates": [_round(p) for p in parts]}


def _clean(value: Any) -> Any:
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _features(frame: pd.DataFrame, kind: str) -> Iterable[dict[str, Any]]:
    columns = [c for c in frame.columns if c != "geometry"]
    for row, geom in zip(frame[columns].itertuples(index=False), frame.geometry, strict=True):
        props = {"feature": kind, **{c: _clean(v) for c, v in zip(columns, row, strict=True)}}
        yield {"type": "Feature", "properties": props, "geometry": rfc7946_geometry(geom)}


def write_geojson(layers: Layers, path: Path) -> Path:
    """Write hubs and legs as one RFC 7946 FeatureCollection (deterministic bytes)."""
    collection = {
        "type": "FeatureCollection",
        "attribution": attribution_lines(layers),
        "features": [*_features(layers.hubs, "hub"), *_features(layers.legs, "leg")],
    }
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


def write_attribution(layers: Layers, path: Path) -> Path:
    """A plain-text ``ATTRIBUTION`` file listing what the data in the folder owe."""
    lines = [
        f"Layers written by corridor-mapper {tool_version()}.",
        "",
        "The data in these files come from, and must be credited to:",
        *(f"- {line}" for line in attribution_lines(layers)),
        "",
        "Great-circle lines are drawn by corridor-mapper between hub coordinates; they",
        "show the order of a corridor's hubs, not the track.",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
