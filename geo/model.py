"""The corridor model: typed hubs, ordered legs with mode and status, corridors.

A catalog is data, kept in TOML files that people edit by hand::

    [hubs.aktau]
    name = "Aktau"
    country = "KAZ"
    kind = "sea_port"
    lat = 43.65
    lon = 51.15
    sources = ["UN/LOCODE KZ AAU"]

    [corridors.my-route]
    name = "My route"
    summary = "Aktau to Alat by ferry"
    sources = ["..."]

    [[corridors.my-route.legs]]
    from = "aktau"
    to = "alat"
    mode = "ferry"
    status = "operational"

Files are parsed with :mod:`tomllib` and validated with pydantic. Every
problem is reported as one line naming the file, the hub or corridor, the
field and the value (see :func:`geo.catalog.load_catalog`). The validators
here raise messages a person can act on ("must be a number in degrees (no
quotes)", "use upper case 'KAZ'"), never a regular expression; coordinates are
degrees (EPSG:4326), lengths kilometres, and every number must be finite.
"""

from __future__ import annotations

import contextlib
import difflib
import itertools
import math
import re
from collections.abc import Callable
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from geo.defaults import DEFAULT_MODE_NAMES

__all__ = [
    "RESERVED_IDS",
    "Corridor",
    "Fact",
    "Hub",
    "HubKind",
    "Leg",
    "Mode",
    "Source",
    "Status",
    "ViaPoint",
]

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG_MAX_LENGTH = 64


def _slug(value: str) -> str:
    if len(value) > SLUG_MAX_LENGTH:
        raise PydanticCustomError("id_too_long", f"ids are at most {SLUG_MAX_LENGTH} characters")
    if not re.fullmatch(SLUG_PATTERN, value):
        raise PydanticCustomError(
            "id_pattern", "ids are lower-case letters, digits and single hyphens, e.g. 'my-corridor'"
        )
    return value


