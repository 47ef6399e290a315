"""Reading catalogs: the embedded one and the files users write.

A catalog file is TOML (UTF-8, a byte-order mark allowed) with two optional
tables, ``hubs`` and ``corridors``, keyed by id (see :mod:`geo.model`). The
embedded catalog ships as package data (``geo/data/*.toml``). User files add
hubs and corridors; a user corridor may use any embedded hub. Ids must be
unique across all files read together.

Every problem of every file is reported in one run, one line each, starting
with the file's name: the model's own checks (pydantic, its messages put in
words a person can act on), then checks on the raw tables that hold whether or
not the model accepted a corridor (every hub a leg names exists, legs chain),
then hubs whose point lies outside their country.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import shapely
import shapely.ops
from pydantic import BaseModel, ValidationError

from geo.countries import simplified_outlines
from geo.errors import CatalogError, toml_problem
from geo.geodesy import GEOD
from geo.model import KM_SOURCE_MESSAGE, Corridor, Hub, chain_message, same_hub_message

__all__ = ["EMBEDDED", "Catalog", "load_catalog"]

EMBEDDED = "embedded catalog"
_EMBEDDED_FILES = ("hubs.toml", "corridors.toml")
_HUB_LIST_HINT = "(`corridors list --hubs` lists them)"


@dataclass(frozen=True)
class Catalog:
    """Hubs and corridors read together, cross-checked."""

    hubs: dict[str, Hub]
    corridors: dict[str, Corridor]
    origin: dict[str, str] = field(default_factory=dict)
    """Where each hub (``hub:<id>``) and corridor (``corridor:<id>``) was read from."""
    files: tuple[str, ...] = ()
    """The user files read, in order, as :func:`load_catalog` names them in messages and in :attr:`origin`."""
    as_of: str = ""
    """The data's date: the newest ``as_of`` of the files read (never the build time, so builds repeat)."""

    def select(self, ids: Iterable[str] | None) -> list[Corridor]:
        """The corridors with these ids, in the order given; all, in catalog order, for None.

        Raises
        ------
        CatalogError
            One line per unknown id, with the nearest id where one is close.
        """
        if not ids:
            return list(self.corridors.values())
        wanted = list(dict.fromkeys(ids))
        unknown = [i for i in wanted if i not in self.corridors]
        if unknown:
            problems = []
            for i in unknown:
                guess = _did_you_mean(i, self.corridors)
                hint = f"did you mean {guess!r}?" if guess else f"choose from {', '.join(self.corridors)}"
                problems.append(f"unknown corridor {i!r}: {hint} (see `corridors list`)")
            raise CatalogError(problems)
        return [self.corridors[i] for i in wanted]

    def corridors_from(self, paths: Iterable[str | Path]) -> list[Corridor]:
        """The corridors read from these user files, in catalog order.

        A build given catalog files builds their corridors; files that
        together define hubs but no corridor leave nothing to build, which is
        an error rather than a reason to build the embedded catalog instead.

        Returns
        -------
        list of Corridor
            Empty when ``paths`` is empty.

        Raises
        ------
        CatalogError
            When the files define no corridor between them.
        ValueError
            When a path is not one this catalog was read from.
        """
        names = [str(Path(p)) for p in paths]
        foreign = [n for n in names if n not in self.files]
        if foreign:
            raise ValueError(f"not read into this catalog: {', '.join(foreign)}")
        mine = [c for key, c in self.corridors.items() if self.origin.get("corridor:" + key) in names]
        if names and not mine:
            raise CatalogError(
                f"{', '.join(names)}: {'defines' if len(names) == 1 else 'define'} hubs but no corridors: "
                "nothing to build: add [corridors.<id>] tables with their [[corridors.<id>.legs]]"
            )
        return mine

    def hubs_of(self, corridor: Corridor) -> list[Hub]:
        return [self.hubs[h] for h in corridor.hub_ids]


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _did_you_mean(word: Any, choices: Iterable[str]) -> str | None:
    """The closest of ``choices`` to ``word`` (a near miss: a typo, a case slip), or None."""
    if not isinstance(word, str) or not word:
        return None
    found = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.75)
    return found[0] if found else None


