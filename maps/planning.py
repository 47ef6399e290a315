"""The pipeline's light first steps: progress reporting, the networks a run needs, planning an ad-hoc route.

Nothing here imports Folium, pandas or GDAL: ``corridors route`` answers from
these functions alone, and writes its map and layers (:func:`maps.build.build_route`)
only when asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from geo.model import Corridor, Leg, Mode, Status

if TYPE_CHECKING:
    from geo.catalog import Catalog
    from geo.geometry import GeometryBuilder
    from geo.multimodal import PlannedRoute
    from geo.scenarios import Scenario

__all__ = [
    "AdHocPlan",
    "Progress",
    "Silent",
    "networks_needed",
    "plan_ad_hoc",
    "prepare_networks",
    "prepare_unrouted",
]


class Progress(Protocol):
    """Receives a pipeline's progress: the number of steps, each step as it starts, and notes between steps.

    A step's description starts with its stage (``legs: ...``, ``layers: gpkg``, ``map <id>``).
    """

    def start(self, total: int) -> None: ...
    def step(self, description: str) -> None: ...
    def note(self, text: str) -> None: ...


class Silent:
    """A :class:`Progress` that reports nothing."""

    def start(self, total: int) -> None:
        pass

    def step(self, description: str) -> None:
        pass

    def note(self, text: str) -> None:
        pass


def networks_needed(legs: Iterable[Corridor | Leg]) -> list[str]:
    """The networks a build routes on: those of operational rail and road legs (of corridors, or legs)."""
    every = [leg for item in legs for leg in (item.legs if isinstance(item, Corridor) else [item])]
    kinds = {
        str(leg.mode)
        for leg in every
        if not leg.mode.is_water and leg.status == Status.OPERATIONAL and leg.routing == "network"
    }
    return sorted(kinds)


def prepare_unrouted(builder: GeometryBuilder, corridors: Iterable[Corridor], progress: Progress | None = None) -> None:
    """Load the networks of the corridors' legs whose lines ``builder`` has neither made nor found stored from an
    earlier run (:mod:`geo.leg_store`): on a warm cache, none."""
    prepare_networks(networks_needed(builder.missing([leg for c in corridors for leg in c.legs])), progress)


def prepare_networks(kinds: Iterable[str], progress: Progress | None = None) -> None:
    """Load the networks (converting them on the first run, which is slow) before routing on them."""
    kinds = list(kinds)
    if not kinds:
        return
    from geo._cache import cache_dir
    from geo.network_data import prepared_network

    progress = progress or Silent()
    for kind in kinds:
        said: set[str] = set()

        def hook(description: str, done: int, total: int, kind: str = kind, said: set[str] = said) -> None:
            if not said:
                progress.note(f"{kind} network: first run, converting it once into {cache_dir()}")
            if description not in said:
                said.add(description)
                progress.note(f"{kind} network: {description} ({done}/{total})")

        prepared_network(kind, progress=hook)  # type: ignore[arg-type]


@dataclass(frozen=True)
class AdHocPlan:
    """A planned ad-hoc route and what it was planned with."""

    catalog: Catalog
    planned: PlannedRoute
    avoid: list[str]
    """The countries avoided: the user's, then the scenario's."""
    modes: tuple[Mode, ...]


def plan_ad_hoc(
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
    progress: Progress | None = None,
) -> AdHocPlan:
    """Plan the route of ``corridors route`` on the multimodal graph (:func:`geo.multimodal.plan_route`): the
    catalog (embedded plus ``catalog_files``), the networks, a ``scenario``'s avoided countries, closed sea
    passages and opened borders.

    Raises
    ------
    OptionError
        A place, mode or country is not understood.
    NetworkError
        No route exists (the message says which constraint cut it).
    """
    from geo.catalog import load_catalog
    from geo.countries import boundaries_from_file
    from geo.multimodal import DEFAULT_MODES, plan_route

    progress = progress or Silent()
    chosen = tuple(DEFAULT_MODES if modes is None else modes)
    outlines = boundaries_from_file(boundaries) if boundaries else None
    catalog = load_catalog(catalog_files)
    prepare_networks([str(m) for m in chosen if m in (Mode.RAIL, Mode.ROAD)], progress)
    avoid = list(avoid)
    if scenario is not None:
        avoid = list(dict.fromkeys([*(a.strip().upper() for a in avoid if a.strip()), *scenario.avoid_countries]))
    planned = plan_route(
        catalog,
        origin,
        destination,
        via=via,
        avoid=avoid,
        modes=chosen,
        boundaries=outlines,
        closed_borders=closed_borders,
        sea_restrictions=scenario.closed_passages if scenario else (),
        open_borders=scenario.open_borders if scenario else (),
        by=by,
        progress=progress.note,
    )
    return AdHocPlan(catalog=catalog, planned=planned, avoid=avoid, modes=chosen)
