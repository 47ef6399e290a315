"""The transit and emission model: days as a min–max range and CO2e per tonne and per TEU, for a chain of legs.

A few parameters, each from data with its source (``geo/data/transit.toml``,
read by :func:`transit_model`): line-haul speed per mode, dwell per border
crossing (by mode, less inside a customs union, more at a named crossing such
as Brest–Małaszewicze), per gauge change away from a border, per change of
mode (transshipment), waiting for a Caspian ferry, intermediate port calls of
deep-sea services, waiting for an infrequent feeder, the Suez Canal passage; emission factors per mode in one
scope (well-to-wheel, GLEC Framework v3.2 / ISO 14083), per tonne-km, or per
TEU-km for container ships (converted with the stated payload per TEU).

The model is never tuned leg by leg: a leg's days follow from its mode,
length, countries and end hubs only. Inputs are :class:`LegFacts` (the legs
layer's columns), so figures are the same for a routed catalog, an ad-hoc
route and layers read back from files. Lengths are geodesic km; times are
hours inside, days in results.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import shapely
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from geo.errors import CatalogError, field_problem, toml_data
from geo.model import Mode, Source

__all__ = [
    "SUEZ_CANAL",
    "TRANSIT_FILE",
    "Estimate",
    "LegFacts",
    "Part",
    "TransitModel",
    "estimate",
    "transit_model",
    "transit_model_from_toml",
]

TRANSIT_FILE = "geo/data/transit.toml"
"""Where the shipped parameters live (as a reader finds it in the repository)."""

SUEZ_CANAL = shapely.box(32.2, 29.85, 32.65, 31.35)
"""The Suez Canal, Port Said to Suez (lon, lat): a sea line through this box passes the canal."""
KNOT_KMH = 1.852
HOURS = {"h": 1.0, "days": 24.0}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _sources(value: Any) -> Any:
    if isinstance(value, list):
        return [{"text": v} if isinstance(v, str) else v for v in value]
    return value


class Param(_Strict):
    """A range with its unit, source (or how it was calibrated), year and scope."""

    min: float = Field(ge=0, allow_inf_nan=False)
    max: float = Field(ge=0, allow_inf_nan=False)
    unit: str
    year: int | None = None
    scope: str = ""
    sources: tuple[Source, ...] = ()
    calibrated: str = ""
    note: str = ""

    _s = field_validator("sources", mode="before")(_sources)

    @model_validator(mode="after")
    def _checks(self) -> Param:
        if self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is larger than max ({self.max:g}): swap them")
        if not self.sources and not self.calibrated:
            raise ValueError("give 'sources', or say in 'calibrated' how the value was fitted")
        return self

    @property
    def provenance(self) -> str:
        """The sources, or how the parameter was calibrated, as one line."""
        cited = "; ".join(str(s) for s in self.sources)
        return cited + (f"; calibrated: {self.calibrated}" if self.calibrated and cited else self.calibrated)


class Duration(Param):
    unit: Literal["h", "days"]

    def hours(self) -> tuple[float, float]:
        return self.min * HOURS[self.unit], self.max * HOURS[self.unit]


class Speed(Param):
    unit: Literal["km/h", "kn"]

    def kmh(self) -> tuple[float, float]:
        k = KNOT_KMH if self.unit == "kn" else 1.0
        return self.min * k, self.max * k

    @model_validator(mode="after")
    def _positive(self) -> Speed:
        if self.min <= 0:
            raise ValueError("a speed must be more than 0")
        return self


class PerDistance(Param):
    unit: Literal["days per 10,000 km"]


class AtHubs(Duration):
    hubs: tuple[str, ...] = Field(min_length=1)
    mode: Literal["rail", "road"] | None = None
    countries: frozenset[str] | None = None
    """For a named border crossing: the two countries it joins."""


class Union(_Strict):
    name: str
    members: frozenset[str] = Field(min_length=2)
    sources: tuple[Source, ...] = Field(min_length=1)

    _s = field_validator("sources", mode="before")(_sources)


class Factor(_Strict):
    """An emission factor, well-to-wheel, per tonne-km or per TEU-km."""

    wtw: float = Field(gt=0, allow_inf_nan=False)
    unit: Literal["g/tkm", "g/TEU-km"]
    distance_factor: float = Field(default=1.0, ge=1.0, le=2.0)
    year: int | None = None
    scope: str = ""
    sources: tuple[Source, ...] = Field(min_length=1)
    note: str = ""

    _s = field_validator("sources", mode="before")(_sources)

    def g_per_tkm(self, payload_t: float) -> float:
        per_tonne = self.wtw / payload_t if self.unit == "g/TEU-km" else self.wtw
        return per_tonne * self.distance_factor


class Lane(Factor):
    name: str
    between: tuple[frozenset[str], frozenset[str]]

    def joins(self, a: str, b: str) -> bool:
        x, y = self.between
        return (a in x and b in y) or (a in y and b in x)


class Meta(_Strict):
    as_of: str
    emission_scope: Literal["WTW", "TTW"]
    emission_scope_name: str
    teu_payload_t: float = Field(gt=0, le=30)
    teu_payload_source: Source


class Speeds(_Strict):
    rail: Speed
    road: Speed
    sea_deep: Speed
    sea_short: Speed


class Sea(_Strict):
    deep_sea_min_km: float = Field(gt=0)
    deep_sea_note: str = ""
    port_calls: PerDistance
    suez: Duration
    wait: Duration
    """Waiting for the next sailing of a feeder (a sea leg shorter than ``deep_sea_min_km``)."""
    wait_at: tuple[AtHubs, ...] = ()
    """The same at ports with their own figure (by the departure port)."""


class Ferry(_Strict):
    wait: Duration
    wait_at: tuple[AtHubs, ...] = ()
    crossing: tuple[AtHubs, ...] = ()


class Borders(_Strict):
    rail: Duration
    road: Duration
    union_internal: Duration
    union: tuple[Union, ...] = ()
    at: tuple[AtHubs, ...] = ()


class Gauge(_Strict):
    sources: tuple[Source, ...] = Field(min_length=1)
    note: str = ""
    mm: dict[str, int]
    change: Duration

    _s = field_validator("sources", mode="before")(_sources)


class Emission(_Strict):
    rail: Factor
    road: Factor
    ferry: Factor
    sea_short: Factor
    sea_lane: tuple[Lane, ...] = ()


class TransitModel(_Strict):
    """The parameters of ``geo/data/transit.toml``, checked."""

    meta: Meta
    speed: Speeds
    sea: Sea
    ferry: Ferry
    border: Borders
    gauge: Gauge
    transshipment: Duration
    emission: Emission

    @property
    def short_scope(self) -> str:
        """``WTW, GLEC v3.2, 10 t/TEU``: the scope in a table cell."""
        return f"{self.meta.emission_scope}, GLEC v3.2 / ISO 14083, {self.meta.teu_payload_t:g} t/TEU"

    @property
    def scope(self) -> str:
        """The emission scope and payload every output names: ``WTW (GLEC v3.2 ...), 10 t per TEU``."""
        return f"{self.meta.emission_scope_name}; {self.meta.teu_payload_t:g} t of cargo per TEU"


def transit_model_from_toml(text: str, source: str) -> TransitModel:
    """Parameters from the text of a transit file; every problem reported, one line each.

    Raises
    ------
    CatalogError
        Not valid TOML, or a field is missing or out of range (the message names the file, the field and the value).
    """
    data = toml_data(text, source)
    try:
        return TransitModel.model_validate(data)
    except ValidationError as exc:
        extra = "not a parameter of the model: remove it or check its spelling"
        raise CatalogError(
            [field_problem(source, e, missing="missing: add it", extra=extra) for e in exc.errors()]
        ) from None


@cache
def transit_model(path: str | None = None) -> TransitModel:
    """The shipped parameters, or those of the file at ``path`` (read once per process)."""
    if path is None:
        text = (resources.files("geo") / "data" / "transit.toml").read_text(encoding="utf-8")
        return transit_model_from_toml(text, TRANSIT_FILE)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read it ({exc.strerror}): give a transit parameters file") from None
    return transit_model_from_toml(text, path)


# --- the model ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegFacts:
    """What the model needs of a leg: the legs layer's columns (and whether its line passes the Suez Canal)."""

    from_hub: str
    to_hub: str
    mode: Mode
    length_km: float
    countries: tuple[str, ...]
    gauge_mm: int | None = None
    via_suez: bool = False


