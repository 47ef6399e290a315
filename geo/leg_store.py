"""Leg lines kept on disk between runs, so that a warm build routes nothing.

Routing the catalog's legs on the rail and road networks and on searoute is
the largest part of a warm build (about 0.9 s of 3.8 s), and gives the same
lines from the same inputs every time. :class:`geo.geometry.GeometryBuilder`
keeps the lines made by the shipped builders here: one archive in the cache
folder (:mod:`geo._cache`), an entry per line keyed by its builder (with the
network file a network leg was routed on) and the leg's points, mode, status,
routing and snap limit.

The archive's name carries a digest of everything else a line depends on: the
source and data files of the ``geo`` package and the versions of the libraries
that make the lines (searoute, scgraph-data, Shapely, pyproj, NumPy, SciPy). A
change to any of them starts a new archive and deletes the old one; an archive
that cannot be read is deleted and the lines are routed again.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import metadata
from pathlib import Path

import numpy as np

from geo._cache import cache_dir, read_npz, remove_stale, write_npz
from geo.leg_geometry import LegGeometry
from geo.model import Source

__all__ = ["keep", "save", "store_file", "stored"]

LIBRARIES = ("searoute", "scgraph-data", "shapely", "pyproj", "numpy", "scipy")
"""The libraries whose versions a stored line depends on."""

_PACKAGE = Path(__file__).resolve().parent


@cache
def _digest() -> str:
    """A digest of the ``geo`` package's source and data files and of :data:`LIBRARIES`' versions."""
    h = hashlib.sha1(usedforsecurity=False)
    for name in LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=none\n".encode())
    for path in sorted(p for p in _PACKAGE.rglob("*") if p.is_file() and p.suffix not in (".pyc", ".pyo")):
        h.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        h.update(hashlib.sha1(path.read_bytes(), usedforsecurity=False).digest())
    return h.hexdigest()[:16]


def store_file() -> Path:
    """The archive of stored lines for this code, these data and these libraries."""
    return cache_dir() / f"legs-{_digest()}.npz"


_LOADED: dict[Path, dict[str, LegGeometry | str]] = {}
"""Per archive: the lines, or why none could be made, read from it or kept since (read once per process)."""
_PENDING: dict[Path, set[str]] = {}
"""Per archive: the keys kept but not yet written."""


def _lines(path: Path) -> dict[str, LegGeometry | str]:
    if path not in _LOADED:
        z = read_npz(path, ("keys", "coords", "ends", "meta"))
        found: dict[str, LegGeometry | str] = {}
        if z is not None:
            ends = z["ends"].tolist()
            for key, a, b, meta in zip(z["keys"].tolist(), [0, *ends[:-1]], ends, z["meta"].tolist(), strict=True):
                m = json.loads(meta)
                if "error" in m:
                    found[str(key)] = str(m["error"])
                    continue
                extras = {k: _decode(v) for k, v in m["extras"].items()}
                found[str(key)] = LegGeometry(z["coords"][a:b].copy(), m["method"], tuple(m["attribution"]), extras)
        _LOADED[path] = found
    return _LOADED[path]


def _encode(value: object) -> object:
    """An extra's value as JSON: numbers and text as they are, tuples as lists, sources as ``{"source": ...}``."""
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, Source):
        return {"source": value.model_dump()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _decode(value: object) -> object:
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    if isinstance(value, dict):
        return Source(**value["source"])
    return value


def stored(key: str) -> LegGeometry | str | None:
    """The stored line of ``key``; the message of the :class:`~geo.errors.GeometryError` its builder raised
    instead; or None."""
    return _lines(store_file()).get(key)


def keep(key: str, geometry: LegGeometry | str) -> None:
    """Keep a line, or the message of why none could be made, under ``key`` (written to disk by :func:`save`)."""
    path = store_file()
    _lines(path)[key] = geometry
    _PENDING.setdefault(path, set()).add(key)


def save() -> None:
    """Write what was kept since the last save, with what is stored already (atomically; nothing if nothing new)."""
    path = store_file()
    if not _PENDING.pop(path, None):
        return
    lines = _lines(path)
    keys = sorted(lines)
    coords, meta = [], []
    for k in keys:
        g = lines[k]
        if isinstance(g, str):
            coords.append(np.zeros((0, 2)))
            meta.append(json.dumps({"error": g}))
            continue
        coords.append(np.asarray(g.coords, dtype=float).reshape(-1, 2))
        extras = {name: _encode(v) for name, v in g.extras.items()}
        meta.append(
            json.dumps({"method": g.method, "attribution": list(g.attribution), "extras": extras}, sort_keys=True)
        )
    written = write_npz(
        path,
        keys=np.array(keys, dtype=str),
        coords=np.concatenate(coords) if coords else np.zeros((0, 2)),
        ends=np.cumsum([len(c) for c in coords], dtype=np.int64),
        meta=np.array(meta, dtype=str),
    )
    if written:
        remove_stale(path, "legs-*.npz")
