"""Screenshots of the lifecircle Processing provider in real QGIS, for the README.

Run by docs/qgis_screenshots.sh inside QGIS (`qgis --code`), under Xvfb: runs lifecircle:coverage
on the demo district, loads its layers (styled by the GeoPackages they come in), grabs the main
window (docs/qgis_result.png), then opens the algorithm's dialog filled in as a planner would
and grabs it (docs/qgis_dialog.png), and quits. Settings come from the environment:
LIFECIRCLE_SOURCE_DIR, LIFECIRCLE_SHOTS_TMP (a scratch folder), LIFECIRCLE_SHOTS_OUT (docs/).
"""

import os
import traceback

from qgis.core import QgsApplication, QgsCoordinateReferenceSystem, QgsMarkerSymbol, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QDockWidget
from qgis.utils import iface

import processing

src = os.environ["LIFECIRCLE_SOURCE_DIR"]
tmp = os.environ["LIFECIRCLE_SHOTS_TMP"]
out = os.environ["LIFECIRCLE_SHOTS_OUT"]
demo = os.path.join(src, "demo")
PARAMETERS = {
    "NETWORK": os.path.join(demo, "demo_district.osm"),
    "FACILITIES": os.path.join(demo, "clinics.geojson"),
    "DEMAND": None,  # the homes layer, once loaded
    "WEIGHT_FIELD": ["population"],
    "STANDARD": "community-health-centre",
    "MINUTES": 10,
}


def save(widget, name):
    path = os.path.join(out, name)
    widget.grab().save(path)
    print(f"wrote {path}")


def finish():
    QgsApplication.instance().exit(0)


def shoot_dialog():
    try:
        dialog = processing.createAlgorithmDialog("lifecircle:coverage", PARAMETERS)
        dialog.resize(1120, 760)
        dialog.show()
        QTimer.singleShot(1500, lambda: (save(dialog, "qgis_dialog.png"), finish()))
    except Exception:  # noqa: BLE001 (a screenshot script: say what broke and stop)
        traceback.print_exc()
        finish()


def shoot_result():
    try:
        iface.layerTreeView().expandAllNodes()
        canvas = iface.mapCanvas()
        canvas.zoomToFullExtent()
        extent = canvas.extent()
        extent.scale(1.05)
        canvas.setExtent(extent)
        canvas.refresh()
        QTimer.singleShot(4000, lambda: (save(iface.mainWindow(), "qgis_result.png"), shoot_dialog()))
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        finish()


def run():
    try:
        iface.mainWindow().resize(1400, 880)
        for dock in iface.mainWindow().findChildren(QDockWidget):
            if dock.objectName() == "Browser":
                dock.hide()
        project = QgsProject.instance()
        homes = QgsVectorLayer(os.path.join(tmp, "homes.gpkg"), "homes", "ogr")
        project.addMapLayer(homes)
        project.layerTreeRoot().findLayer(homes.id()).setItemVisibilityChecked(False)
        PARAMETERS["DEMAND"] = homes.id()
        project.setCrs(QgsCoordinateReferenceSystem("EPSG:32650"))
        results = processing.run("lifecircle:coverage", dict(
            PARAMETERS, OUTPUT=os.path.join(tmp, "coverage.gpkg"), GAPS=os.path.join(tmp, "gaps.gpkg"), HEX_M=150,
            SUMMARY=os.path.join(tmp, "summary.json")))
        roads = QgsVectorLayer(os.path.join(demo, "demo_district.osm") + "|layername=lines", "roads", "ogr")
        roads.renderer().symbol().setColor(roads.renderer().symbol().color().fromRgb(150, 150, 150))
        gaps = QgsVectorLayer(results["GAPS"], "gaps (uncovered residents)", "ogr")
        demand = QgsVectorLayer(results["OUTPUT"], "homes within 10 min of a clinic", "ogr")
        clinics = QgsVectorLayer(PARAMETERS["FACILITIES"], "clinics", "ogr")
        clinics.renderer().setSymbol(QgsMarkerSymbol.createSimple(
            {"name": "star", "color": "30,80,170", "outline_color": "255,255,255", "size": "7"}))
        for layer in (gaps, roads, demand, clinics):
            project.addMapLayer(layer)
        print(f"coverage share {results['COVERAGE_SHARE']:.3f}; renderers "
              f"{demand.renderer().type()}, {gaps.renderer().type()}")
        QTimer.singleShot(1500, shoot_result)
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        finish()


QTimer.singleShot(3000, run)
