"""Still pictures of the maps (PNG, SVG) for print and slides: matplotlib, from the same layers, no browser.

Concern: a corridor map or the overview drawn once, as a file, in the style of the interactive maps
(:mod:`maps.render`): light country outlines on water, the legs in their mode's colour (one colour per corridor on
the overview, :func:`layers.style.corridor_colors`) and their status's dashes, approximate lines thin over a band,
an arrow of the direction of travel on each leg, the hubs with the names the interactive map writes, a title, a
legend, a scale bar, the data's "as of" date and the attribution. Every colour, width and dash comes from
:mod:`layers.style`.

CRS: the layers arrive in EPSG:4326. Each picture is drawn in a Lambert conformal conic projection centred on its
own map (pyproj; standard parallels at a sixth and five sixths of the map's latitude span; Mercator near the
equator, the cone's limit). Conformal, so shapes read as on the interactive (Web Mercator) map and the scale at a
point is the same in every direction, which is what a single scale bar needs; unlike Mercator, the scale varies
little across the 20-30 degrees of latitude a corridor spans. The scale bar is measured geodesically
(:class:`pyproj.Geod`, WGS 84) at the map's centre and says so.

Units: the figure is :data:`WIDTH_PX` × :data:`HEIGHT_PX` pixels at :data:`DPI`; the style's CSS pixels become
points at :data:`PT_PER_PX` (0.75, the CSS ratio), so a 3.5 px rail line is 2.6 pt.

Deterministic: fixed size and DPI, the DejaVu fonts matplotlib ships, no timestamps (PNG ``Software`` and SVG
``Date`` left out), a fixed ``svg.hashsalt`` and ``svg.id``: the same layers give the same bytes. Text stays text
in the SVG (``svg.fonttype = none``). matplotlib is imported with this module, which the build imports only when
pictures are asked for (``--png``/``--svg``), through the Agg canvas: no display, no pyplot state.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pyproj
import shapely

from geo.countries import OUTLINES_ATTRIBUTION, simplified_outlines
from geo.errors import OptionError
from geo.model import HubKind, Mode, Status
from layers.frames import Layers
from layers.style import HUB_OUTLINE, HUB_STYLES, MODE_STYLES, QUALITY_STYLES, STATUS_STYLES, corridor_colors
from maps.labels import HubLabel, name_offset
from maps.render import BORDER, LAND, WATER, _hub_labels, corridor_figures_line

try:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.legend_handler import HandlerTuple
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.path import Path as MplPath
    from matplotlib.transforms import Bbox
except ModuleNotFoundError:  # a dependency, but an install may lack it
    raise OptionError("--png and --svg draw with matplotlib, which is not installed: pip install matplotlib") from None

__all__ = [
    "DPI",
    "HEIGHT_PX",
    "PICTURE_FORMATS",
    "WIDTH_PX",
    "corridor_picture",
    "overview_picture",
    "picture_projection",
    "save_picture",
    "write_pictures",
]

PICTURE_FORMATS = ("png", "svg")
"""The picture formats a build writes on request (``--png``, ``--svg``)."""
WIDTH_PX, HEIGHT_PX, DPI = 1600, 1000, 160
"""Every picture: 10 × 6.25 inches at 160 dots per inch (16:10, a slide; sharp in print at that width)."""
PT_PER_PX = 0.75
"""Points per CSS pixel: the style's widths and sizes are CSS pixels."""
HEADER_IN, FOOTER_IN = 0.72, 0.34
"""Bands above the map (title, figures line) and below it (data date, attribution), in inches."""
OUTLINE_TOLERANCES = (0.02, 0.05, 0.12)
"""Simplifications of the country outlines to choose from, in degrees (each cached once on disk, the ones the
interactive maps use): the coarsest within :data:`OUTLINE_MAX_PX` pixels of the picture."""
OUTLINE_MAX_PX = 1.5
"""A simplification of up to this many pixels does not show at the picture's size (lines are 0.8 px)."""
MAP_PADDING = 0.07
"""Share of the route's extent left free on each side (room for the end hubs' names)."""
RC: dict[str, Any] = {
    "svg.hashsalt": "corridor-mapper",
    "svg.id": "corridor-map",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "path.simplify": True,
    "lines.scale_dashes": True,
}
"""matplotlib settings of every picture (applied in a context, never globally)."""
TEXT, MUTED = "#1a1a1a", "#555555"
LEGEND_SIZES = (7.5, 7.0, 6.5, 6.0, 5.5)
"""Legend font sizes in points: the first that lets the overview's legend panel fit the map's height."""
LEGEND_WRAP = 44
"""The overview's legend breaks a corridor's name and figures after this many characters."""
LABEL_SIZE_PX = 12
"""Hub names, as on the interactive maps (``.cm-label``: 12 px, semi-bold; DejaVu's bold here)."""
ARROW_PX = 11
"""The direction arrow on each leg (the interactive maps' bold 12 px ▶ along the line)."""