@dataclass(frozen=True)
class Part:
    """One component of a transit time: what, where, and its range in hours."""

    kind: str
    where: str
    min_h: float
    max_h: float
    leg: int | None = None
    """Index of the leg it belongs to (None: at the hub between two legs)."""


@dataclass(frozen=True)
class Estimate:
    """Days, gauge breaks, transshipments and CO2e of a chain of legs, with the parts of the time."""

    days_min: float
    days_max: float
    gauge_breaks: int
    transshipments: int
    co2e_kg_per_tonne: float
    co2e_kg_per_teu: float
    parts: tuple[Part, ...] = ()
    leg_days: tuple[tuple[float, float], ...] = ()
    leg_co2e_kg_per_tonne: tuple[float, ...] = ()
    scope: str = ""


def _at(
    table: Sequence[AtHubs], *hubs: str, mode: str | None = None, countries: frozenset[str] | None = None
) -> AtHubs | None:
    for entry in table:
        if not any(h in entry.hubs for h in hubs):
            continue
        if entry.mode is not None and mode is not None and entry.mode != mode:
            continue
        if entry.countries is not None and countries is not None and entry.countries != countries:
            continue
        return entry
    return None


def _crossing(model: TransitModel, a: str, b: str) -> AtHubs | None:
    for entry in model.ferry.crossing:
        if {a, b} <= set(entry.hubs):
            return entry
    return None


