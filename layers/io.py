"""Writing layers to the files GIS users open.

:func:`write_layers` writes the formats asked for into one folder:

=========  ==============================================================================
format     files
=========  ==============================================================================
gpkg       ``corridors.gpkg``: GeoPackage 1.2 (opens silently in QGIS 3.22 and GDAL 3.6)
           with the layers ``hubs``, ``legs``, ``corridors``, a ``sources`` table (one
           row per citation), the QGIS styles in ``layer_styles`` and the attribution,
           licence, versions and build parameters in the dataset metadata
geojson    ``<corridor-id>.geojson``: RFC 7946 (WGS84 lon/lat, no ``crs`` member, lines
           cut at the antimeridian, 6 decimals); the corridor (no geometry), its hubs,
           then its legs in route order, each with a ``feature`` property saying which
fgb        ``hubs.fgb``, ``legs.fgb``, ``corridors.fgb``, each with a ``.qml`` sidecar
parquet    ``hubs.parquet``, ``legs.parquet``, ``corridors.parquet`` (GeoParquet 1.0)
kml        ``corridors.kml``: a folder per corridor, styled per mode (:mod:`layers.kml`)
shp        ``hubs.shp.zip``, ``legs.shp.zip``, ``corridors.shp.zip``: field names cut to
           10 characters (:data:`SHAPEFILE_FIELDS`), text to 254 bytes, with a ``.qml``
           and a ``<layer>.fields.csv`` giving each short name's full name
csv        ``hubs.csv``, ``legs.csv``, ``corridors.csv``: geometry as WKT (6 decimals) in
           the first column ``WKT``, with ``.csvt`` (types) and ``.prj`` (EPSG:4326)
=========  ==============================================================================

plus ``ATTRIBUTION``, always: what the data in the folder owe to whom, file by
file, the licences, and how the files were made. GeoJSON, KML and CSV are
byte-identical from one build of the same input to the next.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.errors import OptionError
from layers.frames import Layers
from layers.kml import write_kml
from layers.provenance import (
    HUB_ATTRIBUTION,
    attribution_lines,
    build_metadata,
    licence_lines,
    provenance_to_text,
    sources_frame,
    tool_version,
)
from layers.qgis import QML, layer_styles_frame

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "SHAPEFILE_FIELDS",
    "WrittenFile",
    "parse_formats",
    "rfc7946_geometry",
    "shapefile_field_names",
    "write_attribution",
    "write_csv",
    "write_flatgeobuf",
    "write_geojson",
    "write_geopackage",
    "write_geoparquet",
    "write_kml",
    "write_layers",
    "write_shapefiles",
]

FORMATS = ("gpkg", "geojson", "fgb", "parquet", "kml", "shp", "csv")
"""Every format :func:`write_layers` can write, in the order they are written."""
DEFAULT_FORMATS = ("gpkg", "geojson")

GEOJSON_DECIMALS = 6

LAYER_NAMES = ("hubs", "legs", "corridors")
LAYER_TITLES = {
    "hubs": "Corridor hubs: ports, dry ports, junctions, border crossings, cities",
    "legs": "Corridor legs: one line per leg, by mode and status, geodesic lengths in km",
    "corridors": "Corridors: one multi-line per corridor with its lengths by mode and status",
    "sources": "Sources: one row per citation of a hub or leg",
}

SHAPEFILE_FIELDS: dict[str, str] = {
    "corridor_id": "corridor",
    "published_km": "pub_km",
    "published_source": "pub_source",
    "attribution": "attributn",
    "under_construction_km": "uc_km",
    "border_crossings": "borders",
    "connector_km": "connect_km",
    "on_network_share": "on_net_shr",
}
"""Shapefile (dBase) field names are at most 10 characters: these are renamed; other long
names are cut to 10 characters (and numbered if two would clash)."""
DBF_TEXT_BYTES = 254


def parse_formats(value: str | Iterable[str]) -> tuple[str, ...]:
    """``"gpkg,kml"`` (or a list) as a tuple of known formats, in :data:`FORMATS` order.

    Raises
    ------
    OptionError
        A name is not a known format, or none is given.
    """
    names = value.split(",") if isinstance(value, str) else list(value)
    wanted = [n.strip().lower() for n in names if n.strip()]
    unknown = [n for n in wanted if n not in FORMATS]
    if unknown or not wanted:
        what = f"unknown format {', '.join(map(repr, unknown))}" if unknown else "no format given"
        raise OptionError(f"--formats: {what}: choose from {','.join(FORMATS)} (comma-separated)")
    return tuple(f for f in FORMATS if f in wanted)


# --- GeoPackage ----------------------------------------------------------------------------------


def _frames(layers: Layers) -> dict[str, gpd.GeoDataFrame]:
    """The layers as files hold them: sources and facts as text (:func:`layers.provenance.provenance_to_text`)."""
    return {name: provenance_to_text(getattr(layers, name)) for name in LAYER_NAMES}


def write_geopackage(layers: Layers, path: Path, *, parameters: Mapping[str, str] | None = None) -> Path:
    """Write the layers, the sources table and the QGIS styles into one GeoPackage 1.2, replacing it."""
    meta = build_metadata(layers, parameters)
    path.unlink(missing_ok=True)
    for i, (name, frame) in enumerate(_frames(layers).items()):
        frame.to_file(
            path,
            layer=name,
            driver="GPKG",
            engine="pyogrio",
            append=i > 0,
            VERSION="1.2",
            IDENTIFIER=name,
            DESCRIPTION=LAYER_TITLES[name],
            dataset_metadata=meta if i == 0 else None,
            layer_metadata={"attribution": meta["attribution"], "licence": meta["licence"]},
        )
    pyogrio.write_dataframe(
        sources_frame(layers), path, layer="sources", driver="GPKG", append=True, DESCRIPTION=LAYER_TITLES["sources"]
    )
    pyogrio.write_dataframe(
        layer_styles_frame(), path, layer="layer_styles", driver="GPKG", append=True, DESCRIPTION="QGIS layer styles"
    )
    return path


# --- GeoJSON -------------------------------------------------------------------------------------


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
    frame = provenance_to_text(frame)
    columns = [c for c in frame.columns if c != "geometry"]
    for row, geom in zip(frame[columns].itertuples(index=False), frame.geometry, strict=True):
        props = {"feature": kind, **{c: _clean(v) for c, v in zip(columns, row, strict=True)}}
        yield {"type": "Feature", "properties": props, "geometry": rfc7946_geometry(geom) if geometry else None}


def write_geojson(layers: Layers, path: Path) -> Path:
    """Write corridors (without geometry: their legs hold it), hubs and legs as one RFC 7946 FeatureCollection.

    The bytes depend only on the layers: the same input gives the same file.
    """
    collection = {
        "type": "FeatureCollection",
        "attribution": attribution_lines(layers),
        "features": [
            *_features(layers.corridors, "corridor", geometry=False),
            *_features(layers.hubs, "hub"),
            *_features(layers.legs, "leg"),
        ],
    }
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


# --- FlatGeobuf, GeoParquet, CSV -----------------------------------------------------------------


def write_flatgeobuf(layers: Layers, folder: Path) -> list[Path]:
    """``<layer>.fgb`` per layer, each with its QGIS style as a ``<layer>.qml`` sidecar (not returned)."""
    paths = []
    for name, frame in _frames(layers).items():
        path = folder / f"{name}.fgb"
        frame.to_file(
            path, driver="FlatGeobuf", engine="pyogrio", SPATIAL_INDEX="NO", TITLE=name, DESCRIPTION=LAYER_TITLES[name]
        )
        (folder / f"{name}.qml").write_text(QML[name](), encoding="utf-8")
        paths.append(path)
    return paths


def write_geoparquet(layers: Layers, folder: Path) -> list[Path]:
    """``<layer>.parquet`` per layer: GeoParquet 1.0, WKB geometry, CRS in the ``geo`` metadata."""
    paths = []
    for name, frame in _frames(layers).items():
        path = folder / f"{name}.parquet"
        frame.to_parquet(path, index=False, schema_version="1.0.0")
        paths.append(path)
    return paths


def _rounded(frame: gpd.GeoDataFrame, decimals: int = GEOJSON_DECIMALS) -> gpd.GeoDataFrame:
    out = frame.copy()
    out.geometry = shapely.transform(frame.geometry.values, lambda c: np.round(c, decimals) + 0.0)
    return out


def write_csv(layers: Layers, folder: Path) -> list[Path]:
    """``<layer>.csv`` per layer: geometry as WKT in the first column ``WKT``, 6 decimals.

    GDAL writes a ``.csvt`` (column types) and a ``.prj`` (the CRS) beside each; they are not returned.
    """
    paths = []
    for name, frame in _frames(layers).items():
        path = folder / f"{name}.csv"
        _rounded(frame).to_file(path, driver="CSV", engine="pyogrio", GEOMETRY="AS_WKT", CREATE_CSVT="YES")
        paths.append(path)
    return paths


# --- Shapefile -----------------------------------------------------------------------------------


def shapefile_field_names(columns: Sequence[str]) -> dict[str, str]:
    """Each column's dBase name: :data:`SHAPEFILE_FIELDS`, else cut to 10 characters, numbered on a clash."""
    out: dict[str, str] = {}
    for col in columns:
        short = SHAPEFILE_FIELDS.get(col, col)[:10]
        n = 1
        while short.lower() in (s.lower() for s in out.values()):
            suffix = str(n)
            short = SHAPEFILE_FIELDS.get(col, col)[: 10 - len(suffix)] + suffix
            n += 1
        out[col] = short
    return out


