"""Freight flows: a table of origin–destination volumes, each assigned to its route, summed per leg and per edge.

A flows file is CSV with the columns ``origin, destination, volume, unit``
(more columns are ignored; lines starting with ``#`` are comments). Origin and
destination are hub ids or ``lat,lon`` points (quoted, since they hold a comma;
see :func:`geo.places.parse_place`). The unit is ``tonnes`` or ``TEU``
(``t``, ``tonne`` and any letter case are accepted); the volume is a positive
number in that unit, for whatever period the file's author chose (the same for
every row). Tonnes and TEU are never added together: every sum is kept per unit.

Each distinct (origin, destination) pair is routed once, with
:func:`geo.multimodal.plan_route`, and every flow of the pair takes that route.
Volumes are summed per leg (``from_hub, to_hub, mode``: directed, as legs are)
and per network edge: each consecutive pair of coordinates of the routed lines,
keyed on coordinates rounded to :data:`EDGE_DECIMALS` and undirected, so that
flows in opposite directions on the same track add up. Runs of consecutive
edges that carry the same flows are merged into one line (:func:`edge_runs`).
Coordinates are lon, lat in EPSG:4326, lengths geodesic (WGS84) in km. A flow
whose pair has no route is *unassigned*, with the reason, not an error.
"""

from __future__ import annotations

import csv
import itertools
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from geo.catalog import Catalog
from geo.countries import countries_along, country_outlines
from geo.errors import CatalogError, GeometryError, NetworkError, OptionError
from geo.geodesy import geodesic_km
from geo.leg_geometry import LegGeometry
from geo.model import Hub, Mode
from geo.multimodal import DEFAULT_MODES, plan_route
from geo.places import EXAMPLE_POINT, parse_place

__all__ = [
    "COLUMNS",
    "EDGE_DECIMALS",
    "UNITS",
    "Assignment",
    "EdgeRun",
    "Flow",
    "LegVolumes",
    "Unassigned",
    "Volumes",
    "assign_flows",
    "edge_runs",
    "format_volume",
    "parse_unit",
    "read_flows",
]

COLUMNS = ("origin", "destination", "volume", "unit")
"""The columns a flows file must have (in any order; others are ignored)."""
UNITS = ("tonnes", "TEU")
"""The units of a flow, as stored."""
_UNIT_NAMES = {"t": "tonnes", "tonne": "tonnes", "tonnes": "tonnes", "teu": "TEU"}
EDGE_DECIMALS = 6
"""Edge end points are compared rounded to this many decimal degrees (about 0.1 m)."""
MAX_PROBLEMS = 20
"""A flows file with more problems than this reports the first ones and how many more."""


def format_volume(value: float) -> str:
    """A volume for people: thousands separated, no decimals from 100 up (``114,000``, ``2.5``)."""
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def parse_unit(text: str) -> str | None:
    """``tonnes`` or ``TEU`` for any spelling :data:`UNITS` accepts (``t``, ``Tonne``, ``teu``); None otherwise."""
    return _UNIT_NAMES.get(text.strip().lower())


@dataclass(frozen=True)
class Flow:
    """One row of a flows file."""

    line: int
    """The line of the file it is on (1 is the first line), as an editor shows it."""
    origin: Hub
    destination: Hub
    volume: float
    unit: str
    """``tonnes`` or ``TEU``."""
    origin_text: str
    """The origin as written (a hub id, or ``lat,lon``): what :func:`geo.multimodal.plan_route` is given."""
    destination_text: str

    @property
    def pair(self) -> tuple[str, str]:
        return (self.origin.id, self.destination.id)

    def label(self) -> str:
        """``xian → duisburg: 114,000 TEU``."""
        return f"{self.origin.id} → {self.destination.id}: {format_volume(self.volume)} {self.unit}"


# --- reading -------------------------------------------------------------------------------------


def _uncommented(lines: Iterable[str]) -> Iterator[str]:
    """The lines with comments blanked (not dropped: the reader's line numbers stay those of the file)."""
    for line in lines:
        yield "\n" if line.lstrip().startswith("#") else line


def _cell(value: str) -> str:
    shown = value if len(value) <= 60 else value[:57] + "..."
    return repr(shown)


