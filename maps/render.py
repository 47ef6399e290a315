"""Folium maps of corridors: one per corridor and an overview.

Maps only render: they read the layers (:mod:`layers.frames`) and the style
(:mod:`layers.style`) and know nothing of catalogs or geometry builders.
All text that reaches the page goes through :func:`esc`.

What a map holds, from the bottom up: light country outlines (so the map reads
with no tiles), the tiles (``--tiles``, through xyzservices), the legs (a layer
per mode and status on a corridor map, per corridor on the overview), arrows
showing the direction of travel (a layer of their own), the hubs (inline SVG
symbols drawn by CSS, no icon font). Controls: legend, layer switcher, scale bar, full
screen, minimap (drawn from the same outlines), distance measurement.

Display geometry is light: legs are simplified (:data:`LINE_TOLERANCE`, on the
overview :data:`OVERVIEW_LINE_TOLERANCE`; end points kept so consecutive legs
still meet), outlines simplified as a coverage (shared borders stay shared) and
every coordinate is rounded to :data:`DISPLAY_DECIMALS`. The exported layers keep full detail.
"""

from __future__ import annotations

import base64
import difflib
import functools
import html
import json
import math
import mimetypes
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeAlias
from urllib.parse import urljoin, urlsplit

import branca.element
import folium
import folium.map
import numpy as np
import pandas as pd
import pycountry
import shapely
import shapely.ops
import xyzservices
from branca.element import Element, Figure, MacroElement
from folium import plugins
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template
from markupsafe import Markup

from geo.countries import OUTLINES_ATTRIBUTION, simplified_outlines
from geo.errors import OptionError
from geo.model import Fact, HubKind, Mode, Source, Status
from layers.frames import Layers
from layers.style import HUB_STYLES, MODE_STYLES, QUALITY_STYLES, STATUS_STYLES, corridor_colors
from maps.bundles import leg_offsets
from maps.defaults import DEFAULT_TILES
from maps.labels import (
    COUNTRY_RANK,
    DECLUTTER_CSS,
    SEA_RANK,
    Declutter,
    HubLabel,
    Place,
    countries_to_name,
    hub_ranks,
    name_offset,
    seas_to_name,
)
from maps.outlines import GLOBAL_NAME, TOPOJSON_CLIENT_URL, SharedOutlines, level_key, outlines_script
from maps.view import AfterPaint, FitView, HoldLayers, PageFunction, ReleaseLayers

__all__ = [
    "DEFAULT_TILES",
    "DISPLAY_DECIMALS",
    "LINE_TOLERANCE",
    "OVERVIEW_LINE_TOLERANCE",
    "Bind",
    "Tiles",
    "asset_path",
    "asset_urls",
    "check_assets",
    "corridor_map",
    "custom_tiles",
    "esc",
    "hub_symbol",
    "inline_assets",
    "js_string",
    "overview_map",
    "render_html",
    "resolve_tiles",
    "route_sketch",
]

DISPLAY_DECIMALS = 5
"""Coordinates on maps are rounded to this many decimals (about 1 m)."""
LINE_TOLERANCE = 0.001
"""Simplification of the drawn legs, in degrees (about 100 m: under a pixel up to zoom 10)."""
OVERVIEW_LINE_TOLERANCE = 0.005
"""The same on the overview, which shows a continent (about 500 m: under a pixel up to zoom 8). Its bundles of
shared track are still found on the lines of :data:`LINE_TOLERANCE`."""
OUTLINE_TOLERANCE = 0.03
"""Simplification of the country outlines for display, in degrees (about 3 km; the source is 1:10m)."""
LAND, WATER, BORDER = "#fbfaf7", "#dce8f0", "#a8a8a8"
"""Colours of the embedded country-outline layer (and of the map background: water)."""


def esc(value: object) -> str:
    """Escape text for HTML that folium also embeds in JavaScript template literals."""
    return (
        html.escape(str(value), quote=True)
        .replace("`", "&#96;")
        .replace("$", "&#36;")
        .replace("\\", "&#92;")  # a backslash would start an escape inside a template literal
    )


def _km(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:,.0f} km"


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in pairs)


def _source_html(source: Source) -> str:
    """A source (see :class:`geo.model.Source`): a link where it has a URL."""
    if source.url is None:
        return esc(source.text)
    return f"<a href='{esc(source.url)}' target='_blank' rel='noopener noreferrer'>{esc(source.text)}</a>"


def _sources_html(sources: Iterable[Source] | None, sep: str = "<br>") -> str:
    """The sources of a layer cell (a tuple of :class:`geo.model.Source`), joined by ``sep``."""
    return sep.join(_source_html(s) for s in sources or ())


def _country(iso3: str) -> str:
    country = pycountry.countries.get(alpha_3=iso3)
    name = getattr(country, "common_name", None) or getattr(country, "name", None)
    return f"{name} ({iso3})" if name else iso3


def _share(value: object) -> str | None:
    """``on_network_share`` (a fraction, 0 to 1) as a percentage; None when unknown."""
    if value is None or not isinstance(value, int | float) or pd.isna(value):
        return None
    return f"{100 * float(value):.0f} %"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not pd.isna(value) else None


def corridor_figures_line(row: Any) -> str:
    """``11,690 km · 16–27 days (model) · 2,280 kg CO2e/TEU``: a corridor's figures in one line (plain text)."""
    parts = []
    km, lo, hi, co2 = (_number(row.get(k)) for k in ("length_km", "days_min", "days_max", "co2e_kg_per_teu"))
    if km is not None:
        parts.append(f"{km:,.0f} km")
    if lo is not None and hi is not None:
        parts.append(f"{lo:.0f}–{hi:.0f} days (model)")
    if co2 is not None:
        parts.append(f"{co2:,.0f} kg CO2e/TEU")
    return " · ".join(parts)


def _leg_popup(leg: Any, hub_names: dict[str, str], corridor: str | None) -> str:
    title = f"{hub_names.get(leg.from_hub, leg.from_hub)} → {hub_names.get(leg.to_hub, leg.to_hub)}"
    mode, status = MODE_STYLES[Mode(leg.mode)], STATUS_STYLES[Status(leg.status)]
    method = "straight great-circle line, not routed" if leg.method == "great-circle" else f"line: {leg.method}"
    rows = [
        ("Mode", f"{esc(mode.label)}, {esc(status.label.lower())}"),
        ("Routed", f"{esc(_km(leg.length_km))} <small>({esc(method)})</small>"),
        ("Line", esc(QUALITY_STYLES[_quality(leg)].label)),
        (
            "Published",
            esc(_km(leg.published_km))
            + (f" <small>{_sources_html(leg.published_source)}</small>" if leg.published_source else ""),
        ),
    ]
    lo, hi = _number(getattr(leg, "days_min", None)), _number(getattr(leg, "days_max", None))
    if lo is not None and hi is not None:
        rows.append(
            ("Transit (model)", f"{lo:.1f}–{hi:.1f} days <small>(line haul, borders, waits on this leg)</small>")
        )
    co2 = _number(getattr(leg, "co2e_kg_per_tonne", None))
    if co2 is not None:
        rows.append(("CO2e (WTW)", f"{co2:,.1f} kg per tonne"))
    share = _share(getattr(leg, "on_network_share", None))
    if share is not None:
        rows.append(("On network", esc(share)))
    fill_km = getattr(leg, "gapfill_km", 0.0)
    if isinstance(fill_km, int | float) and fill_km > 0:
        rows.append(
            (
                "Gap-fill track",
                esc(_km(fill_km)) + f" <small>{_sources_html(getattr(leg, 'gapfill_source', ()))}</small>",
            )
        )
    depends = getattr(leg, "depends_on", "")
    if isinstance(depends, str) and depends:
        rows.append(("Depends on", esc(depends)))
    if leg.source:
        rows.append(("Sources", _sources_html(leg.source)))
    if leg.notes:
        rows.append(("Notes", esc(leg.notes)))
    head = f"<div class='cm-sub'>{esc(corridor)}</div>" if corridor else ""
    return f"<div class='cm-pop'><b>{esc(title)}</b>{head}<table class='cm-facts'>{_rows(rows)}</table></div>"


