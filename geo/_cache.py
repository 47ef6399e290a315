"""The one disk cache of corridor-mapper: where it lives, and how files are written and read there.

Four things are slow to make and cheap to keep: the converted and healed
networks (:mod:`geo.network_data`, NumPy archives), the simplified country
outlines (:mod:`geo.countries`, a NumPy archive of WKB), the sea links
between ports (:mod:`geo.sea`, JSON) and the catalog legs' routed lines
(:mod:`geo.leg_store`, a NumPy archive). They all go through these helpers, so
they all behave alike:

* the folder is ``CORRIDORS_CACHE_DIR`` if set, else the user's cache folder;
* writes are atomic (a temporary file beside the target, then a rename), so a
  reader never sees half a file and two processes never mix their writes;
* a file that cannot be read (truncated, an older layout) is deleted and
  rebuilt by the caller; a cache that cannot be written only costs time;
* file names carry the versions of the data they were made from, and a new
  file deletes its stale siblings.
"""

from __future__ import annotations

import contextlib
import json
import os
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

__all__ = [
    "CACHE_ENV",
    "cache_dir",
    "discard",
    "read_json",
    "read_npz",
    "remove_stale",
    "write_atomic",
    "write_json",
    "write_npz",
]

CACHE_ENV = "CORRIDORS_CACHE_DIR"
"""The environment variable that moves the cache folder."""

_UNREADABLE = (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile)
"""What reading a broken or foreign cache file raises (NumPy, zipfile, json)."""


def cache_dir() -> Path:
    """Where cached files are kept: ``CORRIDORS_CACHE_DIR``, or the user's cache folder (platformdirs)."""
    return Path(os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("corridor-mapper"))


def write_atomic(path: Path, write: Callable[[Path], None]) -> bool:
    """Write ``path`` through ``write(tmp)`` on a temporary file beside it, then rename it into place.

    Returns
    -------
    bool
        False if the cache could not be written (read-only, full disk): the
        caller goes on without it.
    """
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)
        tmp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False
    return True


def discard(path: Path) -> None:
    """Delete a cache file that turned out unusable (if it can be deleted), so that it is rebuilt."""
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def read_npz(path: Path, keys: Iterable[str]) -> dict[str, np.ndarray] | None:
    """The arrays ``keys`` of a NumPy archive, read into memory; None if it is missing or broken.

    A broken file (unreadable, truncated, without one of the keys) is deleted,
    so that the caller rebuilds it. Pickled objects are never loaded.
    """
    if not path.exists():
        return None
    try:
        # opened here, not by NumPy: np.load leaks its file when the archive is broken
        with path.open("rb") as f:
            z = np.load(f, allow_pickle=False)
            if not isinstance(z, np.lib.npyio.NpzFile):  # a bare .npy: not ours
                raise ValueError(path)
            with z:
                return {k: z[k] for k in keys}
    except _UNREADABLE:
        discard(path)
        return None


def write_npz(path: Path, **arrays: np.ndarray) -> bool:
    """Write a NumPy archive atomically (see :func:`write_atomic`)."""

    def write(tmp: Path) -> None:
        with tmp.open("wb") as f:  # a file object: np.savez would append ".npz" to a name
            np.savez(f, **arrays)  # type: ignore[arg-type]  # numpy stubs type **kwds too narrowly

    return write_atomic(path, write)


def read_json(path: Path) -> Any | None:
    """A JSON file's value; None if it is missing or broken (a broken file is deleted)."""
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except _UNREADABLE:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        discard(path)
        return None


def write_json(path: Path, value: Any) -> bool:
    """Write a JSON file atomically, keys sorted (see :func:`write_atomic`)."""
    text = json.dumps(value, sort_keys=True)

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    return write_atomic(path, write)


def remove_stale(path: Path, pattern: str, *, stale: Callable[[Path], bool] = lambda _: True) -> None:
    """Delete the files beside ``path`` matching the glob ``pattern`` for which ``stale`` holds, not ``path``."""
    for old in path.parent.glob(pattern):
        if old != path and stale(old):
            discard(old)