def _same_union(model: TransitModel, a: str, b: str) -> bool:
    return any(a in u.members and b in u.members for u in model.border.union)


def _gauges(model: TransitModel, leg: LegFacts) -> list[int]:
    if leg.gauge_mm is not None:
        return [leg.gauge_mm]
    return [model.gauge.mm[c] for c in leg.countries if c in model.gauge.mm]


def _haul(model: TransitModel, leg: LegFacts) -> tuple[str, float, float]:
    """The moving time of a leg, hours (min, max), and what it is."""
    km = leg.length_km
    if leg.mode == Mode.FERRY:
        fixed = _crossing(model, leg.from_hub, leg.to_hub)
        if fixed is not None:
            lo, hi = fixed.hours()
            return "ferry crossing", lo, hi
        speed = model.speed.sea_short
    elif leg.mode == Mode.SEA:
        speed = model.speed.sea_deep if km >= model.sea.deep_sea_min_km else model.speed.sea_short
    else:
        speed = getattr(model.speed, str(leg.mode))
    slow, fast = speed.kmh()
    return f"{leg.mode} line haul", km / fast, km / slow


def _factor(model: TransitModel, leg: LegFacts) -> float:
    payload = model.meta.teu_payload_t
    e = model.emission
    if leg.mode == Mode.SEA:
        if leg.length_km >= model.sea.deep_sea_min_km and leg.countries:
            a, b = leg.countries[0], leg.countries[-1]
            lane = next((ln for ln in e.sea_lane if ln.joins(a, b)), None)
            if lane is not None:
                return lane.g_per_tkm(payload)
        return e.sea_short.g_per_tkm(payload)
    return getattr(e, str(leg.mode)).g_per_tkm(payload)


