"""Provenance: sources and facts as text for files and back, the sources table, attribution and build metadata.

In the layers' frames (:mod:`layers.frames`) sources and facts are typed
values, never text. In the files they are text:

- ``source``: ``tuple[Source, ...]`` in a frame, ``text <url>; text; ...`` in a file;
- ``published_source``: a tuple of none or one :class:`geo.model.Source`, ``text <url>`` or empty;
- ``gapfill_source``: the sources of the gap-fill lines a leg runs on (:mod:`geo.gapfill`), like ``source``;
- ``facts``: ``tuple[Fact, ...]``, JSON ``[{"text": ..., "sources": ["text <url>", ...]}, ...]`` or empty.

This module is the one place that turns them into that text
(:func:`provenance_to_text`, for every writer) and parses it back
(:func:`provenance_from_text`, for :mod:`layers.read`), so a file read back
gives the same values. It also holds what the files say about where their data
come from: the attribution notices, the licences, the tool and data versions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
import pydantic

from geo.model import Fact, Source

if TYPE_CHECKING:  # layers.frames uses this module: no import at run time
    import geopandas as gpd

    from layers.frames import Layers

Frame = TypeVar("Frame", bound=pd.DataFrame)

__all__ = [
    "DATA_PACKAGES",
    "HUB_ATTRIBUTION",
    "ODBL",
    "PROVENANCE_COLUMNS",
    "attribution_lines",
    "attribution_of_legs",
    "build_metadata",
    "citations",
    "data_versions",
    "facts_from_json",
    "facts_to_json",
    "layers_to_text",
    "licence_lines",
    "notices",
    "provenance_from_text",
    "provenance_to_text",
    "source_from_text",
    "sources_frame",
    "sources_from_text",
    "sources_to_text",
    "tool_version",
]

HUB_ATTRIBUTION = "Hub locations: UN/LOCODE and desk research, see each hub's source"
DATA_PACKAGES = ("searoute", "scgraph-data")
"""Packages whose data end up in the geometry; their versions go into the metadata."""
ODBL = "https://opendatacommons.org/licenses/odbl/1-0/"

SEPARATOR = "; "
"""Between the sources of one cell."""
_SOURCE = re.compile(r"^(?P<text>.*?)\s*<(?P<url>https?://\S+)>$")


# --- sources and facts as text, and back ---------------------------------------------------------


def sources_to_text(sources: Iterable[Source]) -> str:
    """``"text <url>; text; ..."`` (see :class:`geo.model.Source`); empty when there are none."""
    if isinstance(sources, str):
        raise TypeError("sources_to_text takes Source objects, not text: parse it with sources_from_text")
    return SEPARATOR.join(str(s) for s in sources)


def source_from_text(text: str) -> Source:
    """One source as :func:`sources_to_text` writes it: ``text <url>`` or ``text``.

    ``<url>`` alone gives the URL as the text too.

    Raises
    ------
    ValueError
        The text is empty, or its URL is not an http(s) URL without spaces.
    """
    text = text.strip()
    m = _SOURCE.match(text)
    if m is None:
        return Source(text=text)
    return Source(text=m["text"] or m["url"], url=m["url"])


def sources_from_text(text: object) -> tuple[Source, ...]:
    """The sources of a cell written by :func:`sources_to_text`; none for an empty or missing cell.

    Raises
    ------
    ValueError
        A source is not readable (see :func:`source_from_text`).
    """
    if not isinstance(text, str):
        return ()
    return tuple(source_from_text(part) for part in text.split(SEPARATOR) if part.strip())


def citations(sources: Iterable[Source | None]) -> tuple[Source, ...]:
    """``sources`` as the files hold them, one :class:`geo.model.Source` per citation; ``None`` dropped.

    A source whose text holds the separator ``"; "`` is several citations
    (the catalog lists several in one ``published_km_source``): it is split,
    the URL going with the last, so that a frame equals what reading its files gives.
    """
    return sources_from_text(sources_to_text(s for s in sources if s is not None))


def facts_to_json(facts: Iterable[Fact]) -> str:
    """Facts as JSON text, ``[{"text": ..., "sources": ["text <url>", ...]}, ...]``; empty when none."""
    if isinstance(facts, str):
        raise TypeError("facts_to_json takes Fact objects, not text: parse it with facts_from_json")
    facts = list(facts)
    if not facts:
        return ""
    return json.dumps([{"text": f.text, "sources": [str(s) for s in f.sources]} for f in facts], ensure_ascii=False)


def _is_fact(item: object) -> bool:
    return isinstance(item, dict) and isinstance(item.get("sources"), list)


def facts_from_json(text: object) -> tuple[Fact, ...]:
    """The facts of a cell written by :func:`facts_to_json`; none for an empty or missing cell.

    Raises
    ------
    ValueError
        The text is not JSON, not a list of ``{"text": ..., "sources": [...]}``, or a fact has no source.
    """
    if not isinstance(text, str) or not text.strip():
        return ()
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(items, list) or not all(_is_fact(i) for i in items):
        raise ValueError('not a JSON list of {"text": ..., "sources": [...]}')
    return tuple(
        Fact(text=i.get("text", ""), sources=[source_from_text(s) if isinstance(s, str) else s for s in i["sources"]])
        for i in items
    )


PROVENANCE_COLUMNS: dict[str, tuple[Callable[[Any], str], Callable[[object], tuple[Any, ...]]]] = {
    "source": (sources_to_text, sources_from_text),
    "published_source": (sources_to_text, sources_from_text),
    "gapfill_source": (sources_to_text, sources_from_text),
    "facts": (facts_to_json, facts_from_json),
}
"""The typed columns, each with its writer (value to text) and reader (text to value)."""


def _to_text(write: Callable[[Any], str], cell: object) -> str:
    return "" if cell is None or (isinstance(cell, float) and pd.isna(cell)) else write(cell)


def provenance_to_text(frame: Frame) -> Frame:
    """A copy of ``frame`` with its :data:`PROVENANCE_COLUMNS` as text, the way every file holds them."""
    present = [c for c in PROVENANCE_COLUMNS if c in frame.columns]
    if not present:
        return frame
    out = frame.copy()
    for column in present:
        write = PROVENANCE_COLUMNS[column][0]
        out[column] = [_to_text(write, cell) for cell in frame[column]]
    return out


def provenance_from_text(frame: pd.DataFrame, *, where: Callable[[int], str] = str) -> pd.DataFrame:
    """A copy of ``frame`` with its :data:`PROVENANCE_COLUMNS` parsed from text into typed values.

    ``where(i)`` names row ``i`` (its position) in an error message.

    Raises
    ------
    ValueError
        A cell cannot be read; the message names the row, the column and the value.
    """
    out = frame.copy()
    for column in (c for c in PROVENANCE_COLUMNS if c in frame.columns):
        read = PROVENANCE_COLUMNS[column][1]
        values = []
        for i, cell in enumerate(frame[column]):
            try:
                values.append(read(cell))
            except (ValueError, TypeError) as exc:
                reason = _reason(exc)
                shown = cell if len(str(cell)) <= 80 else f"{str(cell)[:77]}..."
                raise ValueError(f"{where(i)}: {column} {shown!r}: {reason}") from None
        out[column] = pd.Series(values, index=frame.index, dtype=object)
    return out


def _reason(exc: Exception) -> str:
    if isinstance(exc, pydantic.ValidationError):
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        return f"{field}: {err['msg']}" if field else str(err["msg"])
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def layers_to_text(layers: Layers) -> dict[str, gpd.GeoDataFrame]:
    """The layers by name (``hubs``, ``legs``, ``corridors``) as the files hold them (:func:`provenance_to_text`)."""
    return {name: provenance_to_text(getattr(layers, name)) for name in ("hubs", "legs", "corridors")}


# --- the sources table ---------------------------------------------------------------------------


def sources_frame(layers: Layers) -> pd.DataFrame:
    """One row per citation: ``layer``, ``feature`` (corridor id, hub id, or corridor id/seq for a leg),
    ``field``, ``text``, ``url`` (NULL where the citation has none)."""
    rows: list[dict[str, str | None]] = []

    def add(layer: str, feature: str, field: str, sources: Iterable[Source]) -> None:
        rows.extend(
            {"layer": layer, "feature": feature, "field": field, "text": s.text, "url": s.url}  # no URL: NULL
            for s in sources
        )

    for name, key in (("corridors", "corridor_id"), ("hubs", "hub_id")):
        frame = getattr(layers, name)
        for feature, sources, facts in zip(frame[key], frame["source"], frame["facts"], strict=True):
            add(name, feature, "source", sources)
            for fact in facts:
                add(name, feature, f"facts: {fact.text}", fact.sources)
    legs = layers.legs
    gapfill = legs["gapfill_source"] if "gapfill_source" in legs.columns else [()] * len(legs)
    for cid, seq, sources, published, fill in zip(
        legs["corridor_id"], legs["seq"], legs["source"], legs["published_source"], gapfill, strict=True
    ):
        add("legs", f"{cid}/{seq}", "source", sources)
        add("legs", f"{cid}/{seq}", "published_source", published)
        add("legs", f"{cid}/{seq}", "gapfill_source", fill)
    return pd.DataFrame(rows, columns=["layer", "feature", "field", "text", "url"])


# --- attribution, licences, versions -------------------------------------------------------------


def tool_version() -> str:
    """corridor-mapper's installed version; ``0+unknown`` when run from a source tree."""
    try:
        return version("corridor-mapper")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def data_versions() -> dict[str, str]:
    """Versions of the installed packages whose data the geometry comes from."""
    found = {}
    for name in DATA_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def attribution_lines(layers: Layers) -> list[str]:
    """Every notice the layers' data owe: the lines' (see :attr:`Layers.attribution`), then the hubs'."""
    return [*layers.attribution, HUB_ATTRIBUTION]


