"""Network.coverage from GeoDataFrames and arrays against `lifecircle coverage` on the same data
as files: the same summary (every figure), the same per-resident columns, the same layers."""

import json

import numpy as np
import pytest

import lifecircle


def without_paths(summary):
    """The summary without what names the inputs (files here, in-memory tables there)."""
    out = json.loads(json.dumps(summary))
    for key in ("network", "facilities", "demand", "districts"):
        out["parameters"].pop(key, None)
    return out


@pytest.fixture(scope="module")
def cli_coverage(lc, tmp_path_factory, demo, districts):
    folder = tmp_path_factory.mktemp("cli_coverage")
    lc("coverage", "--network", demo["network"], "--facilities", demo["clinics"], "--demand", demo["homes"],
       "--weight-field", "population", "--minutes", "10", "--districts", districts,
       "--out", folder / "coverage.gpkg", "--gaps", folder / "coverage.gpkg", "--hex-m", "150",
       "--summary", folder / "summary.json", "-q")
    return folder


def test_coverage_of_geodataframes_equals_the_command_line(cli_coverage, net, demo, districts, homes_gdf):
    import geopandas as gpd
    clinics = gpd.read_file(demo["clinics"])
    result = net.coverage(clinics, homes_gdf, weights="population", minutes=10,
                          districts=gpd.read_file(districts), hex_m=150)
    want = json.loads((cli_coverage / "summary.json").read_text(encoding="utf-8"))
    assert without_paths(result.summary) == without_paths(want)
    assert result.groups == want["groups"] and result.districts == want["districts"]
    assert result.group == "population"
    assert 0.3 < result.groups["population"]["coverage_share"] < 0.7  # some covered, some not

    layer = gpd.read_file(cli_coverage / "coverage.gpkg", layer="demand")
    assert list(layer["id"]) == list(homes_gdf["id"])
    cli_minutes = layer["minutes_to_nearest"].to_numpy(dtype=float)
    np.testing.assert_allclose(result.minutes, cli_minutes, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(result.covered, layer["covered"].to_numpy() == 1)
    np.testing.assert_array_equal(result.nearest, layer["nearest_facility_id"].to_numpy())
    assert result.covered.sum() == (result.minutes <= 10).sum()
    assert result.served is None and result.access is None

    frame = result.to_geodataframe()
    assert frame.crs == "EPSG:32650" and len(frame) == 300
    np.testing.assert_allclose(frame.to_crs(4326).geometry.x, layer.geometry.x, atol=1e-7)
    gaps = result.layer("gaps")
    cli_gaps = gpd.read_file(cli_coverage / "coverage.gpkg", layer="gaps")
    assert len(gaps) == len(cli_gaps) > 0
    np.testing.assert_allclose(gaps["uncovered_population"], cli_gaps["uncovered_population"])
    dist = result.layer("districts")
    assert list(dist["district"]) == list(gpd.read_file(cli_coverage / "coverage.gpkg", layer="districts")["district"])


def test_coverage_writes_the_command_lines_files(cli_coverage, net, demo, districts, tmp_path):
    import sqlite3
    out = tmp_path / "coverage.gpkg"
    net.coverage(str(demo["clinics"]), str(demo["homes"]), weights=["population"], minutes=10, districts=districts,
                 out=out, gaps=out, hex_m=150, summary=tmp_path / "summary.json")
    want = json.loads((cli_coverage / "summary.json").read_text(encoding="utf-8"))
    got = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert got == want  # the same files as inputs: even the paths agree

    def tables(path):
        db = sqlite3.connect(path)
        names = [r[0] for r in db.execute("select table_name from gpkg_contents order by table_name")]
        rows = {n: db.execute(f'select * from "{n}"').fetchall() for n in names}
        styles = dict(db.execute("select f_table_name, styleQML from layer_styles"))
        return names, rows, styles

    assert tables(out) == tables(cli_coverage / "coverage.gpkg")


def test_capacities_as_arrays_equal_the_command_line(lc, tmp_path, net, demo, clinics_with_seats, homes_gdf):
    import geopandas as gpd
    lc("coverage", "--network", demo["network"], "--facilities", clinics_with_seats, "--demand", demo["homes"],
       "--weight-field", "population", "--minutes", "15", "--capacity-field", "capacity", "--access", "bfca",
       "--out", tmp_path / "seats.gpkg", "--summary", tmp_path / "seats.json", "-q")
    want = json.loads((tmp_path / "seats.json").read_text(encoding="utf-8"))
    clinics = gpd.read_file(demo["clinics"]).drop(columns=["capacity"])
    homes = homes_gdf[["id", "geometry"]]
    result = net.coverage(clinics, homes, weights={"population": homes_gdf["population"].to_numpy()}, minutes=15,
                          capacity=np.array([1500, 2500, 1200]), access="bfca")
    assert without_paths(result.summary) == without_paths(want)
    layer = gpd.read_file(tmp_path / "seats.gpkg", layer="demand")
    np.testing.assert_allclose(result.served, layer["served_weight"])
    np.testing.assert_allclose(result.access, layer["access_bfca"])
    assert 0 < result.served.sum() < homes_gdf["population"].sum()
    seats = result.layer("facilities")
    assert list(seats["capacity"]) == [1500, 2500, 1200]
    np.testing.assert_allclose(seats["assigned_weight"].sum(), result.served.sum())


def test_arrays_and_point_views(net, demo, homes_gdf):
    xy = np.column_stack([homes_gdf.geometry.x, homes_gdf.geometry.y])
    pop = homes_gdf["population"].to_numpy()
    clinics = np.array([[116.3038687, 39.9831441], [116.3178192, 39.9841322]])
    result = net.coverage(clinics, xy, weights=pop, minutes=10)
    assert list(result.groups) == ["weight"]
    points = result.points
    assert points["seconds"].base is not None  # a view of the result's own buffer, not a copy
    assert not points["seconds"].flags.writeable
    np.testing.assert_array_equal(points["feature"], np.arange(300))
    np.testing.assert_allclose(points["weights"]["weight"], pop)
    np.testing.assert_allclose(points["seconds"] / 60, result.minutes)
    assert set(result.nearest) <= {"0", "1"}  # ids of an array: its row numbers
    # A standard from the catalogue: its minutes and metres apply.
    std = net.coverage(demo["clinics"], demo["homes"], weights="population", standard="community-health-centre")
    params = std.summary["parameters"]
    assert params["standard"].startswith("community-health-centre") and params["max_meters"] == 1000.0