def _settings() -> Any:
    """A context with :data:`RC` set (matplotlib's stubs type the keys as literals; these are valid ones)."""
    return matplotlib.rc_context(cast(Any, RC))


def picture_projection(bounds: tuple[float, float, float, float]) -> pyproj.CRS:
    """The projection of a picture of ``bounds`` (lon/lat): conformal conic centred on it, Mercator near the equator.

    Returns
    -------
    pyproj.CRS
        Lambert conformal conic with standard parallels at 1/6 and 5/6 of the latitude span, or Mercator (true
        scale at the centre latitude) when the map's centre lies within 10 degrees of the equator.
    """
    minx, miny, maxx, maxy = bounds
    lon0, lat0 = round((minx + maxx) / 2, 2), round((miny + maxy) / 2, 2)
    if abs(lat0) < 10:
        return pyproj.CRS.from_proj4(f"+proj=merc +lon_0={lon0} +lat_ts={lat0} +ellps=WGS84 +units=m +no_defs")
    span = maxy - miny
    lat1, lat2 = round(miny + span / 6, 2), round(maxy - span / 6, 2)
    return pyproj.CRS.from_proj4(
        f"+proj=lcc +lat_0={lat0} +lon_0={lon0} +lat_1={lat1} +lat_2={lat2} +ellps=WGS84 +units=m +no_defs"
    )


