"""The whole job: catalog → geometry → layers → files, written all or nothing.

Output layout (other tools rely on it)::

    DIR/index.html
    DIR/maps/<corridor-id>.html, DIR/maps/overview.html
    DIR/layers/corridors.gpkg  (layers hubs, legs, corridors)
    DIR/layers/<corridor-id>.geojson, DIR/layers/ATTRIBUTION

Everything is written to a temporary folder beside ``DIR`` and moved into place
only when all of it succeeded, so a failed build leaves ``DIR`` as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

from jinja2 import Environment

from geo.catalog import Catalog
from geo.errors import OutputError
from geo.geometry import GeometryBuilder
from geo.model import Corridor, Mode
from layers.frames import Layers, layers_from_catalog
from layers.io import attribution_lines, tool_version, write_attribution, write_geojson, write_geopackage
from layers.style import MODE_STYLES
from maps.render import DEFAULT_TILES, corridor_map, overview_map, render_html, resolve_tiles

__all__ = ["DEFAULT_OUT", "BuildResult", "Progress", "build", "index_html"]

DEFAULT_OUT = Path("corridor-maps")
MANAGED = ("index.html", "maps", "layers")
"""What a build owns inside the output folder; anything else there is left alone."""


class Progress(Protocol):
    """Receives the build's progress: the number of steps, then each step as it starts."""

    def start(self, total: int) -> None: ...
    def step(self, description: str) -> None: ...


class _Silent:
    def start(self, total: int) -> None:
        pass

    def step(self, description: str) -> None:
        pass


@dataclass(frozen=True)
class BuildResult:
    out: Path
    layers: Layers
    files: list[Path]
    """Every file written, relative to ``out``, sorted."""


def index_html(layers: Layers, *, title: str = "Trade corridors") -> str:
    """The index page: a table of corridors with their key figures and links."""
    env = Environment(autoescape=True, keep_trailing_newline=True)
    template = env.from_string((resources.files("maps") / "templates" / "index.html.j2").read_text(encoding="utf-8"))
    modes = [{"key": f"{m}_km", "label": MODE_STYLES[m].label, "color": MODE_STYLES[m].color} for m in Mode]
    return template.render(
        title=title,
        corridors=layers.corridors.drop(columns="geometry").to_dict("records"),
        modes=modes,
        attribution=attribution_lines(layers),
        version=tool_version(),
    )


def _write_all(
    layers: Layers, corridors: Sequence[Corridor], root: Path, tiles: str | None, progress: Progress
) -> None:
    (root / "maps").mkdir()
    (root / "layers").mkdir()
    progress.step("GeoPackage")
    write_geopackage(layers, root / "layers" / "corridors.gpkg")
    write_attribution(layers, root / "layers" / "ATTRIBUTION")
    for c in corridors:
        progress.step(f"map {c.id}")
        write_geojson(layers.for_corridor(c.id), root / "layers" / f"{c.id}.geojson")
        html = render_html(corridor_map(layers, c.id, tiles=tiles))
        (root / "maps" / f"{c.id}.html").write_text(html, encoding="utf-8")
    progress.step("overview map")
    (root / "maps" / "overview.html").write_text(render_html(overview_map(layers, tiles=tiles)), encoding="utf-8")
    (root / "index.html").write_text(index_html(layers), encoding="utf-8")


def _move_into_place(staging: Path, out: Path) -> None:
    trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    try:
        for name in MANAGED:
            if (out / name).exists():
                (out / name).rename(trash / name)
            (staging / name).rename(out / name)
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def build(
    catalog: Catalog,
    corridors: Sequence[Corridor],
    out: Path = DEFAULT_OUT,
    *,
    tiles: str | None = DEFAULT_TILES,
    progress: Progress | None = None,
) -> BuildResult:
    """Build maps, layers and the index page for ``corridors`` into ``out``.

    Raises
    ------
    GeometryError
        A leg's geometry cannot be built; nothing is written.
    OutputError
        ``out`` cannot be created or written.
    """
    progress = progress or _Silent()
    out = Path(out)
    if tiles:
        resolve_tiles(tiles)  # a bad name fails before any work
    legs = [leg for c in corridors for leg in c.legs]
    progress.start(len(legs) + len(corridors) + 2)
    builder = GeometryBuilder(catalog.hubs)
    for c in corridors:
        for leg in c.legs:
            progress.step(f"{c.id}: {leg.from_hub} → {leg.to_hub} ({leg.mode})")
            builder(leg)
    layers = layers_from_catalog(catalog, corridors, geometry_of=builder)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder ({exc.strerror}): choose another --out") from None
    try:
        _write_all(layers, corridors, staging, tiles, progress)
        out.mkdir(exist_ok=True)
        _move_into_place(staging, out)
    except OSError as exc:
        raise OutputError(
            f"{out}: cannot write the output ({exc}): check the folder's permissions and free space"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    files = sorted(
        p.relative_to(out) for name in MANAGED for p in [out / name, *(out / name).rglob("*")] if p.is_file()
    )
    return BuildResult(out=out, layers=layers, files=files)
