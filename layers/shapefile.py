"""ESRI Shapefiles, zipped one per layer, for the GIS tools that still want them.

``<layer>.shp.zip`` holds ``.shp``, ``.shx``, ``.dbf``, ``.prj`` and ``.cpg``
(UTF-8), the QGIS style as ``<layer>.qml`` and ``<layer>.fields.csv`` giving
each short field name's full name. dBase limits what a Shapefile can hold:
field names are cut to 10 characters (:data:`SHAPEFILE_FIELDS` first), text to
254 bytes (ending in "…"). Sources and facts are text
(:mod:`layers.provenance`). The zip entries carry a fixed date (1980-01-01) so
the archive depends only on its contents.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from layers.frames import Layers
from layers.provenance import layers_to_text
from layers.qgis import QML

__all__ = ["DBF_TEXT_BYTES", "SHAPEFILE_FIELDS", "shapefile_field_names", "write_shapefiles"]

SHAPEFILE_FIELDS: dict[str, str] = {
    "corridor_id": "corridor",
    "published_km": "pub_km",
    "published_source": "pub_source",
    "gapfill_source": "gf_source",
    "attribution": "attributn",
    "under_construction_km": "uc_km",
    "border_crossings": "borders",
    "connector_km": "connect_km",
    "on_network_share": "on_net_shr",
}
"""Shapefile (dBase) field names are at most 10 characters: these are renamed; other long
names are cut to 10 characters (and numbered if two would clash)."""
DBF_TEXT_BYTES = 254


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
    for name, frame in layers_to_text(layers).items():
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
