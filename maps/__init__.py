"""Interactive maps of corridors, the index page, and the build that writes them all."""

from maps.build import BuildResult, build, index_html
from maps.render import corridor_map, overview_map, render_html

__all__ = ["BuildResult", "build", "corridor_map", "index_html", "overview_map", "render_html"]
