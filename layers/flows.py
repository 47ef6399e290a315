"""Freight flows as GeoDataFrames and a GeoPackage: layers ``flows``, ``flow_legs``, ``flow_inputs``, ``flow_hubs``.

All in EPSG:4326; lengths geodesic (WGS84), in km; volumes in tonnes and in
TEU, each in its own column (never added together; 0 where a line carries none
of that unit). Tabulation only: the sums come from :mod:`geo.flows`.

- ``flows``: one line per run of network edges carrying the same flows
  (:func:`geo.flows.edge_runs`): ``mode, tonnes, teu, n_flows, flow_ids, flows,
  countries, length_km``;
- ``flow_legs``: one line per leg of the routes (directed, one mode between two
  hubs), with the same volume columns;
- ``flow_inputs``: the flows file's rows with their assignment (the route's
  hubs, its km and countries, or why it has none; the route's line, or none);
- ``flow_hubs``: the hubs the flows start and end at.

``flow_ids`` are the ``flow_id`` of ``flow_inputs`` (1 for the file's first
flow), comma-separated; ``flows`` says the same for people. The GeoPackage is
byte-identical from one run of the same input to the next (:data:`layers.io.GPKG_DATE`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from geo.flows import Assignment, EdgeRun, Flow, Volumes, edge_runs
from layers.frames import CRS
from layers.io import GPKG_DATE, gdal_config
from layers.provenance import HUB_ATTRIBUTION, data_versions, licence_lines, tool_version

__all__ = ["FLOW_LAYER_TITLES", "FlowLayers", "flow_layers", "write_flows_attribution", "write_flows_geopackage"]

FLOW_LAYER_TITLES = {
    "flows": "Freight flows per network edge: runs of edges carrying the same flows, tonnes and TEU apart",
    "flow_legs": "Freight flows per leg of the routes (directed, one mode between two hubs), tonnes and TEU apart",
    "flow_inputs": "The flows file's rows with their assignment: the route, its km and countries, or why none",
    "flow_hubs": "The hubs the flows start and end at",
}
"""Each layer's description, written into the GeoPackage."""


@dataclass(frozen=True)
class FlowLayers:
    """The layers of an assignment of flows."""

    flows: gpd.GeoDataFrame
    legs: gpd.GeoDataFrame
    inputs: gpd.GeoDataFrame
    hubs: gpd.GeoDataFrame
    attribution: tuple[str, ...]
    """The notices the lines owe (the OpenStreetMap-derived networks', the sea routes'), then the hubs'."""

    def by_name(self) -> dict[str, gpd.GeoDataFrame]:
        return {"flows": self.flows, "flow_legs": self.legs, "flow_inputs": self.inputs, "flow_hubs": self.hubs}


def _volume_columns(v: Volumes, flows: tuple[Flow, ...]) -> dict[str, object]:
    return {
        "tonnes": float(v.tonnes),
        "teu": float(v.teu),
        "n_flows": len(v.flows),
        "flow_ids": ",".join(str(i + 1) for i in v.flows),
        "flows": "; ".join(flows[i].label() for i in v.flows),
    }


def _runs_frame(runs: list[EdgeRun], flows: tuple[Flow, ...]) -> gpd.GeoDataFrame:
    rows = [
        {"mode": str(r.mode), **_volume_columns(r.volumes, flows), "countries": ",".join(r.countries),
         "length_km": round(r.length_km, 3)}
        for r in runs
    ]  # fmt: skip
    columns = ["mode", "tonnes", "teu", "n_flows", "flow_ids", "flows", "countries", "length_km"]
    return gpd.GeoDataFrame(rows, columns=columns, geometry=[r.line for r in runs], crs=CRS)


