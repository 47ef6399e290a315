"""Interactive maps of corridors, the index page, and the build that writes them all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo._lazy import lazy_exports

_EXPORTS = {
    "BuildResult": "maps.build",
    "build": "maps.build",
    "corridor_map": "maps.render",
    "index_html": "maps.build",
    "overview_map": "maps.render",
    "render_html": "maps.render",
}
"""Each public name and the module it comes from: imported on first use, so that importing the package
(the CLI does, to start) costs nothing until a name is used."""

__all__ = [
    "BuildResult",
    "build",
    "corridor_map",
    "index_html",
    "overview_map",
    "render_html",
]

if TYPE_CHECKING:
    from maps.build import BuildResult, build, index_html
    from maps.render import corridor_map, overview_map, render_html


__getattr__ = lazy_exports(__name__, _EXPORTS)