def read_flows(path: Path | str, catalog: Catalog) -> list[Flow]:
    """Read and check a flows file (see the module's docstring): every row, or every problem.

    Returns
    -------
    list of Flow
        In the order of the file.

    Raises
    ------
    CatalogError
        The file is missing or unreadable, lacks a column, or has rows that break
        the rules; one line per problem (up to :data:`MAX_PROBLEMS`), each naming
        the file, the line, the column and the value, and what to do.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CatalogError(f"{path}: no such flows file: check the path") from None
    except UnicodeDecodeError as exc:
        raise CatalogError(
            f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at position {exc.start}): save it as UTF-8"
        ) from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the flows file ({exc.strerror or exc})") from None
    reader = csv.reader(_uncommented(text.splitlines(keepends=True)))
    header: list[str] | None = None
    problems: list[str] = []
    flows: list[Flow] = []
    try:
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            if header is None:
                header = [c.strip().lower() for c in row]
                missing = [c for c in COLUMNS if c not in header]
                if missing:
                    raise CatalogError(
                        f"{path}, line {reader.line_num}: no column {', '.join(map(repr, missing))} in the header "
                        f"{','.join(row)!r}: the first line must name the columns {','.join(COLUMNS)}"
                    )
                doubled = sorted({c for c in header if header.count(c) > 1 and c in COLUMNS})
                if doubled:
                    raise CatalogError(
                        f"{path}, line {reader.line_num}: column {', '.join(map(repr, doubled))} appears twice in "
                        "the header: keep one"
                    )
                continue
            problem, flow = _flow(path, reader.line_num, header, row, catalog)
            if problem:
                problems.append(problem)
            elif flow is not None:
                flows.append(flow)
    except csv.Error as exc:
        problems.append(f"{path}, line {reader.line_num}: not readable as CSV ({exc}): fix the quoting")
    if header is None:
        raise CatalogError(f"{path}: empty: the first line must name the columns {','.join(COLUMNS)}")
    if not problems and not flows:
        raise CatalogError(f"{path}: no flows, only the header: add a row per flow ({','.join(COLUMNS)})")
    if problems:
        more = len(problems) - MAX_PROBLEMS
        shown = problems[:MAX_PROBLEMS] + ([f"{path}: {more} more problems like these"] if more > 0 else [])
        raise CatalogError(shown)
    return flows


def _flow(path: Path, line: int, header: list[str], row: list[str], catalog: Catalog) -> tuple[str, Flow | None]:
    """(the problem, None) or ("", the flow) for one data row."""
    where = f"{path}, line {line}"
    if len(row) > len(header):
        return (
            f"{where}: {len(row)} fields for {len(header)} columns: quote a lat,lon place "
            f'("{EXAMPLE_POINT}"), and write volumes without thousands separators',
            None,
        )
    cells = dict(zip(header, [c.strip() for c in row] + [""] * (len(header) - len(row)), strict=True))
    places: list[Hub] = []
    for column in ("origin", "destination"):
        value = cells[column]
        if not value:
            return f"{where}: column {column!r} is empty: give a hub id or a point such as {EXAMPLE_POINT}", None
        try:
            places.append(parse_place(value, catalog, role=f"{where}: column {column!r} ="))
        except OptionError as exc:
            return str(exc), None
    origin, destination = places
    if origin.id == destination.id:
        return (
            f"{where}: origin {cells['origin']!r} and destination {cells['destination']!r} are the same place: "
            "give different places, or drop the row",
            None,
        )
    raw = cells["volume"]
    try:
        volume = float(raw)
        why = "is not a finite number" if not math.isfinite(volume) else "is not positive" if volume <= 0 else ""
    except ValueError:
        why = "is not a number"
    if why:
        return (
            f"{where}: column 'volume' = {_cell(raw)} {why}: give the flow's volume as a positive number "
            "(decimal point, no thousands separators), or drop the row",
            None,
        )
    unit = parse_unit(cells["unit"])
    if unit is None:
        return f"{where}: column 'unit' = {_cell(cells['unit'])}: choose tonnes or TEU", None
    return "", Flow(line, origin, destination, volume, unit, cells["origin"], cells["destination"])


# --- assigning -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Volumes:
    """What a leg or an edge carries: tonnes and TEU apart, and which flows."""

    tonnes: float = 0.0
    teu: float = 0.0
    flows: tuple[int, ...] = ()
    """Indices into :attr:`Assignment.flows`, in the file's order."""

    def plus(self, index: int, flow: Flow) -> Volumes:
        if flow.unit == "TEU":
            return Volumes(self.tonnes, self.teu + flow.volume, (*self.flows, index))
        return Volumes(self.tonnes + flow.volume, self.teu, (*self.flows, index))

    def of(self, unit: str) -> float:
        """The volume in ``unit`` (``tonnes`` or ``TEU``)."""
        return self.teu if unit == "TEU" else self.tonnes


