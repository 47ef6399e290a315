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
field and the value (see :func:`geo.catalog.load_catalog`).
"""

from __future__ import annotations

import itertools
from enum import StrEnum
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StringConstraints,
    field_validator,
    model_validator,
)

__all__ = [
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
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Mode(StrEnum):
    """How a leg is travelled."""

    RAIL = "rail"
    ROAD = "road"
    SEA = "sea"
    FERRY = "ferry"

    @property
    def is_water(self) -> bool:
        return self in (Mode.SEA, Mode.FERRY)


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


class _Strict(BaseModel):
    # numbers must be numbers: "520" in a TOML file is a mistake, not 520
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(_Strict):
    """A citation: the text as a reader would quote it, and a link where there is one."""

    text: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None

    def __str__(self) -> str:
        return f"{self.text} <{self.url}>" if self.url else self.text


def _to_sources(value: Any) -> Any:
    """Accept ``"text"`` as shorthand for ``{text = "text"}``."""
    if isinstance(value, list):
        return [{"text": v} if isinstance(v, str) else v for v in value]
    return value


class Fact(_Strict):
    """A figure worth showing on click (capacity, volume, transit time), with its source."""

    text: Text
    sources: list[Source] = Field(min_length=1)

    _sources = field_validator("sources", mode="before")(_to_sources)


class Hub(_Strict):
    """A named place where legs start and end."""

    id: Slug
    name: Text
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    kind: HubKind
    lat: StrictFloat = Field(ge=-90, le=90)
    lon: StrictFloat = Field(ge=-180, le=180)
    sources: list[Source] = Field(min_length=1)
    facts: list[Fact] = []
    notes: str = ""

    _sources = field_validator("sources", mode="before")(_to_sources)

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if pycountry.countries.get(alpha_3=value) is None:
            raise ValueError("not an ISO 3166-1 alpha-3 country code (e.g. KAZ, AZE, TUR)")
        return value

    @property
    def country_name(self) -> str:
        country = pycountry.countries.get(alpha_3=self.country)
        return getattr(country, "common_name", None) or country.name  # type: ignore[union-attr]


class ViaPoint(_Strict):
    """A point a leg must pass through: a hub id, or a coordinate."""

    hub: Slug | None = None
    lat: StrictFloat | None = Field(default=None, ge=-90, le=90)
    lon: StrictFloat | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="before")
    @classmethod
    def _from_shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"hub": value}
        if isinstance(value, list | tuple):
            if len(value) != 2:
                raise ValueError("a via point is a hub id or [lat, lon]")
            return {"lat": value[0], "lon": value[1]}
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
    published_km: StrictFloat | None = Field(default=None, gt=0)
    published_km_source: Source | None = None
    routing: Literal["network", "great-circle"] = "network"
    """``great-circle`` draws an operational land leg straight, for lines the network data lacks (say why in notes)."""
    max_snap_km: StrictFloat | None = Field(default=None, gt=0, le=200)
    """How far the leg's hubs may lie from the network; default :data:`geo.routing.DEFAULT_MAX_SNAP_KM`."""
    sources: list[Source] = []
    notes: str = ""

    _sources = field_validator("sources", mode="before")(_to_sources)

    @field_validator("published_km_source", mode="before")
    @classmethod
    def _source_shorthand(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _checks(self) -> Leg:
        if self.from_hub == self.to_hub:
            raise ValueError(f"leg starts and ends at the same hub {self.from_hub!r}")
        if self.published_km is not None and self.published_km_source is None:
            raise ValueError("published_km needs published_km_source: say where the figure comes from")
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

    @model_validator(mode="after")
    def _chained(self) -> Corridor:
        for i, (prev, leg) in enumerate(itertools.pairwise(self.legs), start=2):
            if leg.from_hub != prev.to_hub:
                raise ValueError(
                    f"leg {i} starts at {leg.from_hub!r} but leg {i - 1} ends at {prev.to_hub!r}: legs must chain"
                )
        return self

    @property
    def hub_ids(self) -> list[str]:
        """Hubs in route order, via hubs included, each once."""
        ids = [self.legs[0].from_hub]
        for leg in self.legs:
            ids += [v.hub for v in leg.via if v.hub is not None] + [leg.to_hub]
        return list(dict.fromkeys(ids))
