"""The ``corridors flows`` pipeline: a flows file → routes → sums per leg and edge → layers and a flow map, written
all or nothing.

Into ``DIR`` (see :mod:`maps.output`): ``layers/flows.gpkg`` (:mod:`layers.flows`),
``layers/ATTRIBUTION`` and ``maps/flows.html`` (:mod:`maps.flows_map`), through
the same staging folder and manifest as a build, so that a failed run leaves
``DIR`` as it was and a second run replaces only what the first wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geo.catalog import Catalog, load_catalog
from geo.flows import Assignment, assign_flows, edge_runs, read_flows
from geo.model import Mode
from layers.flows import FlowLayers, flow_layers, write_flows_attribution, write_flows_geopackage
from layers.provenance import tool_version
from maps.flows_map import flows_map
from maps.output import PAGES, check_out, staged_output
from maps.planning import Progress, Silent, prepare_networks
from maps.render import DEFAULT_TILES, Tiles, render_html, resolve_tiles

__all__ = ["FLOWS_GPKG", "FlowsResult", "build_flows"]

FLOWS_GPKG = "layers/flows.gpkg"
"""Where the flow layers go in the output folder."""


@dataclass(frozen=True)
class FlowsResult:
    """Flows assigned and written: the assignment, its layers, the output folder and every file written."""

    assignment: Assignment
    layers: FlowLayers
    out: Path
    files: list[Path]
    """Relative to ``out``, sorted."""

    @property
    def map(self) -> Path:
        return self.out / PAGES["flows"]


def default_out(flows_file: Path | str) -> Path:
    """``./<the flows file's name>-map``: ``flows.csv`` → ``flows-map``."""
    return Path(f"{Path(flows_file).stem}-map")


def build_flows(
    flows_file: Path | str,
    out: Path | str | None = None,
    *,
    modes: Iterable[Mode] | None = None,
    avoid: Sequence[str] = (),
    catalog_files: Sequence[Path | str] = (),
    catalog: Catalog | None = None,
    tiles: Tiles | None = DEFAULT_TILES,
    progress: Progress | None = None,
    **route_options: Any,
) -> FlowsResult:
    """``corridors flows``: assign the flows of ``flows_file`` to their routes and write the layers and the map.

    ``catalog`` (else the embedded one plus ``catalog_files``) names the hubs;
    ``modes``, ``avoid`` and ``route_options`` go to :func:`geo.flows.assign_flows`.
    ``out`` defaults to :func:`default_out`.

    Returns
    -------
    FlowsResult
        The assignment, its layers and the files written.

    Raises
    ------
    CatalogError
        The flows file (or a catalog file) is unreadable or breaks the rules; nothing is written.
    OptionError
        A mode, country code or tile provider is not understood; nothing is written.
    OutputError
        ``out`` cannot take the output, or cannot be written.
    """
    progress = progress or Silent()
    flows_file = Path(flows_file)
    if tiles:
        resolve_tiles(tiles)
    target = check_out(out if out is not None else default_out(flows_file))
    catalog = catalog or load_catalog(catalog_files)
    flows = read_flows(flows_file, catalog)
    chosen = tuple(modes) if modes is not None else None
    if "network_of" not in route_options:
        from geo.multimodal import DEFAULT_MODES

        land = [str(m) for m in (chosen or DEFAULT_MODES) if m in (Mode.RAIL, Mode.ROAD)]
        prepare_networks(land, progress)
    pairs = len({f.pair for f in flows})
    progress.start(pairs + 4)
    assignment = assign_flows(catalog, flows, modes=chosen, avoid=avoid, progress=progress.step, **route_options)
    progress.step("lines: merging edges carrying the same flows")
    layers = flow_layers(assignment, runs=edge_runs(assignment))
    parameters = {
        "input": f"corridors flows {flows_file.name}",
        "flows": str(len(flows)),
        "pairs": str(pairs),
        "avoid": ",".join(a.strip().upper() for a in avoid if a.strip()) or "none",
        "modes": ",".join(map(str, chosen)) if chosen else "default",
    }
    with staged_output(target, f"corridor-mapper {tool_version()}") as staging:
        (staging / "layers").mkdir()
        (staging / "maps").mkdir()
        progress.step("layers: gpkg")
        write_flows_geopackage(layers, staging / FLOWS_GPKG, parameters=parameters)
        write_flows_attribution(
            layers, staging / "layers" / "ATTRIBUTION", files=("flows.gpkg",), parameters=parameters
        )
        progress.step("maps: flows")
        (staging / PAGES["flows"]).write_text(render_html(flows_map(layers, tiles=tiles)), encoding="utf-8")
        files = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
    return FlowsResult(assignment, layers, target, files)