@dataclass(frozen=True)
class LegVolumes:
    """A leg of the routes (directed, one mode between two hubs) and what it carries."""

    from_hub: str
    to_hub: str
    mode: Mode
    volumes: Volumes
    geometry: LegGeometry


@dataclass(frozen=True)
class Unassigned:
    """A flow that got no route, and why."""

    flow: int
    """Index into :attr:`Assignment.flows`."""
    reason: str


EdgeKey = tuple[str, tuple[float, float], tuple[float, float]]
"""(mode, one end, the other end): ends rounded to :data:`EDGE_DECIMALS`, the smaller first."""


@dataclass(frozen=True)
class Assignment:
    """Flows on their routes, summed per leg and per edge (see the module's docstring)."""

    flows: tuple[Flow, ...]
    routes: dict[tuple[str, str], Any]
    """(origin hub id, destination hub id) → its :class:`geo.multimodal.PlannedRoute`; pairs without one are absent."""
    legs: tuple[LegVolumes, ...]
    """In order of first use (by the file's first flow on each)."""
    edges: dict[EdgeKey, Volumes]
    unassigned: tuple[Unassigned, ...]
    hubs: dict[str, Hub]
    """Every hub the flows start or end at, or their routes pass through."""
    attribution: tuple[str, ...] = field(default=())
    """The notices the routed lines owe (sorted)."""
    seconds: float = 0.0
    """How long the routing took."""

    def assigned(self, index: int) -> bool:
        return self.flows[index].pair in self.routes

    def total(self, unit: str, *, assigned: bool | None = None) -> float:
        """The sum of the flows in ``unit``: all, or only the (un)assigned ones."""
        return sum(
            f.volume
            for i, f in enumerate(self.flows)
            if f.unit == unit and (assigned is None or self.assigned(i) == assigned)
        )


def _edge_keys(mode: str, coords: np.ndarray) -> list[EdgeKey]:
    """The edges of a line, each as :data:`EdgeKey` (zero-length ones left out)."""
    points = [(x, y) for x, y in (np.round(np.asarray(coords, dtype=float), EDGE_DECIMALS) + 0.0).tolist()]
    return [(mode, min(a, b), max(a, b)) for a, b in itertools.pairwise(points) if a != b]


def _check_avoid(avoid: Sequence[str], outlines: dict[str, shapely.Geometry] | None) -> list[str]:
    codes = [a.strip().upper() for a in avoid if a.strip()]
    known = outlines if outlines is not None else country_outlines()
    unknown = [a for a in codes if a not in known]
    if unknown:
        raise OptionError(
            f"avoid {', '.join(unknown)}: no outline for this country code: use ISO 3166-1 alpha-3 codes (e.g. RUS,BLR)"
        )
    return codes


