"""Open corridor-mapper's GIS layers in headless QGIS and report how each one is styled.

Run with the system Python that has QGIS (Debian: ``apt-get install python3-qgis qgis-providers``),
not a virtual environment::

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_check.py corridor-maps/layers [--render map.png]

For ``corridors.gpkg`` (layers ``hubs``, ``legs``, ``corridors``) and every ``<layer>.fgb`` and
``<layer>.shp.zip`` in the folder, it loads the layer as a QGIS user would (default style and all) and
prints one JSON object: per source, whether it is valid, its feature count and CRS, the renderer type
and its categories or rules with their colours. ``--render`` draws the GeoPackage's three layers into a
PNG with QGIS's own renderer. ``tests/test_qgis.py`` runs it and checks the report.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # (after setting the platform)
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

LAYERS = ("hubs", "legs", "corridors")


def _symbol(symbol) -> dict:
    layer = symbol.symbolLayer(0)
    props = layer.properties()
    out = {"color": symbol.color().name(), "opacity": round(symbol.opacity(), 3), "class": layer.layerType()}
    for key in ("name", "use_custom_dash", "customdash", "line_width", "size"):
        if key in props:
            out[key] = props[key]
    return out


def _rule(rule) -> dict:
    out = {"label": rule.label(), "filter": rule.filterExpression()}
    if rule.symbol() is not None:
        out["symbol"] = _symbol(rule.symbol())
    if rule.children():
        out["children"] = [_rule(c) for c in rule.children()]
    return out


def describe(layer: QgsVectorLayer) -> dict:
    out = {"valid": layer.isValid()}
    if not layer.isValid():
        return out
    renderer = layer.renderer()
    out.update(
        features=layer.featureCount(),
        crs=layer.crs().authid(),
        fields=[f.name() for f in layer.fields()],
        renderer=renderer.type(),
    )
    if renderer.type() == "categorizedSymbol":
        out["attribute"] = renderer.classAttribute()
        out["categories"] = [
            {"value": c.value(), "label": c.label(), "symbol": _symbol(c.symbol())} for c in renderer.categories()
        ]
    elif renderer.type() == "RuleRenderer":
        out["rules"] = [_rule(r) for r in renderer.rootRule().children()]
    elif renderer.type() == "singleSymbol":
        out["symbol"] = _symbol(renderer.symbol())
    return out


def load(folder: Path) -> dict[str, QgsVectorLayer]:
    found = {}
    gpkg = folder / "corridors.gpkg"
    if gpkg.exists():
        for name in LAYERS:
            found[f"corridors.gpkg|{name}"] = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
    for name in LAYERS:
        for suffix in (".fgb", ".shp.zip"):
            path = folder / f"{name}{suffix}"
            if path.exists():
                found[path.name] = QgsVectorLayer(str(path), name, "ogr")
    return found


def render(
    layers: list[QgsVectorLayer], png: Path, *, bbox: list[float] | None = None, size: tuple[int, int] = (1600, 1000)
) -> None:
    """Draw ``layers`` (first on top) in Web Mercator, fitted to their extent or ``bbox`` (lon/lat), into ``png``."""
    crs = QgsCoordinateReferenceSystem("EPSG:3857")
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(crs)
    settings.setBackgroundColor(QColor("#f4f4f0"))
    settings.setOutputSize(QSize(*size))
    settings.setOutputDpi(96)
    to_map = QgsCoordinateTransform(layers[0].crs(), crs, QgsProject.instance())
    extent = to_map.transformBoundingBox(QgsRectangle(*bbox) if bbox else layers[-1].extent())
    extent.scale(1.05)
    settings.setExtent(extent)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(str(png), "PNG")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a layers folder written by `corridors build`")
    parser.add_argument("--render", type=Path, help="draw the GeoPackage's layers into this PNG")
    parser.add_argument("--bbox", type=float, nargs=4, metavar=("W", "S", "E", "N"), help="area to render (lon/lat)")
    args = parser.parse_args()
    app = QgsApplication([], False)
    app.initQgis()
    layers = load(args.folder)
    report = {"qgis": Qgis.version(), "layers": {key: describe(layer) for key, layer in layers.items()}}
    if args.render:
        gpkg = [layers[f"corridors.gpkg|{n}"] for n in LAYERS]
        render(gpkg, args.render, bbox=args.bbox)
        report["render"] = str(args.render)
    json.dump(report, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    sys.stdout.flush()
    layers.clear()
    app.exitQgis()
    os._exit(0)  # QGIS 3.22 can crash tearing down Python-owned objects after exitQgis


if __name__ == "__main__":
    sys.exit(main())
