"""The country outlines the map pages draw under their lines, as quantised TopoJSON one file can share.

The outlines are 68 % of a page's bytes when each page embeds them as GeoJSON. Here
they are encoded once as TopoJSON (the `topojson` package: a border two countries
share is stored once, coordinates are integers on a grid, each point a small delta
from the one before), and a build writes it once, in ``DIR/maps/shared/``,
as a script every page loads with ``<script src>`` (which works from ``file://``, where a
``fetch`` would not). The page decodes it with topojson-client. A page made outside
a build, or a self-contained one, carries its own part inline instead.

A page draws one *level* of outlines, the simplification tolerance that suits its
scale (see :data:`maps.render.OUTLINE_LEVELS`); the shared file holds, per level,
the countries within the box that covers every page drawing that level, so a build
of the Caucasus corridors carries no outline of China at the fine level. There is one
file per level (``outlines-0.05.js``): a page loads only the level it draws.

CRS: EPSG:4326, degrees; a level's grid (:func:`grid_step`) is a fraction of its
tolerance, so quantising moves no point by more than a fraction of a pixel at the
scales where the level is drawn. The encoded text is cached on disk beside the
simplified outlines (see :mod:`geo._cache`): encoding takes a fraction of a second
per level and box, and a build would repeat it every time. Same request, same bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import version

import shapely

from geo._cache import cache_dir, read_json, write_json
from geo.countries import OUTLINES_ATTRIBUTION, OUTLINES_PACKAGE, simplified_outlines

__all__ = [
    "GLOBAL_NAME",
    "TOPOJSON_CLIENT_URL",
    "Box",
    "SharedOutlines",
    "grid_step",
    "level_key",
    "outline_topology",
    "outlines_file",
    "outlines_script",
    "round_box",
]

Box = tuple[float, float, float, float]
"""A box in degrees: west, south, east, north."""

GLOBAL_NAME = "cmOutlines"
"""The global the script assigns: ``{level key: TopoJSON topology}``, each with one object ``countries``."""
TOPOJSON_CLIENT_URL = "https://cdn.jsdelivr.net/npm/topojson-client@3.1.0/dist/topojson-client.min.js"
"""The decoder the pages load (topojson-client 3.1.0, ISC licence), like Leaflet, from the CDN or inlined."""
GRID_SHARE = 0.25
"""A level's grid step is this share of its tolerance (0.12° → 0.03°, about 3 km: under a pixel to zoom 6)."""
ISLAND_PIXELS = 4.0
"""Parts of a country smaller than this many squared tolerances are left out: a few pixels at the level's scale."""
_FORMAT = "topo-v2"
"""Bump when the encoding changes, so that cached files of an older encoding are not reused (v2: kept as text)."""


def level_key(tolerance: float) -> str:
    """The key of a level in :data:`GLOBAL_NAME`: its tolerance, as written (``0.05``)."""
    return f"{tolerance:g}"


def grid_step(tolerance: float) -> float:
    """The quantisation grid of a level, in degrees."""
    return GRID_SHARE * tolerance


def round_box(box: Box) -> Box:
    """``box`` widened to whole degrees and kept within ±180°, ±85°: boxes of neighbouring pages then coincide,
    and so do their cached encodings."""
    w, s, e, n = box
    return (
        float(max(math.floor(w), -180)),
        float(max(math.floor(s), -85)),
        float(min(math.ceil(e), 180)),
        float(min(math.ceil(n), 85)),
    )


def _union(boxes: Iterable[Box]) -> Box:
    b = list(boxes)
    return min(x[0] for x in b), min(x[1] for x in b), max(x[2] for x in b), max(x[3] for x in b)


