"""Bad inputs raise lifecircle's exceptions with the command line's messages: the file, layer and
feature, what is wrong and what to do."""

import numpy as np
import pytest

import lifecircle
from lifecircle import InputError, OutputError, UsageError


def cli_error(lc, *args):
    """The command line's one error line, without its "lifecircle: error: " prefix."""
    done = lc(*args, check=False)
    assert done.returncode in (2, 3, 4), done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("lifecircle: error: ")]
    assert len(lines) == 1, done.stderr
    return lines[0][len("lifecircle: error: "):]


def test_exception_classes():
    assert issubclass(InputError, ValueError) and issubclass(UsageError, ValueError)
    assert issubclass(OutputError, OSError) and issubclass(lifecircle.Cancelled, lifecircle.Error)
    for cls in (InputError, UsageError, OutputError, lifecircle.Cancelled):
        assert issubclass(cls, lifecircle.Error)


def test_missing_files_name_the_file(tmp_path, demo, net):
    with pytest.raises(InputError) as e:
        lifecircle.Network(tmp_path / "nowhere.osm.pbf")
    assert e.value.file.endswith("nowhere.osm.pbf") and "no such file" in e.value.problem
    with pytest.raises(InputError) as e:
        net.matrix(tmp_path / "homes.csv", demo["clinics"])
    assert e.value.file == str(tmp_path / "homes.csv")
    assert e.value.problem.startswith("the file does not exist: check the path")


def test_a_missing_weight_field_says_what_the_command_line_says(lc, demo, net, tmp_path):
    want = cli_error(lc, "coverage", "--network", demo["network"], "--facilities", demo["clinics"], "--demand",
                     demo["homes"], "--weight-field", "pop_total", "--out", tmp_path / "c.gpkg")
    with pytest.raises(InputError) as e:
        net.coverage(str(demo["clinics"]), str(demo["homes"]), weights="pop_total")
    assert str(e.value) == want
    assert "there is no weight field 'pop_total'; the layer has the fields id, population, age_group" in want
    assert e.value.file == str(demo["homes"]) and e.value.layer == "homes"
    assert not (tmp_path / "c.gpkg").exists()


def test_a_bad_capacity_names_the_feature(lc, demo, net, tmp_path):
    # The demo clinics' capacity is null: the command line and Python refuse it alike.
    want = cli_error(lc, "coverage", "--network", demo["network"], "--facilities", demo["clinics"], "--demand",
                     demo["homes"], "--capacity-field", "capacity", "--out", tmp_path / "c.gpkg")
    with pytest.raises(InputError) as e:
        net.coverage(str(demo["clinics"]), str(demo["homes"]), capacity="capacity")
    assert str(e.value) == want
    assert e.value.feature == "F1" and "give every facility its capacity" in e.value.problem


def test_in_memory_inputs_are_named_in_messages(net, demo):
    projected = np.array([[440000.0, 4427000.0], [441000.0, 4427500.0]])
    with pytest.raises(InputError) as e:
        net.matrix(projected, demo["clinics"])
    assert e.value.file == "origins (array)" and e.value.feature == "0"
    assert "are these projected coordinates? give the input CRS" in e.value.problem
    # With the CRS given they are fine.
    assert net.matrix(projected, demo["clinics"], origins_crs="EPSG:32650").shape == (2, 3)
    with pytest.raises(InputError) as e:
        net.matrix(np.array([[116.30, np.nan]]), demo["clinics"])
    assert "no coordinates" in str(e.value)
    with pytest.raises(UsageError) as e:
        net.matrix(np.zeros((3, 3)), demo["clinics"])
    assert "shape (n, 2)" in str(e.value)


def test_geodataframe_problems_name_the_row(net, demo, homes_gdf):
    import geopandas as gpd
    clinics = gpd.read_file(demo["clinics"])
    clinics.loc[1, "id"] = "F1"
    with pytest.raises(InputError) as e:
        net.matrix(homes_gdf, clinics)
    assert e.value.file == "targets (GeoDataFrame)"
    assert "the id 'F1' is used twice" in str(e.value)
    lines = gpd.GeoDataFrame(geometry=gpd.GeoSeries.from_wkt(["LINESTRING (116.30 39.98, 116.31 39.98)"]),
                             crs="EPSG:4326")
    with pytest.raises(InputError) as e:
        net.matrix(lines, clinics.drop(index=1))
    assert "a facility or demand layer must hold points or polygons" in str(e.value)


def test_bad_numbers_and_choices_are_usage_errors(net, demo):
    with pytest.raises(UsageError) as e:
        net.matrix(demo["homes"], demo["clinics"], max_minutes=-5)
    assert str(e.value).startswith("max_minutes must be")
    with pytest.raises(UsageError, match="walk_speed_kmh must be"):
        lifecircle.Network(demo["network"], walk_speed_kmh=0)
    with pytest.raises(UsageError, match="mode must be walk, bike or drive, not 'boat'"):
        lifecircle.Network(demo["network"], mode="boat")
    with pytest.raises(UsageError, match="method must be raster, network or hull"):
        net.isochrones(demo["clinics"], method="voronoi")
    with pytest.raises(UsageError, match="access"):
        net.coverage(demo["clinics"], demo["homes"], access="gravity")
    with pytest.raises(UsageError, match="count"):
        net.suggest(demo["homes"], objective="max-coverage")


def test_outputs_are_checked_before_the_study(net, demo, tmp_path):
    with pytest.raises(UsageError) as e:
        net.matrix(demo["homes"], demo["clinics"], out=demo["homes"])
    assert "homes.csv" in str(e.value)
    with pytest.raises(OutputError) as e:
        net.matrix(demo["homes"], demo["clinics"], out=tmp_path / "missing" / "od.csv")
    assert isinstance(e.value, OSError) and "missing" in str(e.value)
    with pytest.raises(UsageError, match=r"\.txt"):
        net.matrix(demo["homes"], demo["clinics"], out=tmp_path / "od.txt")
