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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from geo.catalog import Catalog
from geo.claims import check_claims
from geo.geometry import GeometryBuilder, LegGeometry
from geo.metrics import corridor_figures, leg_record
from geo.model import Corridor, Hub, Leg, Mode
from layers.provenance import citations, notices

__all__ = [
    "CRS",
    "Layers",
    "corridor_line",
    "corridors_frame",
    "hubs_frame",
    "layers_from_catalog",
    "legs_frame",
]

CRS = "EPSG:4326"

HUB_COLUMNS = ["hub_id", "name", "country", "kind", "corridors", "source", "facts", "notes"]
LEG_COLUMNS = [
    "corridor_id", "seq", "from_hub", "to_hub", "mode", "status", "length_km",
    "network_km", "gapfill_km", "connector_km", "snap_km", "on_network_share", "geometry_quality",
    "published_km", "countries", "depends_on", "gauge_mm", "days_min", "days_max", "co2e_kg_per_tonne",
    "source", "published_source", "gapfill_source", "method", "attribution", "notes",
]  # fmt: skip
CORRIDOR_COLUMNS = [
    "corridor_id", "name", "length_km", *(f"{m}_km" for m in Mode),
    "under_construction_km", "planned_km", "n_legs", "border_crossings", "gauge_breaks", "transshipments",
    "days_min", "days_max", "co2e_kg_per_tonne", "co2e_kg_per_teu", "co2e_scope", "countries", "depends_on", "summary",
    "facts", "claims_checked", "source", "as_of",
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
        return notices(self.legs["attribution"])


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


def legs_frame(
    corridors: Sequence[Corridor],
    geometry_of: Callable[[Leg], LegGeometry],
    hubs: Mapping[str, Hub] | None = None,
) -> gpd.GeoDataFrame:
    """One line per leg of each corridor, numbered from 1 in route order.

    With ``hubs``, ``countries`` lists the countries each leg passes through
    (see :func:`geo.metrics.leg_countries`); without, it is empty.
    """
    rows, lines = [], []
    for c in corridors:
        for seq, leg in enumerate(c.legs, start=1):
            g = geometry_of(leg)
            rows.append(
                {
                    "corridor_id": c.id,
                    "seq": seq,
                    **leg_record(leg, g, hubs),
                    "source": citations(leg.sources),
                    "published_source": citations([leg.published_km_source]),
                    "gapfill_source": citations(g.extras.get("gapfill_sources", ())),
                    "attribution": "; ".join(g.attribution),
                    "notes": leg.notes,
                }
            )
            lines.append(g.line)
    frame = pd.DataFrame(rows, columns=LEG_COLUMNS).astype(
        {"seq": "int32", "published_km": "float64", "gauge_mm": "Int32"}
    )
    return gpd.GeoDataFrame(frame, geometry=lines, crs=CRS)


def corridor_line(legs: gpd.GeoDataFrame) -> shapely.MultiLineString:
    """A corridor's line: its legs' lines (or their parts) as one multi-line, in route order."""
    return shapely.multilinestrings([p for g in legs.geometry for p in getattr(g, "geoms", [g])])


def corridors_frame(catalog: Catalog, corridors: Sequence[Corridor], legs: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One multi-line per corridor with its key figures (see :func:`geo.metrics.corridor_figures`).

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
                "as_of": catalog.as_of,
            }
        )
        lines.append(corridor_line(mine))
    checks = check_claims(
        {c.id: c for c in corridors}, {r["corridor_id"]: r for r in rows}, {c.id: c.name for c in corridors}
    )
    for r in rows:
        r["claims_checked"] = "\n".join(f"{k.fact}: {k.sentence}" for k in checks if k.corridor_id == r["corridor_id"])
    frame = pd.DataFrame(rows, columns=CORRIDOR_COLUMNS).astype(
        {"n_legs": "int32", "border_crossings": "int32", "gauge_breaks": "int32", "transshipments": "int32"}
    )
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
