"""The pipelines: catalog → geometry → layers → files, written all or nothing.

Each command of the CLI is a thin wrapper around one function here:

* :func:`build` – maps, layers and the index page of catalog corridors;
* :func:`build_catalog` – the same from catalog files, choosing the corridors as ``corridors build`` does;
* :func:`build_from_layers` / :func:`build_from_layer_files` – from layers already made (a ``corridors.gpkg``
  read back, maybe edited in QGIS): nothing is re-routed;
* :func:`build_route` – an ad-hoc route on the multimodal graph, built like a catalog corridor;
* :func:`compare` – catalog corridors under scenarios (``corridors compare``); a catalog build also writes
  ``compare.html`` for its corridors that share their ends (:func:`build_compare`).

Every build writes ``maps/timeline.html`` (:mod:`maps.timeline`); a catalog build with ``year`` draws the network
as of that year (:func:`corridors_by_year`).

The output layout and what a build owns are in :mod:`maps.output`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import folium
from jinja2 import Environment
from markupsafe import Markup

from geo.borders import Border
from geo.catalog import Catalog, load_catalog
from geo.errors import CatalogError, CorridorMapperError
from geo.geometry import GeometryBuilder
from geo.leg_geometry import LegGeometry
from geo.model import RESERVED_IDS, Corridor, Leg, Mode, Status
from geo.scenarios import Outcome, Scenario, evaluate, load_scenario, shipped_scenarios
from geo.transit import transit_model
from layers.frames import Layers, layers_from_catalog
from layers.io import DEFAULT_FORMATS, parse_formats, write_layers
from layers.provenance import attribution_lines, tool_version
from layers.style import MODE_STYLES
from maps.comparison import comparison_html, end_groups, ends_warning
from maps.defaults import DEFAULT_OUT
from maps.outlines import SharedOutlines
from maps.output import PAGES, SHARED_DIR, check_out, staged_output
from maps.planning import Progress, Silent, networks_needed, plan_ad_hoc, prepare_networks, prepare_unrouted
from maps.render import (
    DEFAULT_TILES,
    Tiles,
    check_assets,
    claims_html,
    corridor_map,
    facts_html,
    inline_assets,
    overview_map,
    render_html,
    resolve_tiles,
    route_sketch,
)
from maps.timeline import Opening, openings_from_corridors, timeline_map

__all__ = [
    "DEFAULT_OUT",
    "BuildResult",
    "CompareResult",
    "Progress",
    "RouteResult",
    "build",
    "build_catalog",
    "build_compare",
    "build_from_layer_files",
    "build_from_layers",
    "build_route",
    "check_options",
    "compare",
    "corridors_by_year",
    "corridors_to_build",
    "index_html",
    "networks_needed",
    "prepare_networks",
]


@dataclass(frozen=True)
class BuildResult:
    out: Path
    layers: Layers
    files: list[Path]
    """Every file written, relative to ``out``, sorted."""


def _per_corridor(layers: Layers) -> list[tuple[str, Layers]]:
    return [(cid, layers.for_corridor(cid)) for cid in layers.corridors["corridor_id"]]


def index_html(
    layers: Layers,
    *,
    title: str = "Trade corridors",
    subtitle: str = "",
    as_of: str = "",
    compare_page: str | None = None,
) -> str:
    """The index page: a table of corridors with their key figures and links (to ``compare_page`` if given)."""
    env = Environment(autoescape=True, keep_trailing_newline=True)
    template = env.from_string((resources.files("maps") / "templates" / "index.html.j2").read_text(encoding="utf-8"))
    modes = [{"key": f"{m}_km", "label": MODE_STYLES[m].label, "color": MODE_STYLES[m].color} for m in Mode]
    return template.render(
        title=title,
        subtitle=subtitle,
        as_of=as_of,
        compare_page=compare_page,
        claims={
            row["corridor_id"]: {
                "lines": lines,
                "failing": sum("does not hold" in line for line in lines),
            }
            for _, row in layers.corridors.iterrows()
            for lines in [[x for x in str(row.get("claims_checked", "") or "").splitlines() if x.strip()]]
        },
        scope=transit_model().short_scope,
        corridors=layers.corridors.drop(columns="geometry").to_dict("records"),
        sketches={cid: route_sketch(mine.legs, width=140, height=56, title=cid) for cid, mine in _per_corridor(layers)},
        facts={
            row["corridor_id"]: Markup(facts_html(row.get("facts", ())) + claims_html(row.get("claims_checked", "")))
            for _, row in layers.corridors.iterrows()
        },
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
    pages: Mapping[str, str] | None = None,
    openings: Mapping[tuple[str, int], Opening] | None = None,
) -> None:
    shared = SharedOutlines() if assets is None else None  # self-contained pages carry their own outlines

    def page(m: folium.Map) -> str:
        html = render_html(m, outlines=shared)
        return inline_assets(html, assets) if assets is not None else html

    (root / "maps").mkdir()
    write_layers(layers, root / "layers", formats, parameters=parameters, step=progress.step)
    dates = [str(d) for d in layers.corridors.get("as_of", []) if isinstance(d, str) and d]
    as_of = parameters.get("as_of") or max(dates, default="")
    minimap = parameters.get("minimap", "yes") != "no"
    title, subtitle = parameters.get("title", ""), parameters.get("subtitle", "")
    for cid in layers.corridors["corridor_id"]:
        progress.step(f"maps: {cid}")
        html = page(corridor_map(layers, cid, tiles=tiles, as_of=as_of, minimap=minimap))
        (root / "maps" / f"{cid}.html").write_text(html, encoding="utf-8")
    progress.step("maps: overview")
    overview = overview_map(
        layers, tiles=tiles, title=title or "Trade corridors: overview", subtitle=subtitle, as_of=as_of, minimap=minimap
    )
    (root / PAGES["overview"]).write_text(page(overview), encoding="utf-8")
    pictures = [k for k in parameters.get("pictures", "").split(",") if k]  # --png, --svg
    if pictures:
        from maps.static import write_pictures  # matplotlib loads only when pictures are asked for

        progress.note(f"pictures: {', '.join(pictures)} of {len(layers.corridors) + 1} maps")
        write_pictures(layers, root / "maps", pictures, title=title, subtitle=subtitle, as_of=as_of)
    progress.step("maps: timeline")
    timeline = timeline_map(layers, openings, tiles=tiles, as_of=as_of)
    (root / PAGES["timeline"]).write_text(page(timeline), encoding="utf-8")
    for name, text in (shared.files() if shared is not None else {}).items():
        (root / SHARED_DIR).mkdir(parents=True, exist_ok=True)
        (root / SHARED_DIR / name).write_text(text, encoding="utf-8")
    for name, html in (pages or {}).items():
        (root / name).write_text(html, encoding="utf-8")
    compare_page = PAGES["compare"] if PAGES["compare"] in (pages or {}) else None
    index = index_html(
        layers, title=title or "Trade corridors", subtitle=subtitle, as_of=as_of, compare_page=compare_page
    )
    (root / PAGES["index"]).write_text(index, encoding="utf-8")


def _steps(n_corridors: int, formats: tuple[str, ...]) -> int:
    return len(formats) + n_corridors + 3


def check_options(formats: Iterable[str], tiles: Tiles | None, assets: Path | None) -> tuple[str, ...]:
    """Validate the options before any work, so that a bad one costs nothing."""
    parsed = parse_formats(formats)
    if tiles:
        resolve_tiles(tiles)
    if assets is not None:
        check_assets(assets)
    return parsed


def corridors_to_build(
    catalog: Catalog, ids: Sequence[str] = (), catalog_files: Sequence[Path | str] = ()
) -> list[Corridor]:
    """The corridors ``corridors build`` builds: ``ids`` if given; else those of ``catalog_files``; else all.

    Raises
    ------
    CatalogError
        An unknown id, or catalog files that define no corridor (never a silent
        switch to the whole embedded catalog).
    """
    if ids:
        return catalog.select(ids)
    if catalog_files:
        return catalog.corridors_from(catalog_files)
    return catalog.select(None)


def _check_ids(ids: Iterable[str]) -> None:
    """Layers read back from files bypass the catalog's checks: refuse ids the output layout uses here too."""
    for i in ids:
        if i in RESERVED_IDS:
            raise CatalogError(f"corridor {i!r}: id {i!r} is reserved ({RESERVED_IDS[i]}): rename the corridor")