def claims_html(checked: object) -> str:
    """The ``claims_checked`` cell (one claim per line) as an escaped HTML list, headed as the tool's own check."""
    if not isinstance(checked, str) or not checked.strip():
        return ""
    items = "".join(f"<li>{esc(line)}</li>" for line in checked.splitlines() if line.strip())
    return f"<p class='cm-claims-head'><b>Published claims, measured here</b></p><ul class='cm-factlist'>{items}</ul>"


def facts_html(facts: Iterable[Fact] | None) -> str:
    """Facts (a layer cell: a tuple of :class:`geo.model.Fact`) as an escaped HTML list with their sources."""
    items = "".join(
        f"<li>{esc(f.text)} <span class='cm-src'>({_sources_html(f.sources, '; ')})</span></li>" for f in facts or ()
    )
    return f"<ul class='cm-factlist'>{items}</ul>" if items else ""


def _hub_popup(hub: Any) -> str:
    kind = HUB_STYLES[HubKind(hub.kind)].label
    parts = [
        f"<b>{esc(hub.name)}</b>",
        f"<div class='cm-sub'>{esc(kind)} · {esc(_country(hub.country))}</div>",
    ]
    facts = facts_html(getattr(hub, "facts", ()))
    if facts:
        parts.append(facts)
    notes = getattr(hub, "notes", "")
    if isinstance(notes, str) and notes:
        parts.append(f"<p class='cm-notes'>{esc(notes)}</p>")
    parts.append(f"<table class='cm-facts'>{_rows([('Location', _sources_html(hub.source))])}</table>")
    return f"<div class='cm-pop'>{''.join(parts)}</div>"


_SHAPES = {
    "circle": "<circle cx='8' cy='8' r='6'/>",
    "square": "<rect x='2.5' y='2.5' width='11' height='11'/>",
    "diamond": "<polygon points='8,1 15,8 8,15 1,8'/>",
    "triangle": "<polygon points='8,1.5 15,14.5 1,14.5'/>",
}


def hub_symbol(kind: HubKind, *, size: int | None = None) -> str:
    """Inline SVG for a hub kind (no icon font, no network)."""
    style = HUB_STYLES[kind]
    px = size or style.size
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{px}' height='{px}' viewBox='0 0 16 16'>"
        f"<g fill='{style.fill}' stroke='#222' stroke-width='1.6'>{_SHAPES[style.shape]}</g></svg>"
    )


def _line_sample(
    color: str, weight: float, dash: str | None, *, width: int = 30, band: float = 0.0, band_opacity: float = 0.0
) -> str:
    dash_attr = f" stroke-dasharray='{dash}'" if dash else ""
    under = (
        f"<line x1='1' y1='6' x2='{width - 1}' y2='6' stroke='{color}' stroke-width='{band:g}' "
        f"stroke-opacity='{band_opacity:g}' stroke-linecap='round'/>"
        if band
        else ""
    )
    return (
        f"<svg width='{width}' height='12' class='cm-sample'>{under}<line x1='1' y1='6' x2='{width - 1}' y2='6' "
        f"stroke='{color}' stroke-width='{weight:g}' stroke-linecap='round'{dash_attr}/></svg>"
    )


def _quality(leg: Any) -> str:
    """A leg's ``geometry_quality``; ``network`` for layers of an older version that lack it."""
    value = getattr(leg, "geometry_quality", "")
    return value if value in QUALITY_STYLES else "network"


def _display_lines(geometry: Any, tolerance: float = LINE_TOLERANCE) -> list[shapely.Geometry]:
    """Legs as drawn: simplified (end points kept, so legs still meet), coordinates rounded."""
    geoms = shapely.simplify(np.asarray(geometry, dtype=object), tolerance, preserve_topology=True)
    return list(shapely.set_precision(geoms, 10.0**-DISPLAY_DECIMALS, mode="pointwise"))


def _locations(geom: shapely.Geometry) -> list[Any]:
    """Leaflet ``[lat, lon]`` lists: one line, or a list of lines for a multi-line."""
    parts = list(geom.geoms) if geom.geom_type == "MultiLineString" else [geom]
    lines = [np.round(shapely.get_coordinates(p), DISPLAY_DECIMALS)[:, ::-1].tolist() for p in parts]
    return lines[0] if len(lines) == 1 else lines


def _add_legs(
    target: folium.Map | folium.FeatureGroup,
    legs: pd.DataFrame,
    hub_names: dict[str, str],
    corridor_names: dict[str, str] | None = None,
    color: str | None = None,
    offsets: Sequence[float] | None = None,
    tolerance: float = LINE_TOLERANCE,
) -> list[folium.PolyLine]:
    """The legs as lines in their mode's colour (or ``color``, one per corridor on the overview), dashed by
    status, thinner over a band where approximate; each with its tooltip and popup.

    ``offsets`` (pixels, one per leg; see :func:`maps.bundles.leg_offsets`) draws a leg that shares its track
    with other corridors beside theirs (Leaflet.PolylineOffset). ``tolerance``: their simplification, in degrees.
    """
    drawn = []
    shifts = list(offsets) if offsets is not None else [0.0] * len(legs)
    lines = _display_lines(legs.geometry, tolerance)
    for leg, geom, shift in zip(legs.itertuples(index=False), lines, shifts, strict=True):
        Line: Any = plugins.PolyLineOffset if shift else folium.PolyLine
        beside = {"offset": round(shift, 2)} if shift else {}
        mode, status = MODE_STYLES[Mode(leg.mode)], STATUS_STYLES[Status(leg.status)]
        stroke = color or mode.color
        quality = QUALITY_STYLES[_quality(leg)]
        tip = f"{esc(mode.label)} · {esc(status.label.lower())} · {esc(_km(leg.length_km))}"
        if quality.band_factor:
            tip += f" · {esc(quality.label.split(' (')[0].lower())}"
            band = Line(  # the band of uncertainty under an approximate line: drawn, not clickable
                _locations(geom),
                **beside,
                color=stroke,
                weight=mode.weight * quality.band_factor,
                opacity=quality.band_opacity,
                class_name=f"cm-band cm-{leg.mode} cm-c-{leg.corridor_id}",
            )
            band.options["interactive"] = False  # folium's path options leave this Leaflet option out
            band.add_to(target)
        corridor = corridor_names.get(leg.corridor_id) if corridor_names else None
        weight = mode.weight * quality.weight_factor
        line = Line(
            _locations(geom),
            **beside,
            color=stroke,
            weight=weight,
            opacity=status.opacity,
            dash_array=status.dash_array(mode.weight),  # the pattern of the status, whatever the width
            class_name=f"cm-leg cm-{leg.mode} cm-{leg.status} cm-c-{leg.corridor_id}",
        )
        Bind(popup=_leg_popup(leg, hub_names, corridor), max_width=360, tooltip=tip, sticky=True).add_to(line)
        line.add_to(target)
        drawn.append(line)
    return drawn