def _dbf_text(value: object) -> object:
    if not isinstance(value, str) or len(value.encode("utf-8")) <= DBF_TEXT_BYTES:
        return value
    cut = value.encode("utf-8")[: DBF_TEXT_BYTES - 3].decode("utf-8", errors="ignore")
    return cut + "…"


def _zip(files: Sequence[Path], path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for f in sorted(files):
            info = zipfile.ZipInfo(f.name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, f.read_bytes())


def write_shapefiles(layers: Layers, folder: Path) -> list[Path]:
    """``<layer>.shp.zip`` per layer (GDAL and QGIS open it as is), with a ``.qml`` and the field-name list."""
    paths = []
    for name, frame in _frames(layers).items():
        names = shapefile_field_names([c for c in frame.columns if c != "geometry"])
        out = frame.rename(columns=names)
        for col in out.columns:
            if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
                out[col] = out[col].map(_dbf_text)
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            work = Path(tmp)
            out.to_file(work / f"{name}.shp", driver="ESRI Shapefile", engine="pyogrio", ENCODING="UTF-8")
            (work / f"{name}.qml").write_text(QML[name](), encoding="utf-8")
            table = "short_name,full_name\n" + "".join(f"{s},{c}\n" for c, s in names.items())
            (work / f"{name}.fields.csv").write_text(table, encoding="utf-8")
            path = folder / f"{name}.shp.zip"
            _zip([p for p in work.iterdir() if p.is_file()], path)
        paths.append(path)
    return paths


# --- ATTRIBUTION and the whole folder ------------------------------------------------------------


@dataclass(frozen=True)
class WrittenFile:
    path: Path
    """Relative to the layers folder."""
    notices: tuple[str, ...]
    """The attribution notices the file's data owe."""


def write_attribution(
    layers: Layers,
    path: Path,
    *,
    files: Sequence[WrittenFile] = (),
    parameters: Mapping[str, str] | None = None,
) -> Path:
    """A plain-text ``ATTRIBUTION`` file: what the data owe to whom, file by file, and how they were made."""
    notices = attribution_lines(layers)
    number = {n: i for i, n in enumerate(notices, start=1)}
    meta = build_metadata(layers, parameters)
    lines = [
        f"Layers written by corridor-mapper {tool_version()}.",
        "",
        "The data in these files come from, and must be credited to:",
        *(f"[{i}] {n}" for n, i in number.items()),
        "",
        "Licences:",
        *(f"- {line}" for line in licence_lines(notices)),
    ]
    if files:
        width = max(len(str(f.path)) for f in files)
        lines += ["", "Files, and the credits their data owe:"]
        lines += [
            f"  {f.path!s:<{width}}  {' '.join(f'[{number[n]}]' for n in f.notices if n in number)}".rstrip()
            for f in files
        ]
    lines += [
        "",
        "How they were made:",
        f"- tool: {meta['generator']}",
        f"- data packages: {meta['data_versions']}",
        *(f"- {k}: {v}" for k, v in (parameters or {}).items()),
        "",
        "Great-circle lines are drawn by corridor-mapper between hub coordinates; they",
        "show the order of a corridor's hubs, not the track. Lengths are geodesic (WGS84).",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_layers(
    layers: Layers,
    folder: Path,
    formats: Iterable[str] = DEFAULT_FORMATS,
    *,
    parameters: Mapping[str, str] | None = None,
    step: Callable[[str], None] | None = None,
) -> list[WrittenFile]:
    """Write ``layers`` in each of ``formats`` into ``folder``, then ``ATTRIBUTION``.

    ``step`` is called with a description before each format. Returns every
    data file written (``ATTRIBUTION`` last; sidecars such as ``.qml`` are not
    listed) with the notices its data owe.
    """
    formats = parse_formats(formats)
    folder.mkdir(parents=True, exist_ok=True)
    everything = tuple(attribution_lines(layers))
    hubs_only = (HUB_ATTRIBUTION,)

    def owed(path: Path) -> tuple[str, ...]:
        return hubs_only if path.name.startswith("hubs.") else everything

    written: list[WrittenFile] = []

    def add(paths: Iterable[Path]) -> None:
        written.extend(WrittenFile(p.relative_to(folder), owed(p)) for p in paths)

    for fmt in formats:
        if step:
            step(f"layers: {fmt}")
        if fmt == "gpkg":
            add([write_geopackage(layers, folder / "corridors.gpkg", parameters=parameters)])
        elif fmt == "geojson":
            for cid in layers.corridors["corridor_id"]:
                mine = layers.for_corridor(cid)
                path = write_geojson(mine, folder / f"{cid}.geojson")
                written.append(WrittenFile(path.relative_to(folder), tuple(attribution_lines(mine))))
        elif fmt == "fgb":
            add(write_flatgeobuf(layers, folder))
        elif fmt == "parquet":
            add(write_geoparquet(layers, folder))
        elif fmt == "kml":
            add([write_kml(layers, folder / "corridors.kml", metadata=build_metadata(layers, parameters))])
        elif fmt == "shp":
            add(write_shapefiles(layers, folder))
        elif fmt == "csv":
            add(write_csv(layers, folder))
    path = write_attribution(layers, folder / "ATTRIBUTION", files=written, parameters=parameters)
    written.append(WrittenFile(path.relative_to(folder), ()))
    return written
