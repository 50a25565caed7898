"""Network.matrix against `lifecircle matrix`: the same pairs and minutes from files, arrays and
GeoDataFrames (also in another CRS and in GCJ-02), dense and sparse."""

import csv

import numpy as np
import pytest

import lifecircle


def cli_matrix(lc, tmp_path, demo, *extra):
    out = tmp_path / "od.csv"
    lc("matrix", "--network", demo["network"], "--from", demo["homes"], "--to", demo["clinics"], "--out", out, "-q",
       *extra)
    return {(r["from_id"], r["to_id"]): r["minutes"] for r in csv.DictReader(open(out, encoding="utf-8"))}


def as_pairs(minutes, from_ids, to_ids):
    """The dense matrix as the CSV's pairs (three decimals, unreachable left out)."""
    return {(from_ids[i], to_ids[j]): f"{minutes[i, j]:.3f}"
            for i in range(minutes.shape[0]) for j in range(minutes.shape[1]) if np.isfinite(minutes[i, j])}


def homes_xy(demo):
    rows = list(csv.DictReader(open(demo["homes"], encoding="utf-8")))
    return [r["id"] for r in rows], np.array([[float(r["lon"]), float(r["lat"])] for r in rows])


def test_matrix_of_files_equals_the_command_line(lc, tmp_path, demo, net):
    want = cli_matrix(lc, tmp_path, demo, "--max-minutes", "30")
    result = net.matrix_result(demo["homes"], demo["clinics"], max_minutes=30)
    got = as_pairs(result.dense(), result.from_ids, result.to_ids)
    assert len(want) > 300 and got == want
    assert result.pairs == len(want)


def test_matrix_of_arrays_and_geodataframes_equals_the_command_line(lc, tmp_path, demo, net):
    import geopandas as gpd
    want = cli_matrix(lc, tmp_path, demo)
    ids, xy = homes_xy(demo)
    clinics = gpd.read_file(demo["clinics"])
    minutes = net.matrix(xy, clinics)
    assert minutes.shape == (300, 3) and minutes.dtype == np.float64
    assert as_pairs(minutes, ids, list(clinics["id"])) == want
    # The same homes as a GeoDataFrame in a projected CRS (Beijing 1954 / 3-degree GK CM 117E):
    # reprojected by the library, within float noise of the command line's minutes.
    homes = gpd.GeoDataFrame({"id": ids}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:4326")
    projected = net.matrix(homes.to_crs("EPSG:2436"), clinics.to_crs("EPSG:32650"))
    np.testing.assert_allclose(projected, minutes, atol=1e-3)


def test_gcj02_arrays_equal_the_command_lines_crs_option(lc, tmp_path, demo, net):
    want = cli_matrix(lc, tmp_path, demo, "--from-crs", "gcj02")
    assert want != cli_matrix(lc, tmp_path, demo)  # the shift matters here (about 500 m)
    ids, xy = homes_xy(demo)
    minutes = net.matrix(xy, demo["clinics"], origins_crs="gcj02")
    assert as_pairs(minutes, ids, ["F1", "F2", "F3"]) == want


def test_sparse_forms_hold_the_dense_pairs(demo, net):
    import scipy.sparse
    ids, xy = homes_xy(demo)
    dense = net.matrix(xy, demo["clinics"], max_minutes=12)
    csr = net.matrix(xy, demo["clinics"], max_minutes=12, sparse=True)
    assert isinstance(csr, scipy.sparse.csr_matrix) and csr.shape == dense.shape
    assert csr.nnz == np.isfinite(dense).sum() > 0
    rows, cols = csr.nonzero()
    np.testing.assert_array_equal(np.asarray(csr[rows, cols]).ravel(), dense[rows, cols])
    indptr, cols2, minutes = net.matrix_result(xy, demo["clinics"], max_minutes=12).sparse()
    assert indptr.dtype == np.int64 and len(indptr) == 301 and indptr[-1] == len(minutes) == csr.nnz
    assert np.all(minutes <= 12)


def test_same_place_pairs_are_zero_minutes(net, demo):
    ids, xy = homes_xy(demo)
    minutes = net.matrix(xy[:5], xy[:5])
    np.testing.assert_array_equal(np.diag(minutes), np.zeros(5))


def test_network_info_equals_network_info_json(lc, demo, net):
    import json
    want = json.loads(lc("network-info", "--network", demo["network"], "--json").stdout)
    got = net.info()
    for timing in ("read_seconds", "build_seconds"):
        want.pop(timing)
        got.pop(timing)
    want["network"] = got["network"] = "demo"
    assert got == want
    assert net.work_crs == "EPSG:32650"


def test_mode_and_read_options(lc, tmp_path, demo, net):
    drive = lifecircle.Network(demo["network"], mode="drive", max_snap=200)
    assert drive.info()["mode"] == "drive"
    want = cli_matrix(lc, tmp_path, demo, "--mode", "drive", "--max-snap", "200")
    ids, xy = homes_xy(demo)
    got = drive.matrix(xy, demo["clinics"])
    assert as_pairs(got, ids, ["F1", "F2", "F3"]) == want
    walk = net.matrix(xy, demo["clinics"])
    both = np.isfinite(got) & np.isfinite(walk)
    assert both.sum() > 100 and np.median(got[both]) < np.median(walk[both])  # driving is faster
    with pytest.raises(TypeError):
        lifecircle.Network(demo["network"], no_such_option=1)
