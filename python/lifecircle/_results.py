"""Results as Python objects: layers as GeoDataFrames (or plain dicts without geopandas), the
coverage result with its per-feature arrays and summary."""

import numpy as np

from ._inputs import _geopandas


def frame(layer):
    """A layer from the C++ side as a GeoDataFrame (a DataFrame when it has no geometry), or, without
    geopandas, as a dict of columns with the geometries as WKB under "wkb". Geometry is in the
    network's work CRS (metres); .to_crs(4326) gives longitude/latitude."""
    columns = {name: _array(layer["columns"][name], kind) for name, kind in zip(layer["fields"], layer["types"])}
    gpd = _geopandas()
    if gpd is None:
        out = dict(columns)
        if layer["kind"] != "none":
            out["wkb"] = layer["wkb"]
        return out
    if layer["kind"] == "none":
        import pandas
        return pandas.DataFrame(columns, columns=layer["fields"])
    geometry = gpd.GeoSeries.from_wkb(layer["wkb"], crs=layer["crs"])
    return gpd.GeoDataFrame(columns, columns=layer["fields"], geometry=geometry, crs=layer["crs"])


def _array(values, kind):
    if kind == "string":
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return values


def read_only(array):
    array.flags.writeable = False
    return array


class CoverageResult:
    """What a coverage study found, as `lifecircle coverage` writes it.

    Per input feature of the demand (in input order, the rows of the demand you gave):
      minutes   minutes to the nearest facility (a polygon's weighted mean over its road samples);
                inf where no facility is reached or the feature is not on the network
      covered   True where it is within the standard (a polygon: at least half its weight)
      nearest   the nearest facility's id (None where none is reached)
      served    weight given a seat within the standard (capacity runs, else None)
      access    the accessibility score (capacity runs, else None)
    summary     the same JSON as `coverage --summary`, as a dict
    groups      per demand group: total, covered, coverage_share, unreachable, unsnapped,
                mean_minutes, max_minutes, gini_minutes, points
    districts   per district and group (when districts were given), as in the summary
    points      per demand point (a polygon has several road samples) read-only numpy views:
                feature, seconds, covered, facility (index; 2**32-1 = none), status, weights...
    """

    def __init__(self, native):
        self._native = native
        self.summary = native.summary
        self.crs = native.crs
        self.group = native.groups[native.group]
        self.groups = self.summary["groups"]
        self.districts = self.summary.get("districts")
        demand = native.layer("demand")
        columns = demand["columns"]
        minutes = np.array(columns["minutes_to_nearest"], dtype=np.float64)
        minutes[np.isnan(minutes)] = np.inf
        self.minutes = read_only(minutes)
        self.covered = read_only(np.asarray(columns["covered"]) == 1)
        self.nearest = read_only(_array(columns["nearest_facility_id"], "string"))
        self.served = read_only(np.asarray(columns["served_weight"])) if "served_weight" in columns else None
        access = [name for name in demand["fields"] if name.startswith("access_")]
        self.access = read_only(np.asarray(columns[access[0]])) if access else None
        self._demand = demand
        self.points = {}
        for name, value in native.point_arrays().items():
            if isinstance(value, dict):
                self.points[name] = {k: read_only(v) for k, v in value.items()}
            else:
                self.points[name] = read_only(value)

    def to_geodataframe(self):
        """The demand layer (`coverage --out`): the input features with their fields and the
        coverage columns, as a GeoDataFrame in the work CRS (a dict of columns without geopandas)."""
        return frame(self._demand)

    def layer(self, name):
        """Another layer of the study: "demand", "districts", "facilities" (with capacities: load
        and spare seats) or "gaps" (with hex_m or gaps=...); None when it was not computed."""
        layer = self._native.layer(name)
        return None if layer is None else frame(layer)

    def __repr__(self):
        figures = self.groups[self.group]
        share = figures.get("coverage_share")
        share_text = "n/a" if share is None else f"{100 * share:.1f}%"
        return (f"<lifecircle.CoverageResult {self.group}: {figures['covered']:.0f} of {figures['total']:.0f} "
                f"covered ({share_text}), {len(self.minutes)} demand features>")
