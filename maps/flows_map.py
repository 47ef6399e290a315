"""The flow map: freight volumes on the network, line width by volume, tonnes and TEU as separate layers.

It only renders: it reads the flow layers (:mod:`layers.flows`). Each unit
has its own layer (switchable) and its own scale, since tonnes and TEU are
never added: a line's width is proportional to the square root of its volume
(:func:`line_width`; the area of a line per km then grows with the volume),
from :data:`MIN_WIDTH` to the unit's :data:`MAX_WIDTH`. The legend shows sample
widths with their values. Sea and ferry lines are dashed. Clicking a line lists
the flows on it. All text that reaches the page goes through :func:`maps.render.esc`.
The base (country outlines, tiles, controls, attribution) is that of the corridor maps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace

import folium
import pandas as pd
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from markupsafe import Markup

from geo.countries import OUTLINES_ATTRIBUTION
from geo.flows import format_volume
from layers.flows import FlowLayers
from layers.style import MODE_STYLES
from maps.render import (
    DEFAULT_TILES,
    FIT_PADDING,
    SHARED_CSS,
    WATER,
    Bind,
    Tiles,
    _add_controls,
    _add_country_labels,
    _add_country_outlines,
    _Attribution,
    _base_map,
    _display_lines,
    _line_sample,
    _locations,
    esc,
)

__all__ = ["MAX_WIDTH", "MIN_WIDTH", "UNIT_STYLES", "UnitStyle", "flows_map", "line_width", "scale_samples"]

MIN_WIDTH = 1.5
"""The thinnest line, in pixels: the smallest volume still shows."""
MAX_WIDTH = {"tonnes": 22.0, "TEU": 13.0}
"""The widest line of each unit (its largest volume), in pixels: TEU narrower, so it reads on top of tonnes."""


@dataclass(frozen=True)
class UnitStyle:
    """How one unit's layer is drawn."""

    color: str
    opacity: float
    label: str
    column: str
    """The column of the ``flows`` layer holding the unit's volumes."""


UNIT_STYLES = {
    "tonnes": UnitStyle("#c2600a", 0.55, "Tonnes", "tonnes"),
    "TEU": UnitStyle("#4b2991", 0.85, "TEU (containers)", "teu"),
}
"""Colour, opacity, label and column of each unit's layer."""
WATER_DASH = "8 6"


def _width_sample(color: str, weight: float, opacity: float, *, width: int = 44) -> str:
    """A legend sample of a line ``weight`` pixels wide (the SVG as tall as the line needs)."""
    height = max(12, math.ceil(weight) + 2)
    y = height / 2
    return (
        f"<svg width='{width}' height='{height}' class='cm-sample'><line x1='1' y1='{y:g}' x2='{width - 1}' "
        f"y2='{y:g}' stroke='{color}' stroke-width='{weight:g}' stroke-opacity='{opacity:g}'/></svg>"
    )


def line_width(volume: float, largest: float, unit: str) -> float:
    """The width in pixels of a line carrying ``volume``: ``MAX_WIDTH[unit] · √(volume / largest)``, at least
    :data:`MIN_WIDTH`."""
    if largest <= 0 or volume <= 0:
        return 0.0
    return max(MIN_WIDTH, MAX_WIDTH[unit] * math.sqrt(volume / largest))


