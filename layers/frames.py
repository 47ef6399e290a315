"""Corridors as GeoDataFrames: the ``hubs``, ``legs`` and ``corridors`` layers.

All three are in EPSG:4326. Lengths are geodesic (WGS84), in km. Line
longitudes are continuous along each line (see :mod:`geo.geometry`).

Sources and facts stay typed: the ``source`` and ``published_source``
columns hold tuples of :class:`geo.model.Source`, one per citation
(:func:`layers.provenance.citations`), ``facts`` tuples of
:class:`geo.model.Fact`. Writers turn them into text through
:mod:`layers.provenance`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.borders import closed_borders_crossed
from geo.catalog import Catalog
from geo.countries import countries_along
from geo.geometry import GeometryBuilder, LegGeometry
from geo.model import Corridor, Hub, Leg, Mode, Status
from layers.provenance import citations

__all__ = [
    "CRS",
    "Layers",
    "corridor_figures",
    "corridor_line",
    "corridors_frame",
    "depends_on",
    "hubs_frame",
    "layers_from_catalog",
    "legs_frame",
]

CRS = "EPSG:4326"

HUB_COLUMNS = ["hub_id", "name", "country", "kind", "corridors", "source", "facts", "notes"]
LEG_COLUMNS = [
    "corridor_id", "seq", "from_hub", "to_hub", "mode", "status", "length_km",
    "network_km", "gapfill_km", "connector_km", "snap_km", "on_network_share", "geometry_quality",
    "published_km", "countries", "depends_on", "source", "published_source", "gapfill_source", "method",
    "attribution", "notes",
]  # fmt: skip
CORRIDOR_COLUMNS = [
    "corridor_id", "name", "length_km", *(f"{m}_km" for m in Mode),
    "under_construction_km", "planned_km", "n_legs", "border_crossings", "countries", "depends_on", "summary", "facts",
    "source",
]  # fmt: skip


@dataclass(frozen=True)
class Layers:
    """The three layers of a set of corridors."""

    hubs: gpd.GeoDataFrame
    legs: gpd.GeoDataFrame
    corridors: gpd.GeoDataFrame

    def for_corridor(self, corridor_id: str) -> Layers:
        """The layers restricted to one corridor."""
        legs = self.legs[self.legs["corridor_id"] == corridor_id]
        on_route = self.hubs["corridors"].str.split(",").apply(lambda ids: corridor_id in ids)
        return Layers(
            hubs=self.hubs[on_route],
            legs=legs,
            corridors=self.corridors[self.corridors["corridor_id"] == corridor_id],
        )

    @property
    def attribution(self) -> list[str]:
        """Every licence notice the layers' data owe, each once, sorted."""
        notices = {a for cell in self.legs["attribution"] for a in cell.split("; ") if a}
        return sorted(notices)


def hubs_frame(catalog: Catalog, corridors: Sequence[Corridor], *, every_hub: bool = False) -> gpd.GeoDataFrame:
    """One point per hub used by ``corridors``, in first-use order; with ``every_hub``, then the catalog's other
    hubs (their ``corridors`` empty), so that a full build's layer holds the whole reference."""
    used: dict[str, list[str]] = {}
    for c in corridors:
        for h in c.hub_ids:
            used.setdefault(h, []).append(c.id)
    if every_hub:
        for h in catalog.hubs:
            used.setdefault(h, [])
    hubs = [catalog.hubs[h] for h in used]
    data = {
        "hub_id": [h.id for h in hubs],
        "name": [h.name for h in hubs],
        "country": [h.country for h in hubs],
        "kind": [str(h.kind) for h in hubs],
        "corridors": [",".join(used[h.id]) for h in hubs],
        "source": [citations(h.sources) for h in hubs],
        "facts": [tuple(h.facts) for h in hubs],
        "notes": [h.notes for h in hubs],
    }
    geometry = shapely.points([h.lon for h in hubs], [h.lat for h in hubs])
    return gpd.GeoDataFrame(data, columns=HUB_COLUMNS, geometry=geometry, crs=CRS)


def _collapse(seq: Iterable[str]) -> list[str]:
    out: list[str] = []
    for k in seq:
        if not out or out[-1] != k:
            out.append(k)
    return out


def leg_countries(leg: Leg, geometry: LegGeometry, hubs: Mapping[str, Hub]) -> list[str]:
    """The countries a leg passes through, in order: along the line for land legs (routed, or drawn through
    their via points), else (sea and ferry) its hubs'."""
    via = [hubs[v.hub].country for v in leg.via if v.hub is not None and v.hub in hubs]
    ends = [hubs[h].country if h in hubs else "" for h in (leg.from_hub, leg.to_hub)]
    routed = geometry.method.endswith("network") and len(geometry.coords) > 3
    if leg.mode.is_water:
        middle = via
    elif routed:  # the network part only: the straight snap pieces at the ends are drawn, not travelled
        middle = countries_along([shapely.LineString(geometry.coords[1:-1])])
    else:  # a drawn alignment: where its line goes
        middle = countries_along([shapely.LineString(geometry.coords)])
    return [c for c in _collapse([ends[0], *middle, ends[1]]) if c]