class _Frame:
    """A picture's projection and view: lon/lat to map metres, and the extent shown."""

    def __init__(self, layers: Layers, aspect: float) -> None:
        frames = [f for f in (layers.legs, layers.hubs) if len(f)]
        if not frames:
            raise ValueError("nothing to draw: the layers hold no legs and no hubs")
        b = np.array([f.total_bounds for f in frames])
        self.bounds = (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))
        self.crs = picture_projection(self.bounds)
        self.centre = ((self.bounds[0] + self.bounds[2]) / 2, (self.bounds[1] + self.bounds[3]) / 2)
        self._fwd = pyproj.Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        self._inv = pyproj.Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        xy = np.vstack([self.xy(shapely.get_coordinates(np.asarray(f.geometry, dtype=object))) for f in frames])
        (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
        w, h = max(x1 - x0, 50e3), max(y1 - y0, 50e3)  # a map of a single port still shows its surroundings
        w, h = w * (1 + 2 * MAP_PADDING), h * (1 + 2 * MAP_PADDING)
        w, h = max(w, h * aspect), max(h, w / aspect)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        self.xlim, self.ylim = (cx - w / 2, cx + w / 2), (cy - h / 2, cy + h / 2)

    def widen(self, left: float, right: float, bottom: float, top: float) -> None:
        """Move the view's edges out by these many metres (a little more, as the scale shrinks with it), keeping
        its aspect."""
        (x0, x1), (y0, y1) = self.xlim, self.ylim
        aspect = (x1 - x0) / (y1 - y0)
        x0, x1, y0, y1 = x0 - 1.15 * left, x1 + 1.15 * right, y0 - 1.15 * bottom, y1 + 1.15 * top
        w, h = x1 - x0, y1 - y0
        grow_w, grow_h = max(0.0, h * aspect - w), max(0.0, w / aspect - h)
        self.xlim = (x0 - grow_w / 2, x1 + grow_w / 2)
        self.ylim = (y0 - grow_h / 2, y1 + grow_h / 2)

    def xy(self, lonlat: np.ndarray) -> np.ndarray:
        x, y = self._fwd.transform(lonlat[:, 0], lonlat[:, 1])
        return np.column_stack([x, y])

    def project(self, geoms: Any) -> Any:
        return shapely.transform(geoms, self.xy)

    def lonlat_box(self) -> tuple[float, float, float, float]:
        """A lon/lat box holding the whole view (its edges sampled), with a margin: what outlines to clip to."""
        t = np.linspace(0, 1, 41)
        (x0, x1), (y0, y1) = self.xlim, self.ylim
        xs = np.concatenate([x0 + (x1 - x0) * t, np.full_like(t, x1), x1 - (x1 - x0) * t, np.full_like(t, x0)])
        ys = np.concatenate([np.full_like(t, y0), y0 + (y1 - y0) * t, np.full_like(t, y1), y1 - (y1 - y0) * t])
        lon, lat = self._inv.transform(xs, ys)
        return (
            max(float(np.min(lon)) - 3, -180.0),
            max(float(np.min(lat)) - 3, -85.0),
            min(float(np.max(lon)) + 3, 180.0),
            min(float(np.max(lat)) + 3, 89.0),
        )

    def metres_per_km_at_centre(self) -> float:
        """Map metres per geodesic kilometre at the centre (WGS 84), along the parallel: the scale bar's unit."""
        lon, lat = self.centre
        lon2, lat2, _ = pyproj.Geod(ellps="WGS84").fwd(lon, lat, 90.0, 100_000.0)
        a, b = self.xy(np.array([[lon, lat], [lon2, lat2]]))
        return float(np.hypot(*(b - a))) / 100.0


def _polygon_path(geom: shapely.Geometry) -> MplPath | None:
    """A (multi)polygon as one matplotlib path, holes included (even-odd as the rings come)."""
    vertices, codes = [], []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            if len(xy) < 4:
                continue
            c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            vertices.append(xy)
            codes.append(c)
    if not vertices:
        return None
    return MplPath(np.vstack(vertices), np.concatenate(codes))


def _draw_outlines(ax: Any, frame: _Frame, px_m: float) -> None:
    """Country outlines: the coarsest shipped simplification finer than a pixel, clipped to the view."""
    deg_per_px = px_m / 111_320.0
    tolerance = max([t for t in OUTLINE_TOLERANCES if t <= OUTLINE_MAX_PX * deg_per_px] or [OUTLINE_TOLERANCES[0]])
    _, outlines = simplified_outlines(tolerance)
    clipped = shapely.clip_by_rect(np.asarray(outlines, dtype=object), *frame.lonlat_box())
    clipped = clipped[~shapely.is_empty(clipped)]
    (x0, x1), (y0, y1), pad = frame.xlim, frame.ylim, 4 * px_m  # then to the view itself: nothing drawn unseen
    shown = shapely.clip_by_rect(frame.project(clipped), x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    paths = [p for g in shown for p in [_polygon_path(g)] if p is not None]
    ax.add_collection(
        PathCollection(paths, facecolors=LAND, edgecolors=BORDER, linewidths=0.8 * PT_PER_PX, zorder=1),
        autolim=False,
    )


def _quality(leg: Any) -> str:
    value = getattr(leg, "geometry_quality", "")
    return value if value in QUALITY_STYLES else "network"


def _dashes(status: Status, mode: Mode, width_px: float) -> Any:
    """The status's dash pattern as Leaflet draws it (:meth:`StatusStyle.dash_array` at the mode's weight), in
    multiples of the drawn line width (matplotlib scales dashes by it)."""
    dash = STATUS_STYLES[status].dash_array(MODE_STYLES[mode].weight)
    if dash is None:
        return "solid"
    return (0, tuple(float(d) / width_px for d in dash.split(",")))


def _parts(geom: shapely.Geometry) -> list[np.ndarray]:
    return [np.asarray(p.coords) for p in getattr(geom, "geoms", [geom]) if not p.is_empty]


def _draw_legs(ax: Any, frame: _Frame, legs: pd.DataFrame, px_m: float, color_of: Callable[[Any], str]) -> None:
    """Legs in the interactive map's order and style; a direction arrow at the middle of each."""
    geoms = shapely.simplify(frame.project(np.asarray(legs.geometry, dtype=object)), px_m / 2)
    for z, (leg, geom) in enumerate(zip(legs.itertuples(index=False), geoms, strict=True)):
        mode, status = Mode(leg.mode), Status(leg.status)
        ms, ss, quality = MODE_STYLES[mode], STATUS_STYLES[status], QUALITY_STYLES[_quality(leg)]
        color = color_of(leg)
        width = ms.weight * quality.weight_factor
        for xy in _parts(geom):
            if quality.band_factor:
                ax.plot(
                    *xy.T,
                    color=color,
                    lw=ms.weight * quality.band_factor * PT_PER_PX,
                    alpha=quality.band_opacity,
                    solid_capstyle="round",
                    solid_joinstyle="round",
                    zorder=3,
                )
            ax.plot(
                *xy.T,
                color=color,
                lw=width * PT_PER_PX,
                alpha=ss.opacity,
                linestyle=_dashes(status, mode, width),
                dash_capstyle="round",
                solid_capstyle="round",
                solid_joinstyle="round",
                zorder=4 + z * 1e-4,
            )
        line = shapely.line_merge(geom) if geom.geom_type == "MultiLineString" else geom
        if line.geom_type != "LineString" or line.length < 40 * px_m:
            continue  # too short for an arrow to read
        a, b = shapely.line_interpolate_point(line, [0.5 * line.length, 0.5 * line.length + px_m], normalized=False)
        angle = float(np.degrees(np.arctan2(b.y - a.y, b.x - a.x)))
        ax.plot(
            [a.x],
            [a.y],
            marker=(3, 0, angle - 90),
            markersize=ARROW_PX * PT_PER_PX,
            color=color,
            markeredgewidth=0,
            linestyle="none",
            zorder=5,
        )


_MARKERS = {"circle": "o", "square": "s", "diamond": "D", "triangle": "^"}
_MARKER_SCALE = {"circle": 12 / 16, "square": 11 / 16, "diamond": 10 / 16, "triangle": 13 / 16}
"""The share of the 16-unit symbol box each shape of :func:`maps.render.hub_symbol` fills (``D`` is drawn by its
side)."""


def _hub_marker(kind: HubKind, size: float | None = None) -> dict[str, Any]:
    style = HUB_STYLES[kind]
    px = size or style.size
    return {
        "marker": _MARKERS[style.shape],
        "markersize": px * _MARKER_SCALE[style.shape] * PT_PER_PX,
        "markerfacecolor": style.fill,
        "markeredgecolor": HUB_OUTLINE,
        "markeredgewidth": 1.6 / 16 * px * PT_PER_PX,
        "linestyle": "none",
    }


def _name(ax: Any, x: float, y: float, name: str, side: str, size_px: int) -> Any:
    """A hub's name beside its symbol (``side``: left or right), in the interactive maps' style."""
    gap = name_offset(size_px) * PT_PER_PX
    return ax.annotate(
        name,
        (x, y),
        xytext=(gap if side == "right" else -gap, 0),
        textcoords="offset points",
        ha="left" if side == "right" else "right",
        va="center",
        fontsize=LABEL_SIZE_PX * PT_PER_PX,
        fontweight="bold",
        color=TEXT,
        zorder=7,
        annotation_clip=True,
        bbox={"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.72},
    )


def _draw_hubs(ax: Any, frame: _Frame, hubs: pd.DataFrame, labels: dict[str, str]) -> list[Any]:
    """Hub symbols; the hubs the interactive map names (``labels``: id → side) with their names, returned."""
    names: list[Any] = []
    if not len(hubs):
        return names
    xy = frame.xy(shapely.get_coordinates(np.asarray(hubs.geometry, dtype=object)))
    for hub, (x, y) in zip(hubs.itertuples(index=False), xy, strict=True):
        kind = HubKind(hub.kind)
        ax.plot([x], [y], zorder=6, **_hub_marker(kind))
        side = labels.get(hub.hub_id)
        if side is not None:
            names.append(_name(ax, x, y, str(hub.name), side, HUB_STYLES[kind].size))
    return names


NAME_GAP_PX = 2.0
"""Pixels kept between two names of a still picture, and between a name and a symbol or the legend."""


def _more_names(
    ax: Any,
    frame: _Frame,
    layers: Layers,
    ranked: dict[str, HubLabel],
    named: dict[str, str],
    names: list[Any],
    blocks: Sequence[Any],
) -> list[Any]:
    """The other hubs of ``ranked`` (the interactive map's names) where they fit, in its rank order, past those
    ``named`` already (id → side, drawn as ``names``): each on its own side, else the other, where it overlaps no
    name, hub symbol or ``blocks`` (legend, scale bar) and lies inside the map. The view is final by then: these
    names do not widen it."""
    if not ranked:
        return []
    renderer = ax.figure.canvas.get_renderer()
    box = ax.get_window_extent(renderer)
    where = dict(
        zip(layers.hubs["hub_id"], frame.xy(shapely.get_coordinates(np.asarray(layers.hubs.geometry))), strict=True)
    )
    kinds = dict(zip(layers.hubs["hub_id"], layers.hubs["kind"], strict=True))
    taken = [t.get_window_extent(renderer) for t in names] + [b.get_window_extent(renderer) for b in blocks]
    symbols = []
    for hub_id, (x, y) in where.items():
        cx, cy = ax.transData.transform((x, y))
        r = HUB_STYLES[HubKind(kinds[hub_id])].size * PT_PER_PX * DPI / 72 / 2  # half the symbol's box, in pixels
        symbols.append((hub_id, Bbox.from_extents(cx - r, cy - r, cx + r, cy + r)))
    hub_names = dict(zip(layers.hubs["hub_id"], layers.hubs["name"], strict=True))
    added = []
    for hub_id in sorted(ranked, key=lambda h: (ranked[h].rank, h)):
        name = str(hub_names[hub_id])
        if hub_id in named:
            continue
        label = ranked[hub_id]
        for side in (label.side, "left" if label.side == "right" else "right"):
            x, y = where[hub_id]
            text = _name(ax, x, y, name, side, HUB_STYLES[HubKind(kinds[hub_id])].size)
            e = text.get_window_extent(renderer).padded(NAME_GAP_PX)
            inside = box.x0 <= e.x0 and e.x1 <= box.x1 and box.y0 <= e.y0 and e.y1 <= box.y1
            clear = inside and not any(e.overlaps(t) for t in taken)
            clear = clear and not any(e.overlaps(b) for other, b in symbols if other != hub_id)
            if clear:
                taken.append(e)
                added.append(text)
                break
            text.remove()
    return added


def _fit_names(ax: Any, frame: _Frame, names: Sequence[Any], rounds: int = 3) -> None:
    """Widen the view until every hub name lies inside the map (names keep their size when the scale changes, so
    a few rounds)."""
    renderer = ax.figure.canvas.get_renderer()
    for _ in range(rounds):
        box = ax.get_window_extent(renderer)
        extents = [t.get_window_extent(renderer) for t in names]
        if not extents:
            return
        margin = 6.0  # pixels between a name and the map's edge
        left = max(0.0, box.x0 + margin - min(e.x0 for e in extents))
        right = max(0.0, max(e.x1 for e in extents) - (box.x1 - margin))
        bottom = max(0.0, box.y0 + margin - min(e.y0 for e in extents))
        top = max(0.0, max(e.y1 for e in extents) - (box.y1 - margin))
        if not (left or right or bottom or top):
            return
        m_per_px = (frame.xlim[1] - frame.xlim[0]) / box.width
        frame.widen(left * m_per_px, right * m_per_px, bottom * m_per_px, top * m_per_px)
        ax.set_xlim(*frame.xlim)
        ax.set_ylim(*frame.ylim)


def _line_handle(color: str, weight: float, status: Status | None = None, mode: Mode = Mode.RAIL) -> Line2D:
    style: Any = "solid" if status is None else _dashes(status, mode, weight)
    return Line2D(
        [], [], color=color, lw=weight * PT_PER_PX, linestyle=style, dash_capstyle="round", solid_capstyle="round"
    )


def _legend_entries(layers: Layers, corridor_rows: Sequence[tuple[str, str]]) -> tuple[list[Any], list[str]]:
    """What the interactive legend lists: corridors (overview) or modes; statuses when more than one; the band of
    approximate lines; the hub kinds shown."""
    handles: list[Any] = []
    labels: list[str] = []
    for color, label in corridor_rows:
        handles.append(_line_handle(color, 4.0))
        labels.append(label)
    if not corridor_rows:
        modes = set(layers.legs["mode"])
        for mode, s in MODE_STYLES.items():
            if str(mode) in modes:
                handles.append(_line_handle(s.color, s.weight))
                labels.append(s.label)
    statuses = set(layers.legs["status"])
    if len(statuses) > 1:
        for status, st in STATUS_STYLES.items():
            if str(status) in statuses:
                handles.append(_line_handle("#555", 3.0, status, Mode.ROAD))  # 3 px, as the interactive sample
                labels.append(st.label)
    shown = set(layers.legs["geometry_quality"]) if "geometry_quality" in layers.legs.columns else set()
    for key, q in QUALITY_STYLES.items():
        if key in shown and q.band_factor:
            band = Line2D(
                [], [], color="#555", lw=3.0 * q.band_factor * PT_PER_PX, alpha=q.band_opacity, solid_capstyle="round"
            )
            handles.append((band, _line_handle("#555", 3.0 * q.weight_factor)))
            labels.append(q.label)
    kinds = set(layers.hubs["kind"])
    for kind, hs in HUB_STYLES.items():
        if str(kind) in kinds:
            handles.append(Line2D([], [], **_hub_marker(kind, 12)))
            labels.append(hs.label)
    return handles, labels


def _best_corner(ax: Any, box: Any, points: np.ndarray) -> str:
    """The corner of the map where a box of the legend's size covers the fewest route points (ties: lower left,
    where the interactive legend sits)."""
    inv = ax.transAxes.inverted()
    (x0, y0), (x1, y1) = inv.transform([[box.x0, box.y0], [box.x1, box.y1]])
    w, h = x1 - x0, y1 - y0
    frac = ax.transAxes.inverted().transform(ax.transData.transform(points)) if len(points) else np.empty((0, 2))
    corners = {
        "lower left": (0, 0),
        "upper left": (0, 1 - h),
        "lower right": (1 - w, 0),
        "upper right": (1 - w, 1 - h),
    }
    counts = {
        name: int(((frac[:, 0] >= cx) & (frac[:, 0] <= cx + w) & (frac[:, 1] >= cy) & (frac[:, 1] <= cy + h)).sum())
        for name, (cx, cy) in corners.items()
    }
    return min(corners, key=lambda name: counts[name])


def _nice_km(target: float) -> float:
    """The 1, 2 or 5 × 10^k km nearest below ``target``."""
    k = 10 ** np.floor(np.log10(target))
    return float(max(m * k for m in (1, 2, 5) if m * k <= target))


def _draw_scale_bar(ax: Any, frame: _Frame, corner: str) -> list[Any]:
    """A two-part scale bar, about a fifth of the map wide, true at the map's centre (geodesic), in a bottom
    corner the legend leaves free; its parts returned."""
    unit = frame.metres_per_km_at_centre()
    width_m = frame.xlim[1] - frame.xlim[0]
    km = _nice_km(0.2 * width_m / unit)
    length = km * unit
    height = (frame.ylim[1] - frame.ylim[0]) * 0.008
    margin = 0.03 * width_m
    x0 = frame.xlim[0] + margin if corner == "left" else frame.xlim[1] - margin - length
    y0 = frame.ylim[0] + 0.045 * (frame.ylim[1] - frame.ylim[0])
    parts = []
    for i in range(2):
        parts.append(
            ax.add_patch(
                Rectangle(
                    (x0 + i * length / 2, y0),
                    length / 2,
                    height,
                    facecolor=TEXT if i == 0 else "white",
                    edgecolor=TEXT,
                    linewidth=0.6,
                    zorder=8,
                )
            )
        )
    lat = frame.centre[1]
    text = f"{km:,.0f} km, true at {abs(lat):.0f}° {'N' if lat >= 0 else 'S'}"
    label = ax.text(
        x0 + length / 2,
        y0 + 2.2 * height,
        text,
        ha="center",
        va="bottom",
        fontsize=7.5,
        color=TEXT,
        zorder=8,
        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.72},
    )
    return [*parts, label]


def _footer(as_of: str, attribution: Iterable[str]) -> str:
    notices = " · ".join(dict.fromkeys([*attribution, OUTLINES_ATTRIBUTION]))
    text = (f"Data as of {as_of} · " if as_of else "") + notices
    return "\n".join(textwrap.wrap(text, width=175))


def _legend(target: Any, handles: list[Any], names: list[str], fontsize: float, **where: Any) -> Any:
    legend = target.legend(
        handles,
        names,
        fontsize=fontsize,
        frameon=True,
        framealpha=0.94,
        facecolor="white",
        edgecolor="#cccccc",
        borderpad=0.7,
        handlelength=2.6,
        handler_map={tuple: HandlerTuple(ndivide=1)},
        **where,
    )
    legend.set_zorder(9)
    return legend


def _picture(
    layers: Layers,
    *,
    title: str,
    subtitle: str,
    as_of: str,
    ranked: dict[str, HubLabel],
    labels: dict[str, str],
    color_of: Callable[[Any], str],
    corridor_rows: Sequence[tuple[str, str]] = (),
) -> Figure:
    """The picture: header (title, subtitle), map, footer (date, attribution). A corridor map's legend sits in the
    corner of the map its route leaves most free; the overview's, naming every corridor, in a panel beside it.
    ``labels`` (id → side) are named first, the view widened to hold them; the rest of ``ranked`` where they fit."""
    width_in, height_in = WIDTH_PX / DPI, HEIGHT_PX / DPI
    fig = Figure(figsize=(width_in, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    header = HEADER_IN if subtitle else HEADER_IN - 0.25
    map_h = height_in - header - FOOTER_IN
    map_top = (FOOTER_IN + map_h) / height_in
    handles, names = _legend_entries(layers, corridor_rows)
    map_w, panel = width_in, None
    if corridor_rows:  # a panel: the legend of many corridors would hide the map
        for size in LEGEND_SIZES:
            panel = _legend(fig, handles, names, size, loc="upper right", bbox_to_anchor=(1 - 0.06 / width_in, map_top))
            box = panel.get_window_extent(renderer)
            if box.height <= map_h * DPI or size == LEGEND_SIZES[-1]:
                break
            panel.remove()
        map_w = width_in - box.width / DPI - 0.12
    ax = fig.add_axes((0.0, FOOTER_IN / height_in, map_w / width_in, map_h / height_in))
    frame = _Frame(layers, aspect=map_w / map_h)
    width_px = map_w * DPI
    ax.set_facecolor(WATER)
    ax.set_xlim(*frame.xlim)
    ax.set_ylim(*frame.ylim)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(BORDER)
        spine.set_linewidth(0.6)
    _draw_legs(ax, frame, layers.legs, (frame.xlim[1] - frame.xlim[0]) / width_px, color_of)
    names_drawn = _draw_hubs(ax, frame, layers.hubs, labels)
    _fit_names(ax, frame, names_drawn)
    _draw_outlines(ax, frame, (frame.xlim[1] - frame.xlim[0]) / width_px)  # under the lines (zorder), final view

    head = fig.text(0.012, 1 - 0.16 / height_in, title, ha="left", va="top", fontsize=15, fontweight="bold", color=TEXT)
    wide = head.get_window_extent(renderer).width / (0.976 * WIDTH_PX)
    if wide > 1:  # a long title shrinks to the picture's width (then, at 9 pt, it may run off: keep titles short)
        head.set_fontsize(max(9.0, 15 / wide))
    if subtitle:
        fig.text(0.012, 1 - 0.47 / height_in, subtitle, ha="left", va="top", fontsize=9.5, color="#333333")
    fig.text(
        0.012,
        0.1 / height_in,
        _footer(as_of, layers.attribution),
        ha="left",
        va="bottom",
        fontsize=6.3,
        color=MUTED,
        linespacing=1.3,
    )

    corner = "lower right" if panel is not None else "lower left"
    legend = None
    if panel is None:
        legend = _legend(ax, handles, names, LEGEND_SIZES[0], loc="lower left")
        drawn = [np.asarray(f.geometry, dtype=object) for f in (layers.legs, layers.hubs)]
        points = np.vstack([frame.xy(shapely.get_coordinates(g)) for g in drawn])
        corner = _best_corner(ax, legend.get_window_extent(renderer), points)
        legend.set_loc(corner)
    scale = _draw_scale_bar(ax, frame, "left" if corner.endswith("right") else "right")
    _more_names(ax, frame, layers, ranked, labels, names_drawn, [*([legend] if legend is not None else []), *scale])
    return fig


def _corridor_row(row: Any) -> str:
    """``Middle Corridor · 6,502 km · 14–24 d``: a corridor in the overview's legend, as the interactive one."""
    km, lo, hi = (row.get(k) for k in ("length_km", "days_min", "days_max"))
    parts = [str(row["name"])]
    if isinstance(km, int | float) and not pd.isna(km):
        parts.append(f"{km:,.0f}\u00a0km")  # no-break spaces: a figure is never split from its unit
    if isinstance(lo, int | float) and isinstance(hi, int | float) and lo and hi and not pd.isna(lo + hi):
        parts.append(f"{lo:.0f}–{hi:.0f}\u00a0d")
    return "\n".join(textwrap.wrap(" · ".join(parts), width=LEGEND_WRAP, break_on_hyphens=False))


def corridor_picture(layers: Layers, corridor_id: str, *, as_of: str = "") -> Figure:
    """One corridor as a still picture: its name and figures as the title, legs in mode colours.

    Returns
    -------
    matplotlib.figure.Figure
        :data:`WIDTH_PX` × :data:`HEIGHT_PX` pixels at :data:`DPI`, on an Agg canvas (save with :func:`save_picture`).

    Raises
    ------
    KeyError
        ``corridor_id`` is not in the layers.
    """
    mine = layers.for_corridor(corridor_id)
    if mine.corridors.empty:
        raise KeyError(corridor_id)
    ranked = _hub_labels(mine)
    row = mine.corridors.iloc[0]
    ports = mine.hubs.loc[mine.hubs["kind"].isin([str(HubKind.SEA_PORT), str(HubKind.DRY_PORT)]), "hub_id"]
    return _picture(
        mine,
        title=str(row["name"]),
        subtitle=corridor_figures_line(row),
        as_of=as_of,
        ranked=ranked,
        labels=_picture_labels(mine, ranked, ports),  # the names the interactive map ranks first
        color_of=lambda leg: MODE_STYLES[Mode(leg.mode)].color,
    )


NAME_MIN_GAP = 0.035
"""A still picture names a hub only this far (a share of the hubs' extent) from every hub already named: it has
no zoom to reveal the rest, so a knot of hubs keeps only its first-ranked name."""


def _picture_labels(layers: Layers, ranked: dict[str, HubLabel], also: Iterable[str] = ()) -> dict[str, str]:
    """The hubs a picture names first (id → side): the routes' ends, then the hubs in ``also``, in the interactive
    map's rank order (``ranked``: :func:`maps.render._hub_labels`), each at least :data:`NAME_MIN_GAP` from those
    named before."""
    wanted = {h for h, label in ranked.items() if label.end} | set(also)
    where = dict(zip(layers.hubs["hub_id"], layers.hubs.geometry, strict=True))
    extent = max(float(np.ptp(layers.hubs.geometry.x)), float(np.ptp(layers.hubs.geometry.y)), 1.0)
    named: dict[str, str] = {}
    for hub_id in sorted(wanted & set(ranked), key=lambda h: (ranked[h].rank, h)):
        if all(where[hub_id].distance(where[other]) >= NAME_MIN_GAP * extent for other in named):
            named[hub_id] = ranked[hub_id].side
    return named


def overview_picture(
    layers: Layers, *, title: str = "Trade corridors: overview", subtitle: str = "", as_of: str = ""
) -> Figure:
    """Every corridor as a still picture, one colour per corridor, the legend naming each with its km and days.

    Returns
    -------
    matplotlib.figure.Figure
        As :func:`corridor_picture`.
    """
    colors = corridor_colors(list(layers.corridors["corridor_id"]))
    ranked = _hub_labels(layers)
    rows = [(colors[r["corridor_id"]], _corridor_row(r)) for _, r in layers.corridors.iterrows()]
    order = {cid: i for i, cid in enumerate(layers.corridors["corridor_id"])}
    legs = layers.legs.iloc[np.argsort([order[c] for c in layers.legs["corridor_id"]], kind="stable")]
    return _picture(
        Layers(hubs=layers.hubs, legs=legs, corridors=layers.corridors),
        title=title,
        subtitle=subtitle,
        as_of=as_of,
        ranked=ranked,
        labels=_picture_labels(layers, ranked),
        color_of=lambda leg: colors[leg.corridor_id],
        corridor_rows=rows,
    )


def save_picture(fig: Figure, path: Path, *, title: str = "") -> None:
    """Write ``fig`` as PNG or SVG (by ``path``'s suffix), byte for byte the same for the same figure.

    Raises
    ------
    OptionError
        A suffix other than ``.png`` or ``.svg``.
    """
    kind = path.suffix.lstrip(".").lower()
    if kind not in PICTURE_FORMATS:
        raise OptionError(f"picture {str(path)!r}: format {kind!r} is not one of {', '.join(PICTURE_FORMATS)}")
    metadata: dict[str, str | None] = {"Software": None} if kind == "png" else {"Date": None, "Creator": None}
    if title:
        metadata["Title"] = title
    with _settings():
        fig.savefig(path, format=kind, dpi=DPI, metadata=metadata, facecolor=fig.get_facecolor())


def write_pictures(
    layers: Layers,
    folder: Path,
    formats: Iterable[str],
    *,
    title: str = "",
    subtitle: str = "",
    as_of: str = "",
) -> list[Path]:
    """``folder/<corridor-id>.<format>`` for every corridor and ``folder/overview.<format>``, for each format.

    Returns
    -------
    list of Path
        The files written, in the order written.

    Raises
    ------
    OptionError
        A format not in :data:`PICTURE_FORMATS`.
    """
    kinds = list(dict.fromkeys(formats))
    for kind in kinds:
        if kind not in PICTURE_FORMATS:
            raise OptionError(f"picture format {kind!r} is not one of {', '.join(PICTURE_FORMATS)}")
    written = []
    with _settings():
        overview_title = title or "Trade corridors: overview"
        figures: list[tuple[str, str, Callable[[], Figure]]] = [
            (cid, name, functools.partial(corridor_picture, layers, cid, as_of=as_of))
            for cid, name in zip(layers.corridors["corridor_id"], layers.corridors["name"], strict=True)
        ]
        draw_overview = functools.partial(
            overview_picture, layers, title=overview_title, subtitle=subtitle, as_of=as_of
        )
        figures.append(("overview", overview_title, draw_overview))
        for stem, name, draw in figures:
            fig = draw()
            for kind in kinds:
                path = folder / f"{stem}.{kind}"
                save_picture(fig, path, title=str(name))
                written.append(path)
    return written
