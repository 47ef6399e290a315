"""Writing layers to the files GIS users open: the format registry, and the writers the formats share.

:data:`FORMATS` holds every format :func:`write_layers` can write, in the
order it writes them, each with a description of its files
(``corridors build --formats`` lists their names):

- ``gpkg``, ``fgb``, ``parquet``, ``csv``: written here;
- ``geojson``: :mod:`layers.geojson` (RFC 7946, cut at the antimeridian);
- ``kml``: :mod:`layers.kml`;
- ``shp``: :mod:`layers.shapefile`.

A new format is one :class:`LayerFormat` entry. Every folder also gets
``ATTRIBUTION``: what the data in the folder owe to whom, file by file, the
licences, and how the files were made. Sources and facts are written as text
(:mod:`layers.provenance`). Every file is byte-identical from one build of the
same input to the next, the GeoPackage included (:data:`GPKG_DATE`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from geo.errors import OptionError
from layers.formats import DEFAULT_FORMATS
from layers.frames import Layers
from layers.geojson import GEOJSON_DECIMALS, write_corridor_geojson
from layers.kml import write_kml
from layers.provenance import (
    HUB_ATTRIBUTION,
    attribution_lines,
    build_metadata,
    layers_to_text,
    licence_lines,
    sources_frame,
    tool_version,
)
from layers.qgis import QML, layer_styles_frame
from layers.shapefile import write_shapefiles

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "GPKG_DATE",
    "LayerFormat",
    "WrittenFile",
    "gdal_config",
    "parse_formats",
    "write_attribution",
    "write_csv",
    "write_flatgeobuf",
    "write_geopackage",
    "write_geoparquet",
    "write_layers",
]

LAYER_TITLES = {
    "hubs": "Corridor hubs: ports, dry ports, junctions, border crossings, cities",
    "legs": "Corridor legs: one line per leg, by mode and status, geodesic lengths in km",
    "corridors": "Corridors: one multi-line per corridor with its lengths by mode and status",
    "sources": "Sources: one row per citation of a hub or leg",
}
"""Each layer's description, written into the files that have one."""

GPKG_DATE = "2000-01-01T00:00:00.000Z"
"""The date a GeoPackage records for its tables, metadata and styles (GDAL's ``OGR_CURRENT_DATE``), instead
of the clock's: the same input gives the same bytes."""


@contextmanager
def gdal_config(options: Mapping[str, str | None]) -> Iterator[None]:
    """Set GDAL configuration options for the ``with`` block, restoring the previous values after."""
    before = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(dict(options))
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


# --- GeoPackage ----------------------------------------------------------------------------------


def write_geopackage(layers: Layers, path: Path, *, parameters: Mapping[str, str] | None = None) -> Path:
    """Write the layers, the sources table and the QGIS styles into one GeoPackage 1.2, replacing it.

    Every date in the file is :data:`GPKG_DATE`: the same layers and parameters give the same bytes.
    """
    meta = build_metadata(layers, parameters)
    path.unlink(missing_ok=True)
    with gdal_config({"OGR_CURRENT_DATE": GPKG_DATE}):
        for i, (name, frame) in enumerate(layers_to_text(layers).items()):
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
            sources_frame(layers),
            path,
            layer="sources",
            driver="GPKG",
            append=True,
            DESCRIPTION=LAYER_TITLES["sources"],
        )
        pyogrio.write_dataframe(
            layer_styles_frame(update_time=GPKG_DATE),
            path,
            layer="layer_styles",
            driver="GPKG",
            append=True,
            DESCRIPTION="QGIS layer styles",
        )
    return path


# --- FlatGeobuf, GeoParquet, CSV -----------------------------------------------------------------


def write_flatgeobuf(layers: Layers, folder: Path) -> list[Path]:
    """``<layer>.fgb`` per layer, each with its QGIS style as a ``<layer>.qml`` sidecar (not returned)."""
    paths = []
    for name, frame in layers_to_text(layers).items():
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
    for name, frame in layers_to_text(layers).items():
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
    for name, frame in layers_to_text(layers).items():
        path = folder / f"{name}.csv"
        _rounded(frame).to_file(path, driver="CSV", engine="pyogrio", GEOMETRY="AS_WKT", CREATE_CSVT="YES")
        paths.append(path)
    return paths


# --- the registry --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrittenFile:
    """A data file :func:`write_layers` wrote."""

    path: Path
    """Relative to the layers folder."""
    notices: tuple[str, ...]
    """The attribution notices the file's data owe."""


Parameters = Mapping[str, str] | None
"""The build parameters, recorded in the files' metadata."""