def _loc_text(loc: Sequence[Any]) -> str:
    return "".join(f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _submodel(model: type[BaseModel] | None, name: str) -> type[BaseModel] | None:
    """The model a field of ``model`` holds (through lists and optionals), or None."""
    if model is None:
        return None
    for key, info in model.model_fields.items():
        if (info.alias or key) == name:
            todo = [info.annotation]
            while todo:
                t = todo.pop()
                if isinstance(t, type) and issubclass(t, BaseModel):
                    return t
                todo += typing.get_args(t)
    return None


def _field_names(model: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    """The fields a table at ``loc`` inside ``model`` may have (the id is the table's key, not a field)."""
    inner: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, str):
            inner = _submodel(inner, part)
    if inner is None:
        return []
    return [info.alias or key for key, info in inner.model_fields.items() if key != "id"]


_ENUM_NAMES = {"kind": "hub kind"}


def _friendly(e: Any) -> str:
    """Pydantic's message for one error, in words a person can act on (never a pattern)."""
    kind, loc = e["type"], e["loc"]
    name = next((p for p in reversed(loc) if isinstance(p, str)), "value")
    if kind in ("enum", "literal_error"):
        valid = re.findall(r"'([^']*)'", e.get("ctx", {}).get("expected", ""))
        if not isinstance(e["input"], str):
            return f"must be text in quotes, one of {', '.join(valid)}"
        what = f"unknown {_ENUM_NAMES.get(name, name)}"
        guess = _did_you_mean(e["input"], valid)
        if guess:
            return f"{what}: did you mean {guess!r}? (one of {', '.join(valid)})"
        return f"{what}: choose from {', '.join(valid)}"
    if kind == "string_type":
        return "must be text in quotes"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "list_type":
        return "must be a list in brackets: [...]"
    if kind == "too_short":
        return "must not be empty: give at least one"
    if kind == "too_long":
        return f"must hold at most {e.get('ctx', {}).get('max_length', '?')} items"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be a table of fields: { field = value, ... }"
    return str(e["msg"]).removeprefix("Value error, ")


def _format_error(where: str, e: Any, model: type[BaseModel], key: str) -> str:
    loc = e["loc"]
    path = _loc_text(loc)
    if e["type"] == "missing":
        return f"{where}: field {path!r} is missing: add it"
    if e["type"] == "extra_forbidden":
        guess = _did_you_mean(loc[-1], _field_names(model, loc[:-1]))
        return f"{where}: unknown field {path!r}: " + (
            f"did you mean {guess!r}?" if guess else "remove it or fix its spelling"
        )
    msg = _friendly(e)
    if tuple(loc) == ("id",):
        return f"{where}: {msg}" if e["type"] == "reserved_id" else f"{where}: id {key!r} is not valid: {msg}"
    return f"{where}: field {path!r} = {_describe(e['input'])}: {msg}" if loc else f"{where}: {msg}"


def _parse(source: str, text: str, problems: list[str]) -> dict[str, Any]:
    """The file's tables; empty, with the problem recorded, when it is not valid TOML or holds other tables."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(toml_problem(source, exc))
        return {}
    unknown = set(data) - {"hubs", "corridors", "as_of"}
    if unknown:
        problems.append(
            f"{source}: unknown top-level table {', '.join(sorted(map(repr, unknown)))}: "
            "a catalog file holds only as_of, [hubs.<id>] and [corridors.<id>] tables"
        )
    as_of = data.get("as_of")
    if as_of is not None and not (isinstance(as_of, str) and re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", as_of)):
        problems.append(f'{source}: field \'as_of\' = {as_of!r}: give the data\'s date as "YYYY-MM" or "YYYY-MM-DD"')
    return data


def _tables(source: str, kind: str, table: Any, problems: list[str]) -> dict[str, dict[str, Any]]:
    """The ``[hubs.<id>]`` or ``[corridors.<id>]`` tables of a file, each checked to be a table."""
    if not isinstance(table, dict):
        problems.append(f"{source}: '{kind}s' must be a table of [{kind}s.<id>] entries")
        return {}
    out = {}
    for key, value in table.items():
        if not isinstance(value, dict):
            problems.append(f"{source}: {kind} {key!r}: expected a table, got {_describe(value)}")
            continue
        if "id" in value:
            problems.append(f"{source}: {kind} {key!r}: field 'id': the id is the table's key: remove the field")
        out[key] = {k: v for k, v in value.items() if k != "id"}
    return out


def _validate(model: type[BaseModel], key: str, value: dict[str, Any]) -> tuple[Any, list[Any]]:
    """The model, or None and pydantic's errors."""
    try:
        return model.model_validate({**value, "id": key}), []
    except ValidationError as err:
        return None, err.errors()


def _read_sources(paths: Sequence[str | Path], embedded: bool) -> list[tuple[str, str, bool]]:
    """(name, text, is a user file) for every file, embedded ones first; a file that cannot be read is an error."""
    texts: list[tuple[str, str, bool]] = []
    if embedded:
        data = resources.files("geo") / "data"
        for name in _EMBEDDED_FILES:
            texts.append((f"{EMBEDDED} ({name})", (data / name).read_text(encoding="utf-8-sig"), False))
    for p in paths:
        path = Path(p)
        try:
            texts.append((str(path), path.read_text(encoding="utf-8-sig"), True))
        except FileNotFoundError:
            raise CatalogError(f"{path}: no such catalog file: check the path") from None
        except UnicodeDecodeError as exc:
            raise CatalogError(
                f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at position {exc.start}): "
                "save the file as UTF-8"
            ) from None
        except OSError as exc:
            raise CatalogError(f"{path}: cannot read the catalog file ({exc.strerror or exc})") from None
    return texts