def _add_hubs(
    target: folium.Map | folium.FeatureGroup, hubs: pd.DataFrame, labels: dict[str, HubLabel] | None = None
) -> None:
    """Hub symbols; hubs in ``labels`` carry their name on the map (shown by rank where it fits, see
    :mod:`maps.labels`), the others on hover."""
    labels = labels or {}
    for hub, geom in zip(hubs.itertuples(index=False), hubs.geometry, strict=True):
        kind = HubKind(hub.kind)
        px = HUB_STYLES[kind].size
        label = labels.get(hub.hub_id)
        named: dict[str, Any] = {}  # a name shown on the map, not only on hover
        if label is not None:
            gap = name_offset(px)
            edge = f" cm-edge-{label.edge}" if label.edge else ""
            named = {
                "permanent": True,
                "direction": label.side,
                "offset": (gap if label.side == "right" else -gap, 0),
                "class_name": f"cm-label cm-place cm-r-{label.rank}{edge}",
            }
        end = " cm-end" if label is not None and label.end else ""
        marker = folium.Marker(
            [round(geom.y, DISPLAY_DECIMALS), round(geom.x, DISPLAY_DECIMALS)],
            icon=folium.DivIcon(
                html="",
                icon_size=(px, px),
                icon_anchor=(px // 2, px // 2),
                class_name=f"cm-hub{end} cm-k-{kind}",
            ),
        )
        Bind(popup=_hub_popup(hub), max_width=340, tooltip=esc(hub.name), sticky=True, **named).add_to(marker)
        marker.add_to(target)


def _corridor_counts(hubs: pd.DataFrame) -> dict[str, int]:
    """How many corridors each hub is in (the hubs layer's ``corridors`` cell, comma-separated ids)."""
    if "corridors" not in hubs.columns:
        return {}
    cells = zip(hubs["hub_id"], hubs["corridors"], strict=True)
    return {h: len([c for c in str(cs).split(",") if c]) for h, cs in cells}


def _hub_labels(layers: Layers, every: Layers | None = None) -> dict[str, HubLabel]:
    """Every hub of ``layers`` named on the map, ranked by its role (:func:`maps.labels.hub_ranks`); ``every``
    (the whole build) says how many corridors each hub is in."""
    every = every or layers
    return hub_ranks(layers.hubs, layers.legs, _corridor_counts(every.hubs), every.legs)


def js_string(text: str) -> str:
    """``text`` as a JavaScript string literal that is safe inside ``<script>``: JSON, with ``</`` and ``<!--``
    broken up (the only sequences that end or change a script element's text)."""
    return json.dumps(text, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")


class Bind(MacroElement):
    """A popup and a tooltip bound to their parent (a line or a marker) as text, in one statement.

    ``folium.Popup`` and ``folium.Tooltip`` are three elements per line (popup,
    its HTML, tooltip), build the popup's content as DOM nodes when the page loads
    (``$(`...`)[0]``) and put the text into a JavaScript template literal as it is.
    Here the content goes in as JSON strings (``</``, quotes, backticks and ``${``
    cannot break out of the script) and Leaflet builds a popup when it opens.
    ``popup`` and ``tooltip`` are HTML, already escaped.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}
        {%- if this.popup is not none %}.bindPopup({{ this.popup }}, {{ this.popup_options|tojavascript }}){% endif %}
        {%- if this.tooltip is not none %}.bindTooltip({{ this.tooltip }}, {{ this.tooltip_options|tojavascript }})
        {%- endif %};
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        popup: str | None = None,
        max_width: int = 300,
        tooltip: str | None = None,
        **tooltip_options: Any,
    ) -> None:
        super().__init__()
        self._name = "Bind"
        self.popup = None if popup is None else js_string(popup)
        self.popup_options = {"maxWidth": max_width}
        self.tooltip = None if tooltip is None else js_string(f"<div>{tooltip}</div>")
        self.tooltip_options = tooltip_options  # tojavascript writes the keys in camelCase


class _Highlight(MacroElement):
    """Hovering a corridor's line, or its row in the legend, picks it out: the others fade."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var box = map.getContainer();
            function corridorOf(el) {
                if (!el) { return null; }
                if (el.dataset && el.dataset.corridor) { return el.dataset.corridor; }
                var cls = (el.getAttribute && el.getAttribute("class")) || "";
                var m = cls.match(/cm-c-([a-z0-9-]+)/);
                return m ? m[1] : null;
            }
            function focus(cid) {
                box.classList.toggle("cm-focus", !!cid);
                box.querySelectorAll("path.cm-leg, path.cm-band").forEach(function (p) {
                    p.classList.toggle("cm-on", !!cid && p.classList.contains("cm-c-" + cid));
                });
            }
            document.addEventListener("mouseover", function (e) {
                var el = e.target.closest ? (e.target.closest(".cm-legend-corridor") || e.target) : e.target;
                var cid = corridorOf(el);
                if (cid) { focus(cid); }
            });
            document.addEventListener("mouseout", function (e) {
                var el = e.target.closest ? (e.target.closest(".cm-legend-corridor") || e.target) : e.target;
                if (corridorOf(el)) { focus(null); }
            });
        })();
        {% endmacro %}
        """
    )


class _LayerControl(folium.LayerControl):
    """Folium's layer switcher, folded to its icon on small screens and in small embeds (where it would cover the
    map), as asked elsewhere."""

    _template = Template(
        """
        {% macro script(this,kwargs) %}
            var {{ this.get_name() }}_layers = {
                base_layers : {
                    {%- for key, val in this.base_layers.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
                overlays :  {
                    {%- for key, val in this.overlays.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
            };
            let {{ this.get_name() }}_options = {{ this.options|tojavascript }};
            if (window.innerWidth < 720 || window.innerHeight < 520) { {{ this.get_name() }}_options.collapsed = true; }
            let {{ this.get_name() }} = L.control.layers(
                {{ this.get_name() }}_layers.base_layers,
                {{ this.get_name() }}_layers.overlays,
                {{ this.get_name() }}_options
            ).addTo({{this._parent.get_name()}});
        {% endmacro %}
        """
    )


SHARED_CSS = Markup(
    DECLUTTER_CSS
    + """
    .leaflet-tooltip.cm-label { background: none; border: 0; box-shadow: none; padding: 0;
    font: 600 12px/1.2 system-ui, sans-serif; color: #1a1a1a;
    text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff; }
    .leaflet-tooltip.cm-label:before { display: none; }
    .leaflet-control-attribution { max-width: 62%; font-size: 10px; line-height: 1.35; }
    .cm-country { color: #8a8a8a; font: italic 11px/1 system-ui, sans-serif; letter-spacing: .06em;
    text-transform: uppercase; white-space: nowrap; text-align: center;
    text-shadow: 0 0 2px #fff, 0 0 2px #fff; }
    """
)
"""The CSS every map page shares (hub labels, attribution, country names): the corridor maps and the flow map."""


_LEGEND_CSS = """
.cm-legend { position: absolute; z-index: 1000; bottom: 54px; left: 10px; background: rgba(255,255,255,.94);
  padding: 7px 10px; border-radius: 5px; box-shadow: 0 1px 4px rgba(0,0,0,.35);
  font: 12px/1.5 system-ui, sans-serif; color: #222; max-width: 250px; }
.cm-legend-title { font-weight: 650; font-size: 13px; line-height: 1.3; margin-bottom: 4px; cursor: pointer; }
details.cm-legend-box:not([open]) > summary { margin-bottom: 0; }
details.cm-legend-box[open] { max-height: calc(100vh - 230px); overflow-y: auto; }
@media (max-width: 719px), (max-height: 519px) {
  .cm-legend { top: 10px; bottom: auto; left: 54px; max-width: calc(100vw - 140px); }
  .leaflet-control-minimap { display: none !important; }
  .leaflet-container .leaflet-control-attribution { font-size: 9px; line-height: 1.25; }
}
.cm-legend-gap { height: 4px; }
.cm-legend-figures { color: #333; font-size: 11.5px; margin: -2px 0 4px; }
.cm-legend-corridor { cursor: default; line-height: 1.35; margin: 1px 0; }
.cm-focus path.cm-leg:not(.cm-on), .cm-focus path.cm-band:not(.cm-on) { opacity: 0.12; }
.cm-focus path.cm-leg.cm-on { stroke-width: 6px; }
.cm-legend-note { color: #666; font-size: 11px; margin-top: 4px; }
details.cm-about { margin-top: 4px; font-size: 11.5px; }
details.cm-about summary { cursor: pointer; color: #0b5cad; }
details.cm-about[open] { max-height: 45vh; overflow-y: auto; }
details.cm-about p { margin: 4px 0; }
.cm-legend svg, .leaflet-control-layers svg.cm-sample { vertical-align: middle; }
.cm-sym { display: inline-block; width: 30px; text-align: center; }
.cm-hub svg { display: block; }
.leaflet-interactive:focus, .leaflet-marker-icon:focus { outline: none; }
.folium-map, .leaflet-control-minimap { background: __WATER__; }
.leaflet-control-layers-overlays label { font: 12px/1.6 system-ui, sans-serif; }
.cm-pop { max-height: 320px; overflow-y: auto; font: 12px/1.45 system-ui, sans-serif; }
.cm-pop b { font-size: 13px; }
.cm-sub { color: #555; margin: 1px 0 3px; }
ul.cm-factlist { margin: 4px 0; padding-left: 16px; }
ul.cm-factlist li { margin-bottom: 3px; }
.cm-src, .cm-pop small { color: #666; font-size: 11px; }
p.cm-notes { margin: 4px 0; color: #333; }
table.cm-facts { border-collapse: collapse; margin-top: 4px; font-size: 12px; }
table.cm-facts th { text-align: left; padding: 1px 8px 1px 0; vertical-align: top;
  color: #555; font-weight: 500; white-space: nowrap; }
table.cm-facts td { padding: 1px 0; }
.cm-pop a { color: #0b5cad; }
"""
"""The corridor maps' own CSS (legend, popups, labels); with :data:`SHARED_CSS`, one stylesheet a build shares."""


class _Legend(MacroElement):
    """A fixed legend box drawn from the style tables, and the page's own CSS."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div class="cm-legend leaflet-control" id="{{ this.get_name() }}">
          <details class="cm-legend-box" open>
          <summary class="cm-legend-title">{{ this.title }}</summary>
          {% if this.figures %}<div class="cm-legend-figures">{{ this.figures }}</div>{% endif %}
          {% for sample, label, cid in this.corridors %}<div class="cm-legend-corridor" data-corridor="{{ cid }}">
            {{- sample }} {{ label }}</div>{% endfor %}
          {% if this.corridors %}<div class="cm-legend-note">Colour: corridor (hover to pick one out);
            mode in each leg's popup</div>{% endif %}
          {% for sample, label in this.modes %}<div>{{ sample }} {{ label }}</div>{% endfor %}
          {% if this.statuses|length > 1 %}<div class="cm-legend-gap"></div>
          {% for sample, label in this.statuses %}<div>{{ sample }} {{ label }}</div>{% endfor %}{% endif %}
          {% for sample, label in this.qualities %}<div>{{ sample }} {{ label }}</div>{% endfor %}
          <div class="cm-legend-gap"></div>
          {% for svg, label in this.hubs %}<div><span class="cm-sym">{{ svg }}</span> {{ label }}</div>{% endfor %}
          <div class="cm-legend-note">{% if this.arrows %}▶ direction of travel · {% endif %}click for facts
            {%- if this.as_of %}<br>Data as of {{ this.as_of }}{% endif %}</div>
          {% if this.about %}<details class="cm-about"><summary>About this corridor</summary>
            {{ this.about }}</details>{% endif %}
          </details>
        </div>
        <script>
          (function () {  // small screens and embeds open with the legend folded to its title
            if (window.innerWidth < 720 || window.innerHeight < 520) {
              document.querySelector("#{{ this.get_name() }} details.cm-legend-box").removeAttribute("open");
            }
          })();
        </script>
        {% if this.js_href %}<script src="{{ this.js_href }}"></script>{% endif %}
        {% if this.css_href %}<link rel="stylesheet" href="{{ this.css_href }}">
        {% else %}<style>{{ this.css }}</style>{% endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        title: str,
        modes: Iterable[str],
        statuses: Iterable[str],
        kinds: Iterable[str],
        *,
        about: str = "",
        qualities: Iterable[str] = (),
        figures: str = "",
        as_of: str = "",
        corridors: Iterable[tuple[str, str, str]] = (),
        arrows: bool = True,
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.arrows = arrows
        """The map draws direction arrows (the legend says what ▶ means)."""
        self.corridors = [(Markup(sample), esc(label), esc(cid)) for sample, label, cid in corridors]
        self.title = esc(title)
        self.figures = esc(figures)
        self.as_of = esc(as_of)
        self.about = Markup(about)  # built from escaped parts by the caller
        self.css = Markup(page_css())
        self.css_href: str | None = None
        self.js_href: str | None = None
        """The build's shared script (:func:`page_script`), set with ``css_href``."""
        """The build's shared stylesheet, set while a build renders the page (:func:`render_html`); else inline."""
        modes, statuses, kinds = (set() if self.corridors else set(modes)), set(statuses), set(kinds)
        self.modes = [
            (Markup(_line_sample(s.color, s.weight, None)), esc(s.label)) for m, s in MODE_STYLES.items() if m in modes
        ]
        self.statuses = [
            (Markup(_line_sample("#555", 3.0, s.dash_array(3.0))), esc(s.label))
            for st, s in STATUS_STYLES.items()
            if st in statuses
        ]
        self.hubs = [(Markup(hub_symbol(k, size=12)), esc(s.label)) for k, s in HUB_STYLES.items() if k in kinds]
        shown = set(qualities)
        self.qualities = [
            (
                Markup(_line_sample("#555", 3.0 * q.weight_factor, None, band=3.0 * q.band_factor,
                                    band_opacity=q.band_opacity)),
                esc(q.label),
            )
            for key, q in QUALITY_STYLES.items()
            if key in shown and q.band_factor
        ]  # fmt: skip


class _Attribution(MacroElement):
    """Adds the data's licence notices to the map's attribution control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% for text in this.texts %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ text|tojson }});
        {% endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, texts: Iterable[str]) -> None:
        super().__init__()
        self._name = "Attribution"
        self.texts = [esc(t) for t in texts]


class _Direction(JSCSSMixin, Layer):
    """Arrows along the legs, in the direction of travel: a layer of the layer control.

    The arrows are text along each leg's own SVG path (Leaflet.TextPath), so they
    cost no geometry; switching the layer off removes them. On the page's first draw they
    wait until the route has been painted: TextPath measures its text on each leg, a layout
    per leg, which cost as much as drawing the legs.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        (function (group, legs) {
            function arrows(on) {
                legs.forEach(function (leg) {
                    var text = on ? {{ this.text|tojson }} : null;
                    var options = {repeat: true, offset: 4, attributes: {
                        "fill": leg.options.color, "font-size": "12", "font-weight": "bold",
                        "class": "cm-arrow", "pointer-events": "none"}};
                    if (leg._map) { leg.setText(text, options); }
                    else { leg._text = text; leg._textOptions = options; }
                });
            }
            var first = true;  // the page's first draw: the arrows wait for the route's first paint
            group.on("add", function () {
                if (!first) { arrows(true); return; }
                first = false;
                requestAnimationFrame(function () { setTimeout(function () { if (group._map) { arrows(true); } }); });
            });
            group.on("remove", function () { arrows(false); });
        })({{ this.get_name() }},
           [{% for leg in this.legs %}{{ leg.get_name() }}{{ ", " if not loop.last }}{% endfor %}]);
        {% endmacro %}
        """
    )
    default_js = plugins.PolyLineTextPath.default_js

    def __init__(self, legs: Sequence[folium.PolyLine], *, show: bool = True) -> None:
        name = "<span style='display:inline-block;width:30px;text-align:center'>▶</span> Direction of travel"
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "Direction"
        self.legs = list(legs)
        self.text = "        ▶        "


MINIMAP_JS = """function (map, mini, draw) {
var o = mini.options, spot = L.control({position: o.position});
spot.onAdd = function () {
    var box = L.DomUtil.create("div", "leaflet-control-minimap");
    box.style.width = (o.minimized ? o.collapsedWidth : o.width) + "px";
    box.style.height = (o.minimized ? o.collapsedHeight : o.height) + "px";
    return box;
};
map.addControl(spot);
requestAnimationFrame(function () { setTimeout(function () {  // after the route's first paint
    map.addControl(mini);
    spot.getContainer().parentNode.insertBefore(mini.getContainer(), spot.getContainer());
    map.removeControl(spot);
    draw();
}, 0); });
}
"""
"""The page script of :class:`_MiniMap` (``window.cmMiniMap`` in a build's shared script): an empty box of the
locator's size keeps its place until the route has been painted, then the locator takes it and ``draw`` fills it."""


class _MiniMap(plugins.MiniMap, PageFunction):
    """A locator map drawn from the main map's country outlines (the same decoded data: no copy of its own),
    under its tiles, if any.

    Its place is taken at once, by an empty box of its size (the fitted view keeps clear of it); the control
    itself, a second Leaflet map, and what it draws wait until the route has been painted: they cost as much as
    all of the route's layers together.
    """

    function, js = "cmMiniMap", MINIMAP_JS
    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }}_layers = L.layerGroup();
            var {{ this.get_name() }} = new L.Control.MiniMap({{ this.get_name() }}_layers,
                {{ this.options|tojavascript }});
            {{ this.call() }}({{ this._parent.get_name() }}, {{ this.get_name() }}, function () {
                {{ this.get_name() }}_layers.addLayer(L.geoJson({{ this.outlines.get_name() }}_data(), {
                    pane: "tilePane", interactive: false, style: {{ this.outline_style|tojson }}}));
                {% if this.provider %}
                {{ this.get_name() }}_layers.addLayer(L.tileLayer({{ this.provider.tiles|tojson }},
                    {{ this.provider.options|tojson }}));
                {% endif %}
            });
        {% endmacro %}
        """
    )

    def __init__(self, outlines: MacroElement, provider: folium.TileLayer | None, *, minimized: bool) -> None:
        super().__init__(
            position="bottomright",
            width=140,
            height=120,
            zoom_level_offset=-4,
            toggle_display=True,
            minimized=minimized,
        )
        self.outlines = outlines
        self.provider = provider
        self.outline_style = {"color": BORDER, "weight": 0.5, "fillColor": LAND, "fillOpacity": 1}


Tiles: TypeAlias = str | xyzservices.TileProvider
"""A basemap: an xyzservices name, or a provider of your own (see :func:`custom_tiles`)."""


def custom_tiles(url: str, attribution: str) -> xyzservices.TileProvider:
    """A tile provider from a URL template (``https://.../{z}/{x}/{y}.png``) and its attribution."""
    if not re.match(r"^https?://", url) or not all(k in url for k in ("{z}", "{x}", "{y}")):
        raise OptionError(f"tiles {url!r}: a tile URL starts with http(s):// and holds {{z}}, {{x}} and {{y}}")
    if not attribution.strip():
        raise OptionError(
            f"tiles {url!r}: a tile URL needs its attribution: add --tiles-attr 'the credit the tiles require'"
        )
    # Leaflet shows attributions as HTML: the user's text is escaped
    return xyzservices.TileProvider(name="custom", url=url, attribution=esc(attribution.strip()))


def resolve_tiles(name: Tiles) -> xyzservices.TileProvider:
    """The xyzservices tile provider of this name (case and spaces do not matter), or the provider given."""
    if isinstance(name, xyzservices.TileProvider):
        return name
    try:
        provider = _provider(name)
    except ValueError:
        names = list(xyzservices.providers.flatten())
        close = difflib.get_close_matches(name.replace(" ", "."), names, n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
        raise OptionError(
            f"tiles {name!r}: no such tile provider: {hint}use an xyzservices name such as "
            "'Esri WorldGrayCanvas' or 'OpenStreetMap Mapnik', or 'none' for no tiles"
        ) from None
    if provider.requires_token():
        raise OptionError(f"tiles {name!r}: this provider needs an API key: choose one that does not")
    return provider


@functools.cache
def _provider(name: str) -> xyzservices.TileProvider:
    """xyzservices' provider of this name, looked up once per process (a lookup flattens every provider)."""
    return xyzservices.providers.query_name(name)


class _NoDefaultIcon(MacroElement):
    """Leaflet's default marker image, never shown here, made a blank pixel: no image request, online or offline.

    folium creates every marker with the default icon before it sets the hub's own
    (inline SVG) one; the default would otherwise fetch ``marker-icon.png`` from the CDN.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.Icon.Default.imagePath = "";
        L.Icon.Default.mergeOptions({iconUrl: {{ this.pixel|tojson }}, iconRetinaUrl: {{ this.pixel|tojson }},
            shadowUrl: {{ this.pixel|tojson }}});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "NoDefaultIcon"
        self.pixel = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


class _Map(folium.Map):
    """folium's map without the assets these maps never use (jQuery, Bootstrap, Font Awesome, awesome-markers):
    Leaflet itself. jQuery is what folium's own popups parse their HTML with; :class:`Bind` gives Leaflet the
    popup's text instead."""

    default_js = [  # noqa: RUF012  (folium declares it an instance attribute; ClassVar would clash)
        (name, url) for name, url in folium.Map.default_js if name == "leaflet"
    ]
    default_css = [  # noqa: RUF012
        (name, url) for name, url in folium.Map.default_css if name == "leaflet_css"
    ]


def _base_map(tiles: Tiles | None, *, hold: bool = True) -> tuple[folium.Map, folium.TileLayer | None]:
    """The map with its tiles; with ``hold``, the layers added after them wait for the fitted view
    (:class:`maps.view.HoldLayers`: :func:`_finish` releases them)."""
    m = _Map(location=[45, 60], zoom_start=4, tiles=None, control_scale=True, zoom_snap=ZOOM_SNAP)
    _NoDefaultIcon().add_to(m)
    if hold:
        HoldLayers().add_to(m)
    layer = None
    if tiles:
        layer = folium.TileLayer(resolve_tiles(tiles), control=False)
        layer.add_to(m)
        if hold:
            AfterPaint(layer).add_to(m)
    return m, layer


def _bounds(layers: Layers) -> tuple[float, float, float, float] | None:
    frames = [f for f in (layers.legs, layers.hubs) if len(f)]
    if not frames:
        return None
    b = np.array([f.total_bounds for f in frames])
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


OUTLINE_LEVELS = ((12.0, 0.02), (45.0, 0.05), (float("inf"), 0.12))
"""(largest side of the shown box in degrees, simplification tolerance): coarser outlines for wider views,
where a pixel covers more ground. Each level is simplified once and cached."""


def _outline_tolerance(box: tuple[float, float, float, float]) -> float:
    side = max(box[2] - box[0], box[3] - box[1])
    return next(tol for limit, tol in OUTLINE_LEVELS if side <= limit)


class _Outlines(JSCSSMixin, MacroElement):
    """The country outlines as one non-interactive ``L.geoJson`` layer in its own pane, decoded from TopoJSON.

    The data is :mod:`maps.outlines`' script: loaded from the build's shared file when
    :attr:`src` is set (by :func:`render_html`), else written into the page. A page whose
    shared file is missing still works, without outlines.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        {%- if this.src %}<script src="{{ this.src }}"></script>
        {%- else %}<script>{{ this.inline_script() }}</script>{% endif %}
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }}_data = (function (all) {  // decoded when first drawn
            var topo = all && all[{{ this.key|tojson }}], features;
            return function () {
                if (features === undefined) { features = topo ? topojson.feature(topo, topo.objects.countries) : null; }
                return features;
            };
        })(window.{{ this.global_name }});
        var {{ this.get_name() }} = L.geoJson(null, {
            pane: {{ this.pane|tojson }}, interactive: false, style: {{ this.style|tojson }}
        });
        // the background, as tiles are: a map that holds its layers draws it after the route (maps.view)
        {{ this.get_name() }}._cmAfterPaint = function () {
            var features = {{ this.get_name() }}_data();
            if (features) { {{ this.get_name() }}.addData(features); }
        };
        if (!{{ this._parent.get_name() }}._cmHeld) { {{ this.get_name() }}._cmAfterPaint(); }
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )
    default_js = [("topojson-client", TOPOJSON_CLIENT_URL)]  # noqa: RUF012  (as folium declares it)

    def __init__(self, tolerance: float, box: tuple[float, float, float, float], *, pane: str) -> None:
        super().__init__()
        self._name = "Outlines"
        self.tolerance, self.box = tolerance, box
        self.key = level_key(tolerance)
        self.global_name = GLOBAL_NAME
        self.src: str | None = None
        self.pane = pane
        self.style = {"color": BORDER, "weight": 0.8, "fillColor": LAND, "fillOpacity": 1}

    def inline_script(self) -> Markup:
        """This page's own outlines, for a page without a shared file."""
        return Markup(outlines_script({self.key: (self.tolerance, self.box)}))


FIT_PADDING = (90, 30)
"""Pixels kept free around the route when the view is fitted: room for the names of its end hubs."""
ZOOM_SNAP = 0.5
"""Zoom steps for fitting the view: half levels frame a route closer than whole ones (view ≤ 1.41 × route)."""


def _outline_box(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """What a landscape screen (1.2:1 to 2:1) shows around the route's bounds once the view is fitted."""
    minx, miny, maxx, maxy = bounds
    stretch = 1.3  # Mercator stretches latitude at these latitudes
    w, h = maxx - minx, maxy - miny
    view_w = 1.5 * max(w, 1.6 * h * stretch)  # the fitted view, at worst (zoom snapped down by half a level)
    view_h = view_w / 1.2 / stretch
    pad_x, pad_y = max(8.0, (view_w - w) / 2 + 2), max(8.0, (view_h - h) / 2 + 2)
    return max(minx - pad_x, -180.0), max(miny - pad_y, -85.0), min(maxx + pad_x, 180.0), min(maxy + pad_y, 85.0)


def _add_country_outlines(m: folium.Map, bounds: tuple[float, float, float, float]) -> _Outlines:
    """Light country outlines under the tiles, so the map reads when no tiles load."""
    box = _outline_box(bounds)
    folium.map.CustomPane("cm-countries", z_index=150, pointer_events=False).add_to(m)
    outlines = _Outlines(_outline_tolerance(box), box, pane="cm-countries")
    outlines.add_to(m)
    return outlines


_SHORT_NAMES = {"RUS": "Russia", "SYR": "Syria", "MDA": "Moldova", "PRK": "North Korea", "KOR": "South Korea"}


def _short_name(iso3: str) -> str:
    country = pycountry.countries.get(alpha_3=iso3)
    return str(_SHORT_NAMES.get(iso3) or getattr(country, "common_name", None) or getattr(country, "name", iso3))


def _label_view(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The box names are placed in: the route's bounds and a tenth more each side."""
    minx, miny, maxx, maxy = bounds
    dx, dy = max(maxx - minx, 2.0), max(maxy - miny, 2.0)
    return minx - dx / 10, miny - dy / 10, maxx + dx / 10, maxy + dy / 10


def _add_places(m: folium.Map, places: Sequence[Place], rank: int) -> int:
    """Country and sea names as quiet markers under the lines, ranked from ``rank`` on; returns the next rank."""
    if not places:
        return rank
    panes = [c for c in m._children.values() if isinstance(c, folium.map.CustomPane)]
    if not any(getattr(p, "name", "") == "cm-labels" for p in panes):
        folium.map.CustomPane("cm-labels", z_index=380, pointer_events=False).add_to(m)
    for place in places:
        text = esc(place.name).replace("\n", "<br>")
        lines = place.name.count("\n") + 1
        css = "cm-country" if place.kind == "country" else "cm-sea"
        folium.Marker(
            [place.lat, place.lon],
            icon=folium.DivIcon(
                html=f"<span class='{css}'>{text}</span>",
                icon_size=(180, 14 * lines),
                icon_anchor=(90, 7 * lines),
                class_name=f"cm-place-icon cm-place cm-r-{rank} cm-z-{round(10 * place.minzoom)}",
            ),
            interactive=False,
            keyboard=False,
            pane="cm-labels",
        ).add_to(m)
        rank += 1
    return rank


def _add_country_labels(
    m: folium.Map, layers: Layers, bounds: tuple[float, float, float, float], *, rank: int = COUNTRY_RANK
) -> int:
    """Names of the countries the route crosses, largest first, each from the zoom where it fits, quiet and under
    the lines (the tiles have no labels); returns the next rank."""
    keys, outlines = simplified_outlines(OUTLINE_TOLERANCE)
    crossed = set(layers.hubs["country"])
    if "countries" in layers.legs.columns:  # the layers' own list of the countries along each leg
        crossed |= {c for cell in layers.legs["countries"] for c in str(cell).split(",") if c}
    elif len(layers.legs):
        lines = np.asarray(layers.legs.geometry, dtype=object)
        hit = shapely.STRtree(np.asarray(outlines, dtype=object)).query(lines, predicate="intersects")[1]
        crossed |= {keys[i] for i in hit.tolist()}
    names = {k: _short_name(k) for k in crossed}
    places = countries_to_name(keys, outlines, crossed, _label_view(bounds), names)
    return _add_places(m, places, rank)


def _add_sea_labels(m: folium.Map, layers: Layers, *, rank: int) -> int:
    """Names of the seas the route sails (:mod:`geo.seas`); returns the next rank."""
    return _add_places(m, seas_to_name(layers.legs), rank)


def _add_controls(
    m: folium.Map, outlines: MacroElement | None, tiles: folium.TileLayer | None, *, minimap_minimized: bool
) -> None:
    plugins.Fullscreen(position="topleft", title="Full screen", title_cancel="Leave full screen").add_to(m)
    plugins.MeasureControl(
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit="miles",
        primary_area_unit="sqkilometers",
        secondary_area_unit=None,
    ).add_to(m)
    if outlines is not None:
        _MiniMap(outlines, tiles, minimized=minimap_minimized).add_to(m)


def _finish(
    m: folium.Map,
    layers: Layers,
    title: str,
    drawn: Sequence[folium.PolyLine],
    tiles: folium.TileLayer | None,
    *,
    overview: bool = False,
    collapsed: bool = False,
    subtitle: str = "",
    as_of: str = "",
    minimap: bool = True,
    corridor_rows: Sequence[tuple[str, str, str]] = (),
) -> folium.Map:
    """Direction layer, legend, attribution, layer control, outlines, place names, controls and the fitted view.

    The overview starts with its minimap folded. ``as_of`` (the data's date,
    never the build time) goes in the legend; ``minimap=False`` leaves the minimap out.
    """
    if drawn:  # arrows follow drawn polylines (the timeline draws GeoJSON layers: no arrows)
        _Direction(drawn).add_to(m)
    about = figures = ""
    if not overview and len(layers.corridors) == 1:
        row = layers.corridors.iloc[0]
        figures = corridor_figures_line(row)
        summary, facts = row.get("summary", ""), facts_html(row.get("facts", ()))
        sources = _sources_html(row.get("source", ()), "; ")
        about = (f"<p>{esc(summary)}</p>" if summary else "") + facts + claims_html(row.get("claims_checked", ""))
        about += f"<p class='cm-src'>Sources: {sources}</p>" if sources else ""
    qualities = layers.legs["geometry_quality"] if "geometry_quality" in layers.legs.columns else ()
    _Legend(
        title,
        layers.legs["mode"],
        layers.legs["status"],
        layers.hubs["kind"],
        about=about,
        qualities=qualities,
        figures=" · ".join(p for p in (subtitle, figures) if p),
        as_of=as_of,
        corridors=corridor_rows,
        arrows=bool(drawn),
    ).add_to(m)
    if corridor_rows:
        _Highlight().add_to(m)
    _Attribution([*layers.attribution, OUTLINES_ATTRIBUTION]).add_to(m)
    _LayerControl(collapsed=collapsed).add_to(m)
    bounds = _bounds(layers)
    outlines = None
    if bounds is not None:
        outlines = _add_country_outlines(m, bounds)
        _add_sea_labels(m, layers, rank=SEA_RANK)
        _add_country_labels(m, layers, bounds, rank=COUNTRY_RANK)
    _add_controls(m, outlines if minimap else None, tiles, minimap_minimized=overview)
    if bounds is not None:
        FitView(bounds).add_to(m)  # last: it measures the controls
    if any(isinstance(child, HoldLayers) for child in m._children.values()):
        ReleaseLayers().add_to(m)  # the layers, drawn once in the fitted view
    Declutter().add_to(m)
    root = m.get_root()
    assert isinstance(root, Figure)  # a folium.Map always sits in a Figure
    root.header.add_child(Element(f"<title>{esc(title)}</title>"))
    return m


def _layer_label(mode: Mode, status: Status) -> str:
    m, s = MODE_STYLES[mode], STATUS_STYLES[status]
    return f"{_line_sample(m.color, m.weight, s.dash_array(m.weight))} {esc(m.label)} · {esc(s.label.lower())}"


def corridor_map(
    layers: Layers, corridor_id: str, *, tiles: Tiles | None = DEFAULT_TILES, as_of: str = "", minimap: bool = True
) -> folium.Map:
    """One corridor: a layer per mode and status, direction arrows, hubs, legend and controls."""
    mine = layers.for_corridor(corridor_id)
    if mine.corridors.empty:
        raise KeyError(corridor_id)
    name = str(mine.corridors.iloc[0]["name"])
    hub_names = dict(zip(layers.hubs["hub_id"], layers.hubs["name"], strict=True))
    m, tile_layer = _base_map(tiles)
    drawn = []
    kinds = list(zip(mine.legs["mode"], mine.legs["status"], strict=True))
    for mode in MODE_STYLES:
        for status in STATUS_STYLES:
            rows = [i for i, kind in enumerate(kinds) if kind == (str(mode), str(status))]
            if rows:
                group = folium.FeatureGroup(name=_layer_label(mode, status), show=True)
                drawn += _add_legs(group, mine.legs.iloc[rows], hub_names)
                group.add_to(m)
    hubs = folium.FeatureGroup(name="Hubs")
    _add_hubs(hubs, mine.hubs, _hub_labels(mine, layers))
    hubs.add_to(m)
    return _finish(m, mine, name, drawn, tile_layer, as_of=as_of, minimap=minimap)


def overview_map(
    layers: Layers,
    *,
    tiles: Tiles | None = DEFAULT_TILES,
    title: str = "Trade corridors: overview",
    subtitle: str = "",
    as_of: str = "",
    minimap: bool = True,
) -> folium.Map:
    """Every corridor on one map, one toggleable layer each, direction arrows and the hubs."""
    hub_names = dict(zip(layers.hubs["hub_id"], layers.hubs["name"], strict=True))
    corridor_names = dict(zip(layers.corridors["corridor_id"], layers.corridors["name"], strict=True))
    m, tile_layer = _base_map(tiles)
    order = list(layers.corridors["corridor_id"])
    colors = corridor_colors(order)
    offsets = pd.Series(
        leg_offsets(list(layers.legs["corridor_id"]), _display_lines(layers.legs.geometry), order),
        index=layers.legs.index,
    )  # shared track: the corridors side by side
    drawn, rows = [], []
    for corridor in layers.corridors.itertuples(index=False):
        color = colors[corridor.corridor_id]
        sample = _line_sample(color, 4.0, None)
        group = folium.FeatureGroup(name=f"{sample} {esc(corridor.name)}", show=True)
        mine = layers.legs["corridor_id"] == corridor.corridor_id
        drawn += _add_legs(
            group,
            layers.legs[mine],
            hub_names,
            corridor_names,
            color=color,
            offsets=list(offsets[mine]),
            tolerance=OVERVIEW_LINE_TOLERANCE,
        )
        group.add_to(m)
        row = corridor._asdict()
        km, lo, hi = (_number(row.get(k)) for k in ("length_km", "days_min", "days_max"))
        short = " · ".join(
            [*([f"{km:,.0f} km"] if km is not None else []), *([f"{lo:.0f}–{hi:.0f} d"] if lo and hi else [])]
        )
        rows.append((sample, f"{corridor.name}" + (f" · {short}" if short else ""), str(corridor.corridor_id)))
    hubs = folium.FeatureGroup(name="Hubs")
    _add_hubs(hubs, layers.hubs, _hub_labels(layers))
    hubs.add_to(m)
    return _finish(
        m, layers, title, drawn, tile_layer, overview=True, collapsed=True, subtitle=subtitle, as_of=as_of,
        minimap=minimap, corridor_rows=rows,
    )  # fmt: skip


def route_sketch(legs: pd.DataFrame, *, width: int = 168, height: int = 64, title: str = "") -> Markup:
    """A small static inline SVG of a route: its legs in mode colours and status dashes, its ends dotted.

    Equirectangular around the route's mean latitude, fitted into ``width`` × ``height``
    pixels; no JavaScript, a few hundred bytes.
    """
    lines = [g for g in legs.geometry if g is not None and not g.is_empty]
    if not lines:
        return Markup("")
    minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(lines, dtype=object))
    kx = float(np.cos(np.radians((miny + maxy) / 2)))
    pad = 5.0
    scale = min((width - 2 * pad) / max((maxx - minx) * kx, 1e-9), (height - 2 * pad) / max(maxy - miny, 1e-9))
    ox = (width - (maxx - minx) * kx * scale) / 2
    oy = (height - (maxy - miny) * scale) / 2

    def xy(coords: np.ndarray) -> np.ndarray:
        return np.column_stack([ox + (coords[:, 0] - minx) * kx * scale, oy + (maxy - coords[:, 1]) * scale])

    tolerance = 0.8 / scale  # under a pixel
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' class='sketch' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='{esc(title or 'route sketch')}'>"
    ]
    ends = []
    for leg, line in zip(legs.itertuples(index=False), lines, strict=True):
        mode, status = MODE_STYLES[Mode(leg.mode)], STATUS_STYLES[Status(leg.status)]
        pts = xy(shapely.get_coordinates(shapely.simplify(line, tolerance)))
        dash = status.dash_array(2.0)
        dash_attr = f" stroke-dasharray='{dash}'" if dash else ""
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        parts.append(
            f"<polyline points='{points}' fill='none' stroke='{mode.color}' stroke-width='2' "
            f"stroke-linejoin='round' stroke-linecap='round'{dash_attr}/>"
        )
        ends.append((pts[0], pts[-1]))
    for x, y in (ends[0][0], ends[-1][1]):
        parts.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='2.6' fill='#fff' stroke='#222' stroke-width='1.2'/>")
    parts.append("</svg>")
    return Markup("".join(parts))


# ---------------------------------------------------------------------------
# self-contained pages: JavaScript and CSS inlined from a local mirror of the CDNs
# ---------------------------------------------------------------------------

_ASSET_CLASSES: tuple[type[JSCSSMixin], ...] = (
    _Map,
    plugins.Fullscreen,
    plugins.MeasureControl,
    _MiniMap,
    _Direction,
    _Outlines,
    plugins.PolyLineOffset,
)
_SCRIPT_TAG = re.compile(r'<script src="(?P<url>https?://[^"]+)"></script>')
_CSS_TAG = re.compile(r'<link rel="stylesheet" href="(?P<url>https?://[^"]+)"\s*/?>')
_CSS_URL = re.compile(r"""url\(\s*(?P<q>['"]?)(?P<ref>[^'")]+)(?P=q)\s*\)""")


_STROKE = 1.6
"""The symbols' outline, in the 16 units of their box (as in :data:`_SHAPES`)."""
_CSS_SHAPES = {  # each of _SHAPES as a CSS box: how far its outer edge lies inside the 16-unit box, and its form
    "circle": (8 - 6 - _STROKE / 2, "border-radius: 50%;"),  # r = 6 about the centre
    "square": (2.5 - _STROKE / 2, ""),  # 2.5 to 13.5
    "diamond": (8 - 7 / math.sqrt(2) - _STROKE / 2, "transform: rotate(45deg);"),  # corners 7 from the centre
}


def _hub_icon_css() -> str:
    """Each hub kind's symbol drawn by CSS, the shapes of :func:`hub_symbol`: markers carry a class, not their own
    SVG. Not an SVG background: Chromium makes a document of its own for each SVG image, which cost a page of
    two dozen hubs 9 ms before it was first painted."""
    rules = []
    for kind in HubKind:
        style = HUB_STYLES[kind]
        inset, form = _CSS_SHAPES[style.shape]
        rules.append(
            f".cm-hub.cm-k-{kind}::before {{ content: ''; position: absolute; inset: {100 * inset / 16:.2f}%; "
            f"box-sizing: border-box; background: {style.fill}; "
            f"border: {_STROKE * style.size / 16:.2f}px solid #222; {form} }}"
        )
    return "\n".join(rules)


PAGE_JS = "corridor-maps.js"
"""The script every map of a build shares (the fitted view, the names' declutter), in the build's shared folder."""
PAGE_CSS = "corridor-maps.css"
"""The stylesheet every map of a build shares, in the build's shared folder."""


PAGE_FUNCTIONS: tuple[type[PageFunction], ...] = (FitView, ReleaseLayers, Declutter, _MiniMap)
"""The elements whose functions the build's shared script defines."""


def page_script() -> str:
    """The maps' shared script: the functions of :data:`PAGE_FUNCTIONS`, each as ``window.<name>``."""
    return "".join(f"window.{cls.function} = {cls.js};\n" for cls in PAGE_FUNCTIONS)


@functools.cache
def page_css() -> str:
    """The maps' stylesheet: the legend's and popups' rules, the shared rules and the hub symbols."""
    return _LEGEND_CSS.replace("__WATER__", WATER) + str(SHARED_CSS) + "\n" + _hub_icon_css() + "\n"


_SOURCE_MAP = re.compile(r"^\s*(?://[#@]|/\*[#@]) sourceMappingURL=\S+(?:\s*\*/)?\s*$", re.MULTILINE)


def asset_urls() -> list[str]:
    """Every JavaScript and CSS URL the maps load, sorted: what ``--assets DIR`` must hold."""
    from maps.timeline import ASSET_CLASSES as timeline  # imported here: maps.timeline builds on this module

    classes: tuple[type[JSCSSMixin], ...] = (*_ASSET_CLASSES, *timeline)
    return sorted({url for cls in classes for _, url in [*cls.default_js, *cls.default_css]})


def asset_path(assets: Path, url: str) -> Path:
    """Where ``url`` lives in an assets folder: ``DIR/<host>/<path>``, a mirror of the CDN.

    ``https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js`` is
    ``DIR/cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js``.
    """
    parts = urlsplit(url)
    return Path(assets, (parts.hostname or "").lower(), *[p for p in parts.path.split("/") if p not in ("", ".", "..")])


def check_assets(assets: Path) -> None:
    """Raise :class:`OptionError` naming every file the maps need that ``assets`` lacks."""
    assets = Path(assets)
    if not assets.is_dir():
        raise OptionError(f"--assets {assets}: no such folder: give the folder that mirrors the CDN files")
    missing = [url for url in asset_urls() if not asset_path(assets, url).is_file()]
    if missing:
        raise OptionError(
            "\n".join(f"--assets {assets}: missing {asset_path(assets, u)} (a copy of {u})" for u in missing)
        )


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix.lower() == ".svg":
        mime = "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(text: str, url: str, assets: Path) -> str:
    """CSS with its ``url(...)`` references inlined from the mirror, or made absolute when not there."""

    def replace(m: re.Match[str]) -> str:
        ref = m["ref"].strip()
        if ref.startswith(("data:", "#")):
            return m.group(0)
        absolute = urljoin(url, ref)
        local = asset_path(assets, absolute)
        return f'url("{_data_uri(local)}")' if local.is_file() else f'url("{absolute}")'

    return _CSS_URL.sub(replace, _SOURCE_MAP.sub("", text))


def inline_assets(page: str, assets: Path) -> str:
    """``page`` with every CDN ``<script src>`` and stylesheet ``<link>`` replaced by the file's text.

    The files come from ``assets`` laid out as :func:`asset_path` says; images and
    fonts the stylesheets refer to are inlined as ``data:`` URIs when the mirror has
    them. Tiles still load from their server. Raises :class:`OptionError` listing
    every missing file.
    """
    assets = Path(assets)
    urls = [m["url"] for m in _SCRIPT_TAG.finditer(page)] + [m["url"] for m in _CSS_TAG.finditer(page)]
    missing = [u for u in dict.fromkeys(urls) if not asset_path(assets, u).is_file()]
    if missing:
        raise OptionError(
            "\n".join(f"--assets {assets}: missing {asset_path(assets, u)} (a copy of {u})" for u in missing)
        )

    def script(m: re.Match[str]) -> str:
        text = _SOURCE_MAP.sub("", asset_path(assets, m["url"]).read_text(encoding="utf-8"))
        text = text.replace("</script", "<\\/script").replace("<!--", "<\\!--")
        return f"<script>/* {m['url']} */\n{text}\n</script>"

    def stylesheet(m: re.Match[str]) -> str:
        text = _inline_css(asset_path(assets, m["url"]).read_text(encoding="utf-8"), m["url"], assets)
        text = text.replace("</style", "<\\/style")
        return f"<style>/* {m['url']} */\n{text}\n</style>"

    return _CSS_TAG.sub(stylesheet, _SCRIPT_TAG.sub(script, page))


_LEAFLET_PATH_DEFAULTS = {
    "bubblingMouseEvents": True,
    "dashArray": None,
    "dashOffset": None,
    "fill": False,
    "fillOpacity": 0.2,
    "fillRule": "evenodd",
    "lineCap": "round",
    "lineJoin": "round",
    "noClip": False,
    "smoothFactor": 1.0,
    "stroke": True,
}
"""Leaflet 1.9's own defaults for a polyline's options (``L.Path`` and ``L.Polyline``): folium writes them out
for every line; the page leaves them to Leaflet."""


def _drop_leaflet_defaults(options: dict[str, Any]) -> None:
    """Remove the options a polyline would have anyway (and ``fillColor`` equal to its ``color``, Leaflet's rule)."""
    for key, value in _LEAFLET_PATH_DEFAULTS.items():
        if key in options and options[key] == value and type(options[key]) is type(value):
            del options[key]
    if "fillColor" in options and options.get("fillColor") == options.get("color"):
        del options["fillColor"]


def _walk(element: Element) -> Iterable[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)
    for attr in ("header", "html", "script"):
        sub = getattr(element, attr, None)
        if isinstance(sub, Element) and sub is not element and not isinstance(element, Figure):
            yield from _walk(sub)


class _Text(Element):
    """Text already rendered, held as it is: branca's ``Element(text)`` compiles ``text`` as a jinja template.

    branca and folium wrap the rendered script, HTML and header of every element
    in ``Element(rendered)`` (``MacroElement.render``, ``Popup.render``), which
    compiles that text as a template and renders it once: about 1,700 compiles
    for a catalog's pages, most of the time spent rendering them. The text holds no
    template syntax meant to be expanded, so this keeps it as it is and renders it as
    jinja renders plain text (one trailing newline dropped).
    """

    def __init__(self, template: str | None = None, template_name: str | None = None) -> None:
        super().__init__(template_name=template_name)
        self._text = template

    def render(self, **kwargs: Any) -> str:
        if self._text is None:
            return str(super().render(**kwargs))
        return self._text[:-1] if self._text.endswith("\n") else self._text


@contextmanager
def _rendered_text_kept() -> Iterator[None]:
    """While rendering, branca's and folium's ``Element(rendered)`` make a :class:`_Text` (not thread-safe)."""
    saved = branca.element.Element, folium.map.Element
    branca.element.Element = folium.map.Element = _Text  # type: ignore[misc]
    try:
        yield
    finally:
        branca.element.Element, folium.map.Element = saved  # type: ignore[misc]


_KEEP_SPACE = re.compile(r"<(pre|textarea)\b.*?</\1\s*>", re.S | re.I)
_INDENT = re.compile(r"[ \t]*\n\s*")
"""A line break with the spaces around it and any blank lines after it."""


def _without_indentation(page: str) -> str:
    """``page`` with the indentation of folium's templates and its blank lines taken out (about 15 % of a page).

    Line breaks stay (JavaScript's semicolon insertion relies on them), and so does the
    text of ``<pre>`` and ``<textarea>`` elements; elsewhere in HTML, and in the HTML
    that scripts hold, a run of spaces shows as one space.
    """
    out, pos = [], 0
    for kept in _KEEP_SPACE.finditer(page):
        out += [_INDENT.sub("\n", page[pos : kept.start()]), kept.group(0)]
        pos = kept.end()
    out.append(_INDENT.sub("\n", page[pos:]))
    return "".join(out)


def render_html(m: folium.Map, *, outlines: SharedOutlines | None = None) -> str:
    """The map's page, with element ids numbered in order so that output is reproducible.

    branca gives every element a random id; we renumber them (and the keys
    under which parents hold children by name) before rendering. Rendered text is
    not compiled again as a template (:class:`_Text`).

    With ``outlines`` (those of a build) the page loads its country outlines from
    the build's shared file, and asks it for them; without, they are in the page.
    The page comes without the templates' indentation (:func:`_without_indentation`).
    """
    root = m.get_root()
    elements: list[Element] = []
    seen: set[int] = set()
    for el in _walk(root):
        if id(el) not in seen:
            seen.add(id(el))
            elements.append(el)
    for el in elements:
        if isinstance(el, _Outlines):
            el.src = outlines.src(el.tolerance, el.box) if outlines is not None else None
        if isinstance(el, _Legend):
            el.css_href = outlines.share(PAGE_CSS, str(el.css)) if outlines is not None else None
        if isinstance(el, folium.PolyLine):  # PolyLineOffset too
            _drop_leaflet_defaults(el.options)
    legend = next((el for el in elements if isinstance(el, _Legend)), None)
    scripted = [el for el in elements if isinstance(el, PageFunction)]
    if outlines is not None and legend is not None and scripted:  # the legend's page loads the shared script
        legend.js_href = outlines.share(PAGE_JS, page_script())
    for el in scripted:
        el.shared = legend is not None and legend.js_href is not None
    old_names = {id(el): el.get_name() for el in elements}
    for n, el in enumerate(elements):
        el._id = f"{n:08x}"
    for el in elements:
        el._children = type(el._children)(
            (child.get_name() if key == old_names.get(id(child)) else key, child) for key, child in el._children.items()
        )
    with _rendered_text_kept():
        return _without_indentation(str(root.render()))
