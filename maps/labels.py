"""Names on the maps: which hubs, countries and seas are named, in what order, and the declutter that shows them.

Every name is a *place label* with a rank (lower is more important) and, for
countries and seas, the lowest zoom at which the name fits its place. The page
names places in rank order and leaves out a name that would overlap one already
written, or a control, or the map's edge (:class:`Declutter`, run again after
every zoom and pan), so a map shows as many names as fit at its zoom: the
Caucasus reads at the Caucasus zoom, and the whole-route view keeps the ends.

Hubs are ranked by their role in the corridors (:func:`hub_ranks`): a route's ends
first, then ports, border crossings and cities, and the one hub of a country the
route crosses, then hubs where corridors meet or part; ties go to the hub in more
corridors. Countries are the ones the legs cross or the hubs lie in; seas come
from :mod:`geo.seas`, named where a sea or ferry leg crosses the sea's box.
Sizes are CSS pixels; zooms are Leaflet zooms of the Web Mercator map (256 px tiles).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
import shapely.ops
from folium.template import Template

from geo.model import HubKind, Mode
from geo.seas import seas
from maps.view import PageFunction

__all__ = [
    "CHAR_PX",
    "Declutter",
    "HubLabel",
    "Place",
    "countries_to_name",
    "fit_zoom",
    "hub_ranks",
    "name_offset",
    "seas_to_name",
]

CHAR_PX = 8.0
"""Width of one character of a country or sea name (11 px capitals, letter-spaced), for the zoom it fits at."""
EDGE_SHARE = 0.03
"""A hub this share of the route's width from its west or east edge has its name written outside the route."""
SEA_RANK = 300
"""Sea names rank from here: after the routes' ends, before every other hub (the Caspian is named before a port
on its shore, whose name then moves to another side)."""
MAJOR_RANK = 400
"""Hubs of the ports' tier (ports, border crossings, cities, junctions, a country's one hub) rank from here..."""
MINOR_RANK = 700
"""...and the other hubs from here."""
COUNTRY_RANK = 1000
"""Country names rank last."""
FIT_SHARE = 0.75
"""A name fits its country (or sea) from the zoom where the place is this share of the name's width across."""
NAME_GAP = 8
"""CSS pixels between a hub's symbol and its name, beyond half the symbol (on the interactive maps the names'
Leaflet tooltip margin is 0 and this is their offset; the still pictures use the same)."""


def name_offset(symbol_px: int) -> int:
    """CSS pixels from a hub's centre to the near edge of its name."""
    return symbol_px // 2 + NAME_GAP


@dataclass(frozen=True)
class HubLabel:
    """A hub's name on the map: its rank, the side it is written on, and whether it marks the route's west or east
    edge (the fitted view keeps room for it)."""

    rank: int
    side: str
    edge: str = ""
    """``w``, ``e`` or empty."""
    end: bool = False
    """The hub is a route's first or last."""


@dataclass(frozen=True)
class Place:
    """A country's or sea's name and where it goes: ``minzoom`` is the zoom from which it fits."""

    name: str
    lat: float
    lon: float
    minzoom: float
    kind: str
    """``country`` or ``sea``."""


_KIND_TIER = {
    HubKind.SEA_PORT: 1,
    HubKind.BORDER_CROSSING: 1,
    HubKind.CITY: 1,
    HubKind.DRY_PORT: 2,
    HubKind.RAIL_JUNCTION: 3,
}
JUNCTION_WAYS = 3
"""A hub that legs of the catalog leave in at least this many directions (to as many other hubs) is where
corridors meet or part: it is named like a port."""


def _ends(legs: pd.DataFrame) -> list[str]:
    ends: dict[str, None] = {}
    for _, mine in legs.groupby("corridor_id", sort=False):
        ends[mine["from_hub"].iloc[0]] = None
        ends[mine["to_hub"].iloc[-1]] = None
    return list(ends)


