"""lifecircle from Python: network travel time to the facilities of daily life.

Every call here is one study of the library (studies/), the same the command line runs: the same
inputs accepted and refused with the same messages, the same figures, the same files.

    import lifecircle
    net = lifecircle.Network("district.osm.pbf")              # OSM or any GDAL line layer
    minutes = net.matrix(homes_xy, clinics_gdf)                # (n, m) minutes, inf = unreachable
    result = net.coverage("clinics.gpkg", homes_gdf, weights="population", minutes=10)
    result.groups["population"]["coverage_share"], result.minutes, result.to_geodataframe()
    areas = net.isochrones("clinics.gpkg", minutes=[5, 10, 15])  # GeoDataFrame
    summary = lifecircle.plan("scenario.toml", out="plan")

Inputs are file paths (GeoPackage, Shapefile, GeoJSON, CSV with lon/lat...), (n, 2) arrays of
longitude/latitude (another CRS with the matching ``*_crs`` argument: "EPSG:4547", "gcj02",
"bd09"), or GeoDataFrames/GeoSeries in any CRS (reprojected by the library exactly as a file in
that CRS would be). Features are identified by their "id" column (or ``*_id_field``), else by
their row number.

Every study takes ``progress=callable(phase, done, total)`` (called from the study's threads,
at most every 0.1 s per phase and at its end); returning False stops the study, which raises
lifecircle.Cancelled and writes nothing; so does ``cancelled=callable()`` returning True (polled
every 50 ms, e.g. QgsFeedback.isCanceled) and Ctrl-C (KeyboardInterrupt). An exception raised
by a callback stops the study and is raised again. Notes go to the "lifecircle" logger and
warnings through warnings.warn(LifecircleWarning), or both to ``notice=callable(level, text)``
(level "note" or "warning"). The GIL is released while a study runs.
"""

import logging
import os
import warnings

from . import _lifecircle
from ._inputs import field_or_column, source, weights as _weights
from ._results import CoverageResult, frame
from .errors import Cancelled, Error, InputError, LifecircleWarning, OutputError, UsageError

__all__ = ["Network", "CoverageResult", "SuggestionSummary", "suggest", "plan", "standards", "example_scenario", "Error",
           "InputError", "UsageError", "OutputError", "Cancelled", "LifecircleWarning"]

_log = logging.getLogger("lifecircle")


def _notice(level, text):
    if level == "warning":
        warnings.warn(text, LifecircleWarning, stacklevel=3)
    else:
        _log.info(text)


def _path(value):
    return "" if value is None else os.fsdecode(value)


def _drop_none(d):
    return {k: v for k, v in d.items() if v is not None}


class SuggestionSummary(dict):
    """The summary of a suggestion (the same JSON as `suggest --summary`), with the chosen sites
    as ``.sites`` (a GeoDataFrame in the work CRS, or a dict of columns without geopandas)."""

    sites = None