def _hub_refs(leg: dict[str, Any]) -> list[tuple[str, Any]]:
    """(field, value) of every hub a raw leg table names: from, to, via hubs."""
    refs: list[tuple[str, Any]] = [(name, leg[name]) for name in ("from", "to") if name in leg]
    via = leg.get("via")
    if isinstance(via, list):
        for j, v in enumerate(via, start=1):
            if isinstance(v, str):
                refs.append((f"via[{j}]", v))
            elif isinstance(v, dict) and "hub" in v:
                refs.append((f"via[{j}].hub", v["hub"]))
    return refs


_HUB_REF_LOC = re.compile(r"legs\[\d+\]\.(from|to|via\[\d+\](\.hub)?)")


def _corridor_table_problems(where: str, value: dict[str, Any], defined: set[str]) -> list[tuple[int, str]]:
    """Checks on a raw corridor table that hold whether or not the model accepted it, as (leg, line).

    Every hub a leg names must be defined (``defined``: hubs of every file,
    valid or not); consecutive legs must chain, which is only worth saying
    when both hubs exist (else the unknown hub is the mistake); a leg must
    not start where it ends; a published length needs its source.
    """
    legs = value.get("legs")
    if not isinstance(legs, list):
        return []
    out = []
    for i, leg in enumerate(legs, start=1):
        if not isinstance(leg, dict):
            continue
        for fieldname, ref in _hub_refs(leg):
            if isinstance(ref, str) and ref not in defined:
                guess = _did_you_mean(ref, defined)
                hint = (
                    f"did you mean {guess!r}? {_HUB_LIST_HINT}"
                    if guess
                    else f"define it under [hubs] or use an existing hub id {_HUB_LIST_HINT}"
                )
                out.append((i, f"{where}: field 'legs[{i}].{fieldname}' = {_describe(ref)}: no such hub: {hint}"))
        start, end = leg.get("from"), leg.get("to")
        if isinstance(start, str) and start == end:
            out.append((i, f"{where}: leg {i}: {same_hub_message(start)}"))
        if "published_km" in leg and "published_km_source" not in leg:
            out.append((i, f"{where}: leg {i}: {KM_SOURCE_MESSAGE}"))
        previous_end = legs[i - 2].get("to") if i > 1 and isinstance(legs[i - 2], dict) else None
        unchained = isinstance(start, str) and isinstance(previous_end, str) and start != previous_end
        if unchained and start in defined and previous_end in defined:  # else the unknown hub is the mistake
            out.append((i, f"{where}: {chain_message(i, str(start), str(previous_end))}"))
    return out


_CHECKED_ON_TABLES = {"chain", "same_hub", "km_source"}
"""Model errors that :func:`_corridor_table_problems` reports itself, on valid and invalid corridors alike."""


def _leg_of(loc: Sequence[Any]) -> int:
    return loc[1] + 1 if len(loc) > 1 and loc[0] == "legs" and isinstance(loc[1], int) else 0