def notices(cells: Iterable[str]) -> list[str]:
    """The licence notices in legs' ``attribution`` cells (``"; "``-separated), each once, sorted."""
    return sorted({a for cell in cells for a in str(cell).split("; ") if a})


def attribution_of_legs(cells: Iterable[str]) -> list[str]:
    """:func:`attribution_lines` of layers whose legs have these ``attribution`` cells."""
    return [*notices(cells), HUB_ATTRIBUTION]


def licence_lines(notices: Iterable[str]) -> list[str]:
    """The licence terms behind the attribution notices."""
    text = " ".join(notices)
    lines = ["Corridor facts, hubs and legs: desk research, each with its source (the source fields)."]
    if "OpenStreetMap" in text:
        lines.append(
            "Geometry derived from OpenStreetMap: © OpenStreetMap contributors, Open Database License 1.0 "
            f"({ODBL}); credit it, and share databases derived from it under the same licence."
        )
    if "Gap-fill" in text:
        lines.append(
            "Gap-fill rail lines: digitised by corridor-mapper from the published sources in each leg's "
            "gapfill_source field (station points from GeoNames and Wikipedia, junctions from the OpenStreetMap-"
            "derived network, bends from Natural Earth boundaries); accuracy per line in geo/data/gapfill.toml."
        )
    if "searoute" in text or "marnet" in text:
        lines.append("Sea routes: searoute (Apache-2.0), built on Eurostat's marnet maritime network; credit both.")
    return lines


def build_metadata(layers: Layers, parameters: Mapping[str, str] | None = None) -> dict[str, str]:
    """Attribution, licences, versions and build parameters, as flat text items."""
    notices = attribution_lines(layers)
    data = data_versions()
    return {
        "generator": f"corridor-mapper {tool_version()}",
        "attribution": " | ".join(notices),
        "licence": " | ".join(licence_lines(notices)),
        "data_versions": ", ".join(f"{k} {v}" for k, v in data.items()) or "none",
        "build_parameters": "; ".join(f"{k}={v}" for k, v in (parameters or {}).items()),
    }