def _nice_below(value: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above ``value``."""
    exp = math.floor(math.log10(value))
    for m in (5, 2, 1):
        if m * 10**exp <= value:
            return float(m * 10**exp)
    return float(10**exp)


def scale_samples(largest: float, smallest: float) -> list[float]:
    """The volumes the legend shows for a unit: the largest, then round values about a quarter and a
    sixteenth of it, none below ``smallest``'s round value."""
    samples = [largest]
    for share in (0.25, 1 / 16):
        v = _nice_below(largest * share)
        if v >= _nice_below(smallest) and v < samples[-1] * 0.8:
            samples.append(v)
    return samples


class _FlowLegend(MacroElement):
    """The legend: what the widths mean, per unit, with sample widths and their values."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div class="cm-legend leaflet-control" id="{{ this.get_name() }}">
          <div class="cm-legend-title">{{ this.title }}</div>
          <div class="cm-legend-figures">{{ this.figures }}</div>
          {% for label, samples in this.units %}<div class="cm-legend-unit">{{ label }}</div>
          {% for svg, value in samples %}<div>{{ svg }} {{ value }}</div>{% endfor %}{% endfor %}
          <div class="cm-legend-note">{{ this.note }}</div>
        </div>
        <style>
          .cm-legend { position: absolute; z-index: 1000; bottom: 44px; left: 10px; background: rgba(255,255,255,.94);
            padding: 7px 10px; border-radius: 5px; box-shadow: 0 1px 4px rgba(0,0,0,.35);
            font: 12px/1.5 system-ui, sans-serif; color: #222; max-width: 270px; }
          .cm-legend-title { font-weight: 650; font-size: 13px; line-height: 1.3; margin-bottom: 4px; }
          .cm-legend-figures { color: #333; font-size: 11.5px; margin: -2px 0 4px; }
          .cm-legend-unit { font-weight: 600; margin-top: 4px; }
          .cm-legend-note { color: #666; font-size: 11px; margin-top: 4px; }
          .cm-legend svg, .leaflet-control-layers svg.cm-sample { vertical-align: middle; }
          .leaflet-interactive:focus { outline: none; }
          .folium-map, .leaflet-control-minimap { background: {{ this.water }}; }
          .leaflet-control-layers-overlays label { font: 12px/1.6 system-ui, sans-serif; }
          .cm-pop { max-height: 320px; overflow-y: auto; font: 12px/1.45 system-ui, sans-serif; }
          .cm-pop b { font-size: 13px; }
          .cm-sub { color: #555; margin: 1px 0 3px; }
          ul.cm-flowlist { margin: 4px 0; padding-left: 16px; }
          {{ this.shared_css }}
        </style>
        {% endmacro %}
        """
    )

    def __init__(self, title: str, figures: str, units: Sequence[tuple[str, list[tuple[str, str]]]], note: str) -> None:
        super().__init__()
        self._name = "FlowLegend"
        self.title = esc(title)
        self.figures = esc(figures)
        self.units = [(esc(label), [(Markup(svg), esc(v)) for svg, v in samples]) for label, samples in units]
        self.note = esc(note)
        self.water = WATER
        self.shared_css = SHARED_CSS


def _flow_items(ids: str, inputs: pd.DataFrame, names: dict[str, str]) -> str:
    """The flows ``ids`` (``flow_id``s, comma-separated) as list items, largest first."""
    chosen = inputs[inputs["flow_id"].isin([int(i) for i in ids.split(",") if i])]
    chosen = chosen.sort_values(["unit", "volume", "flow_id"], ascending=[True, False, True])
    return "".join(
        f"<li>{esc(names.get(f.origin_hub, f.origin))} → {esc(names.get(f.destination_hub, f.destination))}: "
        f"{esc(format_volume(f.volume))} {esc(f.unit)}</li>"
        for f in chosen.itertuples(index=False)
    )


def _popup(row: pd.Series, inputs: pd.DataFrame, names: dict[str, str]) -> str:
    mode = MODE_STYLES[row["mode"]].label
    volumes = [f"{format_volume(v)} {u}" for v, u in ((row["tonnes"], "t"), (row["teu"], "TEU")) if v > 0]
    countries = f" · {row['countries'].replace(',', ' ')}" if row["countries"] else ""
    n = int(row["n_flows"])
    km = f"{row['length_km']:,.0f} km"
    return (
        f"<div class='cm-pop'><b>{esc(' + '.join(volumes))}</b>"
        f"<div class='cm-sub'>{esc(mode)} · {esc(km)}{esc(countries)}</div>"
        f"{n} flow{'s' if n != 1 else ''}:<ul class='cm-flowlist'>{_flow_items(row['flow_ids'], inputs, names)}</ul>"
        "</div>"
    )


