"""lifecircle:suggest — `lifecircle suggest` (where new facilities close the gaps)."""

from qgis.core import (QgsProcessing, QgsProcessingParameterBoolean, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterField, QgsProcessingParameterVectorDestination)

from .base import LifecircleAlgorithm


class SuggestAlgorithm(LifecircleAlgorithm):
    NAME = "suggest"
    DISPLAY = "Suggest sites"
    HELP = ("Where new facilities close the gaps: max-coverage (COUNT sites or a BUDGET), min-facilities (a TARGET "
            "share) or p-median (COUNT), optionally capacitated, among candidate sites (a layer, or points every "
            "CANDIDATE_SPACING metres along the roads near the gaps when CANDIDATES is empty), with a bound on how "
            "far from optimal the answer is. The same study, figures and file as `lifecircle suggest`.")

    def init_parameters(self):
        self.add_network_parameters()
        self.add_point_input("DEMAND", "Residents (points, or polygons spread over their roads)")
        self.addParameter(QgsProcessingParameterField(
            "WEIGHT_FIELD", "Residents: fields with residents (the first is optimised)", parentLayerParameterName="DEMAND",
            type=QgsProcessingParameterField.Numeric, allowMultiple=True, optional=True))
        self.add_point_input("FACILITIES", "Existing facilities (empty: none)", optional=True)
        self.addParameter(QgsProcessingParameterField(
            "CAPACITY_FIELD", "Existing facilities: capacity field", parentLayerParameterName="FACILITIES",
            type=QgsProcessingParameterField.Numeric, optional=True))
        self.add_point_input("CANDIDATES", "Candidate sites (empty: auto, along the roads near the gaps)",
                             optional=True)
        self.advanced(QgsProcessingParameterField(
            "CANDIDATES_CAPACITY_FIELD", "Candidates: capacity field", parentLayerParameterName="CANDIDATES",
            type=QgsProcessingParameterField.Numeric, optional=True))
        self.advanced(QgsProcessingParameterField(
            "COST_FIELD", "Candidates: cost field (for BUDGET)", parentLayerParameterName="CANDIDATES",
            type=QgsProcessingParameterField.Numeric, optional=True))
        self.add_enum("OBJECTIVE", "Objective", ["max-coverage", "min-facilities", "p-median"],
                      default="max-coverage")
        self.add_number("COUNT", "Number of new sites (max-coverage, p-median)", integer=True, minimum=0)
        self.add_number("TARGET", "Share to cover (min-facilities), e.g. 0.95", minimum=0.0)
        self.add_number("BUDGET", "Total cost allowed (max-coverage, with a cost field)", advanced=True, minimum=0.0)
        self.addParameter(QgsProcessingParameterBoolean("CAPACITATED", "Each site serves at most its capacity",
                                                        defaultValue=False))
        self.add_number("CANDIDATE_CAPACITY", "Capacity of every new site (auto candidates)", minimum=0.0)
        self.add_number("CANDIDATE_SPACING", "Spacing (m) of auto candidates along the roads", default=100.0,
                        advanced=True, minimum=0.0)
        self.addParameter(QgsProcessingParameterFeatureSource(
            "EXCLUDE", "Where no site may go (water, parks)", [QgsProcessing.TypeVectorPolygon], optional=True))
        self.add_standard_parameters()
        self.add_number("SEED", "Seed of the restarts (same seed, same answer)", default=1, advanced=True,
                        integer=True, minimum=0)
        self.add_number("TIME_LIMIT", "A cap in seconds on the improvement phase", default=600.0, advanced=True,
                        minimum=0.0)
        self.addParameter(QgsProcessingParameterVectorDestination("OUTPUT", "Suggested sites",
                                                                  QgsProcessing.TypeVectorPoint))
        self.add_summary()
        self.add_number_outputs(("COVERED_BEFORE", "Covered before (the optimised group)"),
                                ("COVERED_AFTER", "Covered with the suggested sites"))

    def study(self, lifecircle, parameters, context, feedback, callbacks):
        net = self.network(lifecircle, parameters, context, feedback, callbacks)
        demand, demand_layer = self.layer_source(parameters, "DEMAND", context, feedback)
        facilities, facilities_layer = self.layer_source(parameters, "FACILITIES", context, feedback)
        candidates, candidates_layer = self.layer_source(parameters, "CANDIDATES", context, feedback)
        exclude, exclude_layer = self.layer_source(parameters, "EXCLUDE", context, feedback)
        out = self.output_path(parameters, "OUTPUT", context)
        summary_file = self.parameterAsFileOutput(parameters, "SUMMARY", context) or None
        count = self.number(parameters, "COUNT", context)
        standard = self.standard(parameters, context)
        summary = net.suggest(
            demand, facilities, candidates or "auto", self.choice(parameters, "OBJECTIVE", context) or "max-coverage",
            None if count is None else int(count), self.number(parameters, "TARGET", context),
            self.number(parameters, "BUDGET", context),
            weights=self.parameterAsFields(parameters, "WEIGHT_FIELD", context) or None,
            capacity=self.text(parameters, "CAPACITY_FIELD", context),
            capacitated=self.parameterAsBool(parameters, "CAPACITATED", context),
            candidate_capacity=self.number(parameters, "CANDIDATE_CAPACITY", context),
            candidates_capacity_field=self.text(parameters, "CANDIDATES_CAPACITY_FIELD", context),
            cost_field=self.text(parameters, "COST_FIELD", context),
            candidate_spacing=self.number(parameters, "CANDIDATE_SPACING", context), exclude=exclude,
            seed=self.parameterAsInt(parameters, "SEED", context),
            time_limit=self.number(parameters, "TIME_LIMIT", context),
            demand_layer=demand_layer, demand_crs=self.coordinates(parameters, "DEMAND_CRS", context),
            demand_id_field=self.text(parameters, "DEMAND_ID_FIELD", context),
            facilities_layer=facilities_layer,
            facilities_crs=self.coordinates(parameters, "FACILITIES_CRS", context),
            facilities_id_field=self.text(parameters, "FACILITIES_ID_FIELD", context),
            candidates_layer=candidates_layer,
            candidates_crs=self.coordinates(parameters, "CANDIDATES_CRS", context),
            candidates_id_field=self.text(parameters, "CANDIDATES_ID_FIELD", context), exclude_layer=exclude_layer,
            out=out, summary=summary_file, **standard, **callbacks.kwargs())
        group = next(iter(summary["coverage_after"]))
        before, after = summary["coverage_before"][group], summary["coverage_after"][group]
        feedback.pushInfo(f"{len(summary['selected'])} sites: {', '.join(summary['selected'])}; {group} covered "
                          f"{100 * before['share']:.1f}% before, {100 * after['share']:.1f}% after")
        self.load_layer(context, out, "suggested_sites")
        results = {"OUTPUT": self.layer_uri(out, "suggested_sites"), "COVERED_BEFORE": before["covered"],
                   "COVERED_AFTER": after["covered"], **self.summary_outputs(dict(summary))}
        if summary_file:
            results["SUMMARY"] = summary_file
        return results
