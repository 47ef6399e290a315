"""Published comparisons measured: does "2,500 km shorter than the northern route" hold on our lines?

A catalog fact may carry a :class:`geo.model.Claim` (this corridor against
another, by km or by days). :func:`check_claims` sets the claim beside what
the tool measures for the two corridors (their figures from
:func:`geo.metrics.corridor_figures`, days as the middle of the model's range)
and says whether it holds, so that a page can show both rather than repeat the
claim. Corridors that end in different places are compared all the same, and
the verdict says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo.model import Claim, Corridor

__all__ = ["ClaimCheck", "check_claims"]


@dataclass(frozen=True)
class ClaimCheck:
    """One claim and what was measured."""

    corridor_id: str
    fact: str
    claim: Claim
    measured: float | None
    """This corridor's figure minus the other's (km or days), or their ratio for a ratio claim."""
    holds: bool | None
    """None when a figure is missing (the other corridor is not in the build)."""
    sentence: str


def _value(figures: Mapping[str, Any], metric: str) -> float | None:
    if metric == "length_km":
        v = figures.get("length_km")
    else:
        lo, hi = figures.get("days_min"), figures.get("days_max")
        v = None if lo is None or hi is None else (float(lo) + float(hi)) / 2
    return None if v is None or v != v else float(v)


WORDS = {"length_km": ("shorter", "longer"), "days": ("faster", "slower")}


def _describe(claim: Claim, diff: float, ratio: float) -> str:
    """``2,196 km longer``, ``8.4 days slower``, ``1.63 times as long (8.4 days slower)``."""
    unit, digits = ("km", 0) if claim.metric == "length_km" else ("days", 1)
    less, more = WORDS[claim.metric]
    text = f"{abs(diff):,.{digits}f} {unit} {more if diff > 0 else less}"
    if claim.ratio is not None:
        return f"{ratio:.2f} times as {'long' if claim.metric == 'days' else 'far'} ({text})"
    return text


def check_claims(
    corridors: Mapping[str, Corridor], figures: Mapping[str, Mapping[str, Any]], names: Mapping[str, str]
) -> list[ClaimCheck]:
    """Every claim of the ``corridors``' facts, measured with ``figures`` (by corridor id)."""
    out = []
    for cid, corridor in corridors.items():
        for fact in corridor.facts:
            claim = fact.check
            if claim is None:
                continue
            mine, other = figures.get(cid), figures.get(claim.versus)
            a = _value(mine, claim.metric) if mine else None
            b = _value(other, claim.metric) if other else None
            versus = names.get(claim.versus, claim.versus)
            if a is None or b is None or b == 0:
                out.append(
                    ClaimCheck(cid, fact.text, claim, None, None, f"not measured: {versus} is not in this build")
                )
                continue
            diff, ratio = a - b, a / b
            if claim.ratio is not None:
                lo, hi = claim.ratio
                holds = lo * 0.9 <= ratio <= hi * 1.1
                measured = ratio
            else:
                lo, hi = claim.by or (0.0, 0.0)
                signed = -diff if claim.claim in ("shorter", "faster") else diff
                holds = lo * 0.9 <= signed <= hi * 1.1
                measured = diff
            verdict = "consistent with the claim" if holds else "the claim does not hold on these lines"
            out.append(
                ClaimCheck(
                    cid,
                    fact.text,
                    claim,
                    measured,
                    holds,
                    f"measured against {versus}: {_describe(claim, diff, ratio)}; {verdict}",
                )
            )
    return out
