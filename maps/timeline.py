"""The timeline map: the network as it is and as it opens, year by year (``DIR/maps/timeline.html``).

It only renders: it reads the layers (:mod:`layers.frames`) and, for the opening
years, :class:`Opening` records taken from the catalog's legs (``opens`` and
``opens_source``, see :class:`geo.model.Leg`); the base, the legend, the outlines
and the controls are those of the corridor maps (:mod:`maps.render`).

What the slider shows (a journalist's reading of the data):

* its first position, **now**, is the network as the data give it at their date
  (the catalog's ``as_of``): operational legs solid, under-construction legs dashed,
  planned legs dotted, in their mode's colour, as on the corridor maps;
* each later position is a year, **by the end of** that year: every leg whose
  ``opens`` year is due by then is drawn open (solid), as ``corridors build --year``
  and ``corridors compare --year`` count it (:meth:`geo.scenarios.Scenario.opens`).
  A leg due in a year before the data's date but still not open (overdue) opens at the
  first year shown;
* legs with no opening year published stay grey, dashed or dotted by their status, at
  every position, and the openings panel lists them under "no date announced": no year
  is guessed for them.

Leaflet.timeline draws each leg's line between a start and an end position (folium's
:class:`~folium.plugins.Timeline`, lines with start and end; ``TimestampedGeoJson`` would
show only their points). Positions are plain year numbers, so the page needs no date
library. A leg shared by several corridors (Horadiz–Aghband is in two) is drawn once and
names them all. Coordinates in EPSG:4326, simplified and rounded as on the other maps.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium import plugins
from folium.elements import JSCSSMixin
from folium.template import Template
from folium.utilities import JsCode
from markupsafe import Markup

from geo.model import Corridor, Mode, Source, Status
from layers.frames import Layers
from layers.style import MODE_STYLES, STATUS_STYLES
from maps.defaults import DEFAULT_TILES
from maps.render import (
    DISPLAY_DECIMALS,
    Tiles,
    _add_hubs,
    _base_map,
    _display_lines,
    _finish,
    _hub_labels,
    _km,
    _line_sample,
    _rows,
    _source_html,
    _sources_html,
    esc,
)

__all__ = [
    "ASSET_CLASSES",
    "NO_DATE_COLOR",
    "TIMELINE_JS",
    "Opening",
    "openings_from_corridors",
    "timeline_map",
    "timeline_positions",
]

TIMELINE_JS = "https://cdn.jsdelivr.net/npm/leaflet.timeline@1.6.0/dist/leaflet.timeline.min.js"
"""Leaflet.timeline, the one script the page adds to those of the corridor maps (the URL folium uses)."""
NO_DATE_COLOR = "#9a9a9a"
"""Legs with no opening year published are grey (dashed or dotted by their status)."""


@dataclass(frozen=True)
class Opening:
    """A leg's state as the catalog gives it: its status at the data's date, its expected opening year, who says."""

    status: Status
    year: int | None = None
    source: Source | None = None


def openings_from_corridors(corridors: Iterable[Corridor]) -> dict[tuple[str, int], Opening]:
    """Each leg's :class:`Opening`, keyed by ``(corridor_id, seq)`` as in the ``legs`` layer (``seq`` from 1)."""
    return {
        (c.id, seq): Opening(leg.status, leg.opens, leg.opens_source)
        for c in corridors
        for seq, leg in enumerate(c.legs, start=1)
    }


def timeline_positions(as_of: str, years: Iterable[int]) -> tuple[int, int, int]:
    """``(now, first, last)``: the slider's positions are ``now`` (the network at the data's date) and the years
    ``first`` to ``last``, from the data's year to the last opening year (the data's year when there is none).

    ``now`` is encoded as ``first - 1``, a number below every year, so that the slider moves in whole years.
    Without ``as_of`` the first year is the earliest opening year.
    """
    known = sorted(set(years))
    first = int(as_of[:4]) if as_of[:4].isdigit() else (known[0] if known else 2000)
    last = max([first, *known])
    return first - 1, first, last


def _now_label(as_of: str) -> str:
    return f"Now (data as of {as_of})" if as_of else "Now (as the data stand)"


def _year_label(year: int) -> str:
    return f"By the end of {year}"


@dataclass(frozen=True)
class _Leg:
    """One drawn leg: its row in the legs layer (the first corridor's), its line, its state, its corridors."""

    row: Any
    line: shapely.Geometry
    opening: Opening
    corridors: tuple[str, ...]


