"""Scenarios: what if a border, a strait or a country is closed, or the planned links open.

A scenario is a data file (``geo/data/scenarios/<name>.toml``, or a user's
file given by path) with a name, a description, an "as of" date, its sources
and its changes:

- ``avoid_countries`` (with ``avoid_reason``): a corridor through any of them is
  not viable; ad-hoc routes go around them;
- ``closed_passages`` (searoute passage names, with ``passages_reason``): sea
  and ferry legs are routed without them; a leg with no route left makes its
  corridor not viable;
- ``open_legs``: planned or under-construction legs (``[from, to]``) treated
  as operational;
- ``open_borders``: closed borders (``[AAA, BBB]``) treated as open.

With a year (``--year``), every leg whose expected opening year (the catalog's
``opens``) is due by then is open too.

:func:`evaluate` applies scenarios to catalog corridors and gives each
corridor's figures (:func:`geo.metrics.corridor_figures`) and whether it is
viable, with the reason; only the legs a scenario touches (the water legs of
a scenario with closed passages) are built again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from geo.borders import borders
from geo.catalog import Catalog, _did_you_mean
from geo.errors import CatalogError, CorridorMapperError, OptionError, field_problem, toml_data
from geo.geometry import GeometryBuilder, leg_points
from geo.leg_geometry import LegGeometry
from geo.metrics import corridor_figures, leg_record
from geo.model import Corridor, Leg, Source, Status
from geo.sea import PASSAGES, passages_on, sea_builder
from geo.transit import TransitModel, transit_model

__all__ = [
    "SCENARIO_DIR",
    "Outcome",
    "Scenario",
    "evaluate",
    "load_scenario",
    "scenario_builder",
    "scenario_from_toml",
    "shipped_scenarios",
]

SCENARIO_DIR = "geo/data/scenarios"
"""Where the shipped scenarios live (as a reader finds it in the repository)."""


def _iso3(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-3 code (three capital letters, e.g. RUS)")
    return value


class Scenario(BaseModel):
    """One scenario file, checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str = Field(min_length=1)
    as_of: str = Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")
    sources: tuple[Source, ...] = Field(min_length=1)
    facts: tuple[str, ...] = ()
    avoid_countries: tuple[str, ...] = ()
    avoid_reason: str = ""
    closed_passages: tuple[str, ...] = ()
    passages_reason: str = ""
    open_legs: tuple[tuple[str, str], ...] = ()
    open_borders: tuple[tuple[str, str], ...] = ()
    year: int | None = Field(default=None, ge=1900, le=2100)
    """Set by ``--year``, not in files: legs due to open by then are open."""

    @field_validator("sources", mode="before")
    @classmethod
    def _sources(cls, value: Any) -> Any:
        return [{"text": v} if isinstance(v, str) else v for v in value] if isinstance(value, list) else value

    @field_validator("avoid_countries")
    @classmethod
    def _countries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_iso3(v) for v in value)

    @field_validator("open_borders")
    @classmethod
    def _borders(cls, value: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple((_iso3(a), _iso3(b)) for a, b in value)

    @field_validator("closed_passages")
    @classmethod
    def _passages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for v in value:
            if v not in PASSAGES:
                guess = _did_you_mean(v, PASSAGES)
                hint = f"did you mean {guess!r}? " if guess else ""
                raise ValueError(f"{v!r} is not a searoute passage: {hint}choose from {', '.join(sorted(PASSAGES))}")
        return value

    @model_validator(mode="after")
    def _reasons(self) -> Scenario:
        if self.avoid_countries and not self.avoid_reason:
            raise ValueError("'avoid_countries' needs 'avoid_reason': why the countries are avoided")
        if self.closed_passages and not self.passages_reason:
            raise ValueError("'closed_passages' needs 'passages_reason': why the passages are closed")
        return self

    @property
    def label(self) -> str:
        """``baseline``, or ``baseline, 2029`` with a year."""
        return self.name if self.year is None else f"{self.name}, {self.year}"

    def with_year(self, year: int | None) -> Scenario:
        return self if year is None else self.model_copy(update={"year": year})

    def opens(self, leg: Leg) -> bool:
        """Whether the leg is open in this scenario."""
        if leg.status == Status.OPERATIONAL or (leg.from_hub, leg.to_hub) in self.open_legs:
            return True
        return self.year is not None and leg.opens is not None and leg.opens <= self.year


def scenario_from_toml(text: str, source: str) -> Scenario:
    """A scenario from the text of its file.

    Raises
    ------
    CatalogError
        Not valid TOML or a field breaks the schema: one line per problem, naming the file, field and value.
    """
    data = toml_data(text, source)
    if "year" in data:
        raise CatalogError(f"{source}: field 'year': a scenario file has no year: give it with --year")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        extra = "not a scenario field: remove it or check its spelling (see README, Scenarios)"
        raise CatalogError(
            [field_problem(source, e, missing="missing: add it", extra=extra) for e in exc.errors()]
        ) from None


@cache
def shipped_scenarios() -> dict[str, Scenario]:
    """The scenarios shipped with corridor-mapper, by name, ``baseline`` first."""
    folder = resources.files("geo") / "data" / "scenarios"
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            s = scenario_from_toml(entry.read_text(encoding="utf-8"), f"{SCENARIO_DIR}/{entry.name}")
            found[s.name] = s
    return {"baseline": found.pop("baseline"), **found}


def load_scenario(name_or_path: str, *, year: int | None = None) -> Scenario:
    """A shipped scenario by name, or a scenario file by path (anything ending ``.toml``).

    Raises
    ------
    OptionError
        No shipped scenario has that name (the message lists them).
    CatalogError
        The file cannot be read or breaks the schema.
    """
    shipped = shipped_scenarios()
    if name_or_path in shipped:
        return shipped[name_or_path].with_year(year)
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        path = Path(name_or_path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CatalogError(f"{path}: cannot read the scenario file ({exc.strerror}): check the path") from None
        return scenario_from_toml(text, str(path)).with_year(year)
    guess = _did_you_mean(name_or_path, shipped)
    hint = f"did you mean {guess!r}? " if guess else ""
    raise OptionError(
        f"--scenario {name_or_path!r}: no such scenario: {hint}choose from {', '.join(shipped)}, or give a .toml file"
    )


# --- applying scenarios -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A corridor under a scenario: viable or not (and why), and its figures."""

    corridor_id: str
    scenario: str
    viable: bool
    reason: str
    from_hub: str
    to_hub: str
    figures: Mapping[str, Any] = field(default_factory=dict)
    """:func:`geo.metrics.corridor_figures` of its legs; empty when a leg has no geometry in the scenario."""

    def row(self) -> dict[str, Any]:
        """The outcome as one flat row (the comparison table's columns)."""
        return {
            "corridor_id": self.corridor_id,
            "scenario": self.scenario,
            "viable": self.viable,
            "reason": self.reason,
            "from_hub": self.from_hub,
            "to_hub": self.to_hub,
            **{k: self.figures.get(k) for k in OUTCOME_FIGURES},
        }


OUTCOME_FIGURES = (
    "length_km", "rail_km", "road_km", "sea_km", "ferry_km", "border_crossings", "gauge_breaks", "transshipments",
    "days_min", "days_max", "co2e_kg_per_tonne", "co2e_kg_per_teu", "co2e_scope", "countries",
)  # fmt: skip
"""The figures of an outcome's row, after its identity and viability."""


def _names(codes: Iterable[str]) -> str:
    import pycountry

    out: list[str] = []
    for c in codes:
        country = pycountry.countries.get(alpha_3=c)
        out.append(str(getattr(country, "common_name", None) or getattr(country, "name", c)) if country else c)
    return ", ".join(out)


def _closed_reason(leg: Leg) -> str:
    when = f"expected to open in {leg.opens}" if leg.opens else "no opening year published"
    return f"{leg.from_hub} → {leg.to_hub} is {str(leg.status).replace('_', ' ')}: {when}"


def scenario_builder(scenario: Scenario, base: GeometryBuilder) -> Callable[[Leg], LegGeometry]:
    """Leg geometry under a scenario: the base builder's, except water legs that take a passage it closes."""
    if not scenario.closed_passages:
        return base

    restricted = base.with_water(sea_builder(scenario.closed_passages))

    def build(leg: Leg) -> LegGeometry:
        if not leg.mode.is_water:
            return base(leg)
        try:
            line = base(leg)
        except CorridorMapperError:
            line = None
        taken = line.extras.get("passages") if line is not None else None
        if taken is None:  # a line not made by sea_geometry
            taken = passages_on(leg_points(leg, base.hubs))
        if line is not None and not set(taken) & set(scenario.closed_passages):
            return line
        return restricted.line(leg)

    return build


def _evaluate_one(
    corridor: Corridor,
    scenario: Scenario,
    geometry_of: Callable[[Leg], LegGeometry],
    catalog: Catalog,
    model: TransitModel,
) -> Outcome:
    reasons: list[str] = []
    records: list[dict[str, Any]] | None = []
    for leg in corridor.legs:
        if not scenario.opens(leg):
            reasons.append(_closed_reason(leg))
        try:
            g = geometry_of(leg)
        except CorridorMapperError as exc:
            reason = scenario.passages_reason or "no route"
            reasons.append(f"{leg.from_hub} → {leg.to_hub} has no sea route: {reason} ({exc})")
            records = None
            break
        records.append(leg_record(leg, g, catalog.hubs, model))  # type: ignore[union-attr]
    legs = records or None
    figures: dict[str, Any] = corridor_figures(legs, model) if legs is not None else {}
    if legs is not None:
        countries = [c for c in str(figures["countries"]).split(",") if c]
        avoided = [c for c in scenario.avoid_countries if c in countries]
        if avoided:
            reasons.append(f"passes through {_names(avoided)}: {scenario.avoid_reason}")
        opened = {frozenset(p) for p in scenario.open_borders}
        for b in borders("closed"):
            if b.pair in opened:
                continue
            crossing = any(
                {a, z} == b.pair
                for cell in (r["countries"] for r in legs)
                for a, z in zip(str(cell).split(","), str(cell).split(",")[1:], strict=False)
            )
            if crossing:
                reasons.append(f"crosses the border {b.describe()}")
    return Outcome(
        corridor_id=corridor.id,
        scenario=scenario.label,
        viable=not reasons,
        reason="; ".join(dict.fromkeys(reasons)),
        from_hub=corridor.legs[0].from_hub,
        to_hub=corridor.legs[-1].to_hub,
        figures=figures,
    )


def evaluate(
    catalog: Catalog,
    corridors: Sequence[Corridor],
    scenarios: Sequence[Scenario],
    *,
    geometry_of: GeometryBuilder | None = None,
    model: TransitModel | None = None,
) -> list[Outcome]:
    """Each corridor under each scenario (scenario by scenario, corridors in the order given).

    Lines are built once and shared by every scenario; a scenario with closed passages rebuilds only the sea
    and ferry legs. A corridor is viable when every leg is open in the scenario, no leg has lost its route, it
    avoids the scenario's avoided countries and crosses no closed border the scenario leaves closed.
    """
    base = geometry_of or GeometryBuilder(catalog.hubs)
    model = model or transit_model()
    out = []
    for s in scenarios:
        build = scenario_builder(s, base)
        out += [_evaluate_one(c, s, build, catalog, model) for c in corridors]
    return out
