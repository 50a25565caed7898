"""lifecircle:matrix — `lifecircle matrix` (travel minutes between two point layers)."""

from qgis.core import QgsProcessing, QgsProcessingOutputNumber, QgsProcessingParameterVectorDestination

from .base import LifecircleAlgorithm


class MatrixAlgorithm(LifecircleAlgorithm):
    NAME = "matrix"
    DISPLAY = "Travel-time matrix (OD)"
    HELP = ("Network minutes from every point of FROM to every point of TO (access walks to and from the road "
            "included; a pair at the very same place is 0), as a table from_id, to_id, minutes without geometry "
            "(.csv or .gpkg). The same study and file as `lifecircle matrix`.")

    def init_parameters(self):
        self.add_network_parameters()
        self.add_point_input("FROM", "Origins")
        self.add_point_input("TO", "Destinations")
        self.add_number("MAX_MINUTES", "Only pairs reachable within this many minutes", minimum=0.0)
        self.addParameter(QgsProcessingParameterVectorDestination("OUTPUT", "Matrix (from_id, to_id, minutes)",
                                                                  QgsProcessing.TypeVector))
        self.addOutput(QgsProcessingOutputNumber("PAIRS", "Pairs written"))

    def study(self, lifecircle, parameters, context, feedback, callbacks):
        net = self.network(lifecircle, parameters, context, feedback, callbacks)
        origins, origins_layer = self.layer_source(parameters, "FROM", context, feedback)
        targets, targets_layer = self.layer_source(parameters, "TO", context, feedback)
        out = self.output_path(parameters, "OUTPUT", context)
        result = net.matrix_result(
            origins, targets, self.number(parameters, "MAX_MINUTES", context), origins_layer=origins_layer,
            targets_layer=targets_layer, origins_crs=self.coordinates(parameters, "FROM_CRS", context),
            targets_crs=self.coordinates(parameters, "TO_CRS", context),
            origins_id_field=self.text(parameters, "FROM_ID_FIELD", context),
            targets_id_field=self.text(parameters, "TO_ID_FIELD", context), out=out, **callbacks.kwargs())
        feedback.pushInfo(f"{result.pairs} pairs of {len(result.from_ids)} origins and {len(result.to_ids)} "
                          "destinations")
        self.load_layer(context, out, "matrix")
        return {"OUTPUT": self.layer_uri(out, "matrix"), "PAIRS": result.pairs}
