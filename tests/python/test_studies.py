"""Service areas, suggestions and plans from Python against the command line's outputs."""

import json

import numpy as np
import pytest

import lifecircle

SCENARIO = """title = "Clinics of the demo district"
[network]
file = "{network}"
[demand]
file = "{homes}"
weight_fields = ["population"]
[[services]]
id = "clinics"
title = "10-minute clinics"
facilities = "{clinics}"
minutes = 10
demand_group = "population"
"""


def test_isochrones_equal_the_command_line(lc, tmp_path, net, demo):
    import geopandas as gpd
    lc("isochrones", "--network", demo["network"], "--facilities", demo["clinics"], "--minutes", "5,10",
       "--out", tmp_path / "areas.gpkg", "-q")
    want = gpd.read_file(tmp_path / "areas.gpkg")
    got = net.isochrones(str(demo["clinics"]), minutes=[5, 10])
    assert got.crs == "EPSG:32650" and len(got) == len(want) == 6
    for column in ("facility_id", "minutes", "mode"):
        assert list(got[column]) == list(want[column])
    np.testing.assert_allclose(got["area_km2"], want["area_km2"])
    # The geometry the file holds, within the GeoPackage's precision.
    assert got.geometry.symmetric_difference(want.to_crs(got.crs).geometry).area.max() < 0.01  # m²
    areas, roads = net.isochrones(gpd.read_file(demo["clinics"]), minutes=10, method="network", lines=True)
    assert len(areas) == 3 and len(roads) > 0 and set(roads["facility_id"]) == {"F1", "F2", "F3"}


def test_suggest_equals_the_command_line(lc, tmp_path, demo, homes_gdf):
    lc("suggest", "--network", demo["network"], "--facilities", demo["clinics"], "--demand", demo["homes"],
       "--weight-field", "population", "--candidates", "auto", "--objective", "max-coverage", "--count", "2",
       "--minutes", "10", "--out", tmp_path / "sites.gpkg", "--summary", tmp_path / "suggest.json", "-q")
    want = json.loads((tmp_path / "suggest.json").read_text(encoding="utf-8"))
    got = lifecircle.suggest(demo["network"], homes_gdf, str(demo["clinics"]), count=2, weights="population",
                             minutes=10)
    assert isinstance(got, dict)
    for key in ("objective", "selected", "objective_value", "bound", "coverage_before", "coverage_after", "counts"):
        assert got[key] == want[key], key
    assert len(got.sites) == 2 and list(got.sites["candidate_id"]) == want["selected"]


def test_plan_equals_the_command_line(lc, tmp_path, demo):
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(SCENARIO.format(**{k: str(v) for k, v in demo.items()}), encoding="utf-8")
    lc("plan", scenario, "--out", tmp_path / "cli", "-q")
    want = json.loads((tmp_path / "cli" / "summary.json").read_text(encoding="utf-8"))
    got = lifecircle.plan(scenario, out=tmp_path / "py")
    assert got == want
    assert json.loads((tmp_path / "py" / "summary.json").read_text(encoding="utf-8")) == want
    assert (tmp_path / "py" / "lifecircle.qgs").is_file() and (tmp_path / "py" / "report.html").is_file()
    assert lifecircle.plan(scenario) == want  # without out: only the summary
    with pytest.raises(lifecircle.InputError) as e:
        lifecircle.plan(tmp_path / "missing.toml")
    assert "missing.toml" in str(e.value)


def test_plan_cancelled_writes_nothing(tmp_path, demo):
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(SCENARIO.format(**{k: str(v) for k, v in demo.items()}), encoding="utf-8")
    with pytest.raises(lifecircle.Cancelled):
        lifecircle.plan(scenario, out=tmp_path / "out", progress=lambda *a: False)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
