"""lifecircle:serviceareas — `lifecircle isochrones` (service areas around facilities)."""

from qgis.core import (QgsProcessing, QgsProcessingException, QgsProcessingParameterField,
                       QgsProcessingParameterString, QgsProcessingParameterVectorDestination)

from .base import LifecircleAlgorithm


class ServiceAreasAlgorithm(LifecircleAlgorithm):
    NAME = "serviceareas"
    DISPLAY = "Service areas (isochrones)"
    HELP = ("The areas within 5, 10, 15... minutes of each facility along the road network: nested, rings, "
            "dissolved over all facilities, or split so that each place belongs to the facility that reaches it "
            "first. The raster method (the default) traces the network buffer on a grid, within a cell of the "
            "network method and much faster. The same study, files and styles as `lifecircle isochrones`.")

    def init_parameters(self):
        self.add_network_parameters()
        self.add_point_input("FACILITIES", "Facilities", fields=("ID", "NAME"))
        for name, description in (("DELAY_FIELD", "Facilities: minutes spent before leaving"),
                                  ("CUTOFF_FIELD", "Facilities: each one's own largest break in minutes")):
            self.advanced(QgsProcessingParameterField(name, description, parentLayerParameterName="FACILITIES",
                                                      type=QgsProcessingParameterField.Numeric, optional=True))
        self.addParameter(QgsProcessingParameterString("MINUTES", "Breaks in minutes, e.g. 5,10,15",
                                                       defaultValue="5,10,15"))
        self.add_enum("METHOD", "Method", ["raster", "network", "hull"], default="raster")
        self.add_enum("SHAPE", "Shape", ["nested", "rings", "dissolve", "split"], default="nested")
        self.add_number("BUFFER_M", "Buffer around reached roads (m): the walk from road to door", default=50.0,
                        advanced=True, minimum=0.0)
        self.add_number("ENTRANCE_MAX_M", "Polygon facilities: start from boundary points within this distance of a "
                        "road (m; empty: from one inner point)", advanced=True, minimum=0.0)
        self.addParameter(QgsProcessingParameterVectorDestination("OUTPUT", "Service areas",
                                                                  QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterVectorDestination(
            "LINES", "Reached road pieces with minutes at each end", QgsProcessing.TypeVectorLine, optional=True,
            createByDefault=False))

    def study(self, lifecircle, parameters, context, feedback, callbacks):
        text = self.parameterAsString(parameters, "MINUTES", context)
        try:
            minutes = [float(item) for item in text.replace(";", ",").split(",") if item.strip()]
        except ValueError:
            raise QgsProcessingException(f"MINUTES takes breaks separated by commas, e.g. 5,10,15, not '{text}'") \
                from None
        net = self.network(lifecircle, parameters, context, feedback, callbacks)
        facilities, layer = self.layer_source(parameters, "FACILITIES", context, feedback)
        out = self.output_path(parameters, "OUTPUT", context)
        lines = self.output_path(parameters, "LINES", context)
        entrance = self.number(parameters, "ENTRANCE_MAX_M", context)
        areas = net.isochrones(
            facilities, minutes=minutes, method=self.choice(parameters, "METHOD", context),
            shape=self.choice(parameters, "SHAPE", context) or "nested",
            buffer_m=self.number(parameters, "BUFFER_M", context), entrances=entrance is not None,
            entrance_max_m=entrance if entrance is not None else 30.0, facilities_layer=layer,
            facilities_crs=self.coordinates(parameters, "FACILITIES_CRS", context),
            id_field=self.text(parameters, "FACILITIES_ID_FIELD", context),
            name_field=self.text(parameters, "FACILITIES_NAME_FIELD", context),
            delay_field=self.text(parameters, "DELAY_FIELD", context),
            cutoff_field=self.text(parameters, "CUTOFF_FIELD", context), out=out, lines_out=lines,
            **callbacks.kwargs())
        feedback.pushInfo(f"{len(areas)} service areas around {len(set(areas['facility_id']))} facilities")
        self.load_layer(context, out, "isochrones")
        self.load_layer(context, lines, "reached_roads")
        results = {"OUTPUT": self.layer_uri(out, "isochrones")}
        if lines:
            results["LINES"] = self.layer_uri(lines, "reached_roads")
        return results
