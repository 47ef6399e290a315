"""A leg's and a corridor's figures, computed once, here, for every output.

The layers (:mod:`layers.frames`), the layers read back from files
(:mod:`layers.read`), the maps, the index and every command take their figures
from these functions; none computes a figure of its own.

A corridor's figures come from its legs' rows (a table with the columns of the
``legs`` layer: ``mode``, ``status``, ``length_km``, ``countries``, in route
order), so that they are the same whether the legs were just routed or read
back from a file a user edited. Lengths are geodesic km (WGS84); countries are
ISO 3166-1 alpha-3 codes.
"""

from __future__ import annotations

import itertools
import math
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import shapely

from geo.borders import closed_borders_crossed
from geo.countries import countries_along
from geo.leg_geometry import LegGeometry
from geo.model import Hub, Leg, Mode, Status
from geo.transit import SUEZ_CANAL, Estimate, LegFacts, TransitModel, estimate, transit_model

if TYPE_CHECKING:
    import pandas as pd


__all__ = [
    "LEG_MODEL_COLUMNS",
    "border_crossings",
    "collapse",
    "corridor_estimate",
    "corridor_figures",
    "depends_on",
    "estimate_figures",
    "leg_countries",
    "leg_facts",
    "leg_figures",
    "leg_record",
]

LEG_MODEL_COLUMNS = ("days_min", "days_max", "co2e_kg_per_tonne")
"""The legs layer's columns the transit model fills (:func:`leg_figures`)."""


def collapse(seq: Iterable[str]) -> list[str]:
    """``seq`` with runs of the same value collapsed to one: ``A A B A`` → ``A B A``."""
    out: list[str] = []
    for k in seq:
        if not out or out[-1] != k:
            out.append(k)
    return out


_COUNTRIES: dict[int, tuple[weakref.ref[LegGeometry], dict[tuple[Any, ...], list[str]]]] = {}
"""Countries along each line already measured, by the line (kept while the line lives): a line is measured once
however many corridors and scenarios share it."""


def _forget(key: int) -> Any:
    return lambda _: _COUNTRIES.pop(key, None)


def leg_countries(leg: Leg, geometry: LegGeometry, hubs: Mapping[str, Hub]) -> list[str]:
    """The countries a leg passes through, in order: along the line for land legs (routed, or drawn through
    their via points), else (sea and ferry) its hubs'."""
    ends = tuple((h.country, h.lon, h.lat) if h else None for h in (hubs.get(leg.from_hub), hubs.get(leg.to_hub)))
    vias = tuple(hubs[v.hub].country if v.hub in hubs else "" for v in leg.via if v.hub is not None)
    key = (str(leg.mode), ends, vias)
    entry = _COUNTRIES.get(id(geometry))
    if entry is None or entry[0]() is not geometry:
        entry = (weakref.ref(geometry, _forget(id(geometry))), {})
        _COUNTRIES[id(geometry)] = entry
    if key not in entry[1]:
        entry[1][key] = _leg_countries(leg, geometry, hubs)
    return list(entry[1][key])


def _leg_countries(leg: Leg, geometry: LegGeometry, hubs: Mapping[str, Hub]) -> list[str]:
    via = [hubs[v.hub].country for v in leg.via if v.hub is not None and v.hub in hubs]
    ends = [hubs[h].country if h in hubs else "" for h in (leg.from_hub, leg.to_hub)]
    routed = geometry.method.endswith("network") and len(geometry.coords) > 3
    if leg.mode.is_water:
        middle = via
    elif routed:  # the network part only: the straight snap pieces at the ends are drawn, not travelled
        middle = countries_along([shapely.LineString(geometry.coords[1:-1])])
    else:  # a drawn alignment: where its line goes
        middle = countries_along([shapely.LineString(geometry.coords)])
    return [c for c in collapse([ends[0], *middle, ends[1]]) if c]


def depends_on(countries: Sequence[str]) -> str:
    """What a line through ``countries`` (in order) depends on: ``border ARM–AZE opening (closed since 1991)``.

    One phrase per closed border it crosses (:func:`geo.borders.closed_borders_crossed`), joined by ``; ``;
    empty when it crosses none.
    """
    return "; ".join(f"border {b.label} opening ({b.state} since {b.since})" for b in closed_borders_crossed(countries))


def border_crossings(countries: Sequence[str]) -> int:
    """The changes of country along ``countries`` (in route order)."""
    return sum(a != b for a, b in itertools.pairwise(countries))


def _gauge(value: Any) -> int | None:
    """A gauge cell as mm: None for an empty, missing or NaN cell (``pd.NA`` included: ``float`` refuses it)."""
    if value is None or value == "":
        return None
    try:
        mm = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(mm) else int(mm)


def _records(legs: Any) -> list[Mapping[str, Any]]:
    """Rows of the legs layer as mappings: a DataFrame's records, or the mappings as given."""
    return legs.to_dict("records") if hasattr(legs, "to_dict") else list(legs)


def leg_facts(row: Any) -> LegFacts:
    """What the transit model needs of a leg, from its row in the ``legs`` layer (a mapping or a named tuple)."""

    def get(key: str, default: Any = None) -> Any:
        return row.get(key, default) if isinstance(row, Mapping) else getattr(row, key, default)

    line = get("geometry")
    return LegFacts(
        from_hub=str(get("from_hub")),
        to_hub=str(get("to_hub")),
        mode=Mode(get("mode")),
        length_km=float(get("length_km")),
        countries=tuple(c for c in str(get("countries", "") or "").split(",") if c),
        gauge_mm=_gauge(get("gauge_mm")),
        via_suez=bool(line is not None and not line.is_empty and line.intersects(SUEZ_CANAL)),
    )


