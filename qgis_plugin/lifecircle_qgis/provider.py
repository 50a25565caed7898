"""The Processing provider "lifecircle": its algorithms and the output formats the library writes."""

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithms.coverage import CoverageAlgorithm
from .algorithms.matrix import MatrixAlgorithm
from .algorithms.plan import PlanAlgorithm
from .algorithms.serviceareas import ServiceAreasAlgorithm
from .algorithms.suggest import SuggestAlgorithm


class LifecircleProvider(QgsProcessingProvider):
    def id(self):
        return "lifecircle"

    def name(self):
        return "lifecircle"

    def longName(self):  # noqa: N802
        return "lifecircle: network travel time to daily-life facilities"

    def icon(self):
        return QIcon(os.path.join(os.path.dirname(__file__), "icon.svg"))

    def loadAlgorithms(self):  # noqa: N802
        for algorithm in (ServiceAreasAlgorithm, MatrixAlgorithm, CoverageAlgorithm, SuggestAlgorithm, PlanAlgorithm):
            self.addAlgorithm(algorithm())

    # The library writes its layers itself (styled GeoPackages, GeoJSON with a .qml beside it).
    def supportedOutputVectorLayerExtensions(self):  # noqa: N802
        return ["gpkg", "geojson"]

    def supportedOutputTableExtensions(self):  # noqa: N802
        return ["gpkg", "csv"]

    def defaultVectorFileExtension(self, hasGeometry=True):  # noqa: N802,N803
        return "gpkg"

    def supportsNonFileBasedOutput(self):  # noqa: N802
        return False
