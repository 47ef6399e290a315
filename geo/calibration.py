"""The transit model against published transit times: the calibration table of docs/transit.md.

``python -m geo.calibration`` prints the table (Markdown): for every published
time in ``geo/data/published_times.toml`` that a catalog corridor covers (the
whole corridor or a stretch of it, from hub to hub), the model's range for the
same stretch and whether the two overlap, with the reason for each miss.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

import pandas as pd

from geo.catalog import load_catalog
from geo.geometry import GeometryBuilder
from geo.metrics import corridor_estimate, leg_record
from geo.scenarios import load_scenario, scenario_builder

__all__ = ["Target", "calibration_rows", "calibration_table", "published_times"]


@dataclass(frozen=True)
class Target:
    corridor: str
    from_hub: str
    to_hub: str
    days: tuple[float, float]
    kind: str
    what: str
    source: str
    scenario: str = "baseline"
    explain: str = ""


def published_times() -> list[Target]:
    """The published transit times, as in the data file."""
    text = (resources.files("geo") / "data" / "published_times.toml").read_text(encoding="utf-8")
    return [
        Target(
            corridor=t["corridor"],
            from_hub=t["from"],
            to_hub=t["to"],
            days=(float(t["days"][0]), float(t["days"][1])),
            kind=t["kind"],
            what=t["what"],
            source=t["source"],
            scenario=t.get("scenario", "baseline"),
            explain=t.get("explain", ""),
        )
        for t in tomllib.loads(text)["time"]
    ]


def calibration_rows() -> list[dict[str, object]]:
    """Each target with the model's range for the same stretch (under its scenario) and whether they overlap."""
    catalog = load_catalog()
    base = GeometryBuilder(catalog.hubs)
    rows = []
    for t in published_times():
        corridor = catalog.corridors[t.corridor]
        build = scenario_builder(load_scenario(t.scenario), base)
        ids = [leg.from_hub for leg in corridor.legs]
        start = ids.index(t.from_hub)
        end = next(i for i, leg in enumerate(corridor.legs) if leg.to_hub == t.to_hub)
        legs = pd.DataFrame([leg_record(leg, build(leg), catalog.hubs) for leg in corridor.legs[start : end + 1]])
        e = corridor_estimate(legs)
        overlap = e.days_min <= t.days[1] and t.days[0] <= e.days_max
        rows.append({"target": t, "model": (e.days_min, e.days_max), "overlap": overlap, "km": legs["length_km"].sum()})
    return rows


def calibration_table() -> str:
    """The calibration table, in Markdown."""
    lines = [
        "| Corridor, stretch | Published | Model | | Kind | What, source | Why the model differs |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in calibration_rows():
        t: Target = r["target"]  # type: ignore[assignment]
        model_range: tuple[float, float] = r["model"]  # type: ignore[assignment]
        lo, hi = model_range
        pub = f"{t.days[0]:g}" if t.days[0] == t.days[1] else f"{t.days[0]:g}–{t.days[1]:g}"
        where = f"`{t.corridor}` {t.from_hub} → {t.to_hub}" + (f" ({t.scenario})" if t.scenario != "baseline" else "")
        mark = "✔" if r["overlap"] else "✘"
        lines.append(
            f"| {where}, {r['km']:,.0f} km | {pub} d | {lo:.1f}–{hi:.1f} d | {mark} | {t.kind} | {t.what} ({t.source}) "
            f"| {t.explain if not r['overlap'] else ''} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(calibration_table(), end="")