def build(
    catalog: Catalog,
    corridors: Sequence[Corridor],
    out: Path | str = DEFAULT_OUT,
    *,
    tiles: Tiles | None = DEFAULT_TILES,
    formats: Iterable[str] = DEFAULT_FORMATS,
    parameters: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    assets: Path | None = None,
    every_hub: bool = False,
    year: int | None = None,
) -> BuildResult:
    """Build maps, layers and the index page for ``corridors`` into ``out``.

    With ``every_hub`` the hubs layer holds every catalog hub (a build of the whole catalog). With ``year`` the
    maps and layers show the network as of that year (:func:`corridors_by_year`); the timeline page and the
    comparison page show the catalog as it is.

    ``formats`` are the layer formats (:data:`layers.io.FORMATS`); ``parameters``
    are recorded with the layers (GeoPackage metadata, ``ATTRIBUTION``). With
    ``assets`` (a local mirror of the CDN files, see :func:`maps.render.asset_path`)
    the maps are self-contained: their JavaScript and CSS are inlined.

    Returns
    -------
    BuildResult
        The output folder, the layers, and every file written.

    Raises
    ------
    GeometryError, NetworkError
        A leg's geometry cannot be built; nothing is written.
    OptionError
        An unknown format; nothing is written.
    OutputError
        ``out`` cannot take the build (see :func:`maps.output.check_out`) or cannot be written.

    Examples
    --------
    >>> from geo.catalog import load_catalog
    >>> catalog = load_catalog()
    >>> result = build(catalog, catalog.select(["baku-tbilisi-kars"]), "out")  # doctest: +SKIP
    >>> sorted(map(str, result.files))[:2]  # doctest: +SKIP
    ['index.html', 'layers/ATTRIBUTION']
    """
    progress = progress or Silent()
    formats = check_options(formats, tiles, assets)
    out = check_out(out)
    _check_ids(c.id for c in corridors)
    builder = GeometryBuilder(catalog.hubs)
    prepare_unrouted(builder, corridors, progress)
    progress.start(sum(len(c.legs) for c in corridors) + _steps(len(corridors), formats))
    for c in corridors:
        for seq, leg in enumerate(c.legs, start=1):
            progress.step(f"legs: {c.id}: {leg.from_hub} → {leg.to_hub} ({leg.mode})")
            try:
                builder(leg)
            except CorridorMapperError as exc:
                where = catalog.origin.get(f"corridor:{c.id}", "")
                raise type(exc)(f"{where + ': ' if where else ''}corridor {c.id!r}, leg {seq}: {exc}") from None
    shown, geometry_of = (corridors, builder) if year is None else corridors_by_year(corridors, year, builder)
    layers = layers_from_catalog(catalog, shown, geometry_of=geometry_of, every_hub=every_hub)
    progress.step("comparison: every scenario")
    comparison = build_compare(catalog, corridors, builder)
    builder.save()  # the lines routed for the legs and the scenarios, for the next run
    pages = {PAGES["compare"]: comparison} if comparison else {}
    parameters = {**({"as_of": catalog.as_of} if catalog.as_of else {}), **(parameters or {})}
    if year is not None:
        parameters = {
            "year": str(year),
            "subtitle": f"The network by the end of {year}, if the legs due by then open on time",
            **parameters,
        }
    openings = openings_from_corridors(corridors)
    return _build(layers, out, tiles, formats, parameters, progress, assets, pages, openings)


