"""Light, cheap pages: rendered text is not compiled again as a template; shared outlines; the bytes budget."""

from __future__ import annotations

import dataclasses

import folium

from maps.render import corridor_map, render_html


def test_text_that_looks_like_a_template_reaches_the_page_as_written(mini_layers):
    """branca compiles every element's rendered script as a jinja template: a name holding ``{{ 6*7 }}`` came
    out as ``42``. The rendered text is kept as it is."""
    layers = mini_layers.for_corridor("t-caspian")
    hubs = layers.hubs.copy()
    hubs.loc[hubs.index[0], "name"] = "Port {{ 6*7 }} {% if 1 %}x{% endif %}"
    m = corridor_map(dataclasses.replace(layers, hubs=hubs), "t-caspian")
    folium.Marker([40, 50], tooltip="{{ 7*7 }}").add_to(m)
    html = render_html(m)
    assert "Port {{ 6*7 }} {% if 1 %}x{% endif %}" in html and "{{ 7*7 }}" in html
    assert "Port 42" not in html and ">49<" not in html


def test_rendering_twice_gives_the_same_bytes(mini_layers):
    assert render_html(corridor_map(mini_layers, "t-caspian")) == render_html(corridor_map(mini_layers, "t-caspian"))
