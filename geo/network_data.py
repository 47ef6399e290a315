"""The world rail and road networks, offline: read from scgraph-data once, then cached.

The networks ship on PyPI in ``scgraph-data`` (OpenStreetMap-derived, ODbL) as
Python literals, ``graph=[{neighbour: km, ...}, ...]`` and ``nodes=[[lat, lon], ...]``,
in modules that cannot be imported next to scgraph 3.x (they import a class that
no longer exists). We never execute them: :func:`load_network` parses the two
literals once, splits long edges, recomputes every edge length on the WGS84
ellipsoid (km), and caches the result as a NumPy archive in the cache folder
(:mod:`geo._cache`), keyed by the package version and the file's hash from the
wheel's RECORD. The rail network gets the sourced gap-fill lines of
:mod:`geo.gapfill` merged in before it is split and healed (the edges they
supersede dropped, their ends joined to the nearest node by short connectors);
its cache key holds the gap-fill file's hash too. :func:`prepared_network` heals it (:mod:`geo.heal`) and caches
that too, on disk and in memory. Each cache file holds the nodes' component labels as well, so that no
process labels them again. Later loads read the caches.
"""

from __future__ import annotations

import base64
import hashlib
import re
import warnings
from collections.abc import Callable
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from geo._cache import cache_dir, discard, read_npz, remove_stale, write_npz
from geo.defaults import DEFAULT_GAP_KM, DEFAULT_HEAL_KM, GAP_KM
from geo.errors import NetworkError
from geo.gapfill import default_gapfill_path, gapfill_digest, gapfill_edges, load_gapfill, replaced_pairs
from geo.geodesy import chord_to_km, distance_km, unit_xyz

if TYPE_CHECKING:
    from geo.network import Network, NetworkKind

# geo.heal and geo.network (and SciPy) are imported where a network is converted or loaded: naming the networks'
# cache files (prepared_network_file, for the lines kept by geo.leg_store) needs none of them

__all__ = [
    "NETWORK_FILES",
    "OSM_ATTRIBUTION",
    "ProgressHook",
    "cache_dir",
    "load_network",
    "prepared_network",
]

NETWORK_FILES: dict[str, str] = {"rail": "world_railways.py", "road": "world_highways.py"}
OSM_ATTRIBUTION = "Rail and road networks: © OpenStreetMap contributors (ODbL), via scgraph-data"
DENSIFY_KM = 5.0
"""Longest edge kept whole; longer ones get nodes at most this far apart (hubs snap to nodes)."""
CACHE_FORMAT = 4
"""Bump when the cached arrays change meaning (3: the ``gapfill`` labels; 4: the component labels)."""
GAPFILL_KINDS = ("rail",)
"""The networks that get the gap-fill lines of :mod:`geo.gapfill` merged in."""
GAPFILL_FILE: Path | None = None
"""The gap-fill file merged into the networks of :data:`GAPFILL_KINDS`; None: the shipped one."""
GAPFILL_JOIN_KM = 5.0
"""A gap-fill line end joins the nearest node (of the network or another gap-fill line) within this distance."""


