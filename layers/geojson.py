"""GeoJSON per RFC 7946, and the antimeridian cut it needs, with its inverse.

A ``<corridor-id>.geojson`` holds one FeatureCollection: WGS84 lon/lat (no
``crs`` member), longitudes in [-180, 180], lines cut where they cross the
antimeridian (the layers keep continuous longitudes, see
:mod:`geo.geometry`), 6 decimals. Features are the corridor (no geometry: its
legs hold it), its hubs, then its legs in route order, each with a
``feature`` property saying which. Sources and facts are text
(:mod:`layers.provenance`). The bytes depend only on the layers.
:func:`rejoin_antimeridian` undoes the cut when the file is read back.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from layers.frames import Layers
from layers.provenance import attribution_lines, attribution_of_legs, provenance_to_text

__all__ = ["GEOJSON_DECIMALS", "rejoin_antimeridian", "rfc7946_geometry", "write_corridor_geojson", "write_geojson"]

GEOJSON_DECIMALS = 6


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
        keep = np.r_[True, np.any(np.diff(p, axis=0) != 0, axis=1)]  # a vertex on ±180 is not repeated
        p = p[keep].copy()
        if len(p) < 2:
            continue
        mid = np.floor((p[:, 0].mean() + 180.0) / 360.0)
        p[:, 0] -= 360.0 * mid
        out.append(p)
    return out


def _round(a: np.ndarray) -> list[Any]:
    return (np.round(a, GEOJSON_DECIMALS) + 0.0).tolist()  # + 0.0: no -0.0


def rfc7946_geometry(geom: shapely.Geometry | None) -> dict[str, Any] | None:
    """A GeoJSON geometry per RFC 7946: lon/lat in [-180, 180], lines cut at the antimeridian."""
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, shapely.Point):
        lon = (geom.x + 180.0) % 360.0 - 180.0
        return {"type": "Point", "coordinates": _round(np.array([lon, geom.y]))}
    lines = list(geom.geoms) if isinstance(geom, shapely.MultiLineString) else [geom]
    parts = [p for line in lines for p in _split_antimeridian(shapely.get_coordinates(line))]
    if len(parts) == 1:
        return {"type": "LineString", "coordinates": _round(parts[0])}
    return {"type": "MultiLineString", "coordinates": [_round(p) for p in parts]}


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        return _clean(value.item())
    return value


def _features(frame: pd.DataFrame, kind: str, *, geometry: bool = True) -> Iterable[dict[str, Any]]:
    frame = provenance_to_text(frame)  # sources and facts as text
    columns = [c for c in frame.columns if c != "geometry"]
    for row, geom in zip(frame[columns].itertuples(index=False), frame.geometry, strict=True):
        props = {"feature": kind, **{c: _clean(v) for c, v in zip(columns, row, strict=True)}}
        yield {"type": "Feature", "properties": props, "geometry": rfc7946_geometry(geom) if geometry else None}


def write_geojson(layers: Layers, path: Path) -> Path:
    """Write corridors (without geometry: their legs hold it), hubs and legs as one RFC 7946 FeatureCollection.

    The bytes depend only on the layers: the same input gives the same file.
    """
    _write(
        path,
        attribution_lines(layers),
        [
            *_features(layers.corridors, "corridor", geometry=False),
            *_features(layers.hubs, "hub"),
            *_features(layers.legs, "leg"),
        ],
    )
    return path


def write_corridor_geojson(layers: Layers, folder: Path) -> list[tuple[Path, list[str]]]:
    """``folder/<corridor id>.geojson`` for each corridor: the same files as :func:`write_geojson` of
    :meth:`Layers.for_corridor`, with every feature made once for all of them. Returns each file with its
    attribution lines."""
    corridors = list(_features(layers.corridors, "corridor", geometry=False))
    hubs = list(_features(layers.hubs, "hub"))
    legs = list(_features(layers.legs, "leg"))
    on_route = [set(str(ids).split(",")) for ids in layers.hubs["corridors"]]
    leg_corridor = list(layers.legs["corridor_id"])
    cells = list(layers.legs["attribution"])
    out = []
    for cid, corridor in zip(layers.corridors["corridor_id"], corridors, strict=True):
        mine = [i for i, c in enumerate(leg_corridor) if c == cid]
        attribution = attribution_of_legs(cells[i] for i in mine)
        path = folder / f"{cid}.geojson"
        _write(path, attribution, [corridor, *(h for h, ids in zip(hubs, on_route, strict=True) if cid in ids)]
               + [legs[i] for i in mine])  # fmt: skip
        out.append((path, attribution))
    return out


def _write(path: Path, attribution: list[str], features: list[dict[str, Any]]) -> None:
    collection = {"type": "FeatureCollection", "attribution": attribution, "features": features}
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def rejoin_antimeridian(geom: shapely.Geometry) -> shapely.Geometry:
    """A line cut at the antimeridian (as :func:`rfc7946_geometry` cuts it) as one line with continuous longitudes.

    The inverse of the cut: anything else (a single line, a multi-line whose
    parts do not meet on ±180°) is returned as it is.
    """
    if not isinstance(geom, shapely.MultiLineString):
        return geom
    parts = [shapely.get_coordinates(p) for p in geom.geoms]
    for a, b in itertools.pairwise(parts):
        if not (abs(a[-1, 0]) == 180.0 and b[0, 0] == -a[-1, 0] and a[-1, 1] == b[0, 1]):
            return geom  # not a cut line: leave it
    coords = np.concatenate(parts)
    coords[:, 0] = np.rad2deg(np.unwrap(np.deg2rad(coords[:, 0])))
    keep = np.r_[True, np.any(np.abs(np.diff(coords, axis=0)) > 1e-9, axis=1)]
    return shapely.LineString(coords[keep])
