#!/usr/bin/python3
"""The lifecircle provider inside PyQGIS (headless): layers that are no files (a memory layer, a
selection) give the command line's figures for the same features; bad parameters fail with the
library's message; Cancel stops within a second and writes nothing.

Usage: QT_QPA_PLATFORM=offscreen QGIS_PLUGINPATH=<src>/qgis_plugin PYTHONPATH=<build>/python
       /usr/bin/python3 check_provider.py LIFECIRCLE_BINARY SOURCE_DIR TMP_DIR
(run by test_provider.sh, which made TMP_DIR/homes.gpkg). Exit 0 = passed, 1 = failed.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (QgsApplication, QgsFeature, QgsGeometry, QgsPointXY, QgsProcessingContext,  # noqa: E402
                       QgsProcessingException, QgsProcessingFeatureSourceDefinition, QgsProcessingFeedback,
                       QgsProject, QgsVectorLayer)

lc, src, tmp = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
demo = src / "demo"
problems = []


def check(ok, what):
    print(("  ok  " if ok else "  FAILED  ") + what)
    if not ok:
        problems.append(what)


app = QgsApplication([], False)
app.initQgis()
sys.path.insert(0, str(src / "qgis_plugin"))
sys.path.insert(0, "/usr/share/qgis/python/plugins")
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
import processing  # noqa: E402
from lifecircle_qgis.provider import LifecircleProvider  # noqa: E402

provider = LifecircleProvider()
QgsApplication.processingRegistry().addProvider(provider)


def run(algorithm, parameters, feedback=None):
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    return processing.run(f"lifecircle:{algorithm}", parameters, context=context,
                          feedback=feedback or QgsProcessingFeedback())


# A memory layer of the homes (not a file: the provider exports it) with only part of them
# selected: the selection is what the study sees, as the command line sees a file of them.
homes_file = QgsVectorLayer(str(tmp / "homes.gpkg"), "homes", "ogr")
memory = QgsVectorLayer("Point?crs=EPSG:4326&field=id:string&field=population:integer", "homes", "memory")
features = []
for f in homes_file.getFeatures():
    g = QgsFeature(memory.fields())
    g.setAttributes([f["id"], f["population"]])
    g.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(f.geometry().asPoint())))
    features.append(g)
memory.dataProvider().addFeatures(features)
memory.selectByExpression("population >= 30")
selected = memory.selectedFeatureCount()
subset = tmp / "homes_subset.gpkg"
subprocess.run(["ogr2ogr", "-f", "GPKG", str(subset), str(tmp / "homes.gpkg"),
                "-where", "population >= 30"], check=True)
subprocess.run([lc, "coverage", "--network", demo / "demo_district.osm", "--facilities", demo / "clinics.geojson",
                "--demand", subset, "--weight-field", "population", "--minutes", "10", "--out",
                tmp / "cli_subset.geojson", "--summary", tmp / "cli_subset.json", "-q"], check=True,
               capture_output=True)
want = json.loads((tmp / "cli_subset.json").read_text())
# processing.run finds layers by id in the project.
QgsProject.instance().addMapLayer(memory)
out = run("coverage", {"NETWORK": str(demo / "demo_district.osm"), "FACILITIES": str(demo / "clinics.geojson"),
                       "DEMAND": QgsProcessingFeatureSourceDefinition(memory.id(), True),
                       "WEIGHT_FIELD": ["population"], "MINUTES": 10, "OUTPUT": str(tmp / "py_subset.geojson")})
got = json.loads(out["SUMMARY_JSON"])
check(0 < selected < 300 and got["counts"]["demand_features"] == selected,
      f"a memory layer's selection: {selected} of 300 homes studied")
a, b = got["groups"]["population"], want["groups"]["population"]
# QGIS hands over a selection in its own order (a set of feature ids), so sums may differ in the
# last bit: counts and weights exactly, means and Gini to 1e-12.
check(all(a[k] == b[k] for k in ("total", "covered", "unreachable", "unsnapped", "points", "max_minutes")) and
      all(abs(a[k] - b[k]) <= 1e-12 * abs(b[k]) for k in ("mean_minutes", "gini_minutes", "coverage_share")),
      "its figures equal the command line's on a file of the same homes")
written = QgsVectorLayer(str(tmp / "py_subset.geojson"), "demand", "ogr")
check(written.isValid() and written.featureCount() == selected and (tmp / "py_subset.qml").is_file(),
      "the GeoJSON output holds them, with its .qml style beside it")
written.loadDefaultStyle()
check(written.renderer().type() != "singleSymbol", f"it loads styled ({written.renderer().type()})")

# A bad field: the library's message, naming the file and the fields there are.
try:
    run("coverage", {"NETWORK": str(demo / "demo_district.osm"), "FACILITIES": str(demo / "clinics.geojson"),
                     "DEMAND": str(tmp / "homes.gpkg"), "CAPACITY_FIELD": "capacity", "MINUTES": 10,
                     "OUTPUT": str(tmp / "bad.gpkg")})
    check(False, "an empty capacity fails")
except QgsProcessingException as error:
    text = str(error)
    check("clinics.geojson" in text and "F1" in text and "give every facility its capacity" in text,
          f"an empty capacity fails with the library's message: {text[:110]}...")
check(not (tmp / "bad.gpkg").exists(), "and writes nothing")
try:
    run("coverage", {"FACILITIES": str(demo / "clinics.geojson"), "DEMAND": str(tmp / "homes.gpkg"),
                     "OUTPUT": str(tmp / "bad.gpkg")})
    check(False, "no network fails")
except QgsProcessingException as error:
    check("NETWORK" in str(error) and "ROADS" in str(error), f"no network fails: {error}")

# Cancel: a matrix that takes seconds (Porto, 2500 x 2500 points), cancelled 0.3 s into its
# searches, stops within a second and writes nothing.
porto = src.parent / "shared" / "data" / "osm" / "porto_2020.osm.pbf"
if porto.is_file():
    import random
    rng = random.Random(1)
    points = QgsVectorLayer("Point?crs=EPSG:4326&field=id:integer", "points", "memory")
    feats = []
    for i in range(2500):
        f = QgsFeature(points.fields())
        f.setAttributes([i])
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(rng.uniform(-8.625, -8.585), rng.uniform(41.13, 41.155))))
        feats.append(f)
    points.dataProvider().addFeatures(feats)
    QgsProject.instance().addMapLayer(points)
    import threading
    feedback = QgsProcessingFeedback()
    cancelled_at = []
    timers = []

    def click():
        cancelled_at.append(time.monotonic())
        feedback.cancel()

    def start_clock(progress):
        # The user clicks Cancel 0.3 s into the searches, from another thread (as the dialog does).
        if not timers and 0 < progress < 100:
            timers.append(threading.Timer(0.3, click))
            timers[0].start()

    feedback.progressChanged.connect(start_clock)
    started = time.monotonic()
    result = run("matrix", {"NETWORK": str(porto), "FROM": points.id(), "TO": points.id(),
                            "OUTPUT": str(tmp / "cancelled.csv")}, feedback)
    ended = time.monotonic()
    for timer in timers:
        timer.cancel()
    check(bool(cancelled_at) and ended - cancelled_at[0] < 1.0,
          f"Cancel stops the matrix within a second ({ended - cancelled_at[0]:.2f} s after the click, "
          f"{ended - started:.2f} s in all)" if cancelled_at else "Cancel was never reached")
    check(result == {} and not (tmp / "cancelled.csv").exists(), "and writes nothing")
else:
    print(f"  skipped the cancel check: {porto} is absent")

# Layers Python still holds must go before QGIS's providers do (else a crash at exit).
del homes_file, written
QgsProject.instance().clear()
QgsApplication.processingRegistry().removeProvider(provider)
app.exitQgis()
sys.exit(1 if problems else 0)
