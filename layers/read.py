"""Reading layers back from the files ``corridors build`` wrote, to rebuild the maps from them.

``corridors.gpkg`` (layers ``hubs``, ``legs``, ``corridors``) and the
``<corridor-id>.geojson`` files can be read; a user may have edited them in
QGIS. The legs are the truth: their lines are kept as they are (never
re-routed), their lengths measured again on the ellipsoid, and each corridor's
figures (length by mode and status, number of legs, countries, border
crossings) and line recomputed from its legs, by the same function as a
build's (:func:`geo.metrics.corridor_figures`). Sources and facts are parsed
back into typed values (:mod:`layers.provenance`). Columns the files hold
beyond ours are carried along.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from geo.errors import CatalogError
from geo.geodesy import geodesic_km
from geo.leg_geometry import QUALITIES, geometry_quality
from geo.metrics import LEG_MODEL_COLUMNS, corridor_figures, leg_figures
from geo.model import HubKind, Mode, Status
from layers import frames
from layers.frames import CRS, Layers
from layers.geojson import rejoin_antimeridian
from layers.io import gdal_config
from layers.provenance import provenance_from_text

__all__ = ["LAYER_SUFFIXES", "read_layers", "select_corridors"]

LAYER_SUFFIXES = (".gpkg", ".geojson", ".json")
"""The files :func:`read_layers` reads."""

REQUIRED = {
    "hubs": ["hub_id", "name", "kind", "corridors"],
    "legs": ["corridor_id", "seq", "from_hub", "to_hub", "mode", "status"],
    "corridors": ["corridor_id", "name"],
}
GEOMETRY = {"hubs": ("Point",), "legs": ("LineString", "MultiLineString"), "corridors": None}
INTEGERS = {"seq", "n_legs", "border_crossings", "gauge_breaks", "transshipments"}
NULLABLE_INTEGERS = {"gauge_mm"}
DEFAULTS = {"gapfill_km": 0.0}
"""Columns files written before they existed lack: read as this value (no gap-fill track then)."""
VALUES = {("hubs", "kind"): HubKind, ("legs", "mode"): Mode, ("legs", "status"): Status}
WHAT = "not a layers file written by `corridors build`"
PROVENANCE_HINT = "write sources as 'text <https://...>; text' and facts as the JSON list `corridors build` writes"


def _columns(name: str) -> list[str]:
    """Our columns of a layer, read from :mod:`layers.frames` at call time (others may add columns)."""
    return {"hubs": frames.HUB_COLUMNS, "legs": frames.LEG_COLUMNS, "corridors": frames.CORRIDOR_COLUMNS}[name]


def _is_float(column: str) -> bool:
    return column.endswith(("_km", "_share")) or column.startswith(("days_", "co2e_kg"))


def _conform(frame: gpd.GeoDataFrame, name: str, path: Path) -> gpd.GeoDataFrame:
    """Check a layer read from ``path`` and give it our column order and types."""
    missing = [c for c in REQUIRED[name] if c not in frame.columns]
    if missing:
        raise CatalogError(f"{path}: layer '{name}' has no column {', '.join(map(repr, missing))}: {WHAT}")
    frame = frame.set_crs(CRS) if frame.crs is None else frame.to_crs(CRS)
    allowed = GEOMETRY[name]
    if allowed is not None:
        bad = ~frame.geom_type.isin(allowed)
        if bad.any():
            row = frame[bad].iloc[0]
            raise CatalogError(
                f"{path}: layer '{name}', {REQUIRED[name][0]} {row[REQUIRED[name][0]]!r}: "
                f"geometry {row.geometry.geom_type if row.geometry is not None else 'missing'}, "
                f"expected {' or '.join(allowed)}"
            )
    for (layer, column), enum in VALUES.items():
        if layer != name:
            continue
        known = {str(v) for v in enum}
        wrong = frame[~frame[column].isin(known)]
        if len(wrong):
            row = wrong.iloc[0]
            where = f"{REQUIRED[name][0]} {row[REQUIRED[name][0]]!r}"
            if name == "legs" and "seq" in row:
                where += f", leg {row['seq']} ({row.get('from_hub', '?')} -> {row.get('to_hub', '?')})"
            raise CatalogError(
                f"{path}: layer '{name}', {where}: {column} {row[column]!r} is not one of {', '.join(sorted(known))}"
            )
    ours = _columns(name)
    out = pd.DataFrame(index=frame.index)
    for column in [*ours, *(c for c in frame.columns if c not in ours and c != "geometry")]:
        present = column in frame.columns
        values = frame[column] if present else pd.Series(DEFAULTS.get(column, np.nan), index=frame.index)
        if column in INTEGERS:
            out[column] = values.fillna(0).astype("int32")
        elif column in NULLABLE_INTEGERS:
            out[column] = pd.to_numeric(values, errors="coerce").round().astype("Int32")
        elif _is_float(column):
            out[column] = values.astype("float64")
        elif column in ours:
            out[column] = values.fillna("").astype(str) if present else ""
        else:
            out[column] = values
    out = out.reset_index(drop=True)
    key = REQUIRED[name][0]
    try:
        out = provenance_from_text(out, where=lambda i: f"{path}: layer '{name}', {key} {out[key].iloc[i]!r}")
    except ValueError as exc:
        raise CatalogError(f"{exc}: {PROVENANCE_HINT}") from None
    return gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=CRS)


def _measure_legs(legs: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    legs = legs.copy()
    legs.geometry = [rejoin_antimeridian(g) for g in legs.geometry]
    legs["length_km"] = [
        round(sum(geodesic_km(shapely.get_coordinates(p)) for p in getattr(g, "geoms", [g])), 3) for g in legs.geometry
    ]
    # files written before geometry_quality existed: derive it from the figures they hold
    unknown = ~legs["geometry_quality"].isin(QUALITIES)
    if unknown.any():
        gapfill = legs["gapfill_km"] if "gapfill_km" in legs.columns else pd.Series(0.0, index=legs.index)
        legs.loc[unknown, "geometry_quality"] = [
            geometry_quality(float(length), 0.0 if pd.isna(network) else network, 0.0 if pd.isna(extra) else extra)
            for length, network, extra in zip(
                legs.loc[unknown, "length_km"], legs.loc[unknown, "network_km"], gapfill[unknown], strict=True
            )
        ]
    figures = [leg_figures(r) for r in legs.to_dict("records")]
    for column in LEG_MODEL_COLUMNS:
        legs[column] = [f[column] for f in figures]
    return legs


def _check_legs(legs: gpd.GeoDataFrame, hub_ids: set[str], source: str) -> None:
    """Every leg's hubs exist, and each corridor's legs chain in ``seq`` order (as a catalog must)."""
    for cid, mine in legs.groupby("corridor_id", sort=False):
        mine = mine.sort_values("seq")
        previous = None
        for row in mine.itertuples():
            where = f"{source}: corridor {cid!r}, leg {row.seq}"
            for field in ("from_hub", "to_hub"):
                value = getattr(row, field)
                if value not in hub_ids:
                    raise CatalogError(f"{where}: {field} {value!r} is not in layer 'hubs': fix the id or add the hub")
            if previous is not None and row.from_hub != previous:
                raise CatalogError(
                    f"{where}: starts at {row.from_hub!r} but the leg before ends at {previous!r}: legs must chain"
                )
            previous = row.to_hub


def _corridor_figures(corridors: gpd.GeoDataFrame, legs: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    """Each corridor's figures and line from its legs (:func:`geo.metrics.corridor_figures`, as the catalog's)."""
    orphans = sorted(set(legs["corridor_id"]) - set(corridors["corridor_id"]))
    if orphans:
        raise CatalogError(f"{source}: legs of corridor {orphans[0]!r} but no such row in layer 'corridors': add it")
    corridors = corridors.copy()
    lines = []
    for i, cid in enumerate(corridors["corridor_id"]):
        mine = legs[legs["corridor_id"] == cid]
        if mine.empty:
            raise CatalogError(f"{source}: corridor {cid!r} has no legs: add its legs or delete its row")
        for column, value in corridor_figures(mine).items():
            if column in corridors.columns:
                corridors.loc[corridors.index[i], column] = value
        lines.append(frames.corridor_line(mine))
    corridors.geometry = lines
    return corridors.astype(
        {"n_legs": "int32", "border_crossings": "int32", "gauge_breaks": "int32", "transshipments": "int32"}
    )


def _read(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    try:
        return pyogrio.read_dataframe(path, layer=layer)
    except (DataSourceError, DataLayerError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CatalogError(f"{path}: cannot read it ({reason}): {WHAT}") from None


def _from_geopackage(path: Path) -> dict[str, gpd.GeoDataFrame]:
    try:
        names = [str(n) for n, _ in pyogrio.list_layers(path)]
    except DataSourceError as exc:
        raise CatalogError(f"{path}: not a GeoPackage GDAL can open ({str(exc).splitlines()[0]})") from None
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise CatalogError(
            f"{path}: no layer {', '.join(map(repr, missing))} (it has {', '.join(names) or 'none'}): {WHAT}"
        )
    return {name: _conform(_read(path, name), name, path) for name in REQUIRED}


def _from_geojson(path: Path) -> dict[str, gpd.GeoDataFrame]:
    frame = _read(path)
    if "feature" not in frame.columns:
        raise CatalogError(f"{path}: features have no 'feature' property (corridor, hub or leg): {WHAT}")
    out = {}
    for name, kind in (("hubs", "hub"), ("legs", "leg"), ("corridors", "corridor")):
        part = frame[frame["feature"] == kind].drop(columns="feature")
        if part.empty:
            raise CatalogError(f"{path}: no feature with 'feature' = {kind!r}: {WHAT}")
        ours = set(_columns(name))
        keep = [c for c in part.columns if c == "geometry" or c in ours or part[c].notna().any()]
        out[name] = _conform(gpd.GeoDataFrame(part[keep], geometry="geometry", crs=frame.crs), name, path)
    return out


def _no_sidecars() -> AbstractContextManager[None]:
    """Read without GDAL leaving a ``.aux.xml`` next to the user's file (GDAL 3.12 does, for GeoPackages)."""
    return gdal_config({"GDAL_PAM_ENABLED": "NO"})


