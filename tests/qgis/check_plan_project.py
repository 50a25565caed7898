#!/usr/bin/python3
"""Checks a plan's lifecircle.qgs in real QGIS (PyQGIS, headless) against its report.html:

  - every gap map and service-area layer the report's legends show (data-layer, data-upper,
    data-colour on each class) has, in QGIS, a graduated renderer with exactly those upper
    bounds and colours, in that order, and range labels carrying a unit;
  - the roads layer and the water layers (when the plan has water) are present, valid, switched
    on and drawn beneath every service layer;
  - the OpenStreetMap XYZ base map is present, a web tile layer, and switched off;
  - facilities and suggested sites are labelled with their name.

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis/check_plan_project.py PROJECT.qgs REPORT.html
           [--water] [--screenshot FILE.png]
--screenshot renders the project as a planner opens it (visible layers, its initial view) into a
1200x900 PNG. Exit 0 ok, 1 a check failed, 77 PyQGIS is not installed.
"""

import html
import os
import re
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
try:
    from qgis.core import (QgsApplication, QgsMapRendererSequentialJob, QgsMapSettings, QgsProject, QgsRasterLayer,
                           QgsRectangle, QgsCoordinateTransform, QgsVectorLayer)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor
except ImportError as error:
    print(f"check_plan_project: skipped, PyQGIS is not available ({error})")
    sys.exit(77)


def report_classes(report_path):
    """{layer: [(upper, colour)]} from the report's legend rows, first occurrence of each layer."""
    text = open(report_path, encoding="utf-8").read()
    out = {}
    for m in re.finditer(r'class="legend-class" data-layer="([^"]+)" data-field="([^"]+)" data-upper="([^"]+)" '
                         r'data-colour="([^"]+)"', text):
        layer, field, upper, colour = (html.unescape(g) for g in m.groups())
        rows = out.setdefault(layer, {"field": field, "classes": []})
        if (float(upper), colour.lower()) not in rows["classes"]:
            rows["classes"].append((float(upper), colour.lower()))
    return out


def table_of(layer):
    m = re.search(r"layername=([^|]+)", layer.source())
    return m.group(1) if m else ""