Slug = Annotated[str, AfterValidator(_slug)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

RESERVED_IDS = MappingProxyType(
    {
        "overview": "the build writes maps/overview.html itself",
        "index": "the build writes index.html itself",
        "compare": "the build writes compare.html itself",
        "timeline": "the build writes maps/timeline.html itself",
        "flows": "the build writes maps/flows.html and layers/flows.gpkg itself",
        "matrix": "the build keeps it for its matrix of routes",
        "assets": "the build keeps maps/assets/ for the files its pages share",
        "shared": "the build keeps maps/shared/ for the files its pages share",
        "layers": "the build writes the layers/ folder itself",
        "maps": "the build writes the maps/ folder itself",
        "hubs": "the layers have a layer named 'hubs'",
        "legs": "the layers have a layer named 'legs'",
        "corridors": "the build writes layers/corridors.gpkg itself",
        "sources": "the layers have a table named 'sources'",
        "attribution": "the build writes layers/ATTRIBUTION itself",
    }
)
"""Ids no corridor may take, each with the reason: names the output layout of a build uses.

A build writes ``DIR/index.html``, ``DIR/compare.html``, ``DIR/maps/<id>.html``,
``DIR/maps/overview.html``, ``DIR/maps/timeline.html``, ``DIR/maps/flows.html``,
shared files under ``DIR/maps/``, ``DIR/layers/<id>.geojson`` and
``DIR/layers/flows.gpkg``; a corridor named like one of its own files or layers
would overwrite it (or be overwritten).
"""

MAX_LEG_KM = 25_000.0
"""The longest plausible leg: half the Earth's circumference (about 20,000 km) and room for detours."""


def _number(
    quantity: str, unit: str, low: float, high: float, *, low_open: bool = False, why: str = ""
) -> Callable[[Any], float]:
    """A check for a float field: a number (not text, not a boolean), finite, within its range."""
    span = f"more than {low:,g} and at most {high:,g} {unit}" if low_open else f"between {low:,g} and {high:,g} {unit}"

    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PydanticCustomError("number_type", f"must be a number in {unit} (no quotes)")
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            number = math.inf
        if not (low < number <= high if low_open else low <= number <= high):  # NaN fails both
            problem = "out of range" if math.isfinite(number) else "not a finite number"
            raise PydanticCustomError("number_range", f"{problem}: {quantity} must be {span}{why}")
        return number

    return check


Latitude = Annotated[float, BeforeValidator(_number("a latitude", "degrees", -90, 90))]
Longitude = Annotated[float, BeforeValidator(_number("a longitude", "degrees", -180, 180))]
LegKm = Annotated[
    float,
    BeforeValidator(
        _number(
            "published_km",
            "km",
            0,
            MAX_LEG_KM,
            low_open=True,
            why=" (no single leg is longer than half the Earth's circumference, about 20,000 km, plus detours)",
        )
    ),
]
SnapKm = Annotated[float, BeforeValidator(_number("max_snap_km", "km", 0, 200, low_open=True))]
OpeningYear = Annotated[int, BeforeValidator(_number("opens", "(a year)", 1850, 2100)), AfterValidator(int)]
GaugeMm = Annotated[int, BeforeValidator(_number("gauge_mm", "mm", 600, 1700)), AfterValidator(int)]


def _common_name(country: Any) -> str:
    """A pycountry country's everyday name ("Iran", not "Iran, Islamic Republic of")."""
    return getattr(country, "common_name", None) or country.name


_COUNTRY_ALIASES = {"UK": "GBR", "EL": "GRC", "TURKEY": "TUR"}
"""Codes and names people use that ISO 3166 lacks (the EU's UK and EL; Türkiye's former English name)."""


def _country_problem(value: str) -> str | None:
    """What is wrong with a country code, in words, with the code meant where it can be guessed; None if valid."""
    countries = pycountry.countries
    if re.fullmatch(r"[A-Z]{3}", value) and countries.get(alpha_3=value) is not None:
        return None
    if re.fullmatch(r"[A-Za-z]{3}", value) and countries.get(alpha_3=value.upper()) is not None:
        return f"use upper case {value.upper()!r}"
    meant = countries.get(alpha_3=_COUNTRY_ALIASES.get(value.strip().upper(), "-"))
    if meant is None and re.fullmatch(r"[A-Za-z]{2}", value):
        meant = countries.get(alpha_2=value.upper())
    if meant is not None and len(value.strip()) == 2:
        return (
            f"a two-letter code: use the three-letter ISO 3166-1 alpha-3 code {meant.alpha_3!r} ({_common_name(meant)})"
        )
    if meant is None and len(value) > 3:
        with contextlib.suppress(LookupError):
            meant = countries.lookup(value)  # names, official and common names, any case
    if meant is not None:
        return f"a country name: use its ISO 3166-1 alpha-3 code {meant.alpha_3!r} ({_common_name(meant)})"
    start = value.strip().lower()
    guesses: list[Any] = []
    if len(start) > 3:  # a misspelt name
        by_name = {c.name.lower(): c for c in countries}
        guesses = [by_name[n] for n in difflib.get_close_matches(start, by_name, n=1, cutoff=0.75)]
    if not guesses and len(start) >= 3 and start.isalpha():  # "GER" for Germany, "ALG" for Algeria: other codes
        names = lambda c: (c.name, getattr(c, "common_name", ""), getattr(c, "official_name", ""))  # noqa: E731
        guesses = [c for c in countries if any(n.lower().startswith(start) for n in names(c) if n)]
    if 1 <= len(guesses) <= 3:
        listed = " or ".join(f"{c.alpha_3!r} ({_common_name(c)})" for c in guesses)
        return f"not an ISO 3166-1 alpha-3 country code: did you mean {listed}?"
    return "not an ISO 3166-1 alpha-3 country code (e.g. KAZ, AZE, TUR)"


class Mode(StrEnum):
    """How a leg is travelled."""

    RAIL = "rail"
    ROAD = "road"
    SEA = "sea"
    FERRY = "ferry"

    @property
    def is_water(self) -> bool:
        return self in (Mode.SEA, Mode.FERRY)


DEFAULT_MODES = tuple(Mode(m) for m in DEFAULT_MODE_NAMES)
"""The modes an ad-hoc route, matrix or flow may use unless told (:data:`geo.defaults.DEFAULT_MODE_NAMES`)."""


class Status(StrEnum):
    """Whether a leg can be used today."""

    OPERATIONAL = "operational"
    UNDER_CONSTRUCTION = "under_construction"
    PLANNED = "planned"


class HubKind(StrEnum):
    """What kind of place a hub is."""

    SEA_PORT = "sea_port"
    DRY_PORT = "dry_port"
    RAIL_JUNCTION = "rail_junction"
    BORDER_CROSSING = "border_crossing"
    CITY = "city"


KM_SOURCE_MESSAGE = "published_km needs published_km_source: say where the figure comes from"


def same_hub_message(hub: str) -> str:
    """The problem of a leg that starts and ends at ``hub``."""
    return f"leg starts and ends at the same hub {hub!r}: end it at another hub"


def chain_message(seq: int, start: str, previous_end: str) -> str:
    """The problem of leg ``seq`` (1-based) starting at ``start`` where the leg before ended at ``previous_end``."""
    return f"leg {seq} starts at {start!r} but leg {seq - 1} ends at {previous_end!r}: legs must chain"


class _Strict(BaseModel):
    # unknown fields are mistakes; numbers must be numbers ("520" in a TOML file is a mistake, not 520: see _number)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(_Strict):
    """A citation: the text as a reader would quote it, and a link where there is one."""

    text: Text
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://\S+", value):
            raise PydanticCustomError("url", "must be a web address starting with https:// or http://, without spaces")
        return value

    def __str__(self) -> str:
        return f"{self.text} <{self.url}>" if self.url else self.text


def _to_sources(value: Any) -> Any:
    """Accept ``"text"`` as shorthand for ``{text = "text"}``."""
    if isinstance(value, list):
        return [{"text": v} if isinstance(v, str) else v for v in value]
    return value


class Claim(_Strict):
    """A comparison a fact asserts, in a form the tool can measure: this corridor against ``versus``.

    ``metric`` ``length_km`` or ``days`` (the middle of the transit model's range); ``claim`` the
    direction (``shorter``/``longer`` for km, ``faster``/``slower`` for days); ``by`` the published
    difference (min, max) in the metric's unit, or ``ratio`` (min, max) of this corridor's figure to
    the other's. :func:`geo.claims.check_claims` measures it.
    """

    versus: Slug
    metric: Literal["length_km", "days"]
    claim: Literal["shorter", "longer", "faster", "slower"]
    by: tuple[float, float] | None = None
    ratio: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Claim:
        words = {"length_km": ("shorter", "longer"), "days": ("faster", "slower")}[self.metric]
        if self.claim not in words:
            raise ValueError(f"a claim about {self.metric} is {' or '.join(words)}, not {self.claim!r}")
        if (self.by is None) == (self.ratio is None):
            raise ValueError("give the published difference as 'by' = [min, max] or 'ratio' = [min, max]")
        return self


class Fact(_Strict):
    """A figure worth showing on click (capacity, volume, transit time), with its source."""

    text: Text
    sources: list[Source] = Field(min_length=1)
    check: Claim | None = None
    """A comparison the fact makes that the tool measures (and shows beside the fact)."""

    _sources = field_validator("sources", mode="before")(_to_sources)


class Hub(_Strict):
    """A named place where legs start and end."""

    id: Slug
    name: Text
    country: str
    """ISO 3166-1 alpha-3 code, upper case."""
    kind: HubKind
    lat: Latitude
    lon: Longitude
    status: Status = Status.OPERATIONAL
    """A port or terminal still being built (``under_construction``, ``planned``) takes no ad-hoc route."""
    sources: list[Source] = Field(min_length=1)
    facts: list[Fact] = []
    notes: str = ""

    _sources = field_validator("sources", mode="before")(_to_sources)

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        problem = _country_problem(value)
        if problem:
            raise PydanticCustomError("country", problem)
        return value

    @property
    def country_name(self) -> str:
        return _common_name(pycountry.countries.get(alpha_3=self.country))


class ViaPoint(_Strict):
    """A point a leg must pass through: a hub id, or a coordinate.

    A coordinate may carry a ``name`` (a station, a town) and the ``source`` it
    comes from: ``{lat = 39.03, lon = 46.72, name = "Minjivan", source = "..."}``;
    digitised alignments of planned lines say how they were made there.
    """

    hub: Slug | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    name: str = ""
    source: Source | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _source_shorthand(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value

    @model_validator(mode="before")
    @classmethod
    def _from_shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"hub": value}
        if isinstance(value, list | tuple):
            if len(value) != 2:
                raise ValueError("a via point is a hub id or [lat, lon]")
            return {"lat": value[0], "lon": value[1]}
        if not isinstance(value, dict | ViaPoint):
            raise ValueError("a via point is a hub id or [lat, lon]")
        return value

    @model_validator(mode="after")
    def _one_form(self) -> ViaPoint:
        has_coord = self.lat is not None and self.lon is not None
        if (self.hub is None) == (not has_coord) or (self.lat is None) != (self.lon is None):
            raise ValueError("a via point is either a hub id or both lat and lon")
        return self


class Leg(_Strict):
    """One stretch of a corridor between two hubs, by one mode."""

    from_hub: Slug = Field(alias="from")
    to_hub: Slug = Field(alias="to")
    mode: Mode
    status: Status
    via: list[ViaPoint] = []
    published_km: LegKm | None = None
    published_km_source: Source | None = None
    routing: Literal["network", "great-circle"] = "network"
    """``great-circle`` draws an operational land leg straight, for lines the network data lacks (say why in notes)."""
    max_snap_km: SnapKm | None = None
    """How far the leg's hubs may lie from the network; default :data:`geo.routing.DEFAULT_MAX_SNAP_KM`."""
    opens: OpeningYear | None = None
    """The year a planned or under-construction leg is expected to open (``opens_source`` says who expects it);
    none where no source gives one."""
    opens_source: Source | None = None
    gauge_mm: GaugeMm | None = None
    """Track gauge of a rail leg where it differs from its countries' (``gauge_source`` says so): the 1,435 mm
    Akhalkalaki–Kars line in Georgia."""
    gauge_source: Source | None = None
    sources: list[Source] = []
    notes: str = ""

    _sources = field_validator("sources", mode="before")(_to_sources)

    @field_validator("published_km_source", "opens_source", "gauge_source", mode="before")
    @classmethod
    def _source_shorthand(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _checks(self) -> Leg:
        if self.from_hub == self.to_hub:
            raise PydanticCustomError("same_hub", same_hub_message(self.from_hub))
        if self.published_km is not None and self.published_km_source is None:
            raise PydanticCustomError("km_source", KM_SOURCE_MESSAGE)
        if self.opens is not None and self.opens_source is None:
            raise PydanticCustomError("opens_source", "field 'opens' needs 'opens_source': who expects it to open then")
        if self.opens is not None and self.status == Status.OPERATIONAL:
            raise PydanticCustomError("opens_status", "an operational leg is open already: remove 'opens'")
        if self.gauge_mm is not None and self.gauge_source is None:
            raise PydanticCustomError("gauge_source", "field 'gauge_mm' needs 'gauge_source'")
        if self.gauge_mm is not None and self.mode != Mode.RAIL:
            raise PydanticCustomError("gauge_mode", "only a rail leg has a gauge: remove 'gauge_mm'")
        return self


class Corridor(_Strict):
    """An ordered chain of legs: each leg starts where the previous one ended."""

    id: Slug
    name: Text
    summary: Text
    legs: list[Leg] = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)
    facts: list[Fact] = []

    _sources = field_validator("sources", mode="before")(_to_sources)

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in RESERVED_IDS:
            raise PydanticCustomError(
                "reserved_id", f"id {value!r} is reserved ({RESERVED_IDS[value]}): rename the corridor"
            )
        return value

    @model_validator(mode="after")
    def _chained(self) -> Corridor:
        for i, (prev, leg) in enumerate(itertools.pairwise(self.legs), start=2):
            if leg.from_hub != prev.to_hub:
                raise PydanticCustomError("chain", chain_message(i, leg.from_hub, prev.to_hub))
        return self

    @property
    def hub_ids(self) -> list[str]:
        """Hubs in route order, via hubs included, each once."""
        ids = [self.legs[0].from_hub]
        for leg in self.legs:
            ids += [v.hub for v in leg.via if v.hub is not None] + [leg.to_hub]
        return list(dict.fromkeys(ids))
