"""The map's first view: the whole route, fitted into the part of the screen the controls leave free.

A fixed padding cannot serve a 1280 × 800 page, a 700 × 450 embed and a 390 × 844
phone: the legend, the layer switcher, the zoom buttons and the attribution take
different room on each. :class:`FitView` measures them in the page, on load and on
every resize until the reader first touches the map, and fits the route's bounds
(EPSG:4326 degrees; pixels are CSS pixels) with Leaflet's ``paddingTopLeft`` /
``paddingBottomRight``. Each corner's controls (and the legend) are kept clear either
by a band across the top or bottom of the map or by one down its left or right side;
of every choice, the page takes the one that shows the route at the highest zoom.
The names written beside the route's west and east ends get room of their own.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template
from markupsafe import Markup

__all__ = ["FIT_MARGIN", "AfterPaint", "FitView", "HoldLayers", "PageFunction", "ReleaseLayers"]


class PageFunction(MacroElement):
    """An element whose script calls a function of the maps' shared script: a build's pages load it once as
    ``window.<function>`` (:func:`maps.render.page_script`); a page on its own carries the function inline.

    Subclasses set :attr:`function` (the global name) and :attr:`js` (the function's text); their template calls
    ``{{ this.call() }}(...)``.
    """

    function: str = ""
    js: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.shared = False
        """True while a build renders the page: the function comes from the build's shared script."""

    def call(self) -> Markup:
        """What the template calls: the shared function's name, or the function itself."""
        return Markup(self.function if self.shared else f"({self.js})")


FIT_MARGIN = 14
"""Pixels kept free between the route (or a control) and the edge of the part of the map it is fitted into."""


FIT_VIEW_JS = """function (map, corners, MARGIN) {
var bounds = L.latLngBounds(corners);
var box = map.getContainer();
var touched = false;
["mousedown", "touchstart", "wheel", "keydown"].forEach(function (type) {
    box.addEventListener(type, function () { touched = true; }, {passive: true});
});
function blocks() {
    var frame = box.getBoundingClientRect(), out = [];
    var groups = [].slice.call(box.querySelectorAll(".leaflet-control-container > div"))
        .map(function (corner) { return [].slice.call(corner.querySelectorAll(".leaflet-control")); })
        .concat([].slice.call(document.querySelectorAll(".cm-legend")).map(function (el) { return [el]; }));
    groups.forEach(function (els) {
        var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
        els.forEach(function (el) {
            var r = el.getBoundingClientRect();
            if (!r.width || !r.height || getComputedStyle(el).visibility === "hidden") { return; }
            x0 = Math.min(x0, r.left - frame.left); y0 = Math.min(y0, r.top - frame.top);
            x1 = Math.max(x1, r.right - frame.left); y1 = Math.max(y1, r.bottom - frame.top);
        });
        x0 = Math.max(x0, 0); y0 = Math.max(y0, 0);
        x1 = Math.min(x1, frame.width); y1 = Math.min(y1, frame.height);
        if (x1 > x0 && y1 > y0) { out.push([x0, y0, x1, y1]); }
    });
    return {w: frame.width, h: frame.height, rects: out};
}
function edgeRoom(cls) {
    var px = 0;
    box.querySelectorAll("." + cls).forEach(function (el) { px = Math.max(px, el.offsetWidth + 10); });
    return px;
}
function fit() {
    var o = blocks(), west = edgeRoom("cm-edge-w"), east = edgeRoom("cm-edge-e");
    var n = o.rects.length, best = null;
    for (var mask = 0; mask < (1 << n); mask++) {
        var pad = [MARGIN, MARGIN, MARGIN, MARGIN];  // top, right, bottom, left
        for (var i = 0; i < n; i++) {
            var r = o.rects[i];
            if (mask & (1 << i)) {  // a band across the top or the bottom
                if ((r[1] + r[3]) / 2 < o.h / 2) { pad[0] = Math.max(pad[0], r[3] + MARGIN); }
                else { pad[2] = Math.max(pad[2], o.h - r[1] + MARGIN); }
            } else if ((r[0] + r[2]) / 2 < o.w / 2) {  // or one down the left or the right side
                pad[3] = Math.max(pad[3], r[2] + MARGIN);
            } else {
                pad[1] = Math.max(pad[1], o.w - r[0] + MARGIN);
            }
        }
        pad[3] += west; pad[1] += east;
        var freeW = o.w - pad[1] - pad[3], freeH = o.h - pad[0] - pad[2];
        if (freeW < 40 || freeH < 40) { continue; }
        var zoom = map.getBoundsZoom(bounds, false, L.point(pad[1] + pad[3], pad[0] + pad[2]));
        if (!best || zoom > best.zoom || (zoom === best.zoom && freeW * freeH > best.area)) {
            best = {zoom: zoom, area: freeW * freeH, pad: pad};
        }
    }
    var p = best ? best.pad : [MARGIN, MARGIN, MARGIN, MARGIN];
    map.fitBounds(bounds, {paddingTopLeft: [p[3], p[0]], paddingBottomRight: [p[1], p[2]], animate: false});
}
fit();
window.addEventListener("resize", function () {
    if (!touched) { map.invalidateSize({animate: false}); fit(); }
});
}
"""
"""The page script of :class:`FitView`, as a function (``window.cmFitView`` in a build's shared script)."""


class FitView(PageFunction):
    """Fits ``bounds`` (west, south, east, north) into the map's free area, on load and on resize before any touch."""

    function, js = "cmFitView", FIT_VIEW_JS
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.call() }}({{ this._parent.get_name() }}, {{ this.corners|tojson }}, {{ this.margin }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: tuple[float, float, float, float], *, margin: int = FIT_MARGIN) -> None:
        super().__init__()
        self._name = "FitView"
        west, south, east, north = bounds
        self.corners = [[south, west], [north, east]]
        self.margin = margin


class HoldLayers(MacroElement):
    """From here on, layers added to the map wait: :class:`ReleaseLayers` adds them, in order, once the view is
    fitted. Leaflet projects every layer on the map again when the view changes; held, the lines, hubs, outlines
    and labels are projected once, in the view they are shown in (the fit cost 80–100 ms of a corridor page)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var held = [];
            map._cmHeld = held;
            map.addLayer = function (layer) { held.push(layer); return map; };
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "HoldLayers"


class AfterPaint(MacroElement):
    """Marks ``layer`` (the tiles) as background: :class:`ReleaseLayers` adds it once the route has been painted.
    Its credit goes into the attribution at once: the view is fitted around the attribution as it will be."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, layer) {
            layer._cmAfterPaint = true;
            if (map.attributionControl && layer.getAttribution()) {
                map.attributionControl.addAttribution(layer.getAttribution());
            }
        })({{ this._parent.get_name() }}, {{ this.layer.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, layer: MacroElement) -> None:
        super().__init__()
        self._name = "AfterPaint"
        self.layer = layer


RELEASE_JS = """function (map) {
var held = map._cmHeld || [];
delete map.addLayer;
delete map._cmHeld;
var now = held.filter(function (layer) { return !layer._cmAfterPaint; });
var after = held.filter(function (layer) { return layer._cmAfterPaint; });
// Leaflet measures each permanent name as it opens, a layout per name: measured together, in one; and a layer
// switcher builds its list again as each of its layers is added: built once, after
var proto = L.Tooltip.prototype, place = proto._updatePosition, opened = [];
var switcher = L.Control.Layers.prototype, list = switcher._update, switchers = [];
proto._updatePosition = function () { opened.push(this); };
switcher._update = function () { if (switchers.indexOf(this) < 0) { switchers.push(this); } return this; };
try { now.forEach(function (layer) { map.addLayer(layer); }); }
finally { proto._updatePosition = place; switcher._update = list; }
switchers.forEach(function (control) { list.call(control); });
opened = opened.filter(function (tip) { return tip._map; });
var sizes = opened.map(function (tip) { return [tip._container.offsetWidth, tip._container.offsetHeight]; });
opened.forEach(function (tip, i) {  // Leaflet's own placing, given the sizes read
    var box = tip._container;
    Object.defineProperty(box, "offsetWidth", {value: sizes[i][0], configurable: true});
    Object.defineProperty(box, "offsetHeight", {value: sizes[i][1], configurable: true});
    try { place.call(tip); } finally { delete box.offsetWidth; delete box.offsetHeight; }
});
if (after.length) {  // the background (tiles, outlines) once the route has been painted
    requestAnimationFrame(function () { setTimeout(function () {
        after.forEach(function (layer) {
            if (typeof layer._cmAfterPaint === "function") { layer._cmAfterPaint(); }  // its content
            map.addLayer(layer);
        });
    }); });
}
}
"""
"""The page script of :class:`ReleaseLayers` (``window.cmRelease`` in a build's shared script)."""


class ReleaseLayers(PageFunction):
    """Adds the layers :class:`HoldLayers` held (after :class:`FitView`), and lets layers through again.

    The permanent names (tooltips) that open are measured together, in one layout: Leaflet measures each one as it
    opens, a layout per name, which cost a corridor page 2 ms a name. A layer switcher's list is built once, after
    the layers are added, not again for each (13 ms of the overview). Layers marked :class:`AfterPaint` (the tiles,
    the country outlines) are added once the route has been painted, as a background.
    """

    function, js = "cmRelease", RELEASE_JS
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.call() }}({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "ReleaseLayers"