def flow_layers(assignment: Assignment, *, runs: list[EdgeRun] | None = None) -> FlowLayers:
    """The layers of ``assignment`` (``runs``: its :func:`geo.flows.edge_runs`, made here if not given)."""
    flows = assignment.flows
    runs = edge_runs(assignment) if runs is None else runs
    legs = gpd.GeoDataFrame(
        [
            {"from_hub": leg.from_hub, "to_hub": leg.to_hub, "mode": str(leg.mode),
             **_volume_columns(leg.volumes, flows), "length_km": round(leg.geometry.length_km, 3)}
            for leg in assignment.legs
        ],
        columns=["from_hub", "to_hub", "mode", "tonnes", "teu", "n_flows", "flow_ids", "flows", "length_km"],
        geometry=[leg.geometry.line for leg in assignment.legs],
        crs=CRS,
    )  # fmt: skip
    why = {u.flow: u.reason for u in assignment.unassigned}
    rows: list[dict[str, object]] = []
    lines: list[shapely.MultiLineString | None] = []
    for i, f in enumerate(flows):
        route = assignment.routes.get(f.pair)
        row: dict[str, object] = {
            "flow_id": i + 1, "line": f.line, "origin": f.origin_text, "destination": f.destination_text,
            "origin_hub": f.origin.id, "destination_hub": f.destination.id, "volume": float(f.volume), "unit": f.unit,
            "assigned": route is not None, "route_id": "", "route": "", "modes": "", "length_km": math.nan,
            "countries": "", "reason": why.get(i, ""),
        }  # fmt: skip
        if route is None:
            lines.append(None)
        else:
            legs_ = route.corridor.legs
            geoms = [route.geometry_of(leg) for leg in legs_]
            row |= {
                "route_id": route.corridor.id,
                "route": " → ".join([legs_[0].from_hub, *(leg.to_hub for leg in legs_)]),
                "modes": ",".join(dict.fromkeys(str(leg.mode) for leg in legs_)),
                "length_km": round(sum(g.length_km for g in geoms), 3),
                "countries": ",".join(route.countries),
            }
            lines.append(shapely.MultiLineString([g.line for g in geoms]))
        rows.append(row)
    inputs = gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(lines, crs=CRS), crs=CRS)
    ends = sorted({h for f in flows for h in f.pair})
    hub_rows = [
        {"hub_id": h, "name": assignment.hubs[h].name, "country": assignment.hubs[h].country,
         "kind": str(assignment.hubs[h].kind)}
        for h in ends
    ]  # fmt: skip
    hubs = gpd.GeoDataFrame(
        hub_rows,
        columns=["hub_id", "name", "country", "kind"],
        geometry=[shapely.Point(assignment.hubs[h].lon, assignment.hubs[h].lat) for h in ends],
        crs=CRS,
    )
    return FlowLayers(_runs_frame(runs, flows), legs, inputs, hubs, (*assignment.attribution, HUB_ATTRIBUTION))


def flows_metadata(layers: FlowLayers, parameters: Mapping[str, str] | None = None) -> dict[str, str]:
    """Attribution, licences, versions and run parameters, as flat text items."""
    return {
        "generator": f"corridor-mapper {tool_version()}",
        "attribution": " | ".join(layers.attribution),
        "licence": " | ".join(licence_lines(layers.attribution)),
        "data_versions": ", ".join(f"{k} {v}" for k, v in data_versions().items()) or "none",
        "build_parameters": "; ".join(f"{k}={v}" for k, v in (parameters or {}).items()),
    }


def write_flows_geopackage(layers: FlowLayers, path: Path, *, parameters: Mapping[str, str] | None = None) -> Path:
    """Write the four layers into one GeoPackage 1.2, replacing it; every date in it is :data:`GPKG_DATE`.

    Returns
    -------
    Path
        ``path``.
    """
    meta = flows_metadata(layers, parameters)
    path.unlink(missing_ok=True)
    with gdal_config({"OGR_CURRENT_DATE": GPKG_DATE}):
        for i, (name, frame) in enumerate(layers.by_name().items()):
            pyogrio.write_dataframe(
                frame,
                path,
                layer=name,
                driver="GPKG",
                append=i > 0,
                promote_to_multi=False,
                VERSION="1.2",
                IDENTIFIER=name,
                DESCRIPTION=FLOW_LAYER_TITLES[name],
                dataset_metadata=meta if i == 0 else None,
                layer_metadata={"attribution": meta["attribution"], "licence": meta["licence"]},
            )
    return path


def write_flows_attribution(
    layers: FlowLayers, path: Path, *, files: tuple[str, ...] = (), parameters: Mapping[str, str] | None = None
) -> Path:
    """A plain-text ``ATTRIBUTION`` file: what the flow layers owe to whom, their licences, how they were made."""
    meta = flows_metadata(layers, parameters)
    lines = [
        f"Flow layers written by corridor-mapper {tool_version()}.",
        "",
        "The data in these files come from, and must be credited to:",
        *(f"- {n}" for n in layers.attribution),
        "",
        "Licences:",
        *(f"- {line}" for line in licence_lines(layers.attribution)),
        "",
        "Files:",
        *(f"  {f}" for f in files),
        "",
        "How they were made:",
        f"- tool: {meta['generator']}",
        f"- data packages: {meta['data_versions']}",
        *(f"- {k}: {v}" for k, v in (parameters or {}).items()),
        "",
        "Each flow takes the shortest route on the multimodal graph (corridors route); volumes are summed per",
        "leg and per network edge, tonnes and TEU apart. Lengths are geodesic (WGS84).",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
