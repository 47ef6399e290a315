"""Comparing corridors under scenarios: the table (CSV, JSON, terminal) and the static comparison page.

The figures come from :func:`geo.scenarios.evaluate` (which takes them from
:mod:`geo.metrics` and :mod:`geo.transit`); nothing is computed here but the
drawing. The page is plain HTML with inline SVG bars (no JavaScript, no
outside request): the days range of each corridor under each scenario beside
its baseline, km by mode, CO2e per TEU, border crossings and transshipments.
Every user text reaching the page is escaped (Jinja2 autoescape).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import pandas as pd
from jinja2 import Environment
from markupsafe import Markup, escape

from geo.model import Mode
from geo.scenarios import OUTCOME_FIGURES, Outcome, Scenario
from geo.transit import TransitModel
from layers.style import MODE_STYLES

__all__ = ["COMPARE_COLUMNS", "comparison_frame", "comparison_html", "end_groups", "ends_warning"]

COMPARE_COLUMNS = ["corridor_id", "scenario", "viable", "reason", "from_hub", "to_hub", *OUTCOME_FIGURES]
"""The comparison table's columns, in order (one row per corridor and scenario)."""


def comparison_frame(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    """One row per corridor and scenario, :data:`COMPARE_COLUMNS`."""
    return pd.DataFrame([o.row() for o in outcomes], columns=COMPARE_COLUMNS)


def end_groups(outcomes: Sequence[Outcome]) -> list[list[str]]:
    """Corridor ids grouped by their pair of ends (either direction), in first-seen order."""
    groups: dict[frozenset[str], list[str]] = {}
    for o in outcomes:
        ids = groups.setdefault(frozenset((o.from_hub, o.to_hub)), [])
        if o.corridor_id not in ids:
            ids.append(o.corridor_id)
    return list(groups.values())


def ends_warning(outcomes: Sequence[Outcome], names: Mapping[str, str]) -> str | None:
    """A warning when the compared corridors do not all share their ends, naming the groups that do."""
    groups = end_groups(outcomes)
    if len(groups) < 2:
        return None
    first = {o.corridor_id: o for o in outcomes}
    parts = []
    for ids in groups:
        o = first[ids[0]]
        ends = f"{names.get(o.from_hub, o.from_hub)} – {names.get(o.to_hub, o.to_hub)}"
        parts.append(f"{ends}: {', '.join(ids)}")
    return "the corridors do not all share their ends, so km and days compare only within each group: " + "; ".join(
        parts
    )


# --- the page -------------------------------------------------------------------------------------------------------

BAR_W = 200
BAR_H = 14


def _svg(width: int, height: int, label: str) -> str:
    """An SVG that scales to its cell's width (bars only, so stretching is harmless)."""
    return (
        f'<svg class="bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="none" role="img" aria-label="{label}">'
    )


def _days_svg(row: Mapping[str, Any], base: Mapping[str, Any] | None, scale: float) -> Markup:
    """A days range bar, with the baseline's range as a grey outline behind when it differs."""
    lo, hi = row.get("days_min"), row.get("days_max")
    parts = [_svg(BAR_W, BAR_H + 6, "days")]
    parts.append(f'<line x1="0" y1="{BAR_H + 3}" x2="{BAR_W}" y2="{BAR_H + 3}" stroke="#ddd"/>')
    differs = base is not None and (base.get("days_min"), base.get("days_max")) != (lo, hi)
    if base is not None and differs and _finite(base.get("days_min"), base.get("days_max")):
        x, w = base["days_min"] * scale, max(1.0, (base["days_max"] - base["days_min"]) * scale)
        parts.append(
            f'<rect x="{x:.1f}" y="1" width="{w:.1f}" height="{BAR_H}" fill="none" stroke="#888" '
            f'stroke-dasharray="3 2"><title>baseline {base["days_min"]:.0f}–{base["days_max"]:.0f} days</title></rect>'
        )
    if lo is not None and _finite(lo, hi):
        x, w = lo * scale, max(2.0, (hi - lo) * scale)
        fill = "#2b6cb0" if row.get("viable") else "#b8c4d0"
        parts.append(
            f'<rect x="{x:.1f}" y="3" width="{w:.1f}" height="{BAR_H - 4}" rx="2" fill="{fill}">'
            f"<title>{lo:.0f}–{hi:.0f} days</title></rect>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _finite(*values: Any) -> bool:
    return all(v is not None and isinstance(v, int | float) and math.isfinite(v) for v in values)


def _km_svg(row: Mapping[str, Any], scale: float) -> Markup:
    parts = [_svg(BAR_W, BAR_H, "km by mode")]
    x = 0.0
    for m in Mode:
        km = row.get(f"{m}_km") or 0.0
        if not km or not _finite(km):
            continue
        w = km * scale
        style = MODE_STYLES[m]
        parts.append(
            f'<rect x="{x:.1f}" y="1" width="{w:.1f}" height="{BAR_H - 2}" fill="{style.color}">'
            f"<title>{escape(style.label)}: {km:,.0f} km</title></rect>"
        )
        x += w
    parts.append("</svg>")
    return Markup("".join(parts))


def _co2_svg(row: Mapping[str, Any], scale: float) -> Markup:
    v = row.get("co2e_kg_per_teu")
    if v is None or not _finite(v):
        return Markup("")
    return Markup(
        _svg(BAR_W // 2, BAR_H, "CO2e per TEU")
        + f'<rect x="0" y="1" width="{max(1.0, v * scale):.1f}" height="{BAR_H - 2}" fill="#6b7280">'
        f"<title>{v:,.0f} kg CO2e per TEU</title></rect></svg>"
    )


def _nice_max(value: float) -> float:
    if not value or not math.isfinite(value):
        return 1.0
    step = 10 ** math.floor(math.log10(value))
    return math.ceil(value / step) * step


def comparison_html(
    outcomes: Sequence[Outcome],
    scenarios: Sequence[Scenario],
    *,
    names: Mapping[str, str],
    hub_names: Mapping[str, str],
    model: TransitModel,
    title: str = "Corridors compared",
    as_of: str = "",
    index_link: bool = False,
    map_page: str = "",
) -> str:
    """The comparison page: for each group of corridors that share their ends, each scenario's figures as bars.

    ``names`` are the corridors' names, ``hub_names`` the hubs'; ``as_of`` the data's date (never the build
    time, so that the page is the same for the same input). ``map_page``, a map page on its own (its outlines
    inline), is shown in the page (an ``<iframe srcdoc>``: the page stays one file).
    """
    rows = [o.row() for o in outcomes]
    by_key = {(r["corridor_id"], r["scenario"]): r for r in rows}
    baseline = scenarios[0].label if scenarios else ""
    groups = []
    for ids in end_groups(outcomes):
        mine = [r for r in rows if r["corridor_id"] in ids]
        days = max((r["days_max"] for r in mine if _finite(r.get("days_max"))), default=1.0)
        km = max((r["length_km"] for r in mine if _finite(r.get("length_km"))), default=1.0)
        co2 = max((r["co2e_kg_per_teu"] for r in mine if _finite(r.get("co2e_kg_per_teu"))), default=1.0)
        days_top, km_top, co2_top = _nice_max(days), _nice_max(km), _nice_max(co2)
        first = mine[0]
        sections = []
        for s in scenarios:
            entries = []
            for cid in ids:
                r = by_key.get((cid, s.label))
                if r is None:
                    continue
                base = by_key.get((cid, baseline)) if s.label != baseline else None
                delta = ""
                if base is not None and _finite(r.get("days_min"), base.get("days_min")):
                    d = (r["days_min"] + r["days_max"] - base["days_min"] - base["days_max"]) / 2
                    if abs(d) >= 0.05:
                        delta = f"{d:+.1f} days"
                entries.append(
                    {
                        "row": r,
                        "name": names.get(cid, cid),
                        "days": _days_svg(r, base, BAR_W / days_top),
                        "km": _km_svg(r, BAR_W / km_top),
                        "co2": _co2_svg(r, (BAR_W // 2) / co2_top),
                        "delta": delta,
                    }
                )
            sections.append({"scenario": s, "entries": entries})
        groups.append(
            {
                "ends": f"{hub_names.get(first['from_hub'], first['from_hub'])} – "
                f"{hub_names.get(first['to_hub'], first['to_hub'])}",
                "sections": sections,
                "days_top": days_top,
                "km_top": km_top,
                "co2_top": co2_top,
            }
        )
    env = Environment(autoescape=True, keep_trailing_newline=True)
    template = env.from_string((resources.files("maps") / "templates" / "compare.html.j2").read_text(encoding="utf-8"))
    modes = [{"label": MODE_STYLES[m].label, "color": MODE_STYLES[m].color} for m in Mode]
    return template.render(
        title=title,
        as_of=as_of,
        groups=groups,
        scenarios=scenarios,
        modes=modes,
        scope=model.scope,
        transit_as_of=model.meta.as_of,
        index_link=index_link,
        map_page=map_page,
        pairs=itertools.pairwise,
    )
