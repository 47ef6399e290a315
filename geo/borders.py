"""Closed and restricted borders, as sourced data (``geo/data/borders.toml``).

A border is a pair of countries (ISO 3166-1 alpha-3) and a state: ``closed``
(no rail or road traffic crosses it) or ``restricted`` (open for freight, but
closed at times). A border may also mark a country as a war zone (``also =
"war"``, ``war_zone = "UKR"``). Each entry carries the date it has held since
and its sources.

Routes (:func:`geo.multimodal.plan_route`) do not cross closed borders unless
told to; catalog legs that cross one are not re-routed but marked as depending
on the border opening (:func:`closed_borders_crossed`). No geometry here: only
country codes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from geo.errors import CatalogError, field_problem, toml_data
from geo.model import Source

__all__ = ["BORDERS_FILE", "Border", "borders", "borders_from_toml", "closed_borders_crossed", "war_zones_entered"]

BORDERS_FILE = "geo/data/borders.toml"
"""Where the shipped borders live (as a reader finds it in the repository)."""


class Border(BaseModel):
    """One border between two countries, its state since a date, and why we believe it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    countries: tuple[str, str]
    state: Literal["closed", "restricted"]
    since: str
    also: Literal["war"] | None = None
    war_zone: str | None = None
    sources: tuple[Source, ...] = Field(min_length=1)
    notes: str = ""

    @field_validator("countries")
    @classmethod
    def _iso3(cls, value: tuple[str, str]) -> tuple[str, str]:
        for code in value:
            if not re.fullmatch(r"[A-Z]{3}", code):
                raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-3 code (three capital letters)")
        if value[0] == value[1]:
            raise ValueError("a border joins two different countries")
        return value

    @field_validator("since")
    @classmethod
    def _date(cls, value: str) -> str:
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise ValueError("give a date as YYYY, YYYY-MM or YYYY-MM-DD")
        return value

    @model_validator(mode="after")
    def _war(self) -> Border:
        if (self.also == "war") != (self.war_zone is not None):
            raise ValueError("also = 'war' and war_zone (the country at war) go together")
        if self.war_zone is not None and self.war_zone not in self.countries:
            raise ValueError(f"war_zone {self.war_zone!r} is not one of the border's countries")
        return self

    @property
    def pair(self) -> frozenset[str]:
        return frozenset(self.countries)

    @property
    def label(self) -> str:
        """``ARM–AZE``: the two countries, sorted, joined by an en dash."""
        return "–".join(sorted(self.countries))

    def describe(self) -> str:
        """``RUS–UKR (closed since 2022-02-24)``."""
        return f"{self.label} ({self.state} since {self.since})"


def borders_from_toml(text: str, source: str) -> dict[str, Border]:
    """Borders from the text of a borders file; every problem reported together, one line each.

    Raises
    ------
    CatalogError
        The file is not valid TOML or an entry breaks the schema (the message
        names the file, the entry, the field and the value).
    """
    data = toml_data(text, source)
    table = data.get("borders")
    if set(data) - {"borders"} or not isinstance(table, dict):
        raise CatalogError(f"{source}: a borders file holds only [borders.<AAA-BBB>] tables")
    problems: list[str] = []
    out: dict[str, Border] = {}
    for key, entry in table.items():
        if not isinstance(entry, dict):
            problems.append(f"{source}: border {key!r}: expected a table, got {entry!r}")
            continue
        try:
            out[key] = Border.model_validate({"id": key, **entry})
        except ValidationError as exc:
            problems += [field_problem(f"{source}: border {key!r}", e, top="(entry)") for e in exc.errors()]
    pairs: dict[frozenset[str], str] = {}
    for key, border in out.items():
        if border.pair in pairs:
            problems.append(f"{source}: border {key!r}: same countries as {pairs[border.pair]!r}: keep one")
        pairs[border.pair] = key
    if problems:
        raise CatalogError("\n".join(problems))
    return out


@cache
def _shipped() -> tuple[Border, ...]:
    text = (resources.files("geo") / "data" / "borders.toml").read_text(encoding="utf-8")
    return tuple(borders_from_toml(text, BORDERS_FILE).values())


def borders(state: str | None = None) -> list[Border]:
    """The shipped borders (all, or those in ``state``: ``closed`` or ``restricted``)."""
    return [b for b in _shipped() if state is None or b.state == state]


def closed_borders_crossed(countries: Sequence[str], among: Iterable[Border] | None = None) -> list[Border]:
    """The closed borders a line through ``countries`` (in order, ISO3) crosses, in the order crossed, once each.

    >>> [b.label for b in closed_borders_crossed(["AZE", "ARM", "AZE"])]
    ['ARM–AZE']
    """
    by_pair = {b.pair: b for b in (among if among is not None else borders("closed")) if b.state == "closed"}
    out: list[Border] = []
    for a, b in itertools.pairwise(countries):
        border = by_pair.get(frozenset((a, b)))
        if border is not None and border not in out:
            out.append(border)
    return out


def war_zones_entered(countries: Iterable[str], among: Iterable[Border] | None = None) -> list[Border]:
    """The borders whose war zone is one of ``countries`` (once each, in data order)."""
    seen = set(countries)
    return [b for b in (among if among is not None else borders()) if b.war_zone is not None and b.war_zone in seen]