def corridors_by_year(
    corridors: Sequence[Corridor], year: int, geometry_of: Callable[[Leg], LegGeometry]
) -> tuple[list[Corridor], Callable[[Leg], LegGeometry]]:
    """The corridors as of ``year``: each leg due to open by then (as ``corridors compare --year`` opens it, the
    baseline scenario's :meth:`geo.scenarios.Scenario.opens`) made operational, with a note saying so.

    Returns
    -------
    tuple
        The corridors, and a geometry builder that draws an opened leg as its catalog line (the planned
        alignment: the network data hold no track for it).
    """
    scenario = load_scenario("baseline", year=year)
    original: dict[int, Leg] = {}  # an opened leg (by identity) -> the catalog's leg, for its line
    shown = []
    for c in corridors:
        legs = []
        for leg in c.legs:
            if leg.status == Status.OPERATIONAL or not scenario.opens(leg):
                legs.append(leg)
                continue
            status = str(leg.status).replace("_", " ")
            source = f" ({leg.opens_source.text})" if leg.opens_source else ""
            note = f"Drawn open for --year {year}: {status} in the catalog, due to open in {leg.opens}{source}."
            opened = leg.model_copy(update={"status": Status.OPERATIONAL, "notes": f"{note} {leg.notes}".strip()})
            original[id(opened)] = leg
            legs.append(opened)
        shown.append(c.model_copy(update={"legs": legs}))

    def line_of(leg: Leg) -> LegGeometry:
        return geometry_of(original.get(id(leg), leg))

    return shown, line_of


