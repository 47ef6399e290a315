"""Shared track drawn side by side: a pixel offset for each leg that runs along another corridor's leg.

Where legs of several corridors run on the same track (Alat–Tbilisi, Moscow–Astrakhan,
Shanghai–Rotterdam...), a map of several corridors would draw them on top of each
other and only the last would show. Each such leg gets a constant screen offset
(Leaflet.PolylineOffset, folium's ``plugins.PolyLineOffset``), so the bundle reads as
parallel lines, one per corridor, centred on the track, in the corridors' order.

Two legs of different corridors share track when at least :data:`BUNDLE_SHARE` of the
shorter one lies within :data:`BUNDLE_NEAR` degrees of the other (the lines are display
lines, EPSG:4326; the shares are ratios, so degrees do). An offset's sign depends on a
line's direction, so legs that run the opposite way along a bundle get the opposite
sign: every corridor keeps its side along the whole bundle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np
import shapely

__all__ = ["BUNDLE_NEAR", "BUNDLE_SHARE", "BUNDLE_SPACING", "leg_offsets"]

BUNDLE_NEAR = 0.005
"""Two lines closer than this, in degrees (about 500 m), run on the same track."""
BUNDLE_SHARE = 0.5
"""Share of the shorter leg that must run on the other's track for the two to be drawn side by side."""
BUNDLE_SPACING = 4.5
"""Pixels between the centre lines of two corridors side by side (the widest line is 3.5 px)."""


def _same_direction(a: shapely.Geometry, b: shapely.Geometry, near: shapely.Geometry) -> bool:
    """Whether ``a`` runs the same way as ``b`` along the part of ``a`` that lies in ``near`` (b's buffer)."""
    shared = shapely.get_coordinates(shapely.intersection(a, near))
    if len(shared) < 2:
        return True
    first, last = shapely.points(shared[0]), shapely.points(shared[-1])
    return bool(shapely.line_locate_point(b, first) <= shapely.line_locate_point(b, last))


def leg_offsets(corridor_ids: Sequence[str], lines: Sequence[shapely.Geometry], order: Sequence[str]) -> list[float]:
    """A pixel offset per leg (0 for a leg on track of its own), for lines drawn in the corridors' ``order``.

    ``corridor_ids[i]`` is the corridor of ``lines[i]``. Offsets are multiples of half
    :data:`BUNDLE_SPACING`, centred on the track: two corridors at ±2.25 px, three at
    −4.5, 0 and +4.5 px.
    """
    n = len(lines)
    if n == 0:
        return []
    geoms = np.asarray(lines, dtype=object)
    rank = {cid: k for k, cid in enumerate(order)}
    lengths = shapely.length(geoms)
    buffers = shapely.buffer(geoms, BUNDLE_NEAR, quad_segs=2)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=BUNDLE_NEAR)
    links: dict[int, dict[int, bool]] = {i: {} for i in range(n)}  # i -> {j: same direction}
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j or corridor_ids[i] == corridor_ids[j]:
            continue
        short, other = (i, j) if lengths[i] <= lengths[j] else (j, i)
        if lengths[short] == 0:
            continue
        shared = shapely.length(shapely.intersection(geoms[short], buffers[other]))
        if shared < BUNDLE_SHARE * lengths[short]:
            continue
        same = _same_direction(geoms[short], geoms[other], buffers[other])
        links[i][j] = links[j][i] = same
    # orient every bundle one way: a leg running against its neighbour along the track is flipped
    flipped = [False] * n
    seen = [False] * n
    for start in range(n):
        if seen[start]:
            continue
        seen[start] = True
        queue = deque([start])
        while queue:
            i = queue.popleft()
            for j, same in links[i].items():
                if not seen[j]:
                    seen[j] = True
                    flipped[j] = flipped[i] != (not same)
                    queue.append(j)
    # centred slots in the corridors' order; where bundles overlap each other, the nearest free slot
    ideal = []
    for i in range(n):
        together = sorted({corridor_ids[i], *(corridor_ids[j] for j in links[i])}, key=lambda c: rank.get(c, len(rank)))
        ideal.append(together.index(corridor_ids[i]) - (len(together) - 1) / 2)
    slots: dict[int, float] = {}
    for i in sorted(range(n), key=lambda i: (-len(links[i]), rank.get(corridor_ids[i], len(rank)), i)):
        if not links[i]:
            continue
        taken = [slots[j] for j in links[i] if j in slots]
        steps = sorted({d / 2 for d in range(-2 * n - 2, 2 * n + 3)}, key=lambda d: (abs(d), -d))
        slots[i] = next(ideal[i] + d for d in steps if all(abs(ideal[i] + d - q) >= 1 for q in taken))
    return [float(slots.get(i, 0.0) * BUNDLE_SPACING * (-1 if flipped[i] else 1)) for i in range(n)]
