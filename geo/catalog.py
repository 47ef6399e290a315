"""Reading catalogs: the embedded one and the files users write.

A catalog file is TOML with two optional tables, ``hubs`` and ``corridors``,
keyed by id (see :mod:`geo.model`). The embedded catalog ships as package data
(``geo/data/*.toml``). User files add hubs and corridors; a user corridor may
use any embedded hub. Ids must be unique across all files read together.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import shapely
import shapely.ops
from pydantic import BaseModel, ValidationError

from geo.countries import simplified_outlines
from geo.errors import CatalogError
from geo.geodesy import GEOD
from geo.model import Corridor, Hub

__all__ = ["EMBEDDED", "Catalog", "load_catalog"]

EMBEDDED = "embedded catalog"
_EMBEDDED_FILES = ("hubs.toml", "corridors.toml")


@dataclass(frozen=True)
class Catalog:
    """Hubs and corridors read together, cross-checked."""

    hubs: dict[str, Hub]
    corridors: dict[str, Corridor]
    origin: dict[str, str] = field(default_factory=dict)
    """Where each hub (``hub:<id>``) and corridor (``corridor:<id>``) was read from."""

    def select(self, ids: Iterable[str] | None) -> list[Corridor]:
        """The corridors with these ids, in the order given; all, in catalog order, for None."""
        if not ids:
            return list(self.corridors.values())
        wanted = list(dict.fromkeys(ids))
        unknown = [i for i in wanted if i not in self.corridors]
        if unknown:
            raise CatalogError(
                f"unknown corridor {', '.join(map(repr, unknown))}: "
                f"choose from {', '.join(self.corridors)} (see `corridors list`)"
            )
        return [self.corridors[i] for i in wanted]

    def hubs_of(self, corridor: Corridor) -> list[Hub]:
        return [self.hubs[h] for h in corridor.hub_ids]


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _format_errors(source: str, kind: str, key: str, err: ValidationError) -> list[str]:
    lines = []
    for e in err.errors():
        loc = "".join(f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in e["loc"]).lstrip(".")
        msg = e["msg"]
        msg = msg.removeprefix("Value error, ")
        where = f"{source}: {kind} {key!r}"
        if e["type"] == "missing":
            lines.append(f"{where}: field {loc!r} is missing: add it")
        elif e["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown field {loc!r}: remove it or fix its spelling")
        elif loc:
            lines.append(f"{where}: field {loc!r} = {_describe(e['input'])}: {msg}")
        else:
            lines.append(f"{where}: {msg}")
    return lines


def _parse(source: str, text: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{source}: not valid TOML: {exc}: fix the syntax") from None
    unknown = set(data) - {"hubs", "corridors"}
    if unknown:
        raise CatalogError(
            f"{source}: unknown top-level table {', '.join(sorted(map(repr, unknown)))}: "
            "a catalog file holds only [hubs.<id>] and [corridors.<id>] tables"
        )
    return data


def _validate(model: type[BaseModel], source: str, kind: str, table: Any, problems: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not isinstance(table, dict):
        problems.append(f"{source}: '{kind}s' must be a table of [{kind}s.<id>] entries")
        return out
    for key, value in table.items():
        if not isinstance(value, dict):
            problems.append(f"{source}: {kind} {key!r}: expected a table, got {_describe(value)}")
            continue
        try:
            out[key] = model.model_validate({**value, "id": key})
        except ValidationError as err:
            problems.extend(_format_errors(source, kind, key, err))
    return out


def _read_sources(paths: Sequence[str | Path], embedded: bool) -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    if embedded:
        data = resources.files("geo") / "data"
        for name in _EMBEDDED_FILES:
            texts.append((f"{EMBEDDED} ({name})", (data / name).read_text(encoding="utf-8")))
    for p in paths:
        path = Path(p)
        try:
            texts.append((str(path), path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise CatalogError(f"{path}: no such catalog file: check the path") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogError(f"{path}: cannot read the catalog file ({exc})") from None
    return texts


def load_catalog(paths: Sequence[str | Path] = (), *, embedded: bool = True) -> Catalog:
    """Read, validate and cross-check catalog files.

    Parameters
    ----------
    paths
        User catalog files, read after the embedded catalog.
    embedded
        Include the embedded catalog (its hubs are then usable by user corridors).

    Raises
    ------
    CatalogError
        With every problem found, one line each.
    """
    problems: list[str] = []
    hubs: dict[str, Hub] = {}
    broken: set[str] = set()  # hubs defined but invalid: already reported, so not "no such hub" again
    corridors: dict[str, Corridor] = {}
    origin: dict[str, str] = {}
    for source, text in _read_sources(paths, embedded):
        data = _parse(source, text)
        raw_hubs = data.get("hubs", {})
        valid = _validate(Hub, source, "hub", raw_hubs, problems)
        broken |= set(raw_hubs) - set(valid) if isinstance(raw_hubs, dict) else set()
        for key, hub in valid.items():
            if key in hubs:
                problems.append(
                    f"{source}: hub {key!r} is already defined in {origin['hub:' + key]}: "
                    "rename it or use the existing hub"
                )
                continue
            hubs[key], origin["hub:" + key] = hub, source
        found = _validate(Corridor, source, "corridor", data.get("corridors", {}), problems)
        for key, corridor in found.items():
            if key in corridors:
                problems.append(
                    f"{source}: corridor {key!r} is already defined in {origin['corridor:' + key]}: give it another id"
                )
                continue
            corridors[key], origin["corridor:" + key] = corridor, source
    for key, corridor in corridors.items():
        source = origin["corridor:" + key]
        for i, leg in enumerate(corridor.legs, start=1):
            refs = [("from", leg.from_hub), ("to", leg.to_hub)]
            refs += [(f"via[{j}]", v.hub) for j, v in enumerate(leg.via, start=1) if v.hub]
            for fieldname, ref in refs:
                if ref not in hubs and ref not in broken:
                    problems.append(
                        f"{source}: corridor {key!r}: field 'legs[{i}].{fieldname}' = {ref!r}: "
                        "no such hub: define it under [hubs] or use an existing hub id (`corridors list --hubs`)"
                    )
    problems += _misplaced_hubs(hubs, origin)
    if problems:
        raise CatalogError(problems)
    return Catalog(hubs=hubs, corridors=corridors, origin=origin)


HUB_COUNTRY_TOLERANCE_KM = 30.0
"""A hub may lie this far outside its country's outline (border posts, ports, coarse coordinates)."""


def _misplaced_hubs(hubs: dict[str, Hub], origin: dict[str, str]) -> list[str]:
    """Hubs whose point lies clearly outside the country they name: a swapped lat/lon, a wrong code."""
    outlines = dict(zip(*simplified_outlines(0.05), strict=True))  # ~5 km: far below the tolerance
    problems = []
    for key, hub in hubs.items():
        outline = outlines.get(hub.country)
        if outline is None:
            continue
        point = shapely.Point(hub.lon, hub.lat)
        if outline.contains(point):
            continue
        near = shapely.ops.nearest_points(outline, point)[0]
        km = GEOD.inv(hub.lon, hub.lat, near.x, near.y)[2] / 1000.0
        if km > HUB_COUNTRY_TOLERANCE_KM:
            problems.append(
                f"{origin['hub:' + key]}: hub {key!r}: lat {hub.lat:g}, lon {hub.lon:g} is {km:.0f} km outside "
                f"{hub.country}: check the coordinates (lat first, then lon) or the country code"
            )
    return problems
