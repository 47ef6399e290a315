"""The output folder of a build: its layout, what the build owns in it, and replacing it all or nothing.

Layout (other tools and the pages' links rely on it; the ids used here are
reserved, so no corridor can take them, see :data:`geo.model.RESERVED_IDS`)::

    DIR/index.html                   the index page
    DIR/compare.html                 the comparison page (reserved for ``compare``)
    DIR/maps/<corridor-id>.html      one map per corridor
    DIR/maps/overview.html           every corridor on one map
    DIR/maps/timeline.html           the network as it opens, year by year (reserved)
    DIR/maps/flows.html              a flow map (reserved for ``flows``)
    DIR/maps/shared/                 files the pages share (reserved)
    DIR/layers/...                   GIS layers (see :mod:`layers.io`), ATTRIBUTION
    DIR/.corridor-mapper.json        the manifest: every file the build wrote

**Ownership.** A build deletes or replaces only files it wrote: those its
manifest lists. A file or folder in the way that the manifest does not list
(``./maps`` holding someone's code, a hand-made ``index.html``) stops the build
before anything is written, naming it. Files the user adds beside ours (even
inside ``maps/``) are left alone. Folders written by an earlier version, which
had no manifest, are recognised by their ``layers/ATTRIBUTION``.

**All or nothing.** Everything is written into a hidden staging folder inside
``DIR`` and moved into place only when all of it succeeded; a failed or
interrupted build leaves ``DIR`` as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.errors import OutputError

__all__ = ["MANIFEST", "PAGES", "SHARED_DIR", "check_out", "owned_files", "staged_output", "write_file"]

MANIFEST = ".corridor-mapper.json"
"""The file, inside the output folder, that lists every file the build wrote (sorted, relative, ``/``-separated)."""
PAGES = {
    "index": "index.html",
    "compare": "compare.html",
    "overview": "maps/overview.html",
    "timeline": "maps/timeline.html",
    "flows": "maps/flows.html",
}
"""The pages a build writes (or will) besides one map per corridor, by the id they reserve."""
SHARED_DIR = "maps/shared"
"""Files several pages share (scripts, outline data) go here."""
TOP_LEVEL = ("index.html", "compare.html", "maps", "layers")
"""What a build may own at the top of the output folder."""
_LEGACY_MARK = "Layers written by corridor-mapper"


def check_out(out: Path | str) -> Path:
    """Check that ``out`` can take a build, before any slow work.

    Raises
    ------
    OutputError
        ``out`` is empty, the filesystem root or the home folder itself, an
        existing file, or holds a ``maps``, ``layers``, ``index.html`` or
        ``compare.html`` that corridor-mapper did not write.
    """
    text = str(out)
    if not text.strip():
        raise OutputError("--out '': the output folder is empty: give a folder name, e.g. --out corridor-maps")
    path = Path(text).expanduser()
    resolved = path.resolve()
    if resolved == Path(resolved.anchor):
        raise OutputError(f"--out {text!r} is the filesystem root: give a folder of its own, e.g. --out corridor-maps")
    if resolved == Path.home().resolve():
        raise OutputError(f"--out {text!r} is your home folder itself: give a folder in it, e.g. --out ~/corridor-maps")
    if path.exists() and not path.is_dir():
        raise OutputError(f"--out {text!r} is a file, not a folder: give a folder (it is created if missing)")
    owned = owned_files(path)
    for name in TOP_LEVEL:
        entry = path / name
        if not entry.exists() and not entry.is_symlink():
            continue
        mine = (
            name in owned if not entry.is_dir() or entry.is_symlink() else any(f.startswith(name + "/") for f in owned)
        )
        if not mine:
            raise OutputError(
                f"{entry} exists and was not written by corridor-mapper: the build would mix its files with yours; "
                "choose another --out, or move it away"
            )
    return path


def owned_files(out: Path) -> set[str]:
    """The files a previous build wrote into ``out`` (relative, ``/``-separated), from its manifest."""
    manifest = out / MANIFEST
    if manifest.is_file():
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            return {str(f) for f in data["files"] if _safe_relative(str(f))}
        except (OSError, ValueError, KeyError, TypeError):
            raise OutputError(
                f"{manifest}: the build manifest is unreadable: delete it (and the files it listed) to build here again"
            ) from None
    return _legacy_files(out)


def _safe_relative(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def _legacy_files(out: Path) -> set[str]:
    """What a build of version 0.1 (no manifest) wrote, recognised by its ``layers/ATTRIBUTION``."""
    attribution = out / "layers" / "ATTRIBUTION"
    try:
        text = attribution.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    if not text.startswith(_LEGACY_MARK):
        return set()
    owned = {"layers/ATTRIBUTION"}
    listed = re.findall(r"^  (\S+)(?:\s+\[\d+\])*\s*$", text, flags=re.MULTILINE)
    stems = {name.split(".")[0] for name in listed}
    for f in (out / "layers").iterdir():
        if f.is_file() and (f.name in listed or f.name.split(".")[0] in stems):
            owned.add(f"layers/{f.name}")
    corridors = re.search(r"^- corridors: (\S+)$", text, flags=re.MULTILINE)
    ids = set(corridors.group(1).split(",")) if corridors else set()
    maps = out / "maps"
    if maps.is_dir():
        owned |= {f"maps/{f.name}" for f in maps.iterdir() if f.is_file() and f.stem in ids | {"overview"}}
    if (out / "index.html").is_file() and "corridor-mapper" in (out / "index.html").read_text(errors="replace"):
        owned.add("index.html")
    return owned


def _files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@contextmanager
def staged_output(out: Path, generator: str) -> Iterator[Path]:
    """A staging folder to write a whole build into; on success its files replace the build's files in ``out``.

    Files of the previous build that the new one does not write are deleted
    (they were ours); nothing else in ``out`` is touched. The manifest is
    written last.

    Raises
    ------
    OutputError
        ``out`` cannot be created or written, or a file the build would write is
        in the way and was not written by corridor-mapper.
    """
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".corridor-mapper-tmp-", dir=out))
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder ({exc.strerror}): choose another --out") from None
    try:
        yield staging
        _replace(out, staging, generator)
    except OSError as exc:
        raise OutputError(
            f"{out}: cannot write the output ({exc}): check the folder's permissions and free space"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            _remove_if_empty(out)


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty: a finished build, or the user's files
        folder.rmdir()


def _replace(out: Path, staging: Path, generator: str) -> None:
    old = owned_files(out)
    new = _files_under(staging)
    for name in new:  # nothing of the user's is overwritten
        target = out / name
        if (target.exists() or target.is_symlink()) and name not in old:
            raise OutputError(
                f"{target} exists and was not written by corridor-mapper: move it away, or choose another --out"
            )
        for parent in Path(name).parents:
            if parent != Path(".") and (out / parent).exists() and not (out / parent).is_dir():
                raise OutputError(f"{out / parent} is a file where the build needs a folder: move it away")
    for name in new:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, out / name)
    for name in sorted(old - set(new)):  # ours, and no longer part of the build
        stale = out / name
        if stale.is_file() or stale.is_symlink():
            stale.unlink()
    for folder in sorted({(out / n).parent for n in old | set(new)}, key=lambda p: len(p.parts), reverse=True):
        if folder != out:
            _remove_if_empty(folder)
    manifest = {"generator": generator, "files": new}
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, out / MANIFEST)


def _mode_for(path: Path) -> int:
    """The permissions for a file written at ``path``: those of the file it replaces, else what ``open()`` gives a
    new file (0666 less the umask)."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(path.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_file(path: Path, write: Callable[[Path], object]) -> None:
    """Write one output file (``--out FILE``) all or nothing: ``write`` fills a temporary file beside ``path``,
    which then replaces it; a failure leaves no half-written file.

    Raises
    ------
    OutputError
        The folder does not exist, ``path`` is a folder, or the file cannot be written.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"--out {path}: no folder {folder}: create it first")
    if path.is_dir():
        raise OutputError(f"--out {path}: is a folder: give a file name")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, _mode_for(path))  # mkstemp's file is private (0600): the file gets the mode open() gives
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"--out {path}: cannot write it ({exc.strerror})") from None
    finally:
        Path(tmp).unlink(missing_ok=True)