def load_catalog(paths: Sequence[str | Path] = (), *, embedded: bool = True) -> Catalog:
    """Read, validate and cross-check catalog files.

    Parameters
    ----------
    paths
        User catalog files, read after the embedded catalog.
    embedded
        Include the embedded catalog (its hubs are then usable by user corridors).

    Returns
    -------
    Catalog
        Hubs and corridors of every file; :attr:`Catalog.origin` says which file each came from.

    Raises
    ------
    CatalogError
        With every problem of every file, one line each, each starting with the file's name.
    """
    problems: list[str] = []
    files = []
    for source, text, user in _read_sources(paths, embedded):
        before = len(problems)
        data = _parse(source, text, problems)
        if user and len(problems) == before and not data.get("hubs") and not data.get("corridors"):
            problems.append(
                f"{source}: defines no hubs and no corridors: add [corridors.<id>] tables "
                "(and [hubs.<id>] for places the embedded catalog lacks)"
            )
        files.append((source, user, data))

    hubs: dict[str, Hub] = {}
    origin: dict[str, str] = {}
    for source, _, data in files:
        for key, value in _tables(source, "hub", data.get("hubs", {}), problems).items():
            where = f"{source}: hub {key!r}"
            if "hub:" + key in origin:
                problems.append(
                    f"{where} is already defined in {origin['hub:' + key]}: rename it or use the existing hub"
                )
                continue
            origin["hub:" + key] = source
            hub, errors = _validate(Hub, key, value)
            for e in errors:
                line = _format_error(where, e, Hub, key)
                if e["loc"] == ("lat",) and e["type"] == "number_range" and _looks_swapped(value):
                    line += ": lat and lon look swapped: give lat first"
                problems.append(line)
            if hub is not None:
                hubs[key] = hub
    # every hub a file defines, valid or not: an invalid hub is reported once, not again as "no such hub"
    defined = {key for _, _, data in files if isinstance(data.get("hubs"), dict) for key in data["hubs"]}

    corridors: dict[str, Corridor] = {}
    for source, _, data in files:
        for key, value in _tables(source, "corridor", data.get("corridors", {}), problems).items():
            where = f"{source}: corridor {key!r}"
            if "corridor:" + key in origin:
                problems.append(f"{where} is already defined in {origin['corridor:' + key]}: give it another id")
                continue
            origin["corridor:" + key] = source
            corridor, errors = _validate(Corridor, key, value)
            found = _corridor_table_problems(where, value, defined)
            for e in errors:
                if e["type"] in _CHECKED_ON_TABLES:
                    continue
                if _HUB_REF_LOC.fullmatch(_loc_text(e["loc"])) and isinstance(e["input"], str):
                    continue  # an id that is no hub's: reported as an unknown hub, with the nearest one
                found.append((_leg_of(e["loc"]), _format_error(where, e, Corridor, key)))
            problems += [line for _, line in sorted(found, key=lambda f: f[0])]
            if corridor is not None:
                corridors[key] = corridor
    problems += _misplaced_hubs(hubs, origin)
    if problems:
        raise CatalogError(problems)
    dates = [str(data["as_of"]) for _, _, data in files if isinstance(data.get("as_of"), str)]
    return Catalog(
        hubs=hubs,
        corridors=corridors,
        origin=origin,
        files=tuple(source for source, user, _ in files if user),
        as_of=max(dates, default=""),
    )


HUB_COUNTRY_TOLERANCE_KM = 30.0
"""A hub may lie this far outside its country's outline (border posts, ports, coarse coordinates)."""


@cache
def _outlines() -> dict[str, shapely.Geometry]:
    return dict(zip(*simplified_outlines(0.05), strict=True))  # ~5 km: far below the tolerance


def _km_outside(country: str, lon: float, lat: float) -> float | None:
    """How far a point lies outside a country's outline (0 inside); None for a country without an outline."""
    outline = _outlines().get(country)
    if outline is None:
        return None
    point = shapely.Point(lon, lat)
    if outline.contains(point):
        return 0.0
    near = shapely.ops.nearest_points(outline, point)[0]
    return float(GEOD.inv(lon, lat, near.x, near.y)[2]) / 1000.0


def _looks_swapped(hub: dict[str, Any]) -> bool:
    """Whether a raw hub table's point lands in its country once lat and lon trade places."""
    lat, lon, country = hub.get("lat"), hub.get("lon"), hub.get("country")
    if isinstance(lat, bool) or isinstance(lon, bool) or not isinstance(country, str):
        return False
    if not (isinstance(lat, int | float) and isinstance(lon, int | float) and -90 <= lon <= 90 and -180 <= lat <= 180):
        return False
    km = _km_outside(country, float(lat), float(lon))
    return km is not None and km <= HUB_COUNTRY_TOLERANCE_KM


def _misplaced_hubs(hubs: dict[str, Hub], origin: dict[str, str]) -> list[str]:
    """Hubs whose point lies clearly outside the country they name: a swapped lat/lon, a wrong code."""
    problems = []
    for key, hub in hubs.items():
        km = _km_outside(hub.country, hub.lon, hub.lat)
        if km is None or km <= HUB_COUNTRY_TOLERANCE_KM:
            continue
        swapped = _km_outside(hub.country, hub.lat, hub.lon) if -90 <= hub.lon <= 90 else None
        fix = (
            "lat and lon look swapped: give lat first"
            if swapped is not None and swapped <= HUB_COUNTRY_TOLERANCE_KM
            else "check the coordinates (lat first, then lon) or the country code"
        )
        problems.append(
            f"{origin['hub:' + key]}: hub {key!r}: lat {hub.lat:g}, lon {hub.lon:g} is {km:.0f} km outside "
            f"{hub.country}: {fix}"
        )
    return problems