def estimate(legs: Sequence[LegFacts], model: TransitModel | None = None) -> Estimate:
    """Days (min–max), gauge breaks, transshipments and CO2e of ``legs``, in route order.

    Each leg costs its line haul (length / speed; a Caspian ferry its published crossing time), its border
    crossings (one per change of country along a land leg: the mode's dwell, the customs-union dwell between
    two members of a union, or a named crossing's; crossings at sea are cleared at the ports), the Suez passage
    and the intermediate port calls of a deep-sea leg. Between two legs: a transshipment where the mode changes
    (plus the wait for a ferry before one), a gauge change where two rail legs meet with different gauges. A
    gauge change inside a leg happens at its border and is part of that border's dwell (CAREC measures it so).

    Returns
    -------
    Estimate
        ``days_min`` ≤ ``days_max``; CO2e in kg per tonne of cargo and per TEU (at the model's payload).
    """
    model = model or transit_model()
    parts: list[Part] = []
    gauge_breaks = transshipments = 0
    for i, leg in enumerate(legs):
        name = f"{leg.from_hub} → {leg.to_hub}"
        kind, lo, hi = _haul(model, leg)
        parts.append(Part(kind, name, lo, hi, i))
        if leg.mode.is_water:
            if leg.mode == Mode.SEA and leg.length_km >= model.sea.deep_sea_min_km:
                per = leg.length_km / 10_000.0
                pc = model.sea.port_calls
                parts.append(Part("port calls", name, pc.min * per * 24, pc.max * per * 24, i))
            if leg.via_suez:
                lo, hi = model.sea.suez.hours()
                parts.append(Part("Suez Canal", name, lo, hi, i))
            feeder = leg.mode == Mode.SEA and leg.length_km < model.sea.deep_sea_min_km
            sailing = (_at(model.sea.wait_at, leg.from_hub) or model.sea.wait) if feeder else None
            if sailing is not None:
                lo, hi = sailing.hours()
                parts.append(Part("sailing wait", leg.from_hub, lo, hi, i))
        else:
            for a, b in itertools.pairwise(leg.countries):
                if a == b:
                    continue
                dwell: Duration
                named = _at(model.border.at, leg.from_hub, leg.to_hub, mode=str(leg.mode), countries=frozenset((a, b)))
                if named is not None:
                    dwell, label = named, f"border {a}–{b} at {'–'.join(named.hubs)}"
                elif _same_union(model, a, b):
                    dwell, label = model.border.union_internal, f"border {a}–{b} (customs union)"
                else:
                    dwell, label = getattr(model.border, str(leg.mode)), f"border {a}–{b}"
                lo, hi = dwell.hours()
                parts.append(Part("border", label, lo, hi, i))
        if leg.mode == Mode.RAIL:
            g = _gauges(model, leg)
            gauge_breaks += sum(x != y for x, y in itertools.pairwise(g))
        hub = leg.from_hub
        if leg.mode == Mode.FERRY:
            wait = _at(model.ferry.wait_at, hub) or model.ferry.wait
            lo, hi = wait.hours()
            parts.append(Part("ferry wait", hub, lo, hi, i))
        if i == 0:
            continue
        prev = legs[i - 1]
        if prev.mode != leg.mode:
            transshipments += 1
            lo, hi = model.transshipment.hours()
            parts.append(Part("transshipment", f"{hub} ({prev.mode} → {leg.mode})", lo, hi))
        elif prev.mode == Mode.RAIL:
            before, after = _gauges(model, prev), _gauges(model, leg)
            if before and after and before[-1] != after[0]:
                gauge_breaks += 1
                transshipments += 1
                lo, hi = model.gauge.change.hours()
                parts.append(Part("gauge change", f"{hub} ({before[-1]} → {after[0]} mm)", lo, hi))
    # gauge breaks at borders inside a leg are transshipments too (the border's dwell covers them)
    transshipments += sum(
        sum(x != y for x, y in itertools.pairwise(_gauges(model, leg))) for leg in legs if leg.mode == Mode.RAIL
    )
    leg_days = tuple(
        (
            sum(p.min_h for p in parts if p.leg == i) / 24.0,
            sum(p.max_h for p in parts if p.leg == i) / 24.0,
        )
        for i in range(len(legs))
    )
    g_per_t = [leg.length_km * _factor(model, leg) for leg in legs]
    kg_t = sum(g_per_t) / 1000.0
    return Estimate(
        days_min=sum(p.min_h for p in parts) / 24.0,
        days_max=sum(p.max_h for p in parts) / 24.0,
        gauge_breaks=gauge_breaks,
        transshipments=transshipments,
        co2e_kg_per_tonne=kg_t,
        co2e_kg_per_teu=kg_t * model.meta.teu_payload_t,
        parts=tuple(parts),
        leg_days=leg_days,
        leg_co2e_kg_per_tonne=tuple(g / 1000.0 for g in g_per_t),
        scope=model.scope,
    )