def build_catalog(
    catalog_files: Sequence[Path | str] = (),
    corridor_ids: Sequence[str] = (),
    out: Path | str = DEFAULT_OUT,
    **options: object,
) -> BuildResult:
    """``corridors build``: read the catalog (embedded plus ``catalog_files``), choose the corridors, build them.

    ``options`` are those of :func:`build`; ``parameters`` get the input recorded.
    """
    catalog = load_catalog(catalog_files)
    corridors = corridors_to_build(catalog, corridor_ids, catalog_files)
    options.setdefault("every_hub", not corridor_ids and not catalog_files)  # the whole reference
    inputs = ", ".join(map(str, catalog_files)) if catalog_files else "the embedded catalog"
    parameters = {"input": f"catalog {inputs}", **dict(options.pop("parameters", None) or {})}  # type: ignore[call-overload]
    return build(catalog, corridors, out, parameters=parameters, **options)  # type: ignore[arg-type]


def build_from_layers(
    layers: Layers,
    out: Path | str = DEFAULT_OUT,
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
        ``out`` cannot take the build or cannot be written.
    """
    progress = progress or Silent()
    formats = check_options(formats, tiles, assets)
    out = check_out(out)
    _check_ids(layers.corridors["corridor_id"])
    progress.start(_steps(len(layers.corridors), formats))
    return _build(layers, out, tiles, formats, parameters or {}, progress, assets)


def build_from_layer_files(
    layer_files: Sequence[Path | str],
    corridor_ids: Sequence[str] = (),
    out: Path | str = DEFAULT_OUT,
    **options: object,
) -> BuildResult:
    """``corridors build LAYERS_FILE ...``: read layers written by an earlier build, pick corridors, build them."""
    from layers.read import read_layers, select_corridors

    layers = select_corridors(read_layers([Path(f) for f in layer_files]), corridor_ids)
    parameters = {"input": "layers " + ", ".join(map(str, layer_files)), **dict(options.pop("parameters", None) or {})}  # type: ignore[call-overload]
    return build_from_layers(layers, out, parameters=parameters, **options)  # type: ignore[arg-type]


@dataclass(frozen=True)
class RouteResult:
    """An ad-hoc route: the route as a corridor, its layers, and the build written from them."""

    corridor: Corridor
    build: BuildResult
    avoided_borders: tuple[Border, ...] = ()
    """The closed borders the route was kept from crossing."""
    warnings: tuple[str, ...] = ()
    """War zones entered, closed or restricted borders crossed: one sentence each."""

    @property
    def layers(self) -> Layers:
        return self.build.layers


def build_route(
    origin: str,
    destination: str,
    *,
    via: Sequence[str] = (),
    avoid: Sequence[str] = (),
    modes: Iterable[Mode] | None = None,
    boundaries: Path | None = None,
    closed_borders: Literal["respect", "allow"] = "respect",
    scenario: Scenario | None = None,
    by: Literal["km", "days"] = "km",
    catalog_files: Sequence[Path | str] = (),
    out: Path | str | None = None,
    tiles: Tiles | None = DEFAULT_TILES,
    formats: Iterable[str] = DEFAULT_FORMATS,
    progress: Progress | None = None,
) -> RouteResult:
    """``corridors route``: the shortest route from ``origin`` to ``destination`` (hub ids or ``lat,lon``), built.

    The route is planned on the multimodal graph (:func:`geo.multimodal.plan_route`)
    and written like a catalog corridor into ``out`` (default ``./<route id>``). A ``scenario``
    adds its avoided countries, closes its sea passages and opens its borders.

    Raises
    ------
    OptionError
        A place, mode or country is not understood; nothing is written.
    NetworkError
        No route exists (the message says which constraint cut it); nothing is written.
    """
    progress = progress or Silent()
    formats = check_options(formats, tiles, None)
    if out is not None:
        check_out(out)
    plan = plan_ad_hoc(
        origin,
        destination,
        via=via,
        avoid=avoid,
        modes=modes,
        boundaries=boundaries,
        closed_borders=closed_borders,
        scenario=scenario,
        by=by,
        catalog_files=catalog_files,
        progress=progress,
    )
    catalog, planned, avoid, chosen = plan.catalog, plan.planned, plan.avoid, plan.modes
    route_catalog = planned.catalog(catalog)
    layers = layers_from_catalog(route_catalog, [planned.corridor], geometry_of=planned.geometry_of)
    stops = " ".join(itertools.chain([origin], (f"--via {v}" for v in via), [destination]))
    parameters = {
        "input": f"corridors route {stops}",
        "avoid": ",".join(avoid) or "none",
        "modes": ",".join(map(str, chosen)),
        "closed_borders": closed_borders,
        "scenario": scenario.label if scenario else "none",
        "by": by,
    }
    result = build_from_layers(
        layers, out or Path(planned.corridor.id), tiles=tiles, formats=formats, parameters=parameters, progress=progress
    )
    return RouteResult(
        corridor=planned.corridor, build=result, avoided_borders=planned.avoided_borders, warnings=planned.warnings
    )


def _build(
    layers: Layers,
    out: Path,
    tiles: Tiles | None,
    formats: tuple[str, ...],
    parameters: Mapping[str, str],
    progress: Progress,
    assets: Path | None = None,
    pages: Mapping[str, str] | None = None,
    openings: Mapping[tuple[str, int], Opening] | None = None,
) -> BuildResult:
    parameters = {
        **parameters,
        "corridors": ",".join(layers.corridors["corridor_id"]),
        "formats": ",".join(formats),
        "tiles": (tiles if isinstance(tiles, str) else f"{tiles.name} {tiles.url}") if tiles else "none",
    }
    with staged_output(out, f"corridor-mapper {tool_version()}") as staging:
        _write_all(layers, staging, tiles, formats, parameters, progress, assets, pages or {}, openings)
        files = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
    return BuildResult(out=out, layers=layers, files=files)


@dataclass(frozen=True)
class CompareResult:
    """Corridors under scenarios: one outcome per corridor and scenario, and what the comparison should warn."""

    catalog: Catalog
    corridors: tuple[Corridor, ...]
    scenarios: tuple[Scenario, ...]
    outcomes: tuple[Outcome, ...]
    warnings: tuple[str, ...] = ()

    def html(self, *, title: str = "Corridors compared", index_link: bool = False, with_map: bool = False) -> str:
        """The comparison page (:func:`maps.comparison.comparison_html`); ``with_map``: with a map of the
        corridors (:meth:`map`) in it."""
        model = transit_model()
        return comparison_html(
            self.outcomes,
            self.scenarios,
            names={c.id: c.name for c in self.corridors},
            hub_names={h.id: h.name for h in self.catalog.hubs.values()},
            model=model,
            title=title,
            as_of=model.meta.as_of,
            index_link=index_link,
            map_page=render_html(self.map(title=title)) if with_map else "",
        )

    def map(self, *, title: str = "Corridors compared") -> folium.Map:
        """The corridors compared on one map, one colour each, their km and days in the legend
        (:func:`maps.render.overview_map` of their layers; the lines come from the cache of routed legs)."""
        layers = layers_from_catalog(self.catalog, list(self.corridors), geometry_of=GeometryBuilder(self.catalog.hubs))
        return overview_map(layers, title=title, as_of=self.catalog.as_of or "")


def compare(
    corridor_ids: Sequence[str] = (),
    scenarios: Sequence[str | Scenario] = ("baseline",),
    *,
    year: int | None = None,
    catalog_files: Sequence[Path | str] = (),
    catalog: Catalog | None = None,
    geometry_of: GeometryBuilder | None = None,
    progress: Progress | None = None,
) -> CompareResult:
    """``corridors compare``: catalog corridors (all for none) under scenarios (names or files), with ``year``.

    Raises
    ------
    CatalogError
        An unknown corridor id, or a scenario file that breaks the schema.
    OptionError
        An unknown scenario name (the message lists the shipped ones).
    """
    progress = progress or Silent()
    chosen = [s if isinstance(s, Scenario) else load_scenario(s, year=year) for s in scenarios or ("baseline",)]
    chosen = [s.with_year(year) for s in chosen]
    catalog = catalog or load_catalog(catalog_files)
    corridors = catalog.select(list(corridor_ids) or None)
    base = geometry_of or GeometryBuilder(catalog.hubs)
    prepare_unrouted(base, corridors, progress)
    progress.start(len(chosen))
    outcomes: list[Outcome] = []
    for s in chosen:
        progress.step(f"scenario: {s.label}")
        outcomes += evaluate(catalog, corridors, [s], geometry_of=base)
    base.save()  # the lines routed, for the next run
    warning = ends_warning(outcomes, {h.id: h.name for h in catalog.hubs.values()})
    return CompareResult(catalog, tuple(corridors), tuple(chosen), tuple(outcomes), (warning,) if warning else ())


def build_compare(catalog: Catalog, corridors: Sequence[Corridor], geometry_of: GeometryBuilder) -> str | None:
    """The comparison page of a catalog build: its corridors that share their ends with another, under every
    shipped scenario; None when no two corridors share their ends."""
    probe = [Outcome(c.id, "", True, "", c.legs[0].from_hub, c.legs[-1].to_hub) for c in corridors]
    shared = [cid for group in end_groups(probe) if len(group) > 1 for cid in group]
    if not shared:
        return None
    result = compare(shared, list(shipped_scenarios().values()), catalog=catalog, geometry_of=geometry_of)
    return result.html(title="Corridors compared, under each scenario", index_link=True)
