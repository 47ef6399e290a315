"""geo/'s import graph: no circle, and no import hidden in a function to dodge one.

The graph is read from the source with :mod:`ast` (nothing is imported), so a
circle added anywhere in geo/, at module level or inside a function, fails here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GEO = ROOT / "geo"

LAZY_OK: dict[str, set[str]] = {
    "geo.gapfill": {"geo.heal"},
    "geo.network_data": {"geo.heal", "geo.network"},
    "geo.geometry": {"geo.routing"},
}
"""Function-level imports of geo modules allowed for start-up cost: module -> imported modules. A warm build
(every line in geo.leg_store) routes nothing, so it imports no SciPy: these modules bring it where a network
is converted, loaded or routed on."""


def _module_name(path: Path, root: Path) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module, module: str, is_package: bool, modules: set[str]) -> list[tuple[str, bool]]:
    """The package's modules that ``tree`` imports, each with whether the import sits at module level."""
    out: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            return  # not run: cannot close a circle
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    out.append((alias.name, top))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's package
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{node.module}" if node.module else package
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in modules:
                    out.append((sub, top))
                elif base in modules:
                    out.append((base, top))
        inner = top and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    for stmt in tree.body:
        visit(stmt, True)
    return out


def import_graph(root: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(every import, function-level imports only) between the modules of the package at ``root``."""
    files = {_module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    modules = set(files)
    edges: dict[str, set[str]] = {m: set() for m in modules}
    lazy: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for target, top in _imports(tree, name, path.name == "__init__.py", modules):
            if target == name:
                continue
            edges[name].add(target)
            if not top:
                lazy[name].add(target)
    return edges, lazy


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a path ``[a, b, ..., a]``, or None (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := dfs(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := dfs(start)):
            return found
    return None


def test_geo_has_no_import_circle():
    edges, _ = import_graph(GEO)
    assert len(edges) > 10  # the parser found geo's modules
    assert "geo.geodesy" in edges["geo.routing"] and "geo.network" in edges["geo.heal"]  # ...and their imports
    cycle = find_cycle(edges)
    assert cycle is None, "import circle in geo/: " + " -> ".join(cycle or [])


def test_geo_imports_its_own_modules_at_module_level():
    _, lazy = import_graph(GEO)
    hidden = {m: sorted(t - LAZY_OK.get(m, set())) for m, t in lazy.items() if t - LAZY_OK.get(m, set())}
    assert not hidden, f"function-level imports of geo modules (move them up, or list them in LAZY_OK): {hidden}"


def test_geodesy_and_cache_sit_at_the_bottom():
    edges, _ = import_graph(GEO)
    assert edges["geo.geodesy"] == set() and edges["geo._cache"] == set()


@pytest.mark.parametrize(
    ("a", "b", "circle"),
    [
        ("from pkg import b\n", "import pkg.a\n", True),
        ("from pkg.b import f\n", "def g():\n    from pkg.a import h\n", True),  # a lazy import closes it too
        ("from . import b\n", "from .a import h\n", True),
        (
            "from pkg.b import f\n",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import h\n",
            False,
        ),
        ("from pkg.b import f\n", "import json\n", False),
    ],
)
def test_the_check_finds_circles(tmp_path, a, b, circle):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text(a)
    (pkg / "b.py").write_text(b)
    edges, lazy = import_graph(pkg)
    assert (find_cycle(edges) is not None) == circle
    if "def g" in b:
        assert lazy["pkg.b"] == {"pkg.a"}


def test_a_build_imports_no_routing_until_it_routes():
    """Loading the pipeline of `corridors build` brings no SciPy, healing or routing (a warm build needs none)."""
    code = "import sys, maps.cli, maps.build\nprint(sorted(m for m in ('scipy', 'geo.heal', 'geo.routing') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