def _unique_legs(layers: Layers, openings: Mapping[tuple[str, int], Opening]) -> list[_Leg]:
    """The legs of the layers, each line once (legs shared by corridors merged), in route order."""
    names = dict(zip(layers.corridors["corridor_id"], layers.corridors["name"], strict=True))
    lines = _display_lines(layers.legs.geometry) if len(layers.legs) else []
    found: dict[tuple[Any, ...], _Leg] = {}
    for row, line in zip(layers.legs.itertuples(index=False), lines, strict=True):
        opening = openings.get((row.corridor_id, int(row.seq))) or Opening(Status(row.status))
        key = (row.from_hub, row.to_hub, row.mode, opening, shapely.to_wkb(line))
        name = str(names.get(row.corridor_id, row.corridor_id))
        if key in found:
            seen = found[key]
            found[key] = _Leg(seen.row, seen.line, seen.opening, (*seen.corridors, name))
        else:
            found[key] = _Leg(row, line, opening, (name,))
    return list(found.values())


def _geometry(line: shapely.Geometry) -> dict[str, Any]:
    """GeoJSON of a drawn line, coordinates rounded (``[lon, lat]``)."""
    parts = [np.round(shapely.get_coordinates(p), DISPLAY_DECIMALS).tolist() for p in getattr(line, "geoms", [line])]
    if len(parts) == 1:
        return {"type": "LineString", "coordinates": parts[0]}
    return {"type": "MultiLineString", "coordinates": parts}


def _opening_text(opening: Opening, first: int) -> str:
    """The opening row of a popup, HTML."""
    if opening.status == Status.OPERATIONAL:
        return "open (operational at the data's date)"
    if opening.year is None:
        return "no date announced"
    text = f"expected in {opening.year}" + (
        " (overdue: shown open from the first year)" if opening.year < first else ""
    )
    source = f" <small>{_source_html(opening.source)}</small>" if opening.source else ""
    return esc(text) + source


def _popup(leg: _Leg, hub_names: Mapping[str, str], first: int, as_of: str) -> str:
    row, opening = leg.row, leg.opening
    title = f"{hub_names.get(row.from_hub, row.from_hub)} → {hub_names.get(row.to_hub, row.to_hub)}"
    when = f" at the data's date ({as_of})" if as_of else ""
    rows = [
        ("Mode", esc(MODE_STYLES[Mode(row.mode)].label)),
        ("Status", esc(STATUS_STYLES[opening.status].label.lower() + when)),
        ("Opens", _opening_text(opening, first)),
        ("Routed", esc(_km(row.length_km))),
    ]
    if row.source:
        rows.append(("Sources", _sources_html(row.source)))
    corridors = " · ".join(leg.corridors)
    return (
        f"<div class='cm-pop'><b>{esc(title)}</b><div class='cm-sub'>{esc(corridors)}</div>"
        f"<table class='cm-facts'>{_rows(rows)}</table></div>"
    )


def _style(mode: Mode, status: Status, *, color: str | None = None, extra: str = "") -> dict[str, Any]:
    m, s = MODE_STYLES[mode], STATUS_STYLES[status]
    style: dict[str, Any] = {"color": color or m.color, "weight": m.weight, "opacity": s.opacity}
    dash = s.dash_array(m.weight)
    if dash:
        style["dashArray"] = dash
    style["className"] = f"cm-leg cm-{mode} cm-{status} {extra}".strip()
    return style


