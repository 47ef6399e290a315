"""Folium maps of corridors: one per corridor and an overview.

Maps only render: they read the layers (:mod:`layers.frames`) and the style
(:mod:`layers.style`) and know nothing of catalogs or geometry builders.
All text that reaches the page goes through :func:`esc`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import folium
import numpy as np
import pandas as pd
import shapely
import xyzservices
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from geo.countries import OUTLINES_ATTRIBUTION, country_outlines
from geo.errors import OptionError
from geo.model import HubKind, Mode, Status
from layers.frames import Layers
from layers.style import HUB_STYLES, MODE_STYLES, STATUS_STYLES

__all__ = ["DEFAULT_TILES", "corridor_map", "esc", "hub_symbol", "overview_map", "render_html", "resolve_tiles"]

DEFAULT_TILES = "Esri WorldGrayCanvas"
"""A light, neutral basemap that needs no API key."""
DISPLAY_DECIMALS = 5
"""Coordinates on maps are rounded to this many decimals (about 1 m)."""


def esc(value: object) -> str:
    """Escape text for HTML that folium also embeds in JavaScript template literals."""
    return html.escape(str(value), quote=True).replace("`", "&#96;").replace("$", "&#36;")


def _km(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:,.0f} km"


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    return "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in pairs)


def _leg_popup(leg: Any, hub_names: dict[str, str]) -> str:
    title = f"{hub_names.get(leg.from_hub, leg.from_hub)} → {hub_names.get(leg.to_hub, leg.to_hub)}"
    rows = [
        ("Mode", esc(MODE_STYLES[Mode(leg.mode)].label)),
        ("Status", esc(STATUS_STYLES[Status(leg.status)].label)),
        ("Length", esc(_km(leg.length_km)) + (" (great-circle line)" if leg.method == "great-circle" else "")),
        (
            "Published",
            esc(_km(leg.published_km))
            + (f"<br><small>{esc(leg.published_source)}</small>" if leg.published_source else ""),
        ),
    ]
    if leg.source:
        rows.append(("Sources", "<br>".join(esc(s) for s in leg.source.split("; "))))
    if leg.notes:
        rows.append(("Notes", esc(leg.notes)))
    return f"<b>{esc(title)}</b><table class='cm-facts'>{_rows(rows)}</table>"


def _hub_popup(hub: Any) -> str:
    rows = [
        ("Country", esc(hub.country)),
        ("Kind", esc(HUB_STYLES[HubKind(hub.kind)].label)),
        ("Source", "<br>".join(esc(s) for s in hub.source.split("; "))),
    ]
    return f"<b>{esc(hub.name)}</b><table class='cm-facts'>{_rows(rows)}</table>"


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


def _line_locations(geom: shapely.Geometry) -> list[list[float]]:
    coords = np.round(shapely.get_coordinates(geom), DISPLAY_DECIMALS)
    return coords[:, ::-1].tolist()


def _add_legs(target: folium.Map | folium.FeatureGroup, legs: pd.DataFrame, hub_names: dict[str, str]) -> None:
    for leg, geom in zip(legs.itertuples(index=False), legs.geometry, strict=True):
        mode, status = MODE_STYLES[Mode(leg.mode)], STATUS_STYLES[Status(leg.status)]
        tip = f"{esc(mode.label)} · {esc(status.label.lower())} · {esc(_km(leg.length_km))}"
        folium.PolyLine(
            _line_locations(geom),
            color=mode.color,
            weight=mode.weight,
            opacity=status.opacity,
            dash_array=status.dash_array(mode.weight),
            tooltip=folium.Tooltip(tip, sticky=True),
            popup=folium.Popup(_leg_popup(leg, hub_names), max_width=360),
            class_name=f"cm-leg cm-{leg.mode} cm-{leg.status}",
        ).add_to(target)


def _add_hubs(target: folium.Map | folium.FeatureGroup, hubs: pd.DataFrame) -> None:
    for hub, geom in zip(hubs.itertuples(index=False), hubs.geometry, strict=True):
        kind = HubKind(hub.kind)
        px = HUB_STYLES[kind].size
        folium.Marker(
            [round(geom.y, DISPLAY_DECIMALS), round(geom.x, DISPLAY_DECIMALS)],
            icon=folium.DivIcon(
                html=hub_symbol(kind), icon_size=(px, px), icon_anchor=(px // 2, px // 2), class_name="cm-hub"
            ),
            tooltip=folium.Tooltip(esc(hub.name)),
            popup=folium.Popup(_hub_popup(hub), max_width=320),
        ).add_to(target)


class _Legend(MacroElement):
    """A fixed legend box drawn from the style tables."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div class="cm-legend leaflet-control" id="{{ this.get_name() }}">
          <div class="cm-legend-title">{{ this.title }}</div>
          {% for color, weight, dash, label in this.modes %}
          <div><svg width="34" height="10"><line x1="1" y1="5" x2="33" y2="5" stroke="{{ color }}"
            stroke-width="{{ weight }}"{% if dash %} stroke-dasharray="{{ dash }}"{% endif %}/></svg> {{ label }}</div>
          {% endfor %}
          {% for dash, label in this.statuses %}
          <div><svg width="34" height="10"><line x1="1" y1="5" x2="33" y2="5" stroke="#444"
            stroke-width="3"{% if dash %} stroke-dasharray="{{ dash }}"{% endif %}/></svg> {{ label }}</div>
          {% endfor %}
          {% for svg, label in this.hubs %}
          <div><span class="cm-sym">{{ svg }}</span> {{ label }}</div>
          {% endfor %}
        </div>
        <style>
          .cm-legend { position: absolute; z-index: 1000; bottom: 48px; left: 10px; background: rgba(255,255,255,.92);
            padding: 6px 9px; border-radius: 5px; box-shadow: 0 1px 4px rgba(0,0,0,.35);
            font: 12px/1.45 system-ui, sans-serif; color: #222; }
          .cm-legend-title { font-weight: 600; margin-bottom: 3px; max-width: 260px; }
          .cm-legend svg { vertical-align: middle; }
          .cm-sym { display: inline-block; width: 34px; text-align: center; }
          .cm-hub svg { display: block; }
          .folium-map { background: #dce8f0; }
          table.cm-facts { border-collapse: collapse; margin-top: 4px; font-size: 12px; }
          table.cm-facts th { text-align: left; padding: 1px 8px 1px 0; vertical-align: top;
            color: #555; font-weight: 500; }
          table.cm-facts td { padding: 1px 0; }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self, title: str, modes: Iterable[str], statuses: Iterable[str], kinds: Iterable[str]) -> None:
        super().__init__()
        self._name = "Legend"
        self.title = esc(title)
        self.modes = [(s.color, s.weight, None, esc(s.label)) for m, s in MODE_STYLES.items() if str(m) in set(modes)]
        self.statuses = [
            (s.dash_array(3.0), esc(s.label)) for st, s in STATUS_STYLES.items() if str(st) in set(statuses)
        ]
        self.hubs = [(hub_symbol(k, size=12), esc(s.label)) for k, s in HUB_STYLES.items() if str(k) in set(kinds)]


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


def resolve_tiles(name: str) -> xyzservices.TileProvider:
    """The xyzservices tile provider of this name (case and spaces do not matter)."""
    try:
        provider = xyzservices.providers.query_name(name)
    except ValueError:
        raise OptionError(
            f"tiles {name!r}: no such tile provider: use an xyzservices name such as "
            "'Esri WorldGrayCanvas' or 'OpenStreetMap Mapnik', or 'none' for no tiles"
        ) from None
    if provider.requires_token():
        raise OptionError(f"tiles {name!r}: this provider needs an API key: choose one that does not")
    return provider


def _base_map(tiles: str | None) -> folium.Map:
    m = folium.Map(location=[45, 60], zoom_start=4, tiles=None, control_scale=True)
    if tiles:
        folium.TileLayer(resolve_tiles(tiles), control=False).add_to(m)
    return m


def _bounds(layers: Layers) -> tuple[float, float, float, float] | None:
    frames = [f for f in (layers.legs, layers.hubs) if len(f)]
    if not frames:
        return None
    b = np.array([f.total_bounds for f in frames])
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


OUTLINE_TOLERANCE = 0.02
"""Simplification of the country outlines, in degrees (about 2 km: finer than the 1:110m source)."""


def _add_country_outlines(m: folium.Map, bounds: tuple[float, float, float, float]) -> None:
    """Light country outlines under the tiles, so the map reads when no tiles load."""
    minx, miny, maxx, maxy = bounds
    # generous: a wide route on a tall screen (or the other way round) shows far beyond its bounds
    pad = max(12.0, 0.8 * max(maxx - minx, maxy - miny))
    box = (max(minx - pad, -180.0), max(miny - pad, -85.0), min(maxx + pad, 180.0), min(maxy + pad, 85.0))
    features = []
    for iso3, geom in sorted(country_outlines().items()):
        part = shapely.clip_by_rect(geom, *box)
        if part.is_empty:
            continue
        part = shapely.set_precision(shapely.simplify(part, OUTLINE_TOLERANCE), 0.001)
        if not part.is_empty:
            features.append({"type": "Feature", "properties": {"iso3": iso3}, "geometry": part.__geo_interface__})
    folium.map.CustomPane("cm-countries", z_index=150, pointer_events=False).add_to(m)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Country outlines",
        style_function=lambda _: {"color": "#9a9a9a", "weight": 0.8, "fillColor": "#fbfaf7", "fillOpacity": 1},
        interactive=False,
        control=False,
        pane="cm-countries",
    ).add_to(m)


def _finish(m: folium.Map, layers: Layers, title: str, *, collapsed: bool = False) -> folium.Map:
    _Legend(title, layers.legs["mode"], layers.legs["status"], layers.hubs["kind"]).add_to(m)
    _Attribution([*layers.attribution, OUTLINES_ATTRIBUTION]).add_to(m)
    folium.LayerControl(collapsed=collapsed).add_to(m)
    bounds = _bounds(layers)
    if bounds is not None:
        _add_country_outlines(m, bounds)
        minx, miny, maxx, maxy = bounds
        m.fit_bounds([[miny, minx], [maxy, maxx]], padding=(20, 20))
    m.get_root().header.add_child(Element(f"<title>{esc(title)}</title>"))
    return m


def corridor_map(layers: Layers, corridor_id: str, *, tiles: str | None = DEFAULT_TILES) -> folium.Map:
    """One corridor: legs by mode (a layer each), hubs, legend, attribution."""
    mine = layers.for_corridor(corridor_id)
    if mine.corridors.empty:
        raise KeyError(corridor_id)
    name = str(mine.corridors.iloc[0]["name"])
    hub_names = dict(zip(layers.hubs["hub_id"], layers.hubs["name"], strict=True))
    m = _base_map(tiles)
    for mode, style in MODE_STYLES.items():
        legs = mine.legs[mine.legs["mode"] == str(mode)]
        if len(legs):
            group = folium.FeatureGroup(name=esc(style.label), show=True)
            _add_legs(group, legs, hub_names)
            group.add_to(m)
    hubs = folium.FeatureGroup(name="Hubs")
    _add_hubs(hubs, mine.hubs)
    hubs.add_to(m)
    return _finish(m, mine, name)


def overview_map(layers: Layers, *, tiles: str | None = DEFAULT_TILES) -> folium.Map:
    """Every corridor on one map, one toggleable layer each, and the hubs."""
    hub_names = dict(zip(layers.hubs["hub_id"], layers.hubs["name"], strict=True))
    m = _base_map(tiles)
    for corridor in layers.corridors.itertuples(index=False):
        group = folium.FeatureGroup(name=esc(corridor.name), show=True)
        _add_legs(group, layers.legs[layers.legs["corridor_id"] == corridor.corridor_id], hub_names)
        group.add_to(m)
    hubs = folium.FeatureGroup(name="Hubs")
    _add_hubs(hubs, layers.hubs)
    hubs.add_to(m)
    return _finish(m, layers, "Trade corridors: overview", collapsed=True)


def _walk(element: Element) -> Iterable[Element]:
    yield element
    for child in list(element._children.values()):
        yield from _walk(child)
    for attr in ("header", "html", "script"):
        sub = getattr(element, attr, None)
        if isinstance(sub, Element) and sub is not element and not isinstance(element, Figure):
            yield from _walk(sub)


def render_html(m: folium.Map) -> str:
    """The map's page, with element ids numbered in order so that output is reproducible.

    branca gives every element a random id; we renumber them (and the keys
    under which parents hold children by name) before rendering.
    """
    root = m.get_root()
    elements: list[Element] = []
    seen: set[int] = set()
    for el in _walk(root):
        if id(el) not in seen:
            seen.add(id(el))
            elements.append(el)
    old_names = {id(el): el.get_name() for el in elements}
    for n, el in enumerate(elements):
        el._id = f"{n:08x}"
    for el in elements:
        el._children = type(el._children)(
            (child.get_name() if key == old_names.get(id(child)) else key, child) for key, child in el._children.items()
        )
    return root.render()