def assign_flows(
    catalog: Catalog,
    flows: Sequence[Flow],
    *,
    modes: Iterable[Mode] | None = None,
    avoid: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
    **route_options: Any,
) -> Assignment:
    """Route each distinct (origin, destination) pair of ``flows`` once and sum the flows on the routes.

    ``modes`` and ``avoid`` (ISO3 codes) apply to every route; ``route_options``
    go to :func:`geo.multimodal.plan_route` as they are (``boundaries``,
    ``closed_borders``, ``by``, ``network_of``). ``progress`` gets a line per pair.

    Returns
    -------
    Assignment
        The sums per leg and per edge, and the flows that got no route, each with the reason.

    Raises
    ------
    OptionError
        No mode is given, or a country code is unknown (the whole run would fail alike).
    """
    say = progress or (lambda _: None)
    chosen = tuple(DEFAULT_MODES if modes is None else modes)
    if not chosen:
        raise OptionError("modes: give at least one of rail, road, sea, ferry")
    codes = _check_avoid(avoid, route_options.get("boundaries"))
    started = time.perf_counter()
    routes: dict[tuple[str, str], Any] = {}
    failed: dict[tuple[str, str], str] = {}
    pairs = list(dict.fromkeys(f.pair for f in flows))
    first: dict[tuple[str, str], Flow] = {}
    for f in flows:
        first.setdefault(f.pair, f)
    for n, pair in enumerate(pairs, start=1):
        f = first[pair]
        say(f"routing {n}/{len(pairs)}: {pair[0]} → {pair[1]}")
        try:
            origin = f.origin.id if f.origin.id in catalog.hubs else f.origin_text
            destination = f.destination.id if f.destination.id in catalog.hubs else f.destination_text
            routes[pair] = plan_route(catalog, origin, destination, modes=chosen, avoid=codes, **route_options)
        except (NetworkError, OptionError, GeometryError) as exc:
            failed[pair] = str(exc)
    legs: dict[tuple[str, str, str], LegVolumes] = {}
    edges: dict[EdgeKey, Volumes] = {}
    hubs: dict[str, Hub] = {}
    notices: set[str] = set()
    unassigned: list[Unassigned] = []
    for i, f in enumerate(flows):
        hubs.setdefault(f.origin.id, f.origin)
        hubs.setdefault(f.destination.id, f.destination)
        route = routes.get(f.pair)
        if route is None:
            unassigned.append(Unassigned(i, failed[f.pair]))
            continue
        seen: set[EdgeKey] = set()  # an edge the route runs twice (a hub's spur, in and out) carries the flow once
        for leg in route.corridor.legs:
            geom = route.geometry_of(leg)
            for h in (leg.from_hub, leg.to_hub):
                hubs.setdefault(h, route.hubs.get(h) or catalog.hubs[h])
            notices.update(geom.attribution)
            key = (leg.from_hub, leg.to_hub, str(leg.mode))
            before = legs.get(key)
            volumes = (before.volumes if before else Volumes()).plus(i, f)
            legs[key] = LegVolumes(leg.from_hub, leg.to_hub, leg.mode, volumes, before.geometry if before else geom)
            for edge in _edge_keys(str(leg.mode), geom.coords):
                if edge in seen:
                    continue
                seen.add(edge)
                edges[edge] = edges.get(edge, Volumes()).plus(i, f)
    return Assignment(
        flows=tuple(flows),
        routes=routes,
        legs=tuple(legs.values()),
        edges=edges,
        unassigned=tuple(unassigned),
        hubs=hubs,
        attribution=tuple(sorted(notices)),
        seconds=time.perf_counter() - started,
    )


# --- merging edges into lines --------------------------------------------------------------------


@dataclass(frozen=True)
class EdgeRun:
    """Consecutive edges that carry the same flows, as one line."""

    mode: Mode
    line: shapely.LineString
    """lon, lat (EPSG:4326)."""
    volumes: Volumes
    countries: tuple[str, ...] = ()
    """The countries the line passes through, in order (ISO3; none at sea)."""

    @property
    def length_km(self) -> float:
        return geodesic_km(shapely.get_coordinates(self.line))


def edge_runs(assignment: Assignment, *, countries: bool = True) -> list[EdgeRun]:
    """The edges of ``assignment`` merged into lines: one per run of edges of one mode carrying the same flows.

    A run ends where the flows on the edges change (a route joins or leaves)
    or the network branches. With ``countries`` each run gets the countries
    it passes through (:func:`geo.countries.countries_along`).

    Returns
    -------
    list of EdgeRun
        By mode, then by the flows they carry, then by their first coordinate: the same input gives the same order.
    """
    groups: dict[tuple[str, tuple[int, ...]], list[EdgeKey]] = {}
    volumes: dict[tuple[str, tuple[int, ...]], Volumes] = {}
    for key, v in assignment.edges.items():
        group = (key[0], v.flows)
        groups.setdefault(group, []).append(key)
        volumes[group] = v
    runs: list[EdgeRun] = []
    for group in sorted(groups):
        segments = [shapely.LineString([a, b]) for _, a, b in sorted(groups[group])]
        merged = shapely.line_merge(shapely.MultiLineString(segments))
        parts = list(getattr(merged, "geoms", [merged]))
        parts.sort(key=lambda g: tuple(shapely.get_coordinates(g)[0]))
        for part in parts:
            seen = tuple(countries_along([part])) if countries else ()
            runs.append(EdgeRun(Mode(group[0]), part, volumes[group], seen))
    return runs