def _encode(tolerance: float, box: Box) -> dict[str, object]:
    import topojson  # lazy: only when the cache lacks this level and box

    parts = []
    for geom in simplified_outlines(tolerance)[1]:
        clipped = shapely.clip_by_rect(geom, *box)
        if clipped.is_empty:
            continue
        pieces = [g for g in getattr(clipped, "geoms", [clipped]) if g.area >= ISLAND_PIXELS * tolerance**2]
        if pieces:
            parts.append(shapely.union_all(pieces))
    if not parts:
        return {
            "type": "Topology",
            "objects": {"countries": {"type": "GeometryCollection", "geometries": []}},
            "arcs": [],
        }
    w, s, e, n = box
    steps = max(2, math.ceil(max(e - w, n - s) / grid_step(tolerance)) + 1)
    topology: dict[str, object] = topojson.Topology(parts, prequantize=steps, object_name="countries").to_dict()
    objects = topology["objects"]
    assert isinstance(objects, dict)
    for geometry in objects["countries"]["geometries"]:
        geometry.pop("id", None)  # the pages only draw the outlines: no ids, no properties
    topology.pop("bbox", None)
    return topology


def outline_topology(tolerance: float, box: Box) -> dict[str, object]:
    """The countries within ``box`` (rounded, :func:`round_box`), simplified by ``tolerance``, as TopoJSON.

    One object, ``countries``, without ids or properties; islands of a few pixels left
    out. Cached on disk by the outlines' version, the encoder's version, the level and the box.

    Returns
    -------
    dict
        The TopoJSON topology, ready for :func:`json.dumps`.
    """
    result: dict[str, object] = json.loads(_topology_text(tolerance, box))
    return result


def _topology_text(tolerance: float, box: Box) -> str:
    """:func:`outline_topology` as compact JSON, keys sorted: cached as that text (a build decodes nothing)."""
    box = round_box(box)
    request = json.dumps([_FORMAT, version(OUTLINES_PACKAGE.replace("_", "-")), version("topojson"), tolerance, box])
    path = cache_dir() / f"outlines-topo-{hashlib.sha256(request.encode()).hexdigest()[:16]}.json"
    cached = read_json(path)
    if isinstance(cached, dict) and cached.get("request") == request and isinstance(cached.get("text"), str):
        return str(cached["text"])
    text = json.dumps(_encode(tolerance, box), separators=(",", ":"), sort_keys=True)
    write_json(path, {"request": request, "text": text})
    return text


def outlines_script(levels: dict[str, tuple[float, Box]]) -> str:
    """The script that adds ``levels`` (level key → the tolerance and box of :func:`outline_topology`) to
    :data:`GLOBAL_NAME`; safe inside ``<script>``."""
    lines = [f"/* {OUTLINES_ATTRIBUTION}: TopoJSON, decoded by topojson-client */"]
    for key, (tolerance, box) in sorted(levels.items()):
        data = _topology_text(tolerance, box).replace("</", "<\\/")
        lines.append(f"(window.{GLOBAL_NAME}=window.{GLOBAL_NAME}||{{}})[{json.dumps(key)}]={data};")
    return "\n".join(lines) + "\n"


def outlines_file(tolerance: float) -> str:
    """The shared file of a level: ``outlines-0.12.js``."""
    return f"outlines-{level_key(tolerance)}.js"


@dataclass
class SharedOutlines:
    """The outlines the pages of one build share, one file per level in the build's shared folder.

    Each page rendered with it asks for its level and box (:meth:`src`) and loads the
    level's file; once every page is rendered, :meth:`files` are the files to write.
    """

    folder: str = "shared"
    """The shared folder's address relative to the pages."""
    boxes: dict[float, list[Box]] = field(default_factory=dict)
    shared: dict[str, str] = field(default_factory=dict)
    """Other files the pages share (their stylesheet): name → text."""

    def share(self, name: str, text: str) -> str:
        """A page uses this file (the same text on every page): the address to load it from."""
        if self.shared.setdefault(name, text) != text:
            raise ValueError(f"shared file {name}: two pages of one build want different texts")
        return f"{self.folder}/{name}"

    def src(self, tolerance: float, box: Box) -> str:
        """A page draws the outlines of this level within this box: the address of the file to load."""
        self.boxes.setdefault(tolerance, []).append(round_box(box))
        return f"{self.folder}/{outlines_file(tolerance)}"

    def files(self) -> dict[str, str]:
        """File name → text: per level asked for, the countries within the box around every page's box."""
        files = {
            outlines_file(t): outlines_script({level_key(t): (t, _union(b))}) for t, b in sorted(self.boxes.items())
        }
        return {**files, **dict(sorted(self.shared.items()))}