class Network:
    """A road network loaded for travel: an OpenStreetMap file (.osm.pbf, .osm, .osm.bz2) or any
    GDAL line layer (GeoPackage, Shapefile, GeoJSON, FileGDB).

    mode             walk (default), bike or drive
    walk_speed_kmh   walking speed (default 4: GB 50180-2018's 15-minute circle is about 1 km);
                     a catalogue standard's own speed applies unless this is given, as on the
                     command line
    The read options are the command line's (--work-crs is work_crs and so on): work_crs,
    network_crs, layer, speed_field, oneway_field, class_field, road_name_field, elevation (a
    DEM for slope-aware walking), snap_tolerance, max_snap, island_m, snap_to_islands, threads.

    The network is read once per travel profile (a standard with another speed reads it again).
    """

    def __init__(self, path, mode=None, walk_speed_kmh=None, *, work_crs=None, network_crs=None, layer=None,
                 speed_field=None, oneway_field=None, class_field=None, road_name_field=None, elevation=None,
                 snap_tolerance=None, max_snap=None, island_m=None, snap_to_islands=False, threads=0,
                 progress=None, cancelled=None, notice=None):
        options = _drop_none({
            "path": _path(path), "mode": mode, "walk_speed_kmh": walk_speed_kmh, "work_crs": work_crs,
            "network_crs": network_crs, "layer": layer, "speed_field": speed_field, "oneway_field": oneway_field,
            "class_field": class_field, "road_name_field": road_name_field,
            "elevation": None if elevation is None else _path(elevation), "snap_tolerance": snap_tolerance,
            "max_snap": max_snap, "island_m": island_m, "snap_to_islands": bool(snap_to_islands),
            "threads": int(threads)})
        self._native = _lifecircle.Network(options, progress, notice or _notice, cancelled)

    @property
    def path(self):
        """The network file."""
        return self._native.path

    @property
    def work_crs(self):
        """The metric CRS every geometry is computed in (the UTM zone unless work_crs was given)."""
        return self._native.work_crs

    def info(self):
        """What is in the network, as `lifecircle network-info --json`: nodes, arcs, km of road by
        class, connected components, bounding box, load time."""
        return self._native.info()

    def __repr__(self):
        return f"<lifecircle.Network {self.path!r} ({self.work_crs})>"

    # --- matrix ------------------------------------------------------------------------------

    def matrix(self, origins, targets, max_minutes=None, *, sparse=False, origins_crs=None, targets_crs=None,
               id_field=None, origins_id_field=None, targets_id_field=None, origins_layer=None, targets_layer=None,
               out=None, layer_name="matrix", update=False, progress=None, cancelled=None, notice=None):
        """Travel minutes from every origin to every target (`lifecircle matrix`).

        Returns an (n, m) float array of minutes, inf where a target is not reached (or beyond
        max_minutes); rows and columns in input order. A pair at the very same place is 0.
        sparse=True returns the reached pairs only: a scipy.sparse.csr_matrix of minutes when
        scipy is installed (stored entries only; a 0-minute pair is stored), else the tuple
        (rows, cols, minutes) of arrays. out="od.csv" (or .gpkg) also writes the command line's
        file. The ids are the inputs' "id" fields (id_field, origins_id_field...), else row numbers.
        """
        result = self.matrix_result(origins, targets, max_minutes, origins_crs=origins_crs, targets_crs=targets_crs,
                                    id_field=id_field, origins_id_field=origins_id_field,
                                    targets_id_field=targets_id_field, origins_layer=origins_layer,
                                    targets_layer=targets_layer, out=out, layer_name=layer_name, update=update,
                                    progress=progress, cancelled=cancelled, notice=notice)
        if not sparse:
            return result.dense()
        indptr, cols, minutes = result.sparse()
        try:
            import scipy.sparse
        except ImportError:
            import numpy as np
            rows = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
            return rows, cols, minutes
        return scipy.sparse.csr_matrix((minutes, cols, indptr), shape=(len(indptr) - 1, len(result.to_ids)))

    def matrix_result(self, origins, targets, max_minutes=None, *, origins_crs=None, targets_crs=None,
                      id_field=None, origins_id_field=None, targets_id_field=None, origins_layer=None,
                      targets_layer=None, out=None, layer_name="matrix", update=False, progress=None, cancelled=None, notice=None):
        """The matrix as the library holds it: .dense(), .sparse() -> (indptr, cols, minutes) in
        CSR form, .from_ids, .to_ids, .pairs. Arguments as for matrix()."""
        default_id = id_field or "id"
        origin = source(origins, "origins", crs=origins_crs)
        target = source(targets, "targets", crs=targets_crs)
        origin.update(_drop_none({"id_field": origins_id_field or default_id, "layer": origins_layer,
                                  "label": "origins"}))
        target.update(_drop_none({"id_field": targets_id_field or default_id, "layer": targets_layer,
                                  "label": "targets"}))
        options = _drop_none({"max_minutes": max_minutes, "out": _path(out), "layer_name": layer_name,
                              "update": bool(update)})
        return self._native.matrix(origin, target, options, progress, notice or _notice, cancelled)

    # --- service areas -----------------------------------------------------------------------

    def isochrones(self, facilities, minutes=(5, 10, 15), method=None, *, shape="nested", buffer_m=None,
                   entrances=False, entrance_max_m=30.0, lines=False, facilities_crs=None, facilities_layer=None,
                   id_field=None, name_field=None, delay_field=None, cutoff_field=None, out=None, lines_out=None,
                   update=False, progress=None, cancelled=None, notice=None):
        """Service areas around facilities (`lifecircle isochrones`).

        minutes: the breaks. method: raster (the default of every study: within a cell of the
        network method, much faster), network (buffered reached roads) or hull. shape: nested
        (default), rings, dissolve or split. Returns the areas as a GeoDataFrame in the work CRS
        (a dict of columns with WKB without geopandas); with lines=True a pair (areas, reached
        roads). out= / lines_out= also write the command line's files (.gpkg styled, .geojson).
        """
        spec = source(facilities, "facilities", crs=facilities_crs)
        spec.update(_drop_none({"layer": facilities_layer, "id_field": id_field, "name_field": name_field,
                                "delay_field": delay_field, "cutoff_field": cutoff_field}))
        options = _drop_none({
            "minutes": [minutes] if isinstance(minutes, (int, float)) else list(minutes), "method": method,
            "shape": shape, "buffer_m": buffer_m, "entrance_max_m": entrance_max_m if entrances else None,
            "lines": bool(lines), "out": _path(out), "lines_out": _path(lines_out), "update": bool(update)})
        result = self._native.isochrones(spec, options, progress, notice or _notice, cancelled)
        areas = frame(result.areas())
        return (areas, frame(result.lines())) if lines else areas

    # --- coverage ----------------------------------------------------------------------------

    def coverage(self, facilities, demand, weights=None, minutes=None, max_meters=None, standard=None,
                 capacity=None, access="e2sfca", *, standards_file=None, direction="to-facility",
                 target_share=None, group=None, decay="steps", districts=None, district_field=None,
                 districts_crs=None, districts_layer=None, facilities_crs=None, facilities_layer=None,
                 facilities_id_field=None, facilities_name_field=None, delay_field=None, cutoff_field=None,
                 demand_crs=None, demand_layer=None, demand_id_field=None, spread_m=None, hex_m=None, out=None,
                 districts_out=None, gaps=None, facilities_out=None, summary=None, update=False, progress=None, cancelled=None, notice=None):
        """Who is within the standard (`lifecircle coverage`): per resident the minutes to the
        nearest facility, shares per group and district, seats and accessibility with capacities.

        weights: the demand's weight fields (a name or a list: one group each, the first is the
        service's group), or arrays for in-memory demand (an array, a 2-D array or a dict of
        group -> array). The standard: minutes and/or max_meters, or a catalogue standard
        (`lifecircle standards`) whose limits apply unless given; 15 minutes without any.
        capacity: the facilities' capacity field (or an array): adds seats by exact assignment
        (served) and the accessibility measure `access` (e2sfca, bfca or availability).
        Outputs as on the command line: out, districts_out, gaps (hexagons of hex_m, default
        250), facilities_out, summary (JSON). Returns a CoverageResult.
        """
        names, weight_columns = _weights(weights)
        capacity_field, capacity_values = field_or_column(capacity, "capacity")
        fac = source(facilities, "facilities", crs=facilities_crs,
                     columns=None if capacity_values is None else {"capacity": capacity_values})
        fac.update(_drop_none({"layer": facilities_layer, "id_field": facilities_id_field,
                               "name_field": facilities_name_field, "capacity_field": capacity_field,
                               "delay_field": delay_field, "cutoff_field": cutoff_field}))
        dem = source(demand, "demand", crs=demand_crs, columns=weight_columns or None)
        dem.update(_drop_none({"layer": demand_layer, "id_field": demand_id_field,
                               "weight_fields": names, "spread_m": spread_m}))
        dis = None
        if districts is not None:
            dis = source(districts, "districts", crs=districts_crs)
            dis.update(_drop_none({"layer": districts_layer, "name_field": district_field}))
        std = _drop_none({"standard": standard, "standards_file": None if standards_file is None else _path(
            standards_file), "minutes": minutes, "max_meters": max_meters, "direction": direction,
                          "target_share": target_share})
        options = _drop_none({"group": group, "access": access, "decay": decay, "hex_m": hex_m, "out": _path(out),
                              "districts_out": _path(districts_out), "gaps": _path(gaps),
                              "facilities_out": _path(facilities_out), "summary": _path(summary),
                              "update": bool(update)})
        return CoverageResult(self._native.coverage(fac, dem, dis, std, options, progress, notice or _notice, cancelled))

    # --- suggestion --------------------------------------------------------------------------

    def suggest(self, demand, facilities=None, candidates="auto", objective="max-coverage", count=None, target=None,
                budget=None, *, weights=None, minutes=None, max_meters=None, standard=None, standards_file=None,
                direction="to-facility", group=None, capacity=None, capacitated=False, candidate_capacity=None,
                candidates_capacity_field=None, cost_field=None, candidate_spacing=None, max_candidates=None,
                exclude=None, expansion_seats=None, expansion_cost=None, p_median_minutes=None, seed=1,
                time_limit=None, exact=False, exact_time_limit=None, facilities_crs=None, facilities_id_field=None,
                demand_crs=None, demand_id_field=None, candidates_crs=None, candidates_id_field=None,
                exclude_crs=None, facilities_layer=None, demand_layer=None, candidates_layer=None, exclude_layer=None,
                out=None, summary=None, update=False, progress=None, cancelled=None, notice=None):
        """Where new facilities close the gaps (`lifecircle suggest`): max-coverage (count or
        budget), min-facilities (target share) or p-median (count), optionally capacitated, with
        a bound on how far from optimal the answer is.

        facilities: the existing ones (None: none). candidates: "auto" (points every
        candidate_spacing metres along the roads near the gaps), a file, array or GeoDataFrame.
        Returns a SuggestionSummary: the summary dict of `suggest --summary`, with .sites.
        """
        names, weight_columns = _weights(weights)
        dem = source(demand, "demand", crs=demand_crs, columns=weight_columns or None)
        dem.update(_drop_none({"id_field": demand_id_field, "weight_fields": names, "layer": demand_layer}))
        fac = {}
        if facilities is not None:
            capacity_field, capacity_values = field_or_column(capacity, "capacity")
            fac = source(facilities, "facilities", crs=facilities_crs,
                         columns=None if capacity_values is None else {"capacity": capacity_values})
            fac.update(_drop_none({"id_field": facilities_id_field, "capacity_field": capacity_field,
                                   "layer": facilities_layer}))
        if isinstance(candidates, str) and candidates == "auto":
            cand = {"path": "auto"}
        else:
            cand = source(candidates, "candidates", crs=candidates_crs)
            cand.update(_drop_none({"id_field": candidates_id_field, "capacity_field": candidates_capacity_field,
                                    "cost_field": cost_field, "label": "candidates", "layer": candidates_layer}))
        exc = None
        if exclude is not None:
            exc = source(exclude, "exclude", crs=exclude_crs)
            exc.update(_drop_none({"layer": exclude_layer}))
        std = _drop_none({"standard": standard, "standards_file": None if standards_file is None else _path(
            standards_file), "minutes": minutes, "max_meters": max_meters, "direction": direction})
        options = _drop_none({
            "objective": objective, "count": count, "target": target, "budget": budget, "group": group,
            "capacitated": bool(capacitated), "candidate_capacity": candidate_capacity,
            "candidate_spacing": candidate_spacing, "max_candidates": max_candidates,
            "expansion_seats": expansion_seats, "expansion_cost": expansion_cost,
            "p_median_minutes": p_median_minutes, "seed": int(seed), "time_limit": time_limit, "exact": bool(exact),
            "exact_time_limit": exact_time_limit, "out": _path(out), "summary": _path(summary),
            "update": bool(update)})
        native = self._native.suggest(fac, dem, cand, exc, std, options, progress, notice or _notice, cancelled)
        out = SuggestionSummary(native.summary)
        out.sites = frame(native.sites())
        return out