def read_layers(paths: Path | Sequence[Path]) -> Layers:
    """Layers from one or more ``corridors.gpkg`` / ``<corridor-id>.geojson`` files written by ``corridors build``.

    Raises
    ------
    CatalogError
        A file is missing, unreadable, or lacks a layer, column or value the maps need; one line naming it.
    """
    paths = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    parts: list[dict[str, gpd.GeoDataFrame]] = []
    origin: dict[str, Path] = {}
    for path in paths:
        if not path.is_file():
            raise CatalogError(f"{path}: no such file: give a corridors.gpkg or .geojson written by `corridors build`")
        if path.suffix.lower() not in LAYER_SUFFIXES:
            hint = ": a catalog file goes with --catalog" if path.suffix.lower() == ".toml" else ""
            raise CatalogError(
                f"{path}: cannot read {path.suffix or 'this'} files as layers: give a .gpkg or a .geojson{hint}"
            )
        with _no_sidecars():
            part = _from_geopackage(path) if path.suffix.lower() == ".gpkg" else _from_geojson(path)
        for cid in part["corridors"]["corridor_id"]:
            if cid in origin:
                raise CatalogError(f"{path}: corridor {cid!r} is also in {origin[cid]}: give each corridor once")
            origin[cid] = path
        parts.append(part)
    source = ", ".join(map(str, paths))

    def joined(name: str) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(pd.concat([p[name] for p in parts], ignore_index=True), crs=CRS)

    hubs = joined("hubs").drop_duplicates("hub_id", ignore_index=True)
    legs = _measure_legs(joined("legs"))
    _check_legs(legs, set(hubs["hub_id"]), source)
    corridors = _corridor_figures(joined("corridors"), legs, source)
    order = {cid: i for i, cid in enumerate(corridors["corridor_id"])}
    legs = legs.iloc[np.lexsort((legs["seq"].to_numpy(), legs["corridor_id"].map(order).to_numpy()))]
    return Layers(hubs=hubs, legs=legs.reset_index(drop=True), corridors=corridors)


def select_corridors(layers: Layers, ids: Iterable[str]) -> Layers:
    """The layers of the corridors ``ids`` only, in the order given; all of them when ``ids`` is empty."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return layers
    known = list(layers.corridors["corridor_id"])
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise CatalogError(f"unknown corridor {', '.join(map(repr, unknown))}: choose from {', '.join(known)}")
    corridors = layers.corridors.set_index("corridor_id", drop=False).loc[wanted].reset_index(drop=True)
    legs = pd.concat([layers.legs[layers.legs["corridor_id"] == c] for c in wanted], ignore_index=True)
    on_route = layers.hubs["corridors"].str.split(",").apply(lambda cs: bool(set(cs) & set(wanted)))
    return Layers(
        hubs=layers.hubs[on_route].reset_index(drop=True),
        legs=gpd.GeoDataFrame(legs, geometry="geometry", crs=CRS),
        corridors=gpd.GeoDataFrame(corridors, geometry="geometry", crs=CRS),
    )