def hub_ranks(
    hubs: pd.DataFrame, legs: pd.DataFrame, corridor_counts: dict[str, int], every_leg: pd.DataFrame | None = None
) -> dict[str, HubLabel]:
    """Every hub of ``hubs`` with its label's rank (0 first), side and edge mark.

    ``corridor_counts`` says how many corridors of the whole catalog each hub is in,
    ``every_leg`` (the catalog's legs; ``legs`` by default) where corridors meet or part.
    Route ends are written on the side away from the route's middle, other hubs on the
    right (the page may flip a name to the left where the right is taken).
    """
    if hubs.empty:
        return {}
    ids = list(hubs["hub_id"])
    x = dict(zip(ids, hubs.geometry.x, strict=True))
    kinds = dict(zip(ids, hubs["kind"], strict=True))
    countries = dict(zip(ids, hubs["country"], strict=True))
    ends = set(_ends(legs)) if len(legs) else set()
    endpoints = set(legs["from_hub"]) | set(legs["to_hub"]) if len(legs) else set(ids)
    network = legs if every_leg is None else every_leg
    ways: dict[str, set[str]] = {}
    for a, b in zip(network["from_hub"], network["to_hub"], strict=True):
        ways.setdefault(a, set()).add(b)
        ways.setdefault(b, set()).add(a)
    junctions = {h for h, other in ways.items() if len(other) >= JUNCTION_WAYS}
    along = [h for pair in zip(legs["from_hub"], legs["to_hub"], strict=True) for h in pair] if len(legs) else []
    order = {h: k for k, h in enumerate(dict.fromkeys([*along, *ids]))}

    def tier(h: str) -> int:
        if h in ends:
            return 0
        base = _KIND_TIER.get(HubKind(kinds[h]), 3)
        if h in junctions:
            return 1
        return min(base, 2) if corridor_counts.get(h, 1) > 1 else base

    def key(h: str, lifted: frozenset[str] = frozenset()) -> tuple[bool, bool, int, int, int]:
        # the legs' own ends (the stops the catalog names) before the hubs a leg only passes through
        own = min(tier(h), 1) if h in lifted else tier(h)
        return (h not in ends, h not in endpoints, own, -corridor_counts.get(h, 1), order[h])

    # a country the route crosses keeps at least one name: its best-ranked hub moves up to the ports' tier
    best_in: dict[str, str] = {}
    for h in sorted(ids, key=key):
        best_in.setdefault(countries[h], h)
    lifted = frozenset(h for h in best_in.values() if tier(h) > 1)
    ranked = sorted(ids, key=lambda h: key(h, lifted))
    if len(legs):
        minx, _, maxx, _ = legs.total_bounds
    else:
        minx, maxx = min(x.values()), max(x.values())
    middle = (minx + maxx) / 2
    west, east = min(ids, key=lambda h: x[h]), max(ids, key=lambda h: x[h])
    near = EDGE_SHARE * max(maxx - minx, 1e-9)  # a name sticks out of the route's box only from a hub at its edge
    west = west if x[west] - minx <= near else ""
    east = east if maxx - x[east] <= near else ""
    out = {}
    for k, h in enumerate(ranked):
        ends_first, via, own, _, _ = key(h, lifted)
        major = (not via and own <= 1) or h in lifted
        rank = k if not ends_first else MAJOR_RANK + k if major else MINOR_RANK + k
        side = "left" if h in ends and x[h] < middle else "right"
        edge = "w" if h == west and side == "left" else "e" if h == east and side == "right" else ""
        out[h] = HubLabel(rank, side, edge, h in ends)
    return out


def fit_zoom(width_deg: float, name: str) -> float:
    """The lowest zoom (a multiple of 0.5) at which a place ``width_deg`` degrees across holds ``name``."""
    label_px = max(len(line) for line in name.split("\n")) * CHAR_PX + 6
    px_per_deg_at_0 = 256 / 360
    zoom = math.log2(FIT_SHARE * label_px / (max(width_deg, 1e-6) * px_per_deg_at_0))
    return max(0.0, math.ceil(2 * zoom) / 2)