def main(argv):
    args = argv[1:]
    shot = None
    if "--screenshot" in args:
        at = args.index("--screenshot")
        shot = args[at + 1]
        del args[at:at + 2]
    water = "--water" in args
    if water:
        args.remove("--water")
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    project_path, report_path = args
    wanted = report_classes(report_path)
    problems = []
    app = QgsApplication([], False)
    app.initQgis()
    try:
        project = QgsProject.instance()
        if not project.read(project_path):
            print(f"check_plan_project: QGIS cannot read {project_path}")
            return 1
        root = project.layerTreeRoot()
        layers = {table_of(l): l for l in project.mapLayers().values() if isinstance(l, QgsVectorLayer)}
        order = [l for l in root.layerOrder()]

        # 1. The report's classes, exactly, in QGIS.
        legend = [n for n in wanted if n.endswith("_gaps") or n.endswith("_service_areas")]
        if not any(n.endswith("_gaps") for n in legend) or not any(n.endswith("_service_areas") for n in legend):
            problems.append(f"the report's legends name no gap map or service area: {sorted(wanted)}")
        # The variants' layers share their service's classes (one legend under the panels):
        # <service>_<variant>_gaps is held to <service>_gaps, the longest matching service.
        graded = {}
        for name in layers:
            for kind in ("_gaps", "_service_areas"):
                if not name.endswith(kind):
                    continue
                owners = [n for n in legend if n.endswith(kind) and (n == name or name.startswith(n[:-len(kind)] + "_"))]
                if owners:
                    graded[name] = max(owners, key=len)
        for name in legend:
            if name not in graded:
                graded[name] = name
        for name, owner in sorted(graded.items()):
            want = wanted[owner]
            layer = layers.get(name)
            if layer is None:
                problems.append(f"{name}: in the report's legend, not in the project")
                continue
            r = layer.renderer()
            if r is None or r.type() != "graduatedSymbol":
                problems.append(f"{name}: renderer {r.type() if r else None}, expected graduatedSymbol")
                continue
            if r.classAttribute() != want["field"]:
                problems.append(f"{name}: classified on {r.classAttribute()!r}, the report on {want['field']!r}")
            got = [(rg.upperValue(), rg.symbol().color().name().lower()) for rg in r.ranges()]
            if got != want["classes"]:
                problems.append(f"{name}: QGIS classes {got}, the report's ({owner}) {want['classes']}")
            units = [rg.label() for rg in r.ranges() if not re.search(r"(人|min|分钟)", rg.label())]
            if units:
                problems.append(f"{name}: legend labels without a unit: {units}")
            else:
                print(f"ok   {name}: {len(got)} classes as in the report, e.g. {r.ranges()[0].label()!r}")

        # 2. Roads and water present, on, beneath the service layers.
        service = [i for i, l in enumerate(order) if table_of(l).endswith(("_gaps", "_demand", "_facilities"))]
        for name in ["roads"] + (["water"] if water else []):
            layer = layers.get(name)
            if layer is None or not layer.isValid():
                problems.append(f"{name}: not in the project or invalid")
                continue
            node = root.findLayer(layer.id())
            if node is None or not node.itemVisibilityChecked():
                problems.append(f"{name}: switched off")
            if layer.featureCount() == 0:
                problems.append(f"{name}: empty")
            at = order.index(layer) if layer in order else -1
            if service and at < max(service):
                problems.append(f"{name}: drawn above service layers")
            print(f"ok   {name}: {layer.featureCount()} features, on, beneath the service layers")
        if "roads" in layers:
            lab = layers["roads"].labeling()
            if not layers["roads"].labelsEnabled() or lab is None or lab.settings().fieldName != "name":
                problems.append("roads: not labelled with their names")

        # 3. The OpenStreetMap base map: present, tiles from the web, off.
        bases = [l for l in project.mapLayers().values() if isinstance(l, QgsRasterLayer)]
        osm = [l for l in bases if l.providerType() == "wms" and "type=xyz" in l.source()
               and "tile.openstreetmap.org" in l.source()]
        if len(osm) != 1:
            problems.append(f"OpenStreetMap XYZ base map: {len(osm)} found ({[l.source() for l in bases]})")
        else:
            node = root.findLayer(osm[0].id())
            if node is None:
                problems.append("base map: not in the legend")
            elif node.itemVisibilityChecked():
                problems.append("base map: switched on (the project would need the network to open)")
            else:
                print(f"ok   base map: {osm[0].name()!r}, {osm[0].providerType()}, off")

        # 4. Labels on facilities and suggested sites.
        labelled = [n for n in layers if n.endswith("_facilities") or n.endswith("_suggested_sites")]
        for name in labelled:
            layer = layers[name]
            lab = layer.labeling()
            if not layer.labelsEnabled() or lab is None or lab.settings().fieldName != "name":
                problems.append(f"{name}: not labelled with the name")
        if labelled and not any(p.endswith("not labelled with the name") for p in problems):
            print(f"ok   labels: {len(labelled)} facility and site layers labelled with their names")

        if shot:
            settings = QgsMapSettings()
            visible = [l for l in order if root.findLayer(l.id()) is not None and root.findLayer(l.id()).isVisible()]
            settings.setLayers(visible)
            settings.setDestinationCrs(project.crs())
            settings.setTransformContext(project.transformContext())
            settings.setOutputSize(QSize(1200, 900))
            settings.setBackgroundColor(QColor(255, 255, 255))
            settings.setFlag(QgsMapSettings.Antialiasing, True)
            view = project.viewSettings().defaultViewExtent()
            extent = QgsRectangle(view)
            if view.crs() != project.crs():
                extent = QgsCoordinateTransform(view.crs(), project.crs(), project).transformBoundingBox(extent)
            settings.setExtent(extent)
            job = QgsMapRendererSequentialJob(settings)
            job.start()
            job.waitForFinished()
            job.renderedImage().save(shot, "PNG")
            print(f"     screenshot: {shot} ({len(visible)} layers)")
    finally:
        QgsProject.instance().clear()
        app.exitQgis()
    for p in problems:
        print("FAIL " + p)
    print(f"check_plan_project: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