def _numbers(text: str, delimiters: str) -> np.ndarray:
    """The numbers in a literal, its ``delimiters`` read as spaces: NumPy's C parser, which reads what float() does.

    Raises
    ------
    NetworkError
        Something other than numbers and the delimiters in the text.
    """
    spaced = text.translate(str.maketrans(delimiters, " " * len(delimiters)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # NumPy's word for text it could not read to the end
        try:
            return np.fromstring(spaced, dtype=float, sep=" ")
        except (DeprecationWarning, ValueError):
            raise NetworkError("the network file's graph=[...] and nodes=[...] hold more than numbers") from None


def _parse_scgraph_module(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parse ``graph=[...]`` and ``nodes=[...]`` from an scgraph-data module without running it.

    Returns
    -------
    tuple of numpy.ndarray
        Node lon, node lat, and per directed edge its row, column and the file's km.

    Raises
    ------
    NetworkError
        The literals are missing, malformed, or do not match each other.
    """
    try:
        g0 = text.index("graph=[") + len("graph=")
        n0 = text.index("\nnodes=[", g0)
        n1 = text.index("]]", n0) + 2
    except ValueError:
        raise NetworkError("the network file does not hold graph=[...] and nodes=[...] literals") from None
    graph_text, nodes_text = text[g0:n0], text[n0 + len("\nnodes=") : n1]
    nodes = _numbers(nodes_text, "[],")
    chars = np.frombuffer(graph_text.encode("utf-8"), dtype=np.uint8)
    colons, closes = np.flatnonzero(chars == ord(":")), np.flatnonzero(chars == ord("}"))
    counts = np.diff(np.searchsorted(colons, closes), prepend=0)  # neighbours per node: the colons in its {...}
    pairs = _numbers(graph_text, "[]{},:")
    n = len(nodes) // 2
    if len(nodes) % 2 or graph_text.count("{") != n or len(closes) != n or len(pairs) != 2 * len(colons):
        raise NetworkError("the network file's graph and nodes do not match")
    rows = np.repeat(np.arange(n), counts)
    return nodes[1::2], nodes[0::2], rows, pairs[0::2].astype(np.int64), pairs[1::2]


def _cache_path(kind: str, version: str, digest: str, suffix: str = "") -> Path:
    safe = re.sub(r"[^A-Za-z0-9]", "", digest)[:16]
    if kind in GAPFILL_KINDS:
        safe += "-gapfill" + re.sub(r"[^A-Za-z0-9]", "", gapfill_digest(GAPFILL_FILE))[:10]
    return cache_dir() / f"{kind}-scgraph-data-{version}-{safe}-v{CACHE_FORMAT}{suffix}.npz"


def _source_file(kind: str) -> tuple[Path, str, str]:
    """The scgraph-data module of a network, the package version and the file's hash."""
    name = NETWORK_FILES[kind]
    try:
        dist = metadata.distribution("scgraph-data")
    except metadata.PackageNotFoundError:
        raise NetworkError(
            "the rail and road networks come from the package scgraph-data, which is not installed: "
            "pip install scgraph-data"
        ) from None
    path = Path(str(resources.files("scgraph_data") / name))
    digest = ""
    for f in dist.files or []:
        if f.name == name and f.hash is not None:
            digest = f.hash.value
    if not digest:  # no RECORD entry (e.g. an unusual install): hash the file itself
        digest = base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest()).decode().rstrip("=")
    return path, dist.version, digest


ProgressHook = Callable[[str, int, int], None]
"""``(description, done, total)``: called while a network is converted for the first time."""


def load_network(kind: NetworkKind, *, progress: ProgressHook | None = None) -> Network:
    """The raw (unhealed) rail or road network, converted once and cached.

    Raises
    ------
    NetworkError
        scgraph-data is missing or its file cannot be read.
    """
    from geo.heal import densify_edges_km
    from geo.network import network_from_edges, unique_sorted

    if kind not in NETWORK_FILES:
        raise NetworkError(f"unknown network {kind!r}: choose from {', '.join(NETWORK_FILES)}")
    path, version, digest = _source_file(kind)
    cached = _cache_path(kind, version, digest)
    source = f"scgraph-data {version} ({NETWORK_FILES[kind]})"
    if (net := _load(cached, kind, source)) is not None:
        return net
    step = progress or (lambda *_: None)
    step(f"reading {source}", 0, 4)
    text = path.read_text(encoding="utf-8")
    step(f"parsing {source}", 1, 4)
    lon, lat, rows, cols, _ = _parse_scgraph_module(text)
    del text
    step("measuring edges on the ellipsoid", 2, 4)
    n = len(lon)
    key = unique_sorted(np.minimum(rows, cols) * n + np.maximum(rows, cols))
    pairs = np.column_stack([key // n, key % n])
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    if kind in GAPFILL_KINDS:
        net = merge_gapfill(kind, lon, lat, pairs, gapfill=GAPFILL_FILE, source=source)
    else:
        lon, lat, a, b, km = densify_edges_km(lon, lat, pairs[:, 0], pairs[:, 1], max_km=DENSIFY_KM)
        net = network_from_edges(kind, lon, lat, a, b, km=km, source=source, attribution=OSM_ATTRIBUTION)
    step("caching the network", 3, 4)
    _save(net, cached)
    return net


def merge_gapfill(
    kind: str,
    lon: np.ndarray,
    lat: np.ndarray,
    pairs: np.ndarray,
    *,
    gapfill: Path | None = None,
    source: str = "",
    attribution: str = OSM_ATTRIBUTION,
) -> Network:
    """A raw network (nodes and undirected edges ``pairs``, ``a < b``) with the gap-fill lines merged in.

    The edges the lines' ``replaces`` name are dropped; the rest are split every
    :data:`DENSIFY_KM`, the lines added (already split), and each line end
    joined to the nearest node not on its own line within :data:`GAPFILL_JOIN_KM`
    by a connector. Edges are labelled with their gap-fill line index (-1: none).

    Raises
    ------
    CatalogError
        The gap-fill file is invalid, or a ``replaces`` entry matches no edge.
    """
    from geo.heal import densify_edges_km
    from geo.network import network_from_edges

    lines = load_gapfill(gapfill or default_gapfill_path())
    fill = gapfill_edges(lines, max_km=DENSIFY_KM)
    pairs = pairs[~replaced_pairs(lon, lat, pairs, fill.replaces)]
    lon, lat, a, b, km = densify_edges_km(lon, lat, pairs[:, 0], pairs[:, 1], max_km=DENSIFY_KM)
    n0 = len(lon)
    all_lon, all_lat = np.concatenate([lon, fill.lon]), np.concatenate([lat, fill.lat])
    node_line = np.full(len(all_lon), -1, dtype=np.int64)
    node_line[n0 + fill.a] = fill.line
    node_line[n0 + fill.b] = fill.line
    ends = [(int(n0 + e), i) for i, pair in enumerate(fill.ends.tolist()) for e in pair]
    xyz = unit_xyz(all_lon, all_lat)
    ca, cb = [], []
    for end, i in ends:  # a few line ends: a vectorised scan beats building a KD-tree of every node
        away = chord_to_km(np.linalg.norm(xyz - xyz[end], axis=1))
        away[node_line == i] = np.inf
        j = int(np.argmin(away))
        if away[j] <= GAPFILL_JOIN_KM:
            ca.append(end)
            cb.append(j)
    a_all = np.concatenate([a, n0 + fill.a, np.array(ca, dtype=np.int64)])
    b_all = np.concatenate([b, n0 + fill.b, np.array(cb, dtype=np.int64)])
    conn = np.concatenate([np.zeros(len(a) + len(fill.a), dtype=bool), np.ones(len(ca), dtype=bool)])
    labels = np.concatenate([np.full(len(a), -1, np.int16), fill.line, np.full(len(ca), -1, np.int16)])
    added_a, added_b = a_all[len(a) :], b_all[len(b) :]  # the network's own edges are measured already
    added_km = distance_km(all_lon[added_a], all_lat[added_a], all_lon[added_b], all_lat[added_b])
    return network_from_edges(
        kind,
        all_lon,
        all_lat,
        a_all,
        b_all,
        km=np.concatenate([km, added_km]),
        connector=conn,
        gapfill=labels,
        source=source,
        attribution=attribution,
    )


_ARRAYS = ("data", "indices", "indptr", "lon", "lat", "connector", "gapfill", "components")
"""A cache file's arrays: the CSR graph, the nodes, per-entry flags and labels, each node's component."""


def _save(net: Network, path: Path) -> None:
    """Write a network cache file, and delete the same network's caches of other versions or settings."""
    kind = path.name.split("-scgraph-data-")[0]
    raw = "-heal" not in path.name
    remove_stale(path, f"{kind}-scgraph-data-*.npz", stale=lambda old: ("-heal" not in old.name) == raw)
    g = net.graph
    write_npz(
        path,
        data=g.data,
        indices=g.indices,
        indptr=g.indptr,
        lon=net.lon,
        lat=net.lat,
        connector=net.connector,
        gapfill=net.gapfill_labels(),
        components=net.components()[1],  # labelled once here, not in every process that snaps to the network
    )


def _load(path: Path, kind: str, source: str) -> Network | None:
    """A cached network, or None if there is none (a broken file is deleted, to be rebuilt)."""
    from scipy import sparse

    from geo.network import Network

    z = read_npz(path, _ARRAYS)
    if z is None:
        return None
    n = len(z["lon"])
    try:
        g = sparse.csr_array((z["data"], z["indices"], z["indptr"]), shape=(n, n))
    except ValueError:  # arrays that do not make a graph: rebuilt
        discard(path)
        return None
    gapfill = z["gapfill"].astype(np.int16) if kind in GAPFILL_KINDS else None
    labels = z["components"]
    if (
        len(z["connector"]) != g.nnz
        or len(z["gapfill"]) != g.nnz
        or len(labels) != n
        or labels.dtype.kind not in "iu"
        or (n and labels.min() < 0)
    ):
        discard(path)
        return None
    components = [(int(labels.max()) + 1 if n else 0, labels)]
    return Network(
        kind, g, z["lon"], z["lat"], z["connector"], source, OSM_ATTRIBUTION, gapfill, _components=components
    )


_PREPARED: dict[tuple[str, float, float], Network] = {}


def prepared_network_file(kind: NetworkKind, *, heal_km: float = DEFAULT_HEAL_KM, gap_km: float | None = None) -> Path:
    """Where :func:`prepared_network` keeps the network; the name tells the network apart (the source package's
    version and file hash, the gap-fill lines' hash, the cache format, the healing), without loading it."""
    gap_km = GAP_KM.get(kind, DEFAULT_GAP_KM) if gap_km is None else gap_km
    _, version, digest = _source_file(kind)
    return _cache_path(kind, version, digest, f"-heal{heal_km:g}-gap{gap_km:g}")


def prepared_network(
    kind: NetworkKind,
    *,
    heal_km: float = DEFAULT_HEAL_KM,
    gap_km: float | None = None,
    progress: ProgressHook | None = None,
) -> Network:
    """The network ready for routing: loaded, healed, cached on disk and in memory.

    ``gap_km`` defaults to :data:`GAP_KM` of the network kind.
    """
    gap_km = GAP_KM.get(kind, DEFAULT_GAP_KM) if gap_km is None else gap_km
    key = (kind, float(heal_km), float(gap_km))
    if key in _PREPARED:
        return _PREPARED[key]
    cached = prepared_network_file(kind, heal_km=heal_km, gap_km=gap_km)
    source = f"scgraph-data {_source_file(kind)[1]} ({NETWORK_FILES[kind]})"
    net = _load(cached, kind, source)
    if net is None:
        from geo.heal import heal

        raw = load_network(kind, progress=progress)
        if progress:
            progress(f"healing gaps in the {kind} network", 3, 4)
        net = heal(raw, heal_km, gap_km=gap_km)
        _save(net, cached)
        if progress:
            progress("cached", 4, 4)
    _PREPARED[key] = net
    return net