def countries_to_name(
    keys: Sequence[str],
    outlines: Sequence[shapely.Geometry],
    crossed: Iterable[str],
    view: tuple[float, float, float, float],
    names: dict[str, str],
) -> list[Place]:
    """The ``crossed`` countries (ISO 3166-1 alpha-3, among ``keys``), largest first, each at the pole of
    inaccessibility of its part inside ``view`` (west, south, east, north), with the zoom from which its name fits."""
    wanted = np.isin(np.asarray(keys), list(crossed))
    geoms = np.asarray(outlines, dtype=object)
    box = shapely.box(*view)
    places = []
    for iso3, geom in zip(np.asarray(keys)[wanted], geoms[wanted], strict=True):
        part = shapely.intersection(geom, box)
        if part.is_empty:
            continue
        biggest = max(getattr(part, "geoms", [part]), key=lambda g: g.area)
        if biggest.area < 0.05:  # a sliver of a few km: no room for a name
            continue
        spot = shapely.ops.polylabel(biggest, tolerance=0.1)
        minx, _, maxx, _ = biggest.bounds
        name = names[str(iso3)]
        place = Place(name, round(spot.y, 3), round(spot.x, 3), fit_zoom(maxx - minx, name), "country")
        places.append((biggest.area, place))
    return [p for _, p in sorted(places, key=lambda ap: -ap[0])]


def seas_to_name(legs: pd.DataFrame) -> list[Place]:
    """The seas a sea or ferry leg of ``legs`` crosses (by the sea's box), in the data file's order."""
    water = legs[legs["mode"].isin([str(Mode.SEA), str(Mode.FERRY)])] if "mode" in legs.columns else legs.iloc[:0]
    if water.empty:
        return []
    lines = np.asarray(water.geometry, dtype=object)
    out = []
    for sea in seas():
        if shapely.intersects(lines, shapely.box(*sea.box)).any():
            name = sea.name.replace(" ", "\n", 1)  # two short lines fit a narrow sea
            out.append(Place(name, sea.lat, sea.lon, fit_zoom(sea.box[2] - sea.box[0], name), "sea"))
    return out


