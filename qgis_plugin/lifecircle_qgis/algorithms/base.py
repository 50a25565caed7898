"""What every lifecircle algorithm shares: the network parameters, point inputs from QGIS layers,
the lifecircle module's callbacks on QgsProcessingFeedback, and its errors as
QgsProcessingException. Parameter names are the command line's options in upper case
(--facilities-id-field is FACILITIES_ID_FIELD), so `qgis_process run lifecircle:coverage --
NETWORK=... FACILITIES=...` reads like the command line."""

import json
import os

from qgis.core import (QgsProcessing, QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingOutputNumber,
                       QgsProcessingOutputString, QgsProcessingParameterBoolean, QgsProcessingParameterCrs,
                       QgsProcessingParameterDefinition, QgsProcessingParameterEnum,
                       QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterFile, QgsProcessingParameterFileDestination,
                       QgsProcessingParameterNumber, QgsProcessingParameterRasterLayer, QgsProcessingParameterString,
                       QgsProviderRegistry)
from qgis.PyQt.QtGui import QIcon

MODES = ["walk", "bike", "drive"]
# How a point layer's coordinates are read: as the layer's CRS says, or shifted Chinese web-map
# coordinates stored as WGS 84 (the command line's --facilities-crs gcj02).
COORDINATES = ["layer", "gcj02", "bd09"]
DIRECTIONS = ["to-facility", "from-facility"]
ACCESS = ["e2sfca", "bfca", "availability"]
# Layers in these formats are read in place; anything else (memory layers, PostGIS, CSV through
# the delimited-text provider, selections, filters) is exported to a temporary GeoPackage first.
READ_IN_PLACE = ["gpkg", "shp", "geojson", "json", "fgb", "gml", "sqlite", "kml"]
NETWORK_FILES = ("Road networks (*.osm.pbf *.pbf *.osm *.osm.bz2 *.osm.gz *.gpkg *.shp *.geojson *.json *.fgb);;"
                 "All files (*)")
POINT_TYPES = [QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon]


def lifecircle_module():
    """The lifecircle Python module, or a QgsProcessingException saying how to install it."""
    try:
        import lifecircle
    except ImportError as error:
        raise QgsProcessingException(
            f"the lifecircle Python module cannot be imported ({error}): run scripts/build.sh in the lifecircle "
            "source folder (it installs the module for the system python3), or start QGIS with "
            "PYTHONPATH=<lifecircle>/build/python") from None
    return lifecircle


def standard_names():
    """The catalogue's standard names for the STANDARD parameter (empty without the module)."""
    try:
        import lifecircle
        return [s["name"] for s in lifecircle.standards()]
    except Exception:  # noqa: BLE001 (the module is missing or broken: run time says why)
        return []


class Feedback:
    """The lifecircle callbacks on a QgsProcessingFeedback: progress per phase, the Cancel button
    polled every 50 ms, notes as info and warnings as warnings."""

    def __init__(self, feedback):
        self.feedback = feedback
        self.phase = None

    def progress(self, phase, done, total):
        if phase != self.phase:
            self.phase = phase
            self.feedback.setProgressText(phase)
        if total:
            self.feedback.setProgress(100.0 * done / total)
        return not self.feedback.isCanceled()

    def cancelled(self):
        return self.feedback.isCanceled()

    def notice(self, level, text):
        if level == "warning":
            self.feedback.pushWarning(text)
        else:
            self.feedback.pushInfo(text)

    def kwargs(self):
        return {"progress": self.progress, "cancelled": self.cancelled, "notice": self.notice}