def depends_on(countries: Sequence[str]) -> str:
    """What a line through ``countries`` (in order) depends on: ``border ARM–AZE opening (closed since 1991)``.

    One phrase per closed border it crosses (:func:`geo.borders.closed_borders_crossed`), joined by ``; ``;
    empty when it crosses none.
    """
    return "; ".join(f"border {b.label} opening ({b.state} since {b.since})" for b in closed_borders_crossed(countries))


def legs_frame(
    corridors: Sequence[Corridor],
    geometry_of: Callable[[Leg], LegGeometry],
    hubs: Mapping[str, Hub] | None = None,
) -> gpd.GeoDataFrame:
    """One line per leg of each corridor, numbered from 1 in route order.

    With ``hubs``, ``countries`` lists the countries each leg passes through
    (see :func:`leg_countries`); without, it is empty.
    """
    rows, lines = [], []
    for c in corridors:
        for seq, leg in enumerate(c.legs, start=1):
            g = geometry_of(leg)
            countries = leg_countries(leg, g, hubs) if hubs is not None else []
            rows.append(
                {
                    "corridor_id": c.id,
                    "seq": seq,
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
                    "source": citations(leg.sources),
                    "published_source": citations([leg.published_km_source]),
                    "gapfill_source": citations(g.extras.get("gapfill_sources", ())),
                    "method": g.method,
                    "attribution": "; ".join(g.attribution),
                    "notes": leg.notes,
                }
            )
            lines.append(g.line)
    frame = pd.DataFrame(rows, columns=LEG_COLUMNS).astype({"seq": "int32", "published_km": "float64"})
    return gpd.GeoDataFrame(frame, geometry=lines, crs=CRS)


def _border_crossings(countries: Sequence[str]) -> int:
    return sum(a != b for a, b in itertools.pairwise(countries))


def corridor_figures(legs: pd.DataFrame) -> dict[str, Any]:
    """A corridor's key figures from its legs (rows of :func:`legs_frame`, in route order).

    ``length_km`` and the km by mode and by status (sums of the legs'
    ``length_km``, rounded to the metre), ``n_legs``, ``countries`` (ISO3,
    comma-separated, in route order, each once) and ``border_crossings``
    (the changes of country along the way), ``depends_on`` (the legs'
    closed-border dependencies, each once, ``; ``-separated).
    """
    km = legs.groupby("mode")["length_km"].sum()
    by_status = legs.groupby("status")["length_km"].sum()
    countries = _collapse(k for cell in legs["countries"] for k in str(cell).split(",") if k)
    cells = legs.get("depends_on", [])
    return {
        "length_km": round(float(legs["length_km"].sum()), 3),
        **{f"{m}_km": round(float(km.get(str(m), 0.0)), 3) for m in Mode},
        "under_construction_km": round(float(by_status.get(str(Status.UNDER_CONSTRUCTION), 0.0)), 3),
        "planned_km": round(float(by_status.get(str(Status.PLANNED), 0.0)), 3),
        "n_legs": len(legs),
        "border_crossings": _border_crossings(countries),
        "countries": ",".join(dict.fromkeys(countries)),
        "depends_on": "; ".join(dict.fromkeys(p for cell in cells for p in str(cell).split("; ") if p)),
    }


def corridor_line(legs: gpd.GeoDataFrame) -> shapely.MultiLineString:
    """A corridor's line: its legs' lines (or their parts) as one multi-line, in route order."""
    return shapely.multilinestrings([p for g in legs.geometry for p in getattr(g, "geoms", [g])])


def corridors_frame(catalog: Catalog, corridors: Sequence[Corridor], legs: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One multi-line per corridor with its key figures (see :func:`corridor_figures`).

    ``countries`` lists the countries the corridor passes through, in route
    order, each once (ISO3, comma-separated): along the line of routed land
    legs, and the hubs' countries for sea, ferry and straight legs.
    ``border_crossings`` counts the changes of country along the way.
    """
    rows, lines = [], []
    for c in corridors:
        mine = legs[legs["corridor_id"] == c.id]
        rows.append(
            {
                "corridor_id": c.id,
                "name": c.name,
                **corridor_figures(mine),
                "summary": c.summary,
                "facts": tuple(c.facts),
                "source": citations(c.sources),
            }
        )
        lines.append(corridor_line(mine))
    frame = pd.DataFrame(rows, columns=CORRIDOR_COLUMNS).astype({"n_legs": "int32", "border_crossings": "int32"})
    return gpd.GeoDataFrame(frame, geometry=lines, crs=CRS)


def layers_from_catalog(
    catalog: Catalog,
    corridors: Sequence[Corridor],
    *,
    geometry_of: Callable[[Leg], LegGeometry] | None = None,
    every_hub: bool = False,
) -> Layers:
    """Build the three layers of ``corridors``.

    ``geometry_of`` turns a leg into its line; the default is a
    :class:`geo.geometry.GeometryBuilder` over the catalog's hubs. With
    ``every_hub`` the hubs layer holds every catalog hub, used or not.
    """
    geometry_of = geometry_of or GeometryBuilder(catalog.hubs)
    legs = legs_frame(corridors, geometry_of, catalog.hubs)
    return Layers(
        hubs=hubs_frame(catalog, corridors, every_hub=every_hub),
        legs=legs,
        corridors=corridors_frame(catalog, corridors, legs),
    )