def leg_figures(row: Any, model: TransitModel | None = None) -> dict[str, float]:
    """A leg's own days (line haul, its borders, ferry wait, canal, port calls) and CO2e per tonne.

    The dwell between legs (a transshipment, a gauge change) belongs to the corridor, not to either leg.
    """
    e = estimate([leg_facts(row)], model)
    return {
        "days_min": round(e.days_min, 2),
        "days_max": round(e.days_max, 2),
        "co2e_kg_per_tonne": round(e.co2e_kg_per_tonne, 2),
    }


def leg_record(
    leg: Leg, geometry: LegGeometry, hubs: Mapping[str, Hub] | None, model: TransitModel | None = None
) -> dict[str, Any]:
    """A leg's figures as the legs layer's columns: its ends, mode and status, its km on and off the network,
    the quality of its line, its countries (with ``hubs``; else empty) and what it depends on, its gauge, its own
    days and CO2e (:func:`leg_figures`), how its line was made; and its line as ``geometry``."""
    g = geometry
    countries = leg_countries(leg, g, hubs) if hubs is not None else []
    record: dict[str, Any] = {
        "from_hub": leg.from_hub,
        "to_hub": leg.to_hub,
        "mode": str(leg.mode),
        "status": str(leg.status),
        "length_km": round(g.length_km, 3),
        "network_km": round(float(g.extras.get("network_km", 0.0)), 3),
        "gapfill_km": round(float(g.extras.get("gapfill_km", 0.0)), 3),
        "connector_km": round(float(g.extras.get("connector_km", 0.0)), 3),
        "snap_km": round(float(g.extras.get("snap_km", 0.0)), 3),
        "on_network_share": round(g.on_network_share, 4),
        "geometry_quality": g.quality,
        "published_km": leg.published_km,
        "countries": ",".join(countries),
        "depends_on": depends_on(countries),
        "gauge_mm": leg.gauge_mm,
        "method": g.method,
        "geometry": g.line,
    }
    record.update(leg_figures(record, model))
    return record


def corridor_estimate(legs: pd.DataFrame | Sequence[Mapping[str, Any]], model: TransitModel | None = None) -> Estimate:
    """The transit model's estimate for a corridor's legs (rows of the ``legs`` layer, in route order)."""
    return estimate([leg_facts(r) for r in _records(legs)], model)


def corridor_figures(
    legs: pd.DataFrame | Sequence[Mapping[str, Any]], model: TransitModel | None = None
) -> dict[str, Any]:
    """A corridor's key figures from its legs (rows of the ``legs`` layer, in route order).

    ``length_km`` and the km by mode and by status (sums of the legs'
    ``length_km``, rounded to the metre), ``n_legs``, ``countries`` (ISO3,
    comma-separated, in route order, each once) and ``border_crossings``
    (the changes of country along the way), ``depends_on`` (the legs'
    closed-border dependencies, each once, ``; ``-separated); from the transit
    model (:func:`geo.transit.estimate`): ``gauge_breaks``, ``transshipments``,
    ``days_min`` and ``days_max``, ``co2e_kg_per_tonne`` and ``co2e_kg_per_teu``
    and the ``co2e_scope`` they are in.
    """
    model = model or transit_model()
    rows = _records(legs)
    e = corridor_estimate(rows, model)
    km: dict[str, float] = {}
    by_status: dict[str, float] = {}
    for r in rows:
        km[str(r["mode"])] = km.get(str(r["mode"]), 0.0) + float(r["length_km"])
        by_status[str(r["status"])] = by_status.get(str(r["status"]), 0.0) + float(r["length_km"])
    countries = collapse(k for r in rows for k in str(r["countries"]).split(",") if k)
    cells = [r["depends_on"] for r in rows if "depends_on" in r]
    return {
        "length_km": round(math.fsum(float(r["length_km"]) for r in rows), 3),
        **{f"{m}_km": round(km.get(str(m), 0.0), 3) for m in Mode},
        "under_construction_km": round(by_status.get(str(Status.UNDER_CONSTRUCTION), 0.0), 3),
        "planned_km": round(by_status.get(str(Status.PLANNED), 0.0), 3),
        "n_legs": len(rows),
        "border_crossings": border_crossings(countries),
        "countries": ",".join(dict.fromkeys(countries)),
        "depends_on": "; ".join(dict.fromkeys(p for cell in cells for p in str(cell).split("; ") if p)),
        **estimate_figures(e),
        "co2e_scope": model.short_scope,
    }


def estimate_figures(e: Estimate) -> dict[str, Any]:
    """The transit model's figures of a route as its columns: gauge breaks, transshipments, days, CO2e (rounded as
    every output shows them)."""
    return {
        "gauge_breaks": e.gauge_breaks,
        "transshipments": e.transshipments,
        "days_min": round(e.days_min, 1),
        "days_max": round(e.days_max, 1),
        "co2e_kg_per_tonne": round(e.co2e_kg_per_tonne, 1),
        "co2e_kg_per_teu": round(e.co2e_kg_per_teu, 0),
    }