def _feature(
    geometry: dict[str, Any], span: tuple[int, int], style: dict[str, Any], popup: str, tip: str, *, exclusive: bool
) -> dict[str, Any]:
    """A GeoJSON feature drawn from ``span[0]`` to ``span[1]`` (the end left out when ``exclusive``)."""
    props: dict[str, Any] = {"start": span[0], "end": span[1], "style": style, "popup": popup, "tip": tip}
    if exclusive:
        props["endExclusive"] = True
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _features(
    legs: list[_Leg], hub_names: Mapping[str, str], positions: tuple[int, int, int], as_of: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The features of the two timelines: the open legs, and those not open yet (with their start and end)."""
    now, first, last = positions
    opened, waiting = [], []
    for leg in legs:
        row, opening = leg.row, leg.opening
        mode, state = Mode(row.mode), STATUS_STYLES[opening.status].label.lower()
        ident = f"cm-tl-{row.from_hub}--{row.to_hub}"
        popup = _popup(leg, hub_names, first, as_of)
        name = f"{hub_names.get(row.from_hub, row.from_hub)} → {hub_names.get(row.to_hub, row.to_hub)}"
        tip = esc(f"{name} · {MODE_STYLES[mode].label.lower()}")
        geometry = _geometry(leg.line)
        if opening.status == Status.OPERATIONAL:
            style = _style(mode, Status.OPERATIONAL, extra=f"cm-tl-open {ident}")
            opened.append(_feature(geometry, (now, last), style, popup, tip, exclusive=False))
        elif opening.year is None:
            style = _style(mode, opening.status, color=NO_DATE_COLOR, extra=f"cm-tl-nodate {ident}")
            waiting.append(
                _feature(geometry, (now, last), style, popup, f"{tip} · {state}, no date announced", exclusive=False)
            )
        else:
            opens_at = max(opening.year, first)
            style = _style(mode, opening.status, extra=f"cm-tl-due {ident}")
            waiting.append(
                _feature(
                    geometry, (now, opens_at), style, popup, f"{tip} · {state}, due {opening.year}", exclusive=True
                )
            )
            style = _style(mode, Status.OPERATIONAL, extra=f"cm-tl-opened {ident}")
            opened.append(
                _feature(
                    geometry, (opens_at, last), style, popup, f"{tip} · open (due {opening.year})", exclusive=False
                )
            )
    return opened, waiting


class _YearTimeline(plugins.Timeline):
    """folium's Timeline layer with a name of its own in the layer switcher (the slider loads the script)."""

    def __init__(self, features: list[dict[str, Any]], *, name: str) -> None:
        super().__init__(
            {"type": "FeatureCollection", "features": features},
            style=JsCode("function (feature) { return feature.properties.style; }"),
            on_each_feature=JsCode(
                "function (feature, layer) {"
                " layer.bindTooltip(feature.properties.tip, {sticky: true});"
                " layer.bindPopup(feature.properties.popup, {maxWidth: 360}); }"
            ),
        )
        self.layer_name = name


class _YearSlider(plugins.TimelineSlider):
    """folium's TimelineSlider stepping one year at a time, labelled "Now (data as of …)" and "By the end of …"."""

    default_js = [("timeline", TIMELINE_JS)]  # noqa: RUF012  (not folium's moment.js: the years are plain numbers)

    _template = Template(
        """
        {% macro header(this,kwargs) %}
            <style>
                .leaflet-container .leaflet-control.leaflet-timeline-control { box-sizing: border-box; width: 380px;
                    margin: 0 0 8px 10px; padding: 4px 8px 2px; text-align: left;
                    font: 12px/1.4 system-ui, sans-serif; }
                .leaflet-container .leaflet-control.leaflet-timeline-control .sldr-ctrl-container {
                    float: none; width: 100%; white-space: nowrap; }
                .leaflet-container .leaflet-control.leaflet-timeline-control .button-container {
                    display: inline-block; width: 104px; }
                .leaflet-container .leaflet-control.leaflet-timeline-control .time-text {
                    font-weight: 650; font-size: 13px; margin-left: 6px; }
                .leaflet-container .leaflet-control.leaflet-timeline-control input[type="range"] {
                    width: 100%; margin: 2px 0 0; }
                @media (max-width: 719px), (max-height: 519px) {
                    .leaflet-container .leaflet-control.leaflet-timeline-control { width: calc(100vw - 20px);
                        margin-bottom: 60px; }  /* above the attribution, which wraps on a phone */
                }
            </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
          var {{ this.get_name() }} = L.timelineSliderControl(
              {{ this.options|tojavascript }}
          );
          {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
          {% for timeline in this.timelines %}
              {{ this.get_name() }}.addTimelines({{ timeline.get_name() }});
          {% endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, positions: tuple[int, int, int], labels: Mapping[int, str]) -> None:
        now, _, last = positions
        super().__init__(
            auto_play=False,
            start=now,
            end=last,
            enable_keyboard_controls=True,
            show_ticks=True,
            steps=max(last - now, 1),
            playback_duration=1200 * max(last - now, 1),
            position="bottomleft",
        )
        text = json.dumps({str(k): v for k, v in labels.items()}, ensure_ascii=False).replace("</", "<\\/")
        label = JsCode(f"function (t) {{ return ({text})[String(t)] || String(t); }}")
        self.options["format_output"] = label  # type: ignore[assignment]  # folium's slider puts a JsCode there too


ASSET_CLASSES: tuple[type[JSCSSMixin], ...] = (_YearSlider,)
"""The page's elements that load scripts beyond the corridor maps' (:func:`maps.render.asset_urls` lists them)."""


class _Openings(MacroElement):
    """The openings panel: the dated legs by year (marked once the slider reaches their year), the undated ones."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div class="cm-tl-panel leaflet-control" id="{{ this.get_name() }}">
          <details class="cm-tl-box" open>
          <summary class="cm-tl-title">Openings, year by year</summary>
          {% for year, sample, label, detail, corridors in this.dated %}
          <div class="cm-tl-row" data-year="{{ year }}" title="{{ corridors }}">
            <span class="cm-tl-year">{{ year }}</span> {{ sample }} {{ label }} <small>{{ detail }}</small></div>
          {% endfor %}
          {% if not this.dated %}<div class="cm-tl-row">No leg has an opening year in these data.</div>{% endif %}
          {% if this.undated %}<div class="cm-tl-head">No date announced</div>
          {% for sample, label, detail, corridors in this.undated %}
          <div class="cm-tl-row cm-tl-undated" title="{{ corridors }}">
            {{ sample }} {{ label }} <small>{{ detail }}</small></div>{% endfor %}{% endif %}
          <div class="cm-legend-note">{{ this.note }}</div>
          </details>
        </div>
        <script>
          (function () {
            if (window.innerWidth < 720 || window.innerHeight < 520) {
              document.querySelector("#{{ this.get_name() }} details").removeAttribute("open");
            }
          })();
        </script>
        <style>
          .leaflet-container .cm-tl-panel { max-width: 380px; box-sizing: border-box; margin: 0 0 6px 10px;
            background: rgba(255,255,255,.94); padding: 5px 9px; border-radius: 5px;
            box-shadow: 0 1px 4px rgba(0,0,0,.35); font: 12px/1.45 system-ui, sans-serif; color: #222; }
          .cm-tl-title { font-weight: 650; font-size: 13px; cursor: pointer; }
          details.cm-tl-box[open] { max-height: calc(100vh - 330px); overflow-y: auto; }
          .cm-tl-row { margin: 1px 0; color: #555; }
          .cm-tl-row.cm-tl-reached { color: #111; }
          .cm-tl-row.cm-tl-reached .cm-tl-year::after { content: " ✓"; color: #1a7f37; }
          .cm-tl-year { display: inline-block; min-width: 46px; font-weight: 650; }
          .cm-tl-head { font-weight: 600; margin-top: 5px; }
          .cm-tl-panel svg { vertical-align: middle; }
          div.cm-legend { top: 10px; bottom: auto; left: auto; right: 56px; }
          @media (max-width: 719px), (max-height: 519px) {
            .leaflet-container .cm-tl-panel { max-width: calc(100vw - 20px); }
            div.cm-legend { left: 54px; right: auto; }
          }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map, timeline) {
          var panel = document.getElementById({{ this.get_name()|tojson }});
          var control = L.control({position: "bottomleft"});
          control.onAdd = function () {
            L.DomEvent.disableClickPropagation(panel);
            L.DomEvent.disableScrollPropagation(panel);
            return panel;
          };
          control.addTo(map);  // added after the slider: it stacks above it
          var rows = document.querySelectorAll("#{{ this.get_name() }} .cm-tl-row[data-year]");
          function mark() {
            rows.forEach(function (row) {
              row.classList.toggle("cm-tl-reached", timeline.time >= Number(row.dataset.year));
            });
          }
          timeline.on("change", mark);
          mark();
        })({{ this._parent.get_name() }}, {{ this.timeline.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        timeline: _YearTimeline,
        dated: list[tuple[int, str, str, str, str]],
        undated: list[tuple[str, str, str, str]],
        note: str,
    ) -> None:
        super().__init__()
        self._name = "Openings"
        self.timeline = timeline
        self.dated = [
            (year, Markup(sample), esc(label), esc(detail), esc(c)) for year, sample, label, detail, c in dated
        ]
        self.undated = [(Markup(sample), esc(label), esc(detail), esc(c)) for sample, label, detail, c in undated]
        self.note = esc(note)


def _sample(mode: Mode, status: Status, color: str | None = None) -> str:
    m, s = MODE_STYLES[mode], STATUS_STYLES[status]
    return _line_sample(color or m.color, m.weight, s.dash_array(m.weight), width=24)


def _panel_rows(
    legs: list[_Leg], hub_names: Mapping[str, str], first: int
) -> tuple[list[tuple[int, str, str, str, str]], list[tuple[str, str, str, str]]]:
    """The panel's rows: ``(year, sample, leg, mode and status, corridors)`` by year, then the undated legs."""
    dated, undated = [], []
    for leg in legs:
        row, opening = leg.row, leg.opening
        if opening.status == Status.OPERATIONAL:
            continue
        mode = Mode(row.mode)
        label = f"{hub_names.get(row.from_hub, row.from_hub)} → {hub_names.get(row.to_hub, row.to_hub)}"
        detail = f"{MODE_STYLES[mode].label.lower()}, {STATUS_STYLES[opening.status].label.lower()}"
        corridors = " · ".join(leg.corridors)
        if opening.year is None:
            undated.append((_sample(mode, opening.status, NO_DATE_COLOR), label, detail, corridors))
        else:
            dated.append((max(opening.year, first), _sample(mode, opening.status), label, detail, corridors))
    dated.sort(key=lambda r: r[0])  # stable: route order within a year
    return dated, undated


def timeline_map(
    layers: Layers,
    openings: Mapping[tuple[str, int], Opening] | None = None,
    *,
    tiles: Tiles | None = DEFAULT_TILES,
    title: str = "The network as it opens, year by year",
    subtitle: str = "",
    as_of: str = "",
) -> folium.Map:
    """Every leg of ``layers`` on a year slider: as the data stand, then year by year as the dated legs open.

    ``openings`` (:func:`openings_from_corridors`) give each leg's status at the data's date and its
    opening year; a leg they do not cover keeps the layers' status and has no year (a build from
    layer files: the legs layer carries no opening years).

    Returns
    -------
    folium.Map
        Render it with :func:`maps.render.render_html` (reproducible element ids).
    """
    openings = openings or {}
    hub_names = dict(zip(layers.hubs["hub_id"], layers.hubs["name"], strict=True))
    legs = _unique_legs(layers, openings)
    positions = timeline_positions(
        as_of,
        [leg.opening.year for leg in legs if leg.opening.year is not None and leg.opening.status != "operational"],
    )
    now, first, last = positions
    m, tile_layer = _base_map(tiles, hold=False)  # the timeline slider drives its layers as they are added
    opened, waiting = _features(legs, hub_names, positions, as_of)
    not_yet = _YearTimeline(waiting, name=f"{_sample(Mode.RAIL, Status.PLANNED)} Not open yet")
    open_now = _YearTimeline(opened, name=f"{_sample(Mode.RAIL, Status.OPERATIONAL)} Open")
    not_yet.add_to(m)
    open_now.add_to(m)
    hubs = folium.FeatureGroup(name="Hubs")
    _add_hubs(hubs, layers.hubs, _hub_labels(layers))
    hubs.add_to(m)
    labels = {now: _now_label(as_of), **{y: _year_label(y) for y in range(first, last + 1)}}
    _YearSlider(positions, labels).add_timelines(not_yet, open_now).add_to(m)
    dated, undated = _panel_rows(legs, hub_names, first)
    note = (
        "Move the slider: each year shows the legs due to open by its end as open (solid), as "
        "corridors build --year does; the years are those the sources give (click a leg). "
        "Grey: no opening year published, none guessed."
    )
    _Openings(open_now, dated, undated, note).add_to(m)
    shown = Layers(
        hubs=layers.hubs,
        legs=gpd.GeoDataFrame(
            pd.DataFrame(
                {
                    "corridor_id": [leg.row.corridor_id for leg in legs],
                    "from_hub": [leg.row.from_hub for leg in legs],
                    "to_hub": [leg.row.to_hub for leg in legs],
                    "mode": [leg.row.mode for leg in legs],
                    "status": [str(leg.opening.status) for leg in legs],
                    "attribution": [leg.row.attribution for leg in legs],
                }
            ),
            geometry=[leg.line for leg in legs],
            crs=layers.legs.crs,
        ),
        corridors=layers.corridors,
    )
    return _finish(
        m, shown, title, [], tile_layer, overview=True, collapsed=True, subtitle=subtitle, as_of=as_of, minimap=False
    )