class LifecircleAlgorithm(QgsProcessingAlgorithm):
    """Base of the lifecircle algorithms. Subclasses set NAME, DISPLAY and HELP and implement
    init_parameters() and study() (QgsProcessingAlgorithm.run is taken)."""

    NAME = ""
    DISPLAY = ""
    HELP = ""

    def createInstance(self):  # noqa: N802 (QGIS's names)
        return type(self)()

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802
        return self.DISPLAY

    def shortHelpString(self):  # noqa: N802
        return self.HELP

    def helpUrl(self):  # noqa: N802
        return ""

    def icon(self):
        return QIcon(os.path.join(os.path.dirname(os.path.dirname(__file__)), "icon.svg"))

    def initAlgorithm(self, config=None):  # noqa: N802
        self.init_parameters()

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        lifecircle = lifecircle_module()
        callbacks = Feedback(feedback)
        try:
            return self.study(lifecircle, parameters, context, feedback, callbacks)
        except lifecircle.Cancelled:
            if feedback.isCanceled():
                feedback.pushInfo("cancelled: nothing was written")
                return {}
            raise QgsProcessingException("cancelled: nothing was written") from None
        except lifecircle.Error as error:
            raise QgsProcessingException(str(error)) from None

    # --- parameters --------------------------------------------------------------------------

    def advanced(self, parameter):
        parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(parameter)

    def add_enum(self, name, description, options, default=None, optional=False, advanced=False):
        parameter = QgsProcessingParameterEnum(name, description, options=options, allowMultiple=False,
                                               defaultValue=default, optional=optional, usesStaticStrings=True)
        if advanced:
            self.advanced(parameter)
        else:
            self.addParameter(parameter)

    def add_number(self, name, description, default=None, optional=True, advanced=False, integer=False,
                   minimum=None):
        kind = QgsProcessingParameterNumber.Integer if integer else QgsProcessingParameterNumber.Double
        parameter = QgsProcessingParameterNumber(name, description, type=kind, defaultValue=default,
                                                 optional=optional)
        if minimum is not None:
            parameter.setMinimum(minimum)
        if advanced:
            self.advanced(parameter)
        else:
            self.addParameter(parameter)

    def add_network_parameters(self):
        """NETWORK (an OSM file or any GDAL line file) or ROADS (a road layer loaded in QGIS),
        MODE, WALK_SPEED and, advanced, the command line's road-layer and snapping options."""
        self.addParameter(QgsProcessingParameterFile(
            "NETWORK", "Road network file (OpenStreetMap .osm.pbf/.osm, or GDAL lines)",
            behavior=QgsProcessingParameterFile.File, optional=True, fileFilter=NETWORK_FILES))
        self.addParameter(QgsProcessingParameterFeatureSource(
            "ROADS", "…or a road layer instead of the file", [QgsProcessing.TypeVectorLine], optional=True))
        self.add_enum("MODE", "Travel mode (empty: walk, or the standard's)", MODES, optional=True)
        self.add_number("WALK_SPEED", "Walking speed, km/h (empty: 4, or the standard's)", minimum=0.0)
        for name, description in (("SPEED_FIELD", "Road layer field with the speed limit (km/h)"),
                                  ("ONEWAY_FIELD", "Road layer field saying one-way (1/yes, -1 = reversed)"),
                                  ("CLASS_FIELD", "Road layer field with the road class (OSM highway values)"),
                                  ("ROAD_NAME_FIELD", "Road layer field with the road name")):
            self.advanced(QgsProcessingParameterField(name, description, parentLayerParameterName="ROADS",
                                                      optional=True))
        self.advanced(QgsProcessingParameterCrs("WORK_CRS", "Metric CRS of the computation (empty: the UTM zone)",
                                                optional=True))
        self.advanced(QgsProcessingParameterCrs("NETWORK_CRS", "CRS of a road file that declares none",
                                                optional=True))
        self.advanced(QgsProcessingParameterRasterLayer(
            "ELEVATION", "DEM for slope-aware walking (Tobler's hiking function)", optional=True))
        self.add_number("MAX_SNAP", "Points farther than this from a road are unsnapped (m)", default=500.0,
                        advanced=True, minimum=0.0)
        self.advanced(QgsProcessingParameterBoolean("SNAP_TO_ISLANDS", "Let points snap to small road islands",
                                                    defaultValue=False))
        self.add_number("THREADS", "Worker threads (0 = all cores)", default=0, advanced=True, integer=True,
                        minimum=0)

    def add_point_input(self, name, description, optional=False, types=None, fields=("ID",), crs=True):
        """A point or polygon layer NAME with its fields (NAME_ID_FIELD...) and NAME_CRS."""
        self.addParameter(QgsProcessingParameterFeatureSource(name, description, types or POINT_TYPES,
                                                              optional=optional))
        labels = {"ID": "id", "NAME": "name"}
        for field in fields:
            self.advanced(QgsProcessingParameterField(
                f"{name}_{field}_FIELD", f"{description}: {labels[field]} field (empty: '{labels[field]}', else the "
                f"feature number)" if field == "ID" else f"{description}: {labels[field]} field",
                parentLayerParameterName=name, optional=True))
        if crs:
            self.add_enum(f"{name}_CRS", f"{description}: coordinates are (gcj02: Amap/Gaode, Tencent; bd09: Baidu)",
                          COORDINATES, default="layer", advanced=True)

    def add_standard_parameters(self, with_target=False):
        """STANDARD (the catalogue, `lifecircle standards`), MINUTES, MAX_METERS, DIRECTION."""
        self.add_enum("STANDARD", "Service standard (empty: the minutes and metres below)", standard_names(),
                      optional=True)
        self.add_number("MINUTES", "Minutes to the nearest facility (empty: 15, or the standard's)", minimum=0.0)
        self.add_number("MAX_METERS", "Also a network distance limit (m); both must hold", minimum=0.0)
        self.add_enum("DIRECTION", "Who travels (matters on one-way streets)", DIRECTIONS, default="to-facility",
                      advanced=True)
        self.advanced(QgsProcessingParameterFile("STANDARDS_FILE", "Your own standards (TOML)", extension="toml",
                                                 optional=True))
        if with_target:
            self.add_number("TARGET_SHARE", "Share of the group that should be covered (0-1)", advanced=True,
                            minimum=0.0)

    def add_summary(self):
        self.addParameter(QgsProcessingParameterFileDestination(
            "SUMMARY", "Summary (every figure and parameter as JSON)", fileFilter="JSON (*.json)", optional=True,
            createByDefault=False))
        self.addOutput(QgsProcessingOutputString("SUMMARY_JSON", "Summary as JSON text"))

    def add_number_outputs(self, *names):
        for name, description in names:
            self.addOutput(QgsProcessingOutputNumber(name, description))

    # --- reading parameters ------------------------------------------------------------------

    def text(self, parameters, name, context):
        value = self.parameterAsString(parameters, name, context)
        return value if value else None

    def number(self, parameters, name, context):
        if parameters.get(name) is None or parameters.get(name) == "":
            return None
        return self.parameterAsDouble(parameters, name, context)

    def choice(self, parameters, name, context):
        """An enum's string (static strings), or None when not set."""
        value = self.parameterAsEnumString(parameters, name, context)
        return value if value else None

    def coordinates(self, parameters, name, context):
        value = self.choice(parameters, name, context)
        return None if value in (None, "layer") else value

    def layer_source(self, parameters, name, context, feedback):
        """(path, layer name) of a feature source the library reads: the layer's own file when
        it can read it in place, else a temporary GeoPackage QGIS writes (selections, filters,
        memory and database layers). (None, None) when the parameter is empty."""
        if parameters.get(name) in (None, ""):
            return None, None
        path, layer = self.parameterAsCompatibleSourceLayerPathAndLayerName(
            parameters, name, context, READ_IN_PLACE, "gpkg", feedback)
        if not path:
            raise QgsProcessingException(f"{name}: the layer cannot be read")
        parts = QgsProviderRegistry.instance().decodeUri("ogr", path)
        path = parts.get("path") or path
        layer = layer or parts.get("layerName") or None
        return path, layer

    def crs_text(self, parameters, name, context):
        crs = self.parameterAsCrs(parameters, name, context)
        if not crs.isValid():
            return None
        return crs.authid() or crs.toWkt()

    def network(self, lifecircle, parameters, context, feedback, callbacks):
        """The lifecircle.Network of NETWORK or ROADS with the read options."""
        path = self.parameterAsFile(parameters, "NETWORK", context)
        roads, roads_layer = self.layer_source(parameters, "ROADS", context, feedback)
        if bool(path) == bool(roads):
            raise QgsProcessingException("give the road network as a file (NETWORK) or a road layer (ROADS), one of "
                                         "them")
        elevation = self.parameterAsRasterLayer(parameters, "ELEVATION", context)
        options = {
            "work_crs": self.crs_text(parameters, "WORK_CRS", context),
            "network_crs": self.crs_text(parameters, "NETWORK_CRS", context),
            "layer": roads_layer,
            "speed_field": self.text(parameters, "SPEED_FIELD", context),
            "oneway_field": self.text(parameters, "ONEWAY_FIELD", context),
            "class_field": self.text(parameters, "CLASS_FIELD", context),
            "road_name_field": self.text(parameters, "ROAD_NAME_FIELD", context),
            "elevation": elevation.source() if elevation is not None else None,
            "max_snap": self.number(parameters, "MAX_SNAP", context),
            "snap_to_islands": self.parameterAsBool(parameters, "SNAP_TO_ISLANDS", context),
            "threads": self.parameterAsInt(parameters, "THREADS", context),
        }
        feedback.setProgressText("reading the road network")
        return lifecircle.Network(path or roads, self.choice(parameters, "MODE", context),
                                  self.number(parameters, "WALK_SPEED", context),
                                  **{k: v for k, v in options.items() if v is not None}, **callbacks.kwargs())

    def standard(self, parameters, context):
        return {"standard": self.choice(parameters, "STANDARD", context),
                "minutes": self.number(parameters, "MINUTES", context),
                "max_meters": self.number(parameters, "MAX_METERS", context),
                "direction": self.choice(parameters, "DIRECTION", context) or "to-facility",
                "standards_file": self.parameterAsFile(parameters, "STANDARDS_FILE", context) or None}

    def output_path(self, parameters, name, context):
        """The path a destination parameter names (None when it is skipped)."""
        if parameters.get(name) is None:
            return None
        path = self.parameterAsOutputLayer(parameters, name, context)
        return path or None

    @staticmethod
    def layer_uri(path, layer):
        """A GeoPackage path with its layer, so that QGIS opens the right table of it."""
        if path and path.lower().endswith(".gpkg"):
            return f"{path}|layername={layer}"
        return path

    def load_layer(self, context, path, layer):
        """Makes QGIS load `layer` of the GeoPackage `path` at the end (not its first table)."""
        if not path or not path.lower().endswith(".gpkg") or not context.willLoadLayerOnCompletion(path):
            return
        layers = context.layersToLoadOnCompletion()
        details = layers.pop(path)
        layers[self.layer_uri(path, layer)] = details
        context.setLayersToLoadOnCompletion(layers)

    @staticmethod
    def summary_outputs(summary):
        return {"SUMMARY_JSON": json.dumps(summary, ensure_ascii=False, indent=1)}
