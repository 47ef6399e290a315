"""The one style definition: mode colours, status dashes, line weights, hub symbols.

Maps, legends, the QGIS styles (:mod:`layers.qgis`) and the KML styles
(:mod:`layers.kml`) all read these tables, so a colour changed here changes
everywhere. Colours are colour-blind-safe picks from the Okabe-Ito palette.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.model import HubKind, Mode, Status

__all__ = [
    "CORRIDOR_STYLE",
    "HUB_OUTLINE",
    "HUB_STYLES",
    "MODE_STYLES",
    "QUALITY_STYLES",
    "STATUS_STYLES",
    "CorridorStyle",
    "HubStyle",
    "ModeStyle",
    "QualityStyle",
    "StatusStyle",
    "corridor_colors",
]


@dataclass(frozen=True)
class ModeStyle:
    label: str
    color: str
    weight: float
    """Line width in CSS pixels."""


@dataclass(frozen=True)
class StatusStyle:
    label: str
    dash: tuple[float, ...]
    """Dash pattern in multiples of the line weight; empty for a solid line."""
    opacity: float

    def dash_array(self, weight: float) -> str | None:
        """The SVG/Leaflet ``dashArray`` for a line of this weight, or None for solid."""
        if not self.dash:
            return None
        return ",".join(str(round(d * weight)) for d in self.dash)


@dataclass(frozen=True)
class QualityStyle:
    """How much a line can be trusted, drawn: a line not on surveyed track is thinner, over a translucent band
    as wide as the uncertainty it carries (distinct from the dashes and dots of the statuses)."""

    label: str
    weight_factor: float
    """The line is drawn this many times its mode's weight."""
    band_factor: float
    """A band under it, this many times the mode's weight wide; 0 for none."""
    band_opacity: float


@dataclass(frozen=True)
class CorridorStyle:
    label: str
    color: str
    weight: float
    """Line width in CSS pixels."""
    opacity: float


@dataclass(frozen=True)
class HubStyle:
    label: str
    shape: str
    """``circle``, ``square``, ``diamond`` or ``triangle``."""
    fill: str
    size: int
    """Symbol width in CSS pixels."""


MODE_STYLES: dict[Mode, ModeStyle] = {
    Mode.RAIL: ModeStyle("Rail", "#d55e00", 3.5),
    Mode.ROAD: ModeStyle("Road", "#7a5195", 3.0),
    Mode.SEA: ModeStyle("Sea", "#0072b2", 3.0),
    Mode.FERRY: ModeStyle("Ferry", "#009e73", 3.5),
}

STATUS_STYLES: dict[Status, StatusStyle] = {
    Status.OPERATIONAL: StatusStyle("Operational", (), 0.9),
    Status.UNDER_CONSTRUCTION: StatusStyle("Under construction", (3, 2), 0.9),
    Status.PLANNED: StatusStyle("Planned", (0.3, 2.5), 0.85),  # round dots, unlike the dashes above
}

QUALITY_STYLES: dict[str, QualityStyle] = {
    "network": QualityStyle("On the rail, road or sea network data", 1.0, 0.0, 0.0),
    "gap-fill": QualityStyle("On sourced gap-fill track", 1.0, 0.0, 0.0),
    "approximate": QualityStyle("Approximate alignment (not surveyed track)", 0.55, 3.4, 0.22),
}
"""Keyed by :data:`geo.leg_geometry.QUALITIES`."""

HUB_STYLES: dict[HubKind, HubStyle] = {
    HubKind.SEA_PORT: HubStyle("Sea port", "circle", "#0072b2", 12),
    HubKind.DRY_PORT: HubStyle("Dry port", "square", "#d55e00", 11),
    HubKind.RAIL_JUNCTION: HubStyle("Rail junction", "circle", "#ffffff", 9),
    HubKind.BORDER_CROSSING: HubStyle("Border crossing", "diamond", "#e69f00", 12),
    HubKind.CITY: HubStyle("City", "square", "#ffffff", 9),
}

CORRIDOR_HUES: tuple[tuple[str, ...], ...] = (
    ("#0072b2", "#56b4e9", "#1f4e79", "#8ecae6"),  # blues
    ("#d55e00", "#e69f00", "#8c3b00", "#f4b183"),  # oranges
    ("#009e73", "#5fd3a5", "#00593f"),  # greens
    ("#cc79a7", "#7a3e65", "#e8b4d0"),  # purples
    ("#555555", "#999999", "#222222"),  # greys
    ("#b8860b", "#f0e442", "#6b4f00"),  # yellows
    ("#882255", "#aa4499"),  # wines
    ("#117733", "#44aa99"),  # teals
)
"""Corridor colours for the overview, by hue family: the Okabe-Ito colours first (colour-blind safe), then a
darker and a lighter shade of each, so that related corridors read as related and every corridor differs."""


def corridor_colors(ids: list[str] | tuple[str, ...]) -> dict[str, str]:
    """A colour per corridor, no two alike while the palette lasts: corridors whose ids share their first word
    (``middle-corridor`` and ``middle-corridor-black-sea``, the three ``instc-`` routes) get shades of one hue,
    each family its own hue in the order the corridors come; once every hue has a family, the shades left over go
    to the next corridors; beyond the palette's 25 colours, colours repeat."""
    families: dict[str, list[str]] = {}
    for cid in ids:
        families.setdefault(cid.split("-")[0], []).append(cid)
    flat = [c for hues in CORRIDOR_HUES for c in hues]
    used: set[str] = set()
    out: dict[str, str] = {}
    for k, members in enumerate(families.values()):
        own = list(CORRIDOR_HUES[k]) if k < len(CORRIDOR_HUES) else []
        for cid in members:
            free = [c for c in own if c not in used] or [c for c in flat if c not in used] or flat
            out[cid] = free[0]
            used.add(free[0])
    return out


HUB_OUTLINE = "#222222"
"""Outline colour of every hub symbol."""

CORRIDOR_STYLE = CorridorStyle("Corridor", "#444444", 9.0, 0.25)
"""The ``corridors`` layer in GIS files: a wide translucent band that legs show through."""
