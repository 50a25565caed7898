#!/usr/bin/python3
"""Checks a QGIS project (.qgs) and its GeoPackage with QGIS itself (PyQGIS, headless).

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis/check_qgis.py PROJECT.qgs EXPECTED.json|auto
           [--screenshot FILE.png]

EXPECTED.json: {"layers": [{"name": "isochrones", "features": 12, "geometry": "Polygon",
                "crs": "EPSG:4326", "styled": true, "renderer": "graduatedSymbol" (optional),
                "title": "legend name", "visible": true, "group": "legend group",
                "labels": "field labelled" (all optional)}], "ordered": true (optional)}
"name" is the table in the GeoPackage ("...|layername=NAME"); "geometry" is Point, Line,
Polygon or NoGeometry. "auto" instead of EXPECTED.json checks every layer of the project against
its GeoPackage (counts, geometry types, styled = has a default style, the QML's renderer type).
With "ordered", the project must draw the layers in the listed order
(top first). An initial view, if the project has one, must overlap every layer.

For every expected layer it checks that the project holds it and it is valid, its feature
count, geometry type, CRS and, when styled, that its renderer is not QGIS's default single
symbol (and is "renderer" if given); then it opens the layer straight from the GeoPackage and
checks that the database holds a default style for it which loads with the same renderer.
One line per layer. Exit 0 = all good, 1 = a check failed (each failure says what), 2 = bad
usage, 77 = PyQGIS is not installed (a skip for CTest's SKIP_RETURN_CODE).

--screenshot renders the project's visible layers, in its drawing order and CRS, over its
initial view (else the layers' extent) into a 1200x900 map with the title, and a legend in a
360 px column beside it.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

try:
    from qgis.core import (Qgis, QgsApplication, QgsCoordinateTransform, QgsMapRendererSequentialJob,
                           QgsMapSettings, QgsProject, QgsProviderRegistry, QgsRectangle,
                           QgsVectorLayer, QgsWkbTypes)
    from qgis.PyQt.QtCore import QSize, Qt, QRectF
    from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter
except ImportError as error:  # not installed: a skip, not a failure
    print(f"check_qgis: skipped, PyQGIS is not available ({error})")
    sys.exit(77)

GEOMETRY_NAMES = {
    QgsWkbTypes.PointGeometry: "Point",
    QgsWkbTypes.LineGeometry: "Line",
    QgsWkbTypes.PolygonGeometry: "Polygon",
    QgsWkbTypes.NullGeometry: "NoGeometry",
    QgsWkbTypes.UnknownGeometry: "Unknown",
}


def table_of(layer):
    """The GeoPackage table and file an ogr layer reads."""
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    return parts.get("layerName") or "", parts.get("path") or ""


def check_layer(project, want, failures):
    name = want["name"]
    problems = []

    def fail(what):
        problems.append(what)

    found = [l for l in project.mapLayers().values()
             if l.providerType() == "ogr" and table_of(l)[0] == name]
    if not found:
        fail("not in the project")
        return report(name, "", problems, failures)
    layer = found[0]
    facts = []
    if not layer.isValid():
        fail(f"invalid (source {layer.source()})")
        return report(name, "", problems, failures)
    count = layer.featureCount()
    facts.append(f"{count} features")
    if "features" in want and count != want["features"]:
        fail(f"{count} features, expected {want['features']}")
    geometry = GEOMETRY_NAMES.get(layer.geometryType(), str(layer.geometryType()))
    facts.append(geometry)
    if "geometry" in want and geometry != want["geometry"]:
        fail(f"geometry {geometry}, expected {want['geometry']}")
    crs = layer.crs().authid()
    facts.append(crs)
    if "crs" in want and crs != want["crs"]:
        fail(f"CRS {crs}, expected {want['crs']}")
    if "title" in want and layer.name() != want["title"]:
        fail(f"legend name {layer.name()!r}, expected {want['title']!r}")
    node = project.layerTreeRoot().findLayer(layer.id())
    if node is None:
        fail("not in the legend (layer tree)")
    else:
        if "visible" in want and node.itemVisibilityChecked() != want["visible"]:
            fail(f"visible {node.itemVisibilityChecked()}, expected {want['visible']}")
        parent = node.parent()
        group = parent.name() if parent is not None and parent != project.layerTreeRoot() else ""
        if "group" in want and group != want["group"]:
            fail(f"in legend group {group!r}, expected {want['group']!r}")
        if group:
            facts.append(f"group {group!r}")

    renderer = layer.renderer().type() if layer.renderer() else "none"
    if geometry != "NoGeometry":
        facts.append(f"renderer {renderer}")
    if want.get("styled"):
        expected_renderer = want.get("renderer")
        if renderer == "none" or (renderer == "singleSymbol" and expected_renderer not in (None, "singleSymbol")) \
                or (renderer == "singleSymbol" and expected_renderer is None):
            fail(f"renderer is {renderer}: the project's style was not applied")
        elif expected_renderer and renderer != expected_renderer:
            fail(f"renderer {renderer}, expected {expected_renderer}")

    if "labels" in want:
        labeling = layer.labeling()
        field = labeling.settings().fieldName if labeling is not None and labeling.type() == "simple" else None
        if not layer.labelsEnabled() or field != want["labels"]:
            fail(f"labels {'on' if layer.labelsEnabled() else 'off'} on {field!r}, expected on {want['labels']!r}")
        else:
            facts.append(f"labels on {field!r}")

    # The layer straight from the GeoPackage: its default style in layer_styles.
    table, path = table_of(layer)
    direct = QgsVectorLayer(f"{path}|layername={table}", table, "ogr")
    if not direct.isValid():
        fail(f"cannot open {path}|layername={table} directly")
    elif want.get("styled"):
        count_styles, _ids, names, _descriptions, error = direct.listStylesInDatabase()
        if count_styles < 1:
            fail(f"no style in the GeoPackage's layer_styles ({error or 'none listed'})")
        else:
            message, ok = direct.loadDefaultStyle()
            db_renderer = direct.renderer().type() if direct.renderer() else "none"
            if not ok:
                fail(f"the default style does not load: {message}")
            elif db_renderer != renderer:
                fail(f"the GeoPackage's style has renderer {db_renderer}, the project {renderer}")
            else:
                facts.append(f"db style {names[0]!r}")
    return report(name, ", ".join(facts), problems, failures)


def report(name, facts, problems, failures):
    if problems:
        print(f"FAIL {name}: " + "; ".join(problems) + (f" ({facts})" if facts else ""))
        failures.extend(f"{name}: {p}" for p in problems)
    else:
        print(f"ok   {name}: {facts}")


def expectations_from_gpkg(project):
    """EXPECTED for "auto": every layer of the project, as its GeoPackage describes it."""
    import re
    import sqlite3
    kinds = {"POINT": "Point", "MULTIPOINT": "Point", "LINESTRING": "Line", "MULTILINESTRING": "Line",
             "POLYGON": "Polygon", "MULTIPOLYGON": "Polygon"}
    layers, tables_of, seen = [], {}, set()
    for layer in project.layerTreeRoot().layerOrder() + list(project.mapLayers().values()):
        if layer.providerType() != "ogr" or layer.id() in seen:
            continue
        seen.add(layer.id())
        table, path = table_of(layer)
        if path not in tables_of:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            geometry = dict(db.execute("select table_name, geometry_type_name from gpkg_geometry_columns"))
            styles = {}
            if db.execute("select 1 from sqlite_master where name = 'layer_styles'").fetchone():
                styles = dict(db.execute("select f_table_name, styleQML from layer_styles where useAsDefault"))
            names = [r[0] for r in db.execute("select table_name from gpkg_contents where table_name != 'layer_styles'")]
            counts = {n: db.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}
            tables_of[path] = (geometry, styles, counts)
            db.close()
        geometry, styles, counts = tables_of[path]
        if table not in counts:
            continue  # check_layer reports it
        want = {"name": table, "features": counts[table],
                "geometry": kinds.get(geometry.get(table, ""), "NoGeometry"), "styled": table in styles}
        if want["geometry"] != "NoGeometry":
            want["crs"] = "EPSG:4326"
        match = re.search(r'<renderer-v2 [^>]*?type="([^"]+)"', styles.get(table, ""))
        if match:
            want["renderer"] = match.group(1)
        layers.append(want)
    for path, (_g, _s, counts) in tables_of.items():
        missing = sorted(set(counts) - {w["name"] for w in layers})
        if missing:
            print(f"     note: {os.path.basename(path)} tables not in the project: {', '.join(missing)}")
    return {"layers": layers}


def check_order(project, names, failures):
    """The drawing order (top first) of the expected layers is the order EXPECTED lists them."""
    order = [table_of(l)[0] for l in project.layerTreeRoot().layerOrder()]
    drawn = [n for n in order if n in names]
    if drawn != names:
        print(f"FAIL order: drawing order {drawn}, expected {names}")
        failures.append(f"drawing order {drawn}, expected {names}")
    else:
        print(f"ok   order: {', '.join(drawn)} (top first)")


def check_view(project, failures):
    """The initial view, if any, is in the project CRS and overlaps every spatial layer."""
    view = project.viewSettings().defaultViewExtent()
    if view.isNull():
        print("     view: none (QGIS shows the layers' extent)")
        return
    extent = QgsRectangle(view)
    if view.crs() != project.crs():
        extent = QgsCoordinateTransform(view.crs(), project.crs(), project).transformBoundingBox(extent)
    misses = []
    for layer in project.mapLayers().values():
        if isinstance(layer, QgsVectorLayer) and layer.isValid() and layer.isSpatial() and layer.featureCount() > 0:
            box = QgsCoordinateTransform(layer.crs(), project.crs(), project).transformBoundingBox(layer.extent())
            if not extent.intersects(box):
                misses.append(layer.name())
    if misses:
        print(f"FAIL view: the initial view misses {misses}")
        failures.append(f"the initial view misses {misses}")
    else:
        print(f"ok   view: {extent.toString(0)} ({view.crs().authid()})")


def screenshot(project, path, width=1200, height=900):
    root = project.layerTreeRoot()
    layers = [l for l in root.layerOrder()
              if root.findLayer(l.id()) is not None and root.findLayer(l.id()).isVisible()
              and l.isSpatial()]
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(project.crs())
    settings.setTransformContext(project.transformContext())
    settings.setOutputSize(QSize(width, height))
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setFlag(QgsMapSettings.Antialiasing, True)
    view = project.viewSettings().defaultViewExtent()
    if not view.isNull():
        extent = QgsRectangle(view)
        if view.crs() != project.crs():
            extent = QgsCoordinateTransform(view.crs(), project.crs(), project).transformBoundingBox(extent)
    else:
        extent = QgsRectangle()
        for layer in layers:
            box = QgsCoordinateTransform(layer.crs(), project.crs(), project).transformBoundingBox(layer.extent())
            extent.combineExtentWith(box)
        extent.scale(1.05)
    settings.setExtent(extent)
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    rendered = job.renderedImage()

    # The map with the title over it and a legend in a column of its own on the right (layer
    # names wrapped, never cut; classes of graduated and categorised layers).
    legend_width = 360
    image = QImage(width + legend_width, height, QImage.Format_ARGB32)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.drawImage(0, 0, rendered)
    font = QFont()
    font.setPixelSize(24)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor(30, 30, 30))
    painter.drawText(QRectF(16, 10, width + legend_width - 32, 34), Qt.AlignLeft | Qt.AlignVCenter, project.title())
    entries = []
    for layer in layers:
        renderer = layer.renderer() if isinstance(layer, QgsVectorLayer) else None
        items = [i for i in (renderer.legendSymbolItems() if renderer else []) if i.symbol() is not None]
        if len(items) == 1 and not items[0].label():  # a single symbol: beside the layer's name
            entries.append((layer.name(), items[0].symbol().clone(), True))
            continue
        entries.append((layer.name(), None, True))
        # Own a copy: the item's symbol dies with the item.
        entries.extend((i.label(), i.symbol().clone(), False) for i in items if i.label())
    y = 56.0
    left = width + 8.0
    for label, symbol, heading in entries:
        font.setPixelSize(13)
        font.setBold(heading)
        painter.setFont(font)
        indent = 24.0 if symbol is not None else 0.0
        rect = QRectF(left + indent, y, legend_width - 16 - indent, 400)
        used = painter.boundingRect(rect, Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap, label)
        if symbol is not None:
            painter.drawImage(int(left + 2), int(y + 2), symbol.asImage(QSize(14, 14)))
        painter.setPen(QColor(30, 30, 30))
        painter.drawText(rect, Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap, label)
        y += max(used.height(), 18.0) + (6 if heading else 4)
    painter.end()
    if not image.save(path, "PNG"):
        raise RuntimeError(f"cannot write {path}")
    return len(layers)


def main(argv):
    args = list(argv[1:])
    shot = None
    if "--screenshot" in args:
        at = args.index("--screenshot")
        if at + 1 >= len(args):
            print("check_qgis: --screenshot needs a file name", file=sys.stderr)
            return 2
        shot = args[at + 1]
        del args[at:at + 2]
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    project_path, expected_path = args
    expected = None
    if expected_path != "auto":
        with open(expected_path, encoding="utf-8") as f:
            expected = json.load(f)

    app = QgsApplication([], False)
    app.initQgis()
    failures = []
    try:
        print(f"check_qgis: QGIS {Qgis.version()}, project {project_path}")
        project = QgsProject.instance()
        if not project.read(project_path):
            print(f"FAIL project: QGIS cannot read {project_path}: {project.error()}")
            return 1
        print(f"     project: title {project.title()!r}, CRS {project.crs().authid()}, "
              f"{len(project.mapLayers())} layers")
        if expected is None:
            expected = expectations_from_gpkg(project)
        broken = [l.name() for l in project.mapLayers().values() if not l.isValid()]
        if broken:
            failures.append(f"invalid layers in the project: {broken}")
            print(f"FAIL project: invalid layers {broken}")
        for want in expected.get("layers", []):
            check_layer(project, want, failures)
        if expected.get("ordered"):
            check_order(project, [w["name"] for w in expected.get("layers", [])], failures)
        check_view(project, failures)
        if shot:
            n = screenshot(project, shot)
            print(f"     screenshot: {shot} ({n} layers)")
    finally:
        QgsProject.instance().clear()
        app.exitQgis()
    if failures:
        print(f"check_qgis: {len(failures)} problem(s)")
        return 1
    print("check_qgis: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