@dataclass(frozen=True)
class LayerFormat:
    """A format :func:`write_layers` can write."""

    name: str
    """As given to ``--formats``."""
    description: str
    """What its files are, for people."""
    files: tuple[str, ...]
    """The names of the files it writes into the layers folder, sidecars included: ``{layer}`` stands for
    each of ``hubs``, ``legs``, ``corridors``, ``{corridor}`` for each corridor id."""
    write: Callable[[Layers, Path, Parameters], list[WrittenFile]]
    """``write(layers, folder, parameters)``: writes the files, returns the data files with their notices."""

    def file_names(self, corridor_ids: Iterable[str]) -> list[str]:
        """The names of the files it writes for the corridors ``corridor_ids``."""
        ids = list(corridor_ids)
        names = []
        for pattern in self.files:
            if "{corridor}" in pattern:
                names += [pattern.format(corridor=c) for c in ids]
            elif "{layer}" in pattern:
                names += [pattern.format(layer=name) for name in ("hubs", "legs", "corridors")]
            else:
                names.append(pattern)
        return names


def _owed(layers: Layers, folder: Path, paths: Iterable[Path]) -> list[WrittenFile]:
    """Each file with the notices its data owe: the hubs' for a hubs layer, else every notice of ``layers``."""
    everything = tuple(attribution_lines(layers))
    return [
        WrittenFile(p.relative_to(folder), (HUB_ATTRIBUTION,) if p.name.startswith("hubs.") else everything)
        for p in paths
    ]


def _geojson_files(layers: Layers, folder: Path, parameters: Parameters) -> list[WrittenFile]:
    return [
        WrittenFile(path.relative_to(folder), tuple(notes)) for path, notes in write_corridor_geojson(layers, folder)
    ]


def _format(
    name: str, description: str, files: tuple[str, ...], write: Callable[[Layers, Path, Parameters], list[Path]]
) -> LayerFormat:
    """A format whose writer returns paths: the hubs layer owes the hubs' notice, other files every notice."""
    return LayerFormat(
        name, description, files, lambda layers, folder, p: _owed(layers, folder, write(layers, folder, p))
    )


FORMATS: dict[str, LayerFormat] = {
    f.name: f
    for f in (
        _format(
            "gpkg",
            "GeoPackage 1.2 (opens silently in QGIS 3.22 and GDAL 3.6) with the layers hubs, legs, corridors, "
            "a sources table (one row per citation), the QGIS styles in layer_styles and the attribution, "
            "licence, versions and build parameters in the dataset metadata",
            ("corridors.gpkg",),
            lambda layers, folder, p: [write_geopackage(layers, folder / "corridors.gpkg", parameters=p)],
        ),
        LayerFormat(
            "geojson",
            "RFC 7946 GeoJSON per corridor (WGS84 lon/lat, no crs member, lines cut at the antimeridian, "
            "6 decimals): the corridor (no geometry), its hubs, then its legs in route order (layers.geojson)",
            ("{corridor}.geojson",),
            _geojson_files,
        ),
        _format(
            "fgb",
            "FlatGeobuf per layer, each with its QGIS style as a .qml sidecar",
            ("{layer}.fgb", "{layer}.qml"),
            lambda layers, folder, p: write_flatgeobuf(layers, folder),
        ),
        _format(
            "parquet",
            "GeoParquet 1.0 per layer",
            ("{layer}.parquet",),
            lambda layers, folder, p: write_geoparquet(layers, folder),
        ),
        _format(
            "kml",
            "KML for Google Earth: a folder per corridor, styled per mode (layers.kml)",
            ("corridors.kml",),
            lambda layers, folder, p: [write_kml(layers, folder / "corridors.kml", metadata=build_metadata(layers, p))],
        ),
        _format(
            "shp",
            "a zipped Shapefile per layer: field names cut to 10 characters, text to 254 bytes, with a .qml and "
            "a <layer>.fields.csv giving each short name's full name (layers.shapefile)",
            ("{layer}.shp.zip",),
            lambda layers, folder, p: write_shapefiles(layers, folder),
        ),
        _format(
            "csv",
            "CSV per layer, geometry as WKT (6 decimals) in the first column WKT, with .csvt (types) and "
            ".prj (EPSG:4326)",
            ("{layer}.csv", "{layer}.csvt", "{layer}.prj"),
            lambda layers, folder, p: write_csv(layers, folder),
        ),
    )
}
"""Every format :func:`write_layers` can write, by name, in the order they are written."""


def parse_formats(value: str | Iterable[str]) -> tuple[str, ...]:
    """``"gpkg,kml"`` (or a list) as a tuple of known format names, in :data:`FORMATS` order.

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


# --- ATTRIBUTION and the whole folder ------------------------------------------------------------


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
    """Write ``layers`` in each of ``formats`` (see :data:`FORMATS`) into ``folder``, then ``ATTRIBUTION``.

    ``step`` is called with a description before each format.

    Returns
    -------
    list of WrittenFile
        Every data file written (``ATTRIBUTION`` last; sidecars such as ``.qml``
        are not listed) with the notices its data owe.

    Raises
    ------
    OptionError
        A format is not in :data:`FORMATS`.
    """
    formats = parse_formats(formats)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[WrittenFile] = []
    for name in formats:
        if step:
            step(f"layers: {name}")
        written.extend(FORMATS[name].write(layers, folder, parameters))
    path = write_attribution(layers, folder / "ATTRIBUTION", files=written, parameters=parameters)
    written.append(WrittenFile(path.relative_to(folder), ()))
    return written