def flows_map(layers: FlowLayers, *, tiles: Tiles | None = DEFAULT_TILES, title: str = "Freight flows") -> folium.Map:
    """The flow map of ``layers``: a layer per unit (widths by :func:`line_width`), the flows' end hubs, a legend
    with the scale, popups listing each line's flows, and the corridor maps' base and controls.

    Returns
    -------
    folium.Map
        Render it with :func:`maps.render.render_html` (reproducible element ids).
    """
    lines, inputs, hubs = layers.flows, layers.inputs, layers.hubs
    names = dict(zip(hubs["hub_id"], hubs["name"], strict=True))
    m, tile_layer = _base_map(tiles, hold=False)
    drawn = _display_lines(lines.geometry) if len(lines) else []
    legend_units = []
    for unit, style in UNIT_STYLES.items():
        column = style.column
        values = lines[column].to_numpy(dtype=float) if len(lines) else []
        carried = [v for v in values if v > 0]
        if not carried:
            continue
        largest, smallest = max(carried), min(carried)
        sample = _line_sample(style.color, 6.0, None)
        group = folium.FeatureGroup(name=f"{sample} {esc(style.label)}", show=True)
        order = sorted(range(len(lines)), key=lambda i: (-values[i], i))  # the widest first: thin lines on top
        for i in order:
            if values[i] <= 0:
                continue
            row = lines.iloc[i]
            water = row["mode"] in ("sea", "ferry")
            tip = f"{format_volume(values[i])} {unit} · {MODE_STYLES[row['mode']].label.lower()}"
            line = folium.PolyLine(
                _locations(drawn[i]),
                color=style.color,
                weight=round(line_width(values[i], largest, unit), 2),
                opacity=style.opacity,
                dash_array=WATER_DASH if water else None,
                line_cap="butt" if water else "round",
                class_name=f"cm-flow cm-flow-{column} cm-{row['mode']}",
            )
            Bind(popup=_popup(row, inputs, names), max_width=380, tooltip=esc(tip), sticky=True).add_to(line)
            line.add_to(group)
        group.add_to(m)
        samples = [
            (_width_sample(style.color, round(line_width(v, largest, unit), 2), style.opacity),
             f"{format_volume(v)} {unit}")
            for v in scale_samples(largest, smallest)
        ]  # fmt: skip
        legend_units.append((f"{style.label}: width ∝ √volume", samples))
    ends = folium.FeatureGroup(name="Origins and destinations", show=True)
    for hub in hubs.itertuples(index=False):
        marker = folium.CircleMarker(
            [round(hub.geometry.y, 5), round(hub.geometry.x, 5)],
            radius=4,
            color="#222",
            weight=1.5,
            fill=True,
            fill_color="#fff",
            fill_opacity=1,
        )
        Bind(tooltip=esc(hub.name), sticky=True, permanent=True, direction="right", class_name="cm-label").add_to(
            marker
        )
        marker.add_to(ends)
    ends.add_to(m)
    assigned = inputs[inputs["assigned"]]
    figures = ", ".join(
        f"{format_volume(assigned.loc[assigned['unit'] == u, 'volume'].sum())} {u}"
        for u in UNIT_STYLES
        if (assigned["unit"] == u).any()
    )
    figures = f"{len(assigned)} of {len(inputs)} flows assigned" + (f": {figures}" if figures else "")
    missing = len(inputs) - len(assigned)
    note = (
        "Width ∝ square root of the volume, each unit on its own scale: tonnes and TEU are never added. "
        "Dashed: by sea or ferry. Click a line for its flows."
    )
    if missing:
        note += f" {missing} flow{'s' if missing != 1 else ''} without a route: see flow_inputs in layers/flows.gpkg."
    _FlowLegend(title, figures, legend_units, note).add_to(m)
    _Attribution([*layers.attribution, OUTLINES_ATTRIBUTION]).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    frames = [f for f in (lines, hubs) if len(f)]
    outlines = None
    if frames:
        b = [f.total_bounds for f in frames]
        bounds = (min(x[0] for x in b), min(x[1] for x in b), max(x[2] for x in b), max(x[3] for x in b))
        outlines = _add_country_outlines(m, bounds)
        shown = SimpleNamespace(legs=lines if len(lines) else hubs, hubs=hubs)
        _add_country_labels(m, shown, bounds)  # type: ignore[arg-type]  # it reads .legs.geometry and .hubs.country
        m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], padding=FIT_PADDING)
    _add_controls(m, outlines, tile_layer, minimap_minimized=True)
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(Element(f"<title>{esc(title)}</title>"))
    return m
