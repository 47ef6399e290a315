"""QGIS styles (QML) for the three layers, generated from :mod:`layers.style`.

* ``legs``: a rule-based renderer, one rule per mode (its colour and width)
  holding one rule per status (solid, or dashed like the maps), and a grey
  catch-all rule for anything else;
* ``hubs``: a categorized renderer on ``kind``, each kind its shape and fill;
* ``corridors``: one simple line, a wide translucent band.

The same QML goes into the GeoPackage's ``layer_styles`` table (QGIS loads it
as the layer's default style) and into ``<layer>.qml`` sidecars next to
file-based layers (FlatGeobuf, Shapefile). Sizes are converted from the CSS
pixels of the style tables to millimetres at 96 dpi, so a layer looks the same
on screen as the maps and keeps its proportions in a print layout.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping

import pandas as pd

from geo.model import HubKind, Mode, Status
from layers.style import CORRIDOR_STYLE, HUB_OUTLINE, HUB_STYLES, MODE_STYLES, QUALITY_STYLES, STATUS_STYLES

__all__ = ["QML", "corridors_qml", "hubs_qml", "layer_styles_frame", "legs_qml"]

QGIS_VERSION = "3.22.0"
"""The oldest QGIS the styles are written for (Debian bookworm's)."""

MM_PER_PX = 25.4 / 96
FALLBACK_COLOR = "#999999"
STYLE_NAME = "corridor-mapper"


def _mm(px: float) -> str:
    return f"{px * MM_PER_PX:.3f}".rstrip("0").rstrip(".")


def _rgba(color: str, alpha: float = 1.0) -> str:
    h = color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(alpha * 255)}"


def _options(parent: ET.Element, props: Mapping[str, str]) -> None:
    options = ET.SubElement(parent, "Option", type="Map")
    for key in sorted(props):
        ET.SubElement(options, "Option", name=key, type="QString", value=props[key])


def _symbol(
    symbols: ET.Element, name: str, kind: str, alpha: float, layer_class: str, props: Mapping[str, str]
) -> None:
    symbol = ET.SubElement(
        symbols, "symbol", type=kind, name=name, alpha=f"{alpha:g}", clip_to_extent="1", force_rhr="0"
    )
    layer = ET.SubElement(symbol, "layer", {"class": layer_class, "enabled": "1", "locked": "0", "pass": "0"})
    _options(layer, props)


def _line(
    symbols: ET.Element, name: str, color: str, weight_px: float, alpha: float, dash: tuple[float, ...] = ()
) -> None:
    props = {
        "line_color": _rgba(color),
        "line_width": _mm(weight_px),
        "line_width_unit": "MM",
        "line_style": "solid",
        "capstyle": "round",
        "joinstyle": "round",
        "use_custom_dash": "1" if dash else "0",
        "customdash": ";".join(_mm(d * weight_px) for d in dash) if dash else "5;2",
        "customdash_unit": "MM",
    }
    _symbol(symbols, name, "line", alpha, "SimpleLine", props)


def _marker(symbols: ET.Element, name: str, shape: str, fill: str, size_px: float) -> None:
    props = {
        "name": shape,
        "color": _rgba(fill),
        "outline_color": _rgba(HUB_OUTLINE),
        "outline_style": "solid",
        "outline_width": _mm(1.6 / 16 * size_px),  # the maps' SVG: stroke 1.6 in a 16-unit box
        "outline_width_unit": "MM",
        "size": _mm(size_px),
        "size_unit": "MM",
        "scale_method": "diameter",
        "joinstyle": "miter",
    }
    _symbol(symbols, name, "marker", 1.0, "SimpleMarker", props)


def _document(geometry_type: int, renderer: ET.Element) -> str:
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology")
    root.append(renderer)
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    ET.SubElement(root, "layerOpacity").text = "1"
    ET.SubElement(root, "layerGeometryType").text = str(geometry_type)
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n{body}\n"


