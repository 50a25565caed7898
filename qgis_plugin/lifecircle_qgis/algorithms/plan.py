"""lifecircle:plan — `lifecircle plan scenario.toml --out DIR` (a whole scenario)."""

import os

from qgis.core import (QgsProcessingOutputFile, QgsProcessingOutputString, QgsProcessingOutputVectorLayer,
                       QgsProcessingParameterBoolean, QgsProcessingParameterFile,
                       QgsProcessingParameterFolderDestination)

from .base import LifecircleAlgorithm


class PlanAlgorithm(LifecircleAlgorithm):
    NAME = "plan"
    DISPLAY = "Plan a scenario"
    HELP = ("A whole scenario (TOML, `lifecircle plan --example` prints one): every service's areas, coverage, "
            "seats, gaps and suggested sites, before and after its what-if road works, written as one styled "
            "GeoPackage, GeoJSON, a QGIS project (lifecircle.qgs), summary.json and report.html into OUT. The same "
            "study and folder as `lifecircle plan`.")

    def init_parameters(self):
        self.addParameter(QgsProcessingParameterFile("SCENARIO", "Scenario (TOML)", extension="toml"))
        self.addParameter(QgsProcessingParameterFolderDestination("OUT", "Folder to write into"))
        self.addParameter(QgsProcessingParameterBoolean(
            "FORCE", "Write into a folder that holds files lifecircle did not write", defaultValue=False))
        self.add_number("THREADS", "Worker threads (0 = all cores)", default=0, advanced=True, integer=True,
                        minimum=0)
        self.addOutput(QgsProcessingOutputFile("PROJECT", "QGIS project of the plan"))
        self.addOutput(QgsProcessingOutputFile("REPORT", "Report (HTML)"))
        self.addOutput(QgsProcessingOutputVectorLayer("GEOPACKAGE", "GeoPackage of every layer"))
        self.addOutput(QgsProcessingOutputString("SUMMARY_JSON", "Summary as JSON text"))

    def study(self, lifecircle, parameters, context, feedback, callbacks):
        scenario = self.parameterAsFile(parameters, "SCENARIO", context)
        out = self.parameterAsString(parameters, "OUT", context)
        summary = lifecircle.plan(scenario, out=out, force=self.parameterAsBool(parameters, "FORCE", context),
                                  threads=self.parameterAsInt(parameters, "THREADS", context), **callbacks.kwargs())
        for service in summary.get("services", []):
            group = service["demand_group"]
            shares = []
            for variant in service.get("variants", []):
                share = variant["groups"][group]["coverage_share"]
                shares.append(f"{variant['name']} {100 * (share or 0):.1f}%")
            feedback.pushInfo(f"{service['title']}: {group} covered {', '.join(shares)}")
        feedback.pushInfo(f"the plan is in {out}: open lifecircle.qgs in QGIS, report.html in a browser")
        return {"OUT": out, "PROJECT": os.path.join(out, "lifecircle.qgs"), "REPORT": os.path.join(out, "report.html"),
                "GEOPACKAGE": os.path.join(out, "lifecircle.gpkg"), **self.summary_outputs(summary)}