DECLUTTER_JS = """function (map) {
var box = map.getContainer();
var GAP = 2;
function num(el, re, fallback) { var m = re.exec(el.className); return m ? +m[1] : fallback; }
function hits(r, list) {
    for (var i = 0; i < list.length; i++) {
        var b = list[i];
        if (r.left < b.right + GAP && b.left < r.right + GAP &&
            r.top < b.bottom + GAP && b.top < r.bottom + GAP) { return true; }
    }
    return false;
}
function offset(tip, side) {  // a name's offset from its hub on that side
    var d = tip._cmGap;
    return {left: [-d, 0], right: [d, 0], top: [0, -d], bottom: [0, d]}[side];
}
function corner(tip, side, w, h) {  // Leaflet's Tooltip._setPosition: the box's corner less the anchor point's
    var sub = {left: [w, Math.round(h / 2)], right: [0, Math.round(h / 2)],
               top: [Math.round(w / 2), h], bottom: [Math.round(w / 2), 0]}[side];
    var off = offset(tip, side);
    return [off[0] - sub[0], off[1] - sub[1]];
}
function run() {
    // every size and place is read first, in one layout; the names are moved and hidden after
    var zoom = map.getZoom(), frame = box.getBoundingClientRect();
    var taken = [];
    [].slice.call(box.querySelectorAll(".leaflet-control"))
        .concat([].slice.call(document.querySelectorAll(".cm-legend")))
        .forEach(function (c) {
            var r = c.getBoundingClientRect();
            if (r.width && r.height && getComputedStyle(c).visibility !== "hidden") { taken.push(r); }
        });
    var items = [];
    map.eachLayer(function (layer) {
        var tip = layer.getTooltip && layer.getTooltip();
        var el = tip && tip.options.permanent && tip._container;
        if (el && el.classList.contains("cm-place")) {
            if (!tip._cmSide) {
                var o = L.point(tip.options.offset || [0, 0]);
                tip._cmSide = tip.options.direction;
                tip._cmGap = Math.max(Math.abs(o.x), Math.abs(o.y));
                layer.on("mouseover", function () { el.classList.add("cm-peek"); });
                layer.on("mouseout", function () { el.classList.remove("cm-peek"); });
            }
            items.push({el: el, tip: tip, box: el.getBoundingClientRect(), w: el.offsetWidth, h: el.offsetHeight});
        }
    });
    box.querySelectorAll(".cm-place-icon").forEach(function (el) {
        items.push({el: el, box: (el.firstElementChild || el).getBoundingClientRect()});
    });
    items.forEach(function (it) {
        it.rank = num(it.el, /cm-r-(\\d+)/, 1e9);
        it.minzoom = num(it.el, /cm-z-(\\d+)/, -10) / 10;
    });
    items.sort(function (a, b) { return a.rank - b.rank; });
    items.forEach(function (it) {
        it.shown = false;
        if (zoom < it.minzoom - 1e-9) { return; }
        var tip = it.tip, now = tip && tip.options.direction, here = tip && corner(tip, now, it.w, it.h);
        var sides = !tip ? [null] : [tip._cmSide, tip._cmSide === "left" ? "right" : "left", "top", "bottom"];
        for (var k = 0; k < sides.length && !it.shown; k++) {
            var r = it.box;
            if (tip) {
                var c = corner(tip, sides[k], it.w, it.h), dx = c[0] - here[0], dy = c[1] - here[1];
                r = {left: r.left + dx, right: r.right + dx, top: r.top + dy, bottom: r.bottom + dy};
            }
            var inside = r.left >= frame.left && r.right <= frame.right && r.top >= frame.top &&
                r.bottom <= frame.bottom;
            if (inside && !hits(r, taken)) { taken.push(r); it.shown = true; it.side = sides[k]; }
        }
    });
    items.forEach(function (it) {
        var tip = it.tip, side = it.side || (tip && tip._cmSide);
        if (tip && side !== tip.options.direction) {  // where Leaflet itself would put it on that side
            var was = tip.options.direction, a = corner(tip, was, it.w, it.h), b = corner(tip, side, it.w, it.h);
            tip.options.direction = side;
            tip.options.offset = offset(tip, side);
            L.DomUtil.setPosition(it.el, L.DomUtil.getPosition(it.el).add([b[0] - a[0], b[1] - a[1]]));
            it.el.classList.remove("leaflet-tooltip-" + was);
            it.el.classList.add("leaflet-tooltip-" + side);
        }
        it.el.classList.toggle("cm-hidden", !it.shown);
    });
}
var queued = false;
function later() {
    if (queued) { return; }
    queued = true;
    window.requestAnimationFrame(function () { queued = false; run(); });
}
map.on("zoomend moveend resize overlayadd overlayremove", later);
later();
}
"""
"""The page script of :class:`Declutter`, as a function (``window.cmDeclutter`` in a build's shared script)."""


class Declutter(PageFunction):
    """Shows the place labels in rank order, hiding those that would overlap a name already shown, a control or the
    map's edge, and those below their zoom; a hub's name that is hidden shows while its symbol is hovered.

    Labels are marked by CSS classes: ``cm-place``, ``cm-r-<rank>``, and ``cm-z-<10 × zoom>`` for a name that
    fits only from that zoom. Hub names are permanent Leaflet tooltips and move to their hub's other side, above
    or below it where their own side is taken. Every size and place is read first, in one layout, and the names
    moved as Leaflet would place them on their new side (their CSS margin is 0, the gap is their offset).
    """

    function, js = "cmDeclutter", DECLUTTER_JS
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.call() }}({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Declutter"


DECLUTTER_CSS = """
    .cm-place.cm-hidden:not(.cm-peek) { visibility: hidden; }
    .leaflet-tooltip.cm-place { margin: 0; }
    .cm-place-icon { text-align: center; }
    .cm-place-icon > span { display: inline-block; }
    .cm-sea { color: #4d7ea3; font: italic 11px/1.15 system-ui, sans-serif; letter-spacing: .08em;
    white-space: pre; text-align: center; text-shadow: 0 0 2px #dce8f0, 0 0 2px #dce8f0; }
"""
"""The labels' CSS that the declutter needs (hidden names, the sea names' style)."""
