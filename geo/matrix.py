"""Origin–destination matrices: many routes at once on the cached multimodal graph.

:func:`matrix_problem` turns the graph (:mod:`geo.graph`), masked for the
avoided countries and closed borders, into a :class:`Problem`: the weighted
adjacency matrix in CSR order and, per stored entry, what the edge adds to a
route (its km, its mode) and, per node, its country. :func:`solve` runs
SciPy's multi-source Dijkstra for a batch of origins and walks the shortest-
path trees back from every destination at once, vectorised over the pairs,
summing km by mode and noting the hubs passed and the borders crossed; each
pair then becomes legs (split at hubs, as ``corridors route`` splits a route)
whose days and CO2e come from the transit model (:func:`geo.transit.estimate`).

A :class:`Problem` is plain arrays and can be pickled: :mod:`geo.distributed`
sends it to each Dask worker once and splits the origins across them; results
are the same as in process. Coordinates lon/lat (EPSG:4326); lengths geodesic km.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from geo.borders import borders
from geo.catalog import Catalog
from geo.countries import MIN_CROSSING_KM, MIN_RUN_SAMPLES, SAMPLE_DEG
from geo.errors import CorridorMapperError
from geo.graph import SEA, MultimodalGraph, Weight, avoided_nodes, multimodal_graph
from geo.metrics import border_crossings, collapse, estimate_figures
from geo.model import Hub, Mode
from geo.network_data import prepared_network
from geo.places import check_within_reach
from geo.sea import check_passages, sea_links
from geo.transit import LegFacts, TransitModel, estimate, transit_model

__all__ = [
    "MATRIX_COLUMNS",
    "MatrixInput",
    "Problem",
    "batch_size",
    "matrix_input",
    "matrix_problem",
    "od_matrix",
    "solve",
    "solve_batches",
]

MATRIX_COLUMNS = [
    "origin_id", "destination_id", "reachable", "reason", "length_km", "rail_km", "road_km", "sea_km", "ferry_km",
    "border_crossings", "gauge_breaks", "transshipments", "days_min", "days_max", "co2e_kg_per_tonne",
    "co2e_kg_per_teu", "countries",
]  # fmt: skip
"""The columns of a matrix, one row per pair."""

MODES = (Mode.RAIL, Mode.ROAD, Mode.SEA, Mode.FERRY)
_TRANSFER = 4
END_RUN_KM = MIN_RUN_SAMPLES * SAMPLE_DEG * 111.32
"""A country at either end of a leg counts only if the leg runs about this far in it (the sampled rule of
:func:`geo.countries.countries_along`, in km)."""
MEMORY_BYTES = 600 * 2**20
"""What one batch of searches may hold (distances and predecessors for every node)."""


@dataclass(frozen=True)
class Problem:
    """Everything a batch of searches needs, as arrays (picklable; sent to Dask workers once)."""

    cost: sparse.csr_array
    keys: np.ndarray
    """Per stored entry, row × n + column (sorted): finds the entry of an edge."""
    km: np.ndarray
    mode: np.ndarray
    """Per stored entry: index into :data:`MODES`, or 4 for a hub's link to a network."""
    labels: np.ndarray
    codes: tuple[str, ...]
    hub_base: int
    hub_ids: tuple[str, ...]
    hub_countries: tuple[str, ...]
    model: TransitModel
    block_mode: np.ndarray
    """Per node: the index into :data:`MODES` of its network (rail, road); hubs -1."""

    @property
    def n_nodes(self) -> int:
        return self.cost.shape[0]


