"""The whole job: catalog → geometry → layers → files, written all or nothing.

Output layout (other tools rely on it)::

    DIR/index.html
    DIR/maps/<corridor-id>.html, DIR/maps/overview.html
    DIR/layers/ATTRIBUTION
    DIR/layers/...  the formats asked for (see :mod:`layers.io`); by default
                    corridors.gpkg (hubs, legs, corridors, sources) and <corridor-id>.geojson

A build starts from a catalog (:func:`build`) or from layers already made, for
instance read back from a ``corridors.gpkg`` (:func:`build_from_layers`).

Everything is written to a temporary folder beside ``DIR`` and moved into place
only when all of it succeeded, so a failed build leaves ``DIR`` as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

import folium
from jinja2 import Environment
from markupsafe import Markup

from geo.catalog import Catalog
from geo.errors import CorridorMapperError, OutputError
from geo.geometry import GeometryBuilder
from geo.model import Corridor, Mode
from layers.frames import Layers, layers_from_catalog
from layers.io import DEFAULT_FORMATS, parse_formats, write_layers
from layers.provenance import attribution_lines, tool_version
from layers.style import MODE_STYLES
from maps.render import (
    DEFAULT_TILES,
    Tiles,
    check_assets,
    corridor_map,
    facts_html,
    inline_assets,
    overview_map,
    render_html,
    resolve_tiles,
    route_sketch,
)

__all__ = ["DEFAULT_OUT", "BuildResult", "Progress", "build", "build_from_layers", "check_options", "index_html"]

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


def _per_corridor(layers: Layers) -> list[tuple[str, Layers]]:
    return [(cid, layers.for_corridor(cid)) for cid in layers.corridors["corridor_id"]]


def index_html(layers: Layers, *, title: str = "Trade corridors") -> str:
    """The index page: a table of corridors with their key figures and links."""
    env = Environment(autoescape=True, keep_trailing_newline=True)
    template = env.from_string((resources.files("maps") / "templates" / "index.html.j2").read_text(encoding="utf-8"))
    modes = [{"key": f"{m}_km", "label": MODE_STYLES[m].label, "color": MODE_STYLES[m].color} for m in Mode]
    return template.render(
        title=title,
        corridors=layers.corridors.drop(columns="geometry").to_dict("records"),
        sketches={cid: route_sketch(mine.legs, width=140, height=56, title=cid) for cid, mine in _per_corridor(layers)},
        facts={row["corridor_id"]: Markup(facts_html(row.get("facts", ()))) for _, row in layers.corridors.iterrows()},
        modes=modes,
        attribution=attribution_lines(layers),
        version=tool_version(),
    )


def _write_all(
    layers: Layers,
    root: Path,
    tiles: Tiles | None,
    formats: tuple[str, ...],
    parameters: Mapping[str, str],
    progress: Progress,
    assets: Path | None = None,
) -> None:
    def page(m: folium.Map) -> str:
        html = render_html(m)
        return inline_assets(html, assets) if assets is not None else html

    (root / "maps").mkdir()
    write_layers(layers, root / "layers", formats, parameters=parameters, step=progress.step)
    for cid in layers.corridors["corridor_id"]:
        progress.step(f"map {cid}")
        html = page(corridor_map(layers, cid, tiles=tiles))
        (root / "maps" / f"{cid}.html").write_text(html, encoding="utf-8")
    progress.step("overview map")
    (root / "maps" / "overview.html").write_text(page(overview_map(layers, tiles=tiles)), encoding="utf-8")
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


def _steps(n_corridors: int, formats: tuple[str, ...]) -> int:
    return len(formats) + n_corridors + 1


def check_options(formats: Iterable[str], tiles: Tiles | None, assets: Path | None) -> tuple[str, ...]:
    """Validate the options before any work, so that a bad one costs nothing."""
    parsed = parse_formats(formats)
    if tiles:
        resolve_tiles(tiles)
    if assets is not None:
        check_assets(assets)
    return parsed


def build(
    catalog: Catalog,
    corridors: Sequence[Corridor],
    out: Path = DEFAULT_OUT,
    *,
    tiles: Tiles | None = DEFAULT_TILES,
    formats: Iterable[str] = DEFAULT_FORMATS,
    parameters: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    assets: Path | None = None,
) -> BuildResult:
    """Build maps, layers and the index page for ``corridors`` into ``out``.

    ``formats`` are the layer formats (:data:`layers.io.FORMATS`); ``parameters``
    are recorded with the layers (GeoPackage metadata, ``ATTRIBUTION``). With
    ``assets`` (a local mirror of the CDN files, see :func:`maps.render.asset_path`)
    the maps are self-contained: their JavaScript and CSS are inlined.

    Raises
    ------
    GeometryError
        A leg's geometry cannot be built; nothing is written.
    OptionError
        An unknown format; nothing is written.
    OutputError
        ``out`` cannot be created or written.
    """
    progress = progress or _Silent()
    formats = check_options(formats, tiles, assets)
    progress.start(sum(len(c.legs) for c in corridors) + _steps(len(corridors), formats))
    builder = GeometryBuilder(catalog.hubs)
    for c in corridors:
        for seq, leg in enumerate(c.legs, start=1):
            progress.step(f"{c.id}: {leg.from_hub} → {leg.to_hub} ({leg.mode})")
            try:
                builder(leg)
            except CorridorMapperError as exc:
                where = catalog.origin.get(f"corridor:{c.id}", "")
                raise type(exc)(f"{where + ': ' if where else ''}corridor {c.id!r}, leg {seq}: {exc}") from None
    layers = layers_from_catalog(catalog, corridors, geometry_of=builder)
    return _build(layers, Path(out), tiles, formats, parameters or {}, progress, assets)


def build_from_layers(
    layers: Layers,
    out: Path = DEFAULT_OUT,
    *,
    tiles: Tiles | None = DEFAULT_TILES,
    formats: Iterable[str] = DEFAULT_FORMATS,
    parameters: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    assets: Path | None = None,
) -> BuildResult:
    """Build maps, layers and the index page from ``layers`` as they are (no geometry is built).

    Raises
    ------
    OptionError
        An unknown format or tile provider; nothing is written.
    OutputError
        ``out`` cannot be created or written.
    """
    progress = progress or _Silent()
    formats = check_options(formats, tiles, assets)
    progress.start(_steps(len(layers.corridors), formats))
    return _build(layers, Path(out), tiles, formats, parameters or {}, progress, assets)


def _build(
    layers: Layers,
    out: Path,
    tiles: Tiles | None,
    formats: tuple[str, ...],
    parameters: Mapping[str, str],
    progress: Progress,
    assets: Path | None = None,
) -> BuildResult:
    parameters = {
        **parameters,
        "corridors": ",".join(layers.corridors["corridor_id"]),
        "formats": ",".join(formats),
        "tiles": (tiles if isinstance(tiles, str) else f"{tiles.name} {tiles.url}") if tiles else "none",
    }
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder ({exc.strerror}): choose another --out") from None
    try:
        _write_all(layers, staging, tiles, formats, parameters, progress, assets)
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