def suggest(network, demand, facilities=None, candidates="auto", objective="max-coverage", count=None, target=None,
            budget=None, *, mode=None, walk_speed_kmh=None, network_options=None, **options):
    """`lifecircle suggest` in one call: loads `network` (a path, or a Network to reuse) and runs
    Network.suggest with the other arguments. Returns the summary as a dict (with .sites)."""
    net = network if isinstance(network, Network) else Network(network, mode, walk_speed_kmh,
                                                                **(network_options or {}))
    return net.suggest(demand, facilities, candidates, objective, count, target, budget, **options)


def plan(scenario, out=None, *, force=False, threads=0, progress=None, cancelled=None, notice=None):
    """A whole scenario (`lifecircle plan scenario.toml --out DIR`): every service's areas,
    coverage, seats, gaps and suggested sites, before and after its what-if road works. With
    `out`, writes the folder (lifecircle.gpkg, GeoJSON, lifecircle.qgs, summary.json,
    report.html) as the command line does; returns summary.json as a dict either way."""
    return _lifecircle.plan(_path(scenario), _path(out), bool(force), int(threads), progress, notice or _notice,
                            cancelled)


def standards(standards_file=None):
    """The service standards catalogue (`lifecircle standards --json`): the built-in entries, then
    those of your own TOML file. Each is a dict: name, titles, kinds, demand group, minutes,
    metres, mode, walking speed, source, verified..."""
    return _lifecircle.standards(_path(standards_file))


def example_scenario():
    """A commented example scenario (`lifecircle plan --example`), as TOML text."""
    return _lifecircle.example_scenario()
