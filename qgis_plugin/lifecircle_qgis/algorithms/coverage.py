"""lifecircle:coverage — `lifecircle coverage` (the library's service study)."""

from qgis.core import (QgsProcessing, QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
                       QgsProcessingParameterVectorDestination)

from .base import ACCESS, LifecircleAlgorithm


class CoverageAlgorithm(LifecircleAlgorithm):
    NAME = "coverage"
    DISPLAY = "Coverage (who is within the standard)"
    HELP = ("Per resident the network minutes to the nearest facility; per demand group and district the "
            "share within the standard (达标率), unreachable and unsnapped residents, mean minutes and Gini; with a "
            "capacity field the seats (an exact assignment within the standard) and an accessibility score "
            "(E2SFCA, BFCA or spatial availability); and a hexagon map of the gaps. The same study, figures, "
            "files and styles as `lifecircle coverage`.")

    def init_parameters(self):
        self.add_network_parameters()
        self.add_point_input("FACILITIES", "Facilities (clinics, kindergartens, meal points)", fields=("ID", "NAME"))
        self.addParameter(QgsProcessingParameterField(
            "CAPACITY_FIELD", "Facilities: capacity field (adds seats and accessibility)",
            parentLayerParameterName="FACILITIES", type=QgsProcessingParameterField.Numeric, optional=True))
        for name, description in (("DELAY_FIELD", "Facilities: minutes spent before leaving"),
                                  ("CUTOFF_FIELD", "Facilities: each one's own limit in minutes")):
            self.advanced(QgsProcessingParameterField(name, description, parentLayerParameterName="FACILITIES",
                                                      type=QgsProcessingParameterField.Numeric, optional=True))
        self.add_point_input("DEMAND", "Residents (points, or polygons spread over their roads)")
        self.addParameter(QgsProcessingParameterField(
            "WEIGHT_FIELD", "Residents: weight fields, one group each (the first is the service's)", parentLayerParameterName="DEMAND", type=QgsProcessingParameterField.Numeric,
            allowMultiple=True, optional=True))
        self.add_number("SPREAD_M", "Polygons: spacing (m) of the road points their residents are spread over",
                        default=25.0, advanced=True, minimum=0.0)
        self.add_standard_parameters()
        self.addParameter(QgsProcessingParameterFeatureSource(
            "DISTRICTS", "Districts (街道, 社区) to report shares for", [QgsProcessing.TypeVectorPolygon],
            optional=True))
        self.advanced(QgsProcessingParameterField("DISTRICT_FIELD", "Districts: name field",
                                                  parentLayerParameterName="DISTRICTS", optional=True))
        self.add_enum("ACCESS", "Accessibility measure (with a capacity field)", ACCESS, default="e2sfca",
                      advanced=True)
        self.add_enum("DECAY", "Distance decay of the measure", ["steps", "gaussian"], default="steps",
                      advanced=True)
        self.add_number("HEX_M", "Gap hexagon width across flats (m)", default=250.0, advanced=True, minimum=0.0)
        self.addParameter(QgsProcessingParameterVectorDestination(
            "OUTPUT", "Demand with minutes and coverage", QgsProcessing.TypeVectorAnyGeometry))
        self.addParameter(QgsProcessingParameterVectorDestination(
            "DISTRICTS_OUT", "Districts with their shares", QgsProcessing.TypeVectorPolygon, optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterVectorDestination(
            "GAPS", "Gaps: hexagons of uncovered residents", QgsProcessing.TypeVectorPolygon, optional=True,
            createByDefault=False))
        self.addParameter(QgsProcessingParameterVectorDestination(
            "FACILITIES_OUT", "Facilities with load and spare seats (with a capacity field)",
            QgsProcessing.TypeVectorPoint, optional=True, createByDefault=False))
        self.add_summary()
        self.add_number_outputs(("TOTAL", "Residents of the service's group"),
                                ("COVERED", "Of them within the standard"),
                                ("COVERAGE_SHARE", "Share within the standard (0-1)"))

    def study(self, lifecircle, parameters, context, feedback, callbacks):
        net = self.network(lifecircle, parameters, context, feedback, callbacks)
        facilities, facilities_layer = self.layer_source(parameters, "FACILITIES", context, feedback)
        demand, demand_layer = self.layer_source(parameters, "DEMAND", context, feedback)
        districts, districts_layer = self.layer_source(parameters, "DISTRICTS", context, feedback)
        out = self.output_path(parameters, "OUTPUT", context)
        outputs = {name: self.output_path(parameters, name, context)
                   for name in ("DISTRICTS_OUT", "GAPS", "FACILITIES_OUT")}
        summary_file = self.parameterAsFileOutput(parameters, "SUMMARY", context) or None
        capacity = self.text(parameters, "CAPACITY_FIELD", context)
        result = net.coverage(
            facilities, demand, weights=self.parameterAsFields(parameters, "WEIGHT_FIELD", context) or None,
            capacity=capacity, access=self.choice(parameters, "ACCESS", context) or "e2sfca",
            decay=self.choice(parameters, "DECAY", context) or "steps",
            facilities_layer=facilities_layer, facilities_crs=self.coordinates(parameters, "FACILITIES_CRS", context),
            facilities_id_field=self.text(parameters, "FACILITIES_ID_FIELD", context),
            facilities_name_field=self.text(parameters, "FACILITIES_NAME_FIELD", context),
            delay_field=self.text(parameters, "DELAY_FIELD", context),
            cutoff_field=self.text(parameters, "CUTOFF_FIELD", context),
            demand_layer=demand_layer, demand_crs=self.coordinates(parameters, "DEMAND_CRS", context),
            demand_id_field=self.text(parameters, "DEMAND_ID_FIELD", context),
            spread_m=self.number(parameters, "SPREAD_M", context),
            districts=districts, districts_layer=districts_layer,
            district_field=self.text(parameters, "DISTRICT_FIELD", context),
            hex_m=self.number(parameters, "HEX_M", context) if outputs["GAPS"] else None,
            out=out, districts_out=outputs["DISTRICTS_OUT"] if districts else None, gaps=outputs["GAPS"],
            facilities_out=outputs["FACILITIES_OUT"] if capacity else None, summary=summary_file,
            **self.standard(parameters, context), **callbacks.kwargs())
        figures = result.groups[result.group]
        params = result.summary["parameters"]
        limit = " and ".join(x for x in (f"{params['minutes']:g} min" if params.get("minutes") else "",
                                          f"{params['max_meters']:g} m" if params.get("max_meters") else "") if x)
        feedback.pushInfo(f"{result.group}: {figures['covered']:.0f} of {figures['total']:.0f} within {limit} "
                          f"{params['mode']} ({100 * (figures['coverage_share'] or 0):.1f}%), mean "
                          f"{figures['mean_minutes'] or float('nan'):.1f} min to the nearest facility")
        for district in result.districts or []:
            share = district[result.group]["coverage_share"]
            feedback.pushInfo(f"  {district['district']}: {100 * (share or 0):.1f}%")
        self.load_layer(context, out, "demand")
        for name, layer in (("DISTRICTS_OUT", "districts"), ("GAPS", "gaps"), ("FACILITIES_OUT", "facilities")):
            self.load_layer(context, outputs[name], layer)
        results = {"OUTPUT": self.layer_uri(out, "demand"), "TOTAL": figures["total"],
                   "COVERED": figures["covered"], "COVERAGE_SHARE": figures["coverage_share"],
                   **self.summary_outputs(result.summary)}
        for name, layer in (("DISTRICTS_OUT", "districts"), ("GAPS", "gaps"), ("FACILITIES_OUT", "facilities")):
            if outputs[name]:
                results[name] = self.layer_uri(outputs[name], layer)
        if summary_file:
            results["SUMMARY"] = summary_file
        return results