def _renderer(kind: str, **attrs: str) -> ET.Element:
    fixed = {"type": kind, "symbollevels": "0", "forceraster": "0", "enableorderby": "0", "referencescale": "-1"}
    return ET.Element("renderer-v2", {**fixed, **attrs})


def _eq(field: str, value: str) -> str:
    return f"\"{field}\" = '{value}'"


def legs_qml() -> str:
    """Legs: coloured by mode (rules), solid or dashed by status (child rules); an approximate alignment (not on
    surveyed track) also gets a wide translucent band under it, as on the maps."""
    renderer = _renderer("RuleRenderer")
    rules = ET.SubElement(renderer, "rules", key="legs")
    symbols = ET.SubElement(renderer, "symbols")
    n = 0
    for mode in Mode:
        m = MODE_STYLES[mode]
        parent = ET.SubElement(rules, "rule", key=f"legs-{mode}", label=m.label, filter=_eq("mode", mode))
        band = QUALITY_STYLES["approximate"]
        ET.SubElement(
            parent,
            "rule",
            key=f"legs-{mode}-approximate",
            label=band.label,
            filter=_eq("geometry_quality", "approximate"),
            symbol=str(n),
        )
        _line(symbols, str(n), m.color, m.weight * band.band_factor, band.band_opacity)
        n += 1
        for status in Status:
            s = STATUS_STYLES[status]
            ET.SubElement(
                parent, "rule", key=f"legs-{mode}-{status}", label=s.label, filter=_eq("status", status), symbol=str(n)
            )
            _line(symbols, str(n), m.color, m.weight, s.opacity, s.dash)
            n += 1
    ET.SubElement(rules, "rule", key="legs-other", label="Other", filter="ELSE", symbol=str(n))
    _line(symbols, str(n), FALLBACK_COLOR, 2.0, 1.0)
    return _document(1, renderer)


def hubs_qml() -> str:
    """Hubs: shape and fill by kind."""
    renderer = _renderer("categorizedSymbol", attr="kind")
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for n, kind in enumerate(HubKind):
        h = HUB_STYLES[kind]
        ET.SubElement(categories, "category", value=str(kind), label=h.label, symbol=str(n), render="true")
        _marker(symbols, str(n), h.shape, h.fill, h.size)
    return _document(0, renderer)


def corridors_qml() -> str:
    """Corridors: one simple line."""
    renderer = _renderer("singleSymbol")
    symbols = ET.SubElement(renderer, "symbols")
    c = CORRIDOR_STYLE
    _line(symbols, "0", c.color, c.weight, c.opacity)
    return _document(1, renderer)


QML: dict[str, Callable[[], str]] = {"hubs": hubs_qml, "legs": legs_qml, "corridors": corridors_qml}
"""The style of each layer, by layer name."""


def layer_styles_frame(geometry_column: str = "geom", *, update_time: str = "2000-01-01T00:00:00Z") -> pd.DataFrame:
    """The rows of a GeoPackage ``layer_styles`` table: each layer's QML, as its default style.

    QGIS matches a row on ``f_table_schema = ''``, the layer name and the
    geometry column (field notes), so the schema is the empty string, not NULL.
    ``update_time`` (UTC) is fixed, not the clock's, so that the same input gives the same file.
    """
    now = pd.Timestamp(update_time).tz_convert("UTC").floor("s")
    rows = [
        {
            "f_table_catalog": "",
            "f_table_schema": "",
            "f_table_name": name,
            "f_geometry_column": geometry_column,
            "styleName": STYLE_NAME,
            "styleQML": qml(),
            "styleSLD": "",
            "useAsDefault": True,
            "description": f"The {name} layer styled like corridor-mapper's maps",
            "owner": "",
            "ui": "",
            "update_time": now,
        }
        for name, qml in QML.items()
    ]
    return pd.DataFrame(rows)