def matrix_problem(graph: MultimodalGraph, by: Weight = "km", keep: np.ndarray | None = None) -> Problem:
    """The search problem of ``graph``'s kept entries, weighted by ``by``; one entry per edge and direction (the
    cheapest where two links join the same nodes)."""
    n = graph.n_nodes
    sel = np.arange(len(graph.rows)) if keep is None else np.flatnonzero(keep)
    r, c, w = graph.rows[sel], graph.cols[sel], graph.weights(by)[sel]
    key = r.astype(np.int64) * n + c
    order = np.lexsort((w, key))
    first = np.ones(len(order), dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    pick = sel[order[first]]
    rows, cols = graph.rows[pick], graph.cols[pick]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    cost = sparse.csr_array((graph.weights(by)[pick], cols, indptr), shape=(n, n))
    block = graph.entry_block[pick]
    mode = np.full(len(pick), _TRANSFER, dtype=np.int8)
    names = [name for name, _, _ in graph.kinds]
    for k, name in enumerate(names):
        if name != "hub":
            mode[block == k] = MODES.index(Mode(name))
    for i in np.flatnonzero(block == SEA):
        mode[i] = MODES.index(graph.sea[(int(rows[i]), int(cols[i]))][0])
    return Problem(
        cost=cost,
        keys=key[order[first]],
        km=graph.km[pick],
        mode=mode,
        labels=graph.labels,
        codes=graph.codes,
        hub_base=graph.hub_base,
        hub_ids=graph.hub_ids,
        hub_countries=tuple(graph.hubs[h].country for h in graph.hub_ids),
        model=transit_model(),
        block_mode=_block_modes(graph),
    )


def _block_modes(graph: MultimodalGraph) -> np.ndarray:
    out = np.full(graph.n_nodes, -1, dtype=np.int8)
    for name, lo, hi in graph.kinds:
        if name != "hub":
            out[lo:hi] = MODES.index(Mode(name))
    return out


def batch_size(problem: Problem, n_origins: int, memory_bytes: int = MEMORY_BYTES) -> int:
    """How many origins one search batch may take: per node, distances (8 bytes), predecessors (4) and the walk's
    notes (12)."""
    return max(1, min(n_origins, memory_bytes // (24 * problem.n_nodes)))


def _entry(problem: Problem, p: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The stored entry of each edge c → p (the reverse of the tree's p → c; the graph is symmetric): found among
    the first few entries of row c (most nodes have two or three neighbours), else by binary search."""
    indptr, indices = problem.cost.indptr, problem.cost.indices
    start, degree = indptr[c], indptr[c + 1] - indptr[c]
    found = np.full(len(c), -1, dtype=np.int64)
    for k in range(4):
        here = (degree > k) & (found < 0)
        pos = start[here] + k
        hit = indices[pos] == p[here]
        found[np.flatnonzero(here)[hit]] = pos[hit]
    rest = np.flatnonzero(found < 0)
    if len(rest):
        found[rest] = np.searchsorted(problem.keys, c[rest].astype(np.int64) * problem.n_nodes + p[rest])
    return found


@dataclass
class _Paths:
    """What the walk back from every destination noted, per pair, in km from the destination: the hubs passed
    (km, hub index, the mode of the leg that starts there going forward, the country of the node after it) and the
    borders crossed (km, country before, country after, going forward); and the path's length."""

    total: list[float]
    hubs: list[list[tuple[float, int, int, int]]]
    crossings: list[list[tuple[float, int, int]]]


def _walk(problem: Problem, pred: np.ndarray, starts: np.ndarray, pair_o: np.ndarray, pair_d: np.ndarray,
          reach: np.ndarray) -> _Paths:  # fmt: skip
    """Walk every reachable pair's path from its destination back to its origin, all pairs at once.

    A pair that reaches a node another pair of the same origin has already passed stops there: the rest of its
    path is the other's (the same search tree), so each tree node is walked once per origin; the joined paths
    are completed afterwards from the leader's notes.
    """
    n_pairs, n = len(pair_o), problem.n_nodes
    labels, hub_base = problem.labels, problem.hub_base
    total = np.zeros(n_pairs)
    visitor = np.full(pred.shape, -1, dtype=np.int32)
    at_km = np.zeros(pred.shape)
    flat_pred, flat_visitor, flat_km = pred.ravel(), visitor.ravel(), at_km.ravel()
    hub_parts: list[tuple[np.ndarray, ...]] = []
    cross_parts: list[tuple[np.ndarray, ...]] = []
    joins: dict[int, tuple[int, float, float]] = {}
    idx = np.flatnonzero(reach & (pair_d != starts[pair_o]))
    cur = pair_d[idx].astype(np.int64)
    row = pair_o[idx].astype(np.int64) * n
    goal = starts[pair_o[idx]]
    # destinations are the first nodes visited; a destination given twice joins the first
    order = np.argsort(row + cur, kind="stable")
    keys = (row + cur)[order]
    dup = np.zeros(len(idx), dtype=bool)
    dup[order[1:]] = keys[1:] == keys[:-1]
    for j in np.flatnonzero(dup):
        leader = idx[order[np.searchsorted(keys, row[j] + cur[j])]]
        joins[int(idx[j])] = (int(leader), 0.0, 0.0)
    idx, cur, row, goal = idx[~dup], cur[~dup], row[~dup], goal[~dup]
    flat_visitor[row + cur] = idx
    while len(idx):
        p = flat_pred[row + cur].astype(np.int64)
        e = _entry(problem, p, cur)
        ekm, emode = problem.km[e], problem.mode[e]
        lp, lc = labels[p], labels[cur]
        crossing = np.flatnonzero((lp != lc) & (lp >= 0) & (lc >= 0) & (emode <= 1))
        if len(crossing):
            i = idx[crossing]
            cross_parts.append((i, total[i] + ekm[crossing] / 2, lp[crossing], lc[crossing]))
        total[idx] += ekm
        at_hub = np.flatnonzero(p >= hub_base)
        if len(at_hub):
            i = idx[at_hub]
            leg_mode = np.where(emode[at_hub] == _TRANSFER, problem.block_mode[cur[at_hub]], emode[at_hub])
            hub_parts.append((i, total[i].copy(), p[at_hub] - hub_base, leg_mode, lc[at_hub]))
        arrived = p == goal
        seen = flat_visitor[row + p]
        joined = (seen >= 0) & ~arrived
        for j in np.flatnonzero(joined):
            joins[int(idx[j])] = (int(seen[j]), float(total[idx[j]]), float(flat_km[row[j] + p[j]]))
        going = ~arrived & ~joined
        idx, cur, row, goal = idx[going], p[going], row[going], goal[going]
        # two pairs of one origin reaching the same new node in the same step: the first leads
        keys = row + cur
        order = np.argsort(keys, kind="stable")
        dup = np.zeros(len(idx), dtype=bool)
        dup[order[1:]] = keys[order][1:] == keys[order][:-1]
        if dup.any():
            for j in np.flatnonzero(dup):
                leader = idx[order[np.searchsorted(keys[order], keys[j])]]
                joins[int(idx[j])] = (int(leader), float(total[idx[j]]), float(total[leader]))
            idx, cur, row, goal = idx[~dup], cur[~dup], row[~dup], goal[~dup]
        flat_visitor[row + cur] = idx
        flat_km[row + cur] = total[idx]
    hubs: list[list[tuple[float, int, int, int]]] = [[] for _ in range(n_pairs)]
    crossings: list[list[tuple[float, int, int]]] = [[] for _ in range(n_pairs)]
    for i, km, h, m, nxt in hub_parts:
        for a, b_, c_, d_, e_ in zip(i.tolist(), km.tolist(), h.tolist(), m.tolist(), nxt.tolist(), strict=True):
            hubs[a].append((b_, c_, d_, e_))
    for i, km, f, t in cross_parts:
        for a, b_, c_, d_ in zip(i.tolist(), km.tolist(), f.tolist(), t.tolist(), strict=True):
            crossings[a].append((b_, c_, d_))
    totals = total.tolist()
    done: set[int] = set()

    def finish(x: int) -> None:  # a joined path: its own notes, then the leader's beyond the joining node
        if x in done or x not in joins:
            return
        leader, mine, theirs = joins[x]
        finish(leader)
        shift = mine - theirs
        totals[x] = totals[leader] + shift
        hubs[x] += [(k + shift, h, m, nx) for k, h, m, nx in hubs[leader] if k > theirs]
        crossings[x] += [(k + shift, f, t) for k, f, t in crossings[leader] if k > theirs]
        done.add(x)

    for x in list(joins):
        finish(x)
    return _Paths(totals, hubs, crossings)


def _leg_countries(
    problem: Problem, start: str, first_label: int, end: str, crossings: list[tuple[float, int, int]], km: float
) -> list[str]:
    """A network leg's countries from its crossings (position in km from its start, from, to), with the noise
    rule of :func:`geo.countries.countries_along`: end stretches shorter than :data:`END_RUN_KM` and middle
    stretches shorter than :data:`~geo.countries.MIN_CROSSING_KM` do not count."""
    codes = problem.codes
    first = crossings[0][1] if crossings else first_label
    runs: list[tuple[int, float, float]] = []  # (label, from km, to km)
    at, here = 0.0, first
    for pos, _, to in crossings:
        runs.append((here, at, pos))
        at, here = pos, to
    runs.append((here, at, km))
    kept = []
    for i, (lab, a, b) in enumerate(runs):
        if lab < 0:
            continue
        limit = END_RUN_KM if i in (0, len(runs) - 1) else MIN_CROSSING_KM
        if len(runs) > 1 and b - a < limit:
            continue
        kept.append(codes[lab])
    return _nonempty([start, *kept, end])


def _nonempty(seq: Iterable[str]) -> list[str]:
    """Countries in order, runs collapsed, unknown (empty) ones left out."""
    return collapse(k for k in seq if k)


def solve(
    problem: Problem,
    origins: Sequence[int],
    destinations: Sequence[int],
    *,
    origin_ids: Sequence[str] | None = None,
    destination_ids: Sequence[str] | None = None,
    reasons: dict[int, str] | None = None,
    unreachable: str = "no route between them on the chosen modes and constraints",
) -> list[dict[str, Any]]:
    """One row per (origin, destination) pair of hub nodes (:data:`MATRIX_COLUMNS`), origins outermost.

    ``reasons`` says why a node (a point far from every network) cannot be reached; pairs without a route get
    ``unreachable``.
    """
    starts = np.asarray(origins, dtype=np.int64)
    dests = np.asarray(destinations, dtype=np.int64)
    oids = list(origin_ids) if origin_ids is not None else [problem.hub_ids[o - problem.hub_base] for o in starts]
    dids = list(destination_ids) if destination_ids is not None else [
        problem.hub_ids[d - problem.hub_base] for d in dests
    ]  # fmt: skip
    reasons = reasons or {}
    dist, pred = csgraph.dijkstra(problem.cost, directed=True, indices=starts, return_predecessors=True)
    dist, pred = np.atleast_2d(dist), np.atleast_2d(pred)
    b, d = len(starts), len(dests)
    pair_o, pair_d = np.repeat(np.arange(b), d), np.tile(dests, b)
    reach = np.isfinite(dist[pair_o, pair_d])
    del dist
    paths = _walk(problem, pred, starts, pair_o, pair_d, reach)
    del pred
    model, base = problem.model, problem.hub_base
    rows = []
    for i in range(len(pair_o)):
        o, dn = int(starts[pair_o[i]]), int(pair_d[i])
        row: dict[str, Any] = {"origin_id": oids[pair_o[i]], "destination_id": dids[i % d]}
        if o == dn:
            rows.append({**row, "reachable": False, "reason": "origin and destination are the same place"})
            continue
        if not reach[i]:
            why = reasons.get(o) or reasons.get(dn) or unreachable
            rows.append({**row, "reachable": False, "reason": why})
            continue
        length = paths.total[i]
        # hubs forward from the origin: (km from the origin, hub, mode of the leg that starts there, next country)
        marks = [(length - k, h, m, nx) for k, h, m, nx in reversed(paths.hubs[i])] + [(length, dn - base, -1, -1)]
        crossings = [(length - k, f, t) for k, f, t in reversed(paths.crossings[i])]
        legs, countries = [], []
        for (start_km, a, m, nxt), (end_km, z, _, _) in itertools.pairwise(marks):
            mode = MODES[m]
            km = end_km - start_km
            ca, cz = problem.hub_countries[a], problem.hub_countries[z]
            if mode.is_water:
                leg_countries = _nonempty([ca, cz])
            else:
                inside = [(p - start_km, f, t) for p, f, t in crossings if start_km <= p <= end_km]
                leg_countries = _leg_countries(problem, ca, nxt, cz, inside, km)
            legs.append(LegFacts(problem.hub_ids[a], problem.hub_ids[z], mode, km, tuple(leg_countries)))
            countries += leg_countries
        route = _nonempty(countries)
        e = estimate(legs, model)
        km_by = dict.fromkeys(MODES, 0.0)
        for leg in legs:
            km_by[leg.mode] += leg.length_km
        rows.append(
            {
                **row,
                "reachable": True,
                "reason": "",
                "length_km": round(length, 3),
                **{f"{m}_km": round(km_by[m], 3) for m in MODES},
                "border_crossings": border_crossings(route),
                **estimate_figures(e),
                "countries": ",".join(dict.fromkeys(route)),
            }
        )
    return rows


def solve_batches(
    problem: Problem,
    origins: Sequence[int],
    destinations: Sequence[int],
    *,
    origin_ids: Sequence[str],
    destination_ids: Sequence[str],
    reasons: dict[int, str] | None = None,
    unreachable: str = "no route between them on the chosen modes and constraints",
    step: Callable[[int], None] | None = None,
    memory_bytes: int = MEMORY_BYTES,
) -> list[dict[str, Any]]:
    """:func:`solve` in batches of origins sized to ``memory_bytes``; ``step`` is told how many origins are done."""
    size = batch_size(problem, len(origins), memory_bytes)
    rows: list[dict[str, Any]] = []
    for lo in range(0, len(origins), size):
        hi = min(len(origins), lo + size)
        rows += solve(
            problem,
            origins[lo:hi],
            destinations,
            origin_ids=origin_ids[lo:hi],
            destination_ids=destination_ids,
            reasons=reasons,
            unreachable=unreachable,
        )
        if step is not None:
            step(hi - lo)
    return rows


def batches(n: int, parts: int) -> list[tuple[int, int]]:
    """``n`` origins split into ``parts`` contiguous ranges of near-equal size."""
    size = math.ceil(n / max(1, parts)) if n else 0
    return [(lo, min(n, lo + size)) for lo in range(0, n, size)] if size else []


# --- the whole matrix -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixInput:
    """A matrix to compute: the problem, the hub nodes of the origins and destinations, and their ids."""

    problem: Problem
    origins: tuple[int, ...]
    destinations: tuple[int, ...]
    origin_ids: tuple[str, ...]
    destination_ids: tuple[str, ...]
    reasons: dict[int, str]
    unreachable: str


def matrix_input(
    catalog: Catalog,
    origins: Sequence[tuple[str, Hub]],
    destinations: Sequence[tuple[str, Hub]],
    *,
    modes: Iterable[Mode],
    avoid: Sequence[str] = (),
    closed_borders: str = "respect",
    sea_restrictions: Sequence[str] = (),
    open_borders: Iterable[Iterable[str]] = (),
    by: Weight = "km",
    network_of: Callable[[str], Any] | None = None,
) -> MatrixInput:
    """The problem for ``origins`` × ``destinations`` (pairs of the user's id and a hub or point), on the graph of
    ``modes`` with the countries avoided and the closed borders respected (the same masks as ``route``)."""
    modes = frozenset(modes)
    source = network_of or prepared_network
    points = {h.id: h for _, h in [*origins, *destinations]}
    graph = multimodal_graph(
        catalog,
        modes,
        sea_restrictions=check_passages(sea_restrictions),
        network_of=source,  # type: ignore[arg-type]
    )
    graph = graph.with_points([h for h in points.values() if h.id not in graph.hubs])
    opened = {frozenset(p) for p in open_borders}
    closed = [b for b in borders("closed") if b.pair not in opened] if closed_borders == "respect" else []
    avoid = [a.strip().upper() for a in avoid if a.strip()]
    inside = avoided_nodes(graph, avoid)
    keep = graph.keep(avoid_nodes=inside, closed=closed, keep_hubs=list(points))  # on the shipped outlines
    problem = matrix_problem(graph, by, keep)
    land = {str(m): graph.nets[str(m)] for m in (Mode.RAIL, Mode.ROAD) if str(m) in graph.nets}
    ports = {h for pair in sea_links(catalog, dict(graph.hubs)) for h in pair}
    reasons: dict[int, str] = {}
    for user_id, hub in [*origins, *destinations]:
        node = graph.hub_node(hub.id)
        if node in reasons:
            continue
        try:
            check_within_reach(repr(user_id), hub, modes, land, {p: graph.hubs[p] for p in ports if p in graph.hubs})
        except CorridorMapperError as exc:
            reasons[node] = str(exc)
        else:
            if inside is not None and inside[node]:
                reasons[node] = f"{user_id!r} lies in a country you avoid ({','.join(avoid)})"
    names = ",".join(sorted(map(str, modes)))
    unreachable = f"no route between them by {names}" + (f" avoiding {','.join(avoid)}" if avoid else "")
    if closed:
        unreachable += " with the closed borders respected"
    return MatrixInput(
        problem=problem,
        origins=tuple(graph.hub_node(h.id) for _, h in origins),
        destinations=tuple(graph.hub_node(h.id) for _, h in destinations),
        origin_ids=tuple(i for i, _ in origins),
        destination_ids=tuple(i for i, _ in destinations),
        reasons=reasons,
        unreachable=unreachable + ": check with `corridors route`",
    )


def od_matrix(job: MatrixInput, *, step: Callable[[int], None] | None = None) -> list[dict[str, Any]]:
    """Every pair of ``job``, in process, origins outermost (one row per pair, :data:`MATRIX_COLUMNS`)."""
    return solve_batches(
        job.problem,
        job.origins,
        job.destinations,
        origin_ids=job.origin_ids,
        destination_ids=job.destination_ids,
        reasons=job.reasons,
        unreachable=job.unreachable,
        step=step,
    )
