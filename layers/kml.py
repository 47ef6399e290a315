"""KML for Google Earth, written by GDAL's LIBKML driver, styled from :mod:`layers.style`.

One folder per corridor holding its hubs (placemarks with a description) and
its legs (lines in the mode's colour and width, the status's opacity). Styles
are per placemark, from an ``OGR_STYLE`` string that GDAL turns into a KML
``Style``. KML has no dashed lines: a leg's status is in its name and
description. Hub icons are Google Earth's standard shapes, tinted with the
kind's fill. Longitudes are wrapped to [-180, 180] (Google Earth joins points
the short way round), coordinates rounded to 6 decimals.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.model import HubKind, Mode, Status
from layers.frames import CRS, Layers
from layers.provenance import provenance_to_text
from layers.style import HUB_STYLES, MODE_STYLES, QUALITY_STYLES, STATUS_STYLES

__all__ = ["KML_ICONS", "write_kml"]

KML_ICONS = {
    "circle": "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png",
    "square": "http://maps.google.com/mapfiles/kml/shapes/placemark_square.png",
    "diamond": "http://maps.google.com/mapfiles/kml/shapes/open-diamond.png",
    "triangle": "http://maps.google.com/mapfiles/kml/shapes/triangle.png",
}
"""Google Earth's icon for each hub shape of :data:`layers.style.HUB_STYLES`."""

DECIMALS = 6
ICON_PX = 10
"""Hub symbol size (CSS px) shown at icon scale 1."""


def _hex_alpha(color: str, alpha: float) -> str:
    return f"{color}{round(alpha * 255):02x}"


def _table(title: str, rows: list[tuple[str, object]]) -> str:
    cells = "".join(
        f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in rows
        if v not in ("", None) and not (isinstance(v, float) and np.isnan(v))
    )
    return f"<b>{html.escape(title)}</b><table>{cells}</table>"


def _gapfill(r: dict[str, Any]) -> str:
    """The leg's km on gap-fill track and their sources, or empty when it has none."""
    km = r.get("gapfill_km")
    if not isinstance(km, int | float) or pd.isna(km) or km <= 0:
        return ""
    return f"{_km(km)}: {r.get('gapfill_source', '')}"


def _km(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{float(value):,.0f} km"  # type: ignore[arg-type]


def _wrapped(geoms: np.ndarray) -> np.ndarray:
    def wrap(c: np.ndarray) -> np.ndarray:
        c = c.copy()
        c[:, 0] = (c[:, 0] + 180.0) % 360.0 - 180.0
        return np.round(c, DECIMALS) + 0.0

    return shapely.transform(geoms, wrap)


def _hub_placemarks(hubs: pd.DataFrame) -> pd.DataFrame:
    out = hubs.drop(columns="geometry").copy()
    styles = [HUB_STYLES[HubKind(k)] for k in hubs["kind"]]
    out.insert(0, "Name", hubs["name"])
    out.insert(
        1,
        "Description",
        [
            _table(
                h["name"],
                [
                    ("Kind", s.label),
                    ("Country", h["country"]),
                    ("Corridors", h["corridors"]),
                    ("Source", h.get("source", "")),
                    ("Notes", h.get("notes", "")),
                ],
            )
            for h, s in zip(hubs.to_dict("records"), styles, strict=True)
        ],
    )
    out.insert(
        2,
        "OGR_STYLE",
        [f'SYMBOL(id:"{KML_ICONS[s.shape]}",c:{_hex_alpha(s.fill, 1.0)},s:{s.size / ICON_PX:g})' for s in styles],
    )
    out = out.drop(columns="name").assign(feature="hub")
    return gpd.GeoDataFrame(out, geometry=_wrapped(hubs.geometry.values), crs=CRS)


def _leg_placemarks(legs: pd.DataFrame, hub_names: Mapping[str, str]) -> pd.DataFrame:
    out = legs.drop(columns="geometry").copy()
    records = legs.to_dict("records")
    modes = [MODE_STYLES[Mode(m)] for m in legs["mode"]]
    statuses = [STATUS_STYLES[Status(s)] for s in legs["status"]]
    qualities = [
        QUALITY_STYLES.get(q, QUALITY_STYLES["network"]) for q in legs.get("geometry_quality", ["network"] * len(legs))
    ]
    approximate = [q.band_factor > 0 for q in qualities]
    names = [
        f"{hub_names.get(r['from_hub'], r['from_hub'])} → {hub_names.get(r['to_hub'], r['to_hub'])}"
        f" ({m.label.lower()}{'' if s is STATUS_STYLES[Status.OPERATIONAL] else ', ' + s.label.lower()}"
        f"{', approximate alignment' if a else ''})"
        for r, m, s, a in zip(records, modes, statuses, approximate, strict=True)
    ]
    out.insert(0, "Name", names)
    out.insert(
        1,
        "Description",
        [
            _table(
                name,
                [
                    ("Mode", m.label),
                    ("Status", s.label),
                    ("Line", q.label),
                    ("Length", _km(r["length_km"]) + (" (great-circle line)" if r["method"] == "great-circle" else "")),
                    ("Published", _km(r.get("published_km"))),
                    ("Published source", r.get("published_source", "")),
                    ("Depends on", r.get("depends_on", "")),
                    ("Sources", r.get("source", "")),
                    ("Gap-fill track", _gapfill(r)),
                    ("Data", r.get("attribution", "")),
                    ("Notes", r.get("notes", "")),
                ],
            )
            for name, r, m, s, q in zip(names, records, modes, statuses, qualities, strict=True)
        ],
    )
    out.insert(
        2,
        "OGR_STYLE",
        [  # KML has no casing: an approximate line is thinner and lighter instead
            f"PEN(c:{_hex_alpha(m.color, s.opacity * (0.6 if q.band_factor else 1.0))},"
            f"w:{m.weight * q.weight_factor:g}px)"
            for m, s, q in zip(modes, statuses, qualities, strict=True)
        ],
    )
    out = out.assign(feature="leg")
    return gpd.GeoDataFrame(out, geometry=_wrapped(legs.geometry.values), crs=CRS)


def write_kml(layers: Layers, path: Path, *, metadata: Mapping[str, str] | None = None) -> Path:
    """Write one KML folder per corridor (its hubs, then its legs), replacing ``path``."""
    path.unlink(missing_ok=True)
    hub_names = dict(zip(layers.hubs["hub_id"], layers.hubs["name"], strict=True))
    meta = metadata or {}
    description = "\n".join(f"{k}: {v}" for k, v in meta.items())
    for i, corridor in enumerate(layers.corridors.to_dict("records")):
        mine = layers.for_corridor(corridor["corridor_id"])
        hubs, legs = provenance_to_text(mine.hubs), provenance_to_text(mine.legs)
        frame = pd.concat([_hub_placemarks(hubs), _leg_placemarks(legs, hub_names)], ignore_index=True)
        gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS).to_file(
            path,
            layer=corridor["corridor_id"],
            driver="LIBKML",
            engine="pyogrio",
            append=i > 0,
            dataset_options={"NAME": "Trade corridors", "DESCRIPTION": description} if i == 0 else None,
            layer_options={"FOLDER": "YES", "NAME": corridor["name"], "DESCRIPTION": corridor.get("summary", "")},
        )
    return path
