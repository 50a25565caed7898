"""Inputs as the study API takes them: a file path, or features in memory (an ``(n, 2)`` array
of coordinates, a GeoDataFrame or a GeoSeries) handed over as a FeatureTable that the C++ side
reads exactly as it reads a file (the same ids, fields, CRS rules and messages)."""

import os

import numpy as np

from . import _lifecircle
from .errors import UsageError


def _is_path(obj):
    return isinstance(obj, (str, bytes, os.PathLike))


def _geopandas():
    try:
        import geopandas
    except ImportError:
        return None
    return geopandas


def crs_text(crs):
    """A pyproj CRS as the C++ side takes it: "EPSG:xxxx" when it has a code, else its WKT."""
    if crs is None:
        return ""
    authority = crs.to_authority()
    if authority:
        return f"{authority[0]}:{authority[1]}"
    return crs.to_wkt()


def _column(values, name):
    """One attribute column as (type, values) for a FeatureTable."""
    array = np.asarray(values)
    kind = array.dtype.kind
    if kind in "iub":
        return "integer", array.astype(np.int64)
    if kind == "f":
        return "real", array.astype(np.float64)
    # Text, pandas' nullable numbers (with pd.NA) and everything else.
    import math
    numbers = []
    only_numbers = True
    for v in array.tolist():
        if v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("<NA>", "NaT"):
            numbers.append(None)
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            numbers.append(v)
        else:
            only_numbers = False
            break
    if only_numbers and any(v is not None for v in numbers):
        return "real", np.array([np.nan if v is None else float(v) for v in numbers])
    texts = []
    for v in array.tolist():
        missing = v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("<NA>", "NaT")
        texts.append(None if missing else str(v))
    return "string", texts


def _columns_table(name, columns, n):
    fields, values = [], []
    for field, column in columns.items():
        column_type, data = _column(column, field)
        if len(data) != n:
            raise UsageError(f"{name}: the column '{field}' has {len(data)} values for {n} features")
        fields.append((str(field), column_type))
        values.append(data)
    return fields, values


def source(obj, label, *, crs=None, columns=None):
    """The input description the C++ side takes.

    obj: a path (str or os.PathLike), an (n, 2) array-like of x, y (longitude, latitude unless
    `crs` says otherwise), a GeoDataFrame or a GeoSeries (in its own CRS; `crs` overrides it as
    the command line's --...-crs overrides a file's). `columns`: extra attribute columns
    (name -> array with one value per feature), for arrays given alongside (capacities, weights).
    """
    if obj is None:
        raise UsageError(f"{label}: give a file, an (n, 2) array of coordinates or a GeoDataFrame")
    if _is_path(obj):
        if columns:
            names = ", ".join(columns)
            raise UsageError(f"{label} is a file: name its fields ({names}) instead of giving arrays")
        spec = {"path": os.fsdecode(obj)}
        if crs:
            spec["crs"] = crs
        return spec
    gpd = _geopandas()
    if gpd is not None and isinstance(obj, (gpd.GeoDataFrame, gpd.GeoSeries)):
        geometry = obj.geometry if isinstance(obj, gpd.GeoDataFrame) else obj
        name = f"{label} ({type(obj).__name__})"
        attributes = {}
        if isinstance(obj, gpd.GeoDataFrame):
            for column in obj.columns:
                if column != obj.geometry.name:
                    attributes[column] = obj[column].to_numpy()
        attributes.update(columns or {})
        fields, values = _columns_table(name, attributes, len(geometry))
        if len(geometry) and (geometry.geom_type == "Point").all():
            # Points go over as coordinate arrays (no WKB to write and parse).
            x, y = geometry.x.to_numpy(dtype=np.float64), geometry.y.to_numpy(dtype=np.float64)
            table = _lifecircle.FeatureTable(name, "features", crs_text(geometry.crs), x, y, None, fields, values)
        else:
            wkb = [None if g is None or g.is_empty else g.wkb for g in geometry]
            table = _lifecircle.FeatureTable(name, "features", crs_text(geometry.crs), None, None, wkb, fields,
                                             values)
        spec = {"path": name, "table": table}
        if crs:
            spec["crs"] = crs
        return spec
    try:
        xy = np.asarray(obj, dtype=np.float64)
    except (TypeError, ValueError):
        raise UsageError(f"{label}: give a file, an (n, 2) array of coordinates or a GeoDataFrame, "
                         f"not {type(obj).__name__}") from None
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise UsageError(f"{label}: an array of coordinates must have the shape (n, 2), not {xy.shape}")
    name = f"{label} (array)"
    fields, values = _columns_table(name, columns or {}, xy.shape[0])
    table = _lifecircle.FeatureTable(name, "features", crs or "", np.ascontiguousarray(xy[:, 0]),
                                     np.ascontiguousarray(xy[:, 1]), None, fields, values)
    return {"path": name, "table": table}


def field_or_column(value, default_name):
    """A field name as given, or (default_name, values) for an array of values."""
    if value is None or isinstance(value, str):
        return value, None
    return default_name, np.asarray(value)


def weights(value, n_hint=None):
    """Demand weights as (field names, extra columns): a field name, a list of names, an array
    (one group "weight"), a 2-D array (groups weight_1...) or a dict of group -> array."""
    if value is None:
        return [], {}
    if isinstance(value, str):
        return [value], {}
    if isinstance(value, dict):
        return list(value), {str(k): np.asarray(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return list(value), {}
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 1:
        return ["weight"], {"weight": array}
    if array.ndim == 2:
        names = [f"weight_{k + 1}" for k in range(array.shape[1])]
        return names, {names[k]: array[:, k] for k in range(array.shape[1])}
    raise UsageError(f"weights: give field names, a dict of arrays or an array of one or two dimensions, "
                     f"not the shape {array.shape}")
