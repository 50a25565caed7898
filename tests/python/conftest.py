"""Fixtures of the Python module's tests: the command line to compare with, the demo district,
and data made from it. Run through CTest (python_module), which sets PYTHONPATH to the built
package, LIFECIRCLE to the binary and LIFECIRCLE_SOURCE_DIR to the source tree."""

import json
import os
import subprocess
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("LIFECIRCLE_SOURCE_DIR", Path(__file__).resolve().parents[2]))
DEMO = SOURCE / "demo"
SHARED = SOURCE.parent / "shared" / "data"


@pytest.fixture(scope="session")
def lc():
    """Runs the lifecircle binary: lc(args...) -> CompletedProcess (checked unless check=False)."""
    binary = os.environ.get("LIFECIRCLE", str(SOURCE / "build" / "lifecircle"))
    if not Path(binary).is_file():
        pytest.fail(f"no lifecircle binary at {binary} (set LIFECIRCLE)")

    def run(*args, check=True):
        done = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(f"lifecircle {' '.join(map(str, args))} exit {done.returncode}:\n{done.stderr}")
        return done

    return run


@pytest.fixture(scope="session")
def demo():
    return {"network": DEMO / "demo_district.osm", "clinics": DEMO / "clinics.geojson", "homes": DEMO / "homes.csv"}


@pytest.fixture(scope="session")
def net(demo):
    import lifecircle
    return lifecircle.Network(demo["network"])


@pytest.fixture(scope="session")
def districts(tmp_path_factory, demo):
    """Two districts over the demo homes (as tests/cli/test_cli.sh draws them), Chinese names."""
    import csv
    rows = list(csv.DictReader(open(demo["homes"], encoding="utf-8")))
    lons = sorted(float(r["lon"]) for r in rows)
    lats = sorted(float(r["lat"]) for r in rows)
    mid = (lons[len(lons) // 2] + lons[len(lons) // 2 + 1]) / 2  # between two homes, on none

    def rect(x0, x1):
        return [[[x0, lats[0] - 0.01], [x1, lats[0] - 0.01], [x1, lats[-1] + 0.01], [x0, lats[-1] + 0.01],
                 [x0, lats[0] - 0.01]]]

    features = [{"type": "Feature", "properties": {"name": "西区"},
                 "geometry": {"type": "Polygon", "coordinates": rect(lons[0] - 0.01, mid)}},
                {"type": "Feature", "properties": {"name": "东区"},
                 "geometry": {"type": "Polygon", "coordinates": rect(mid, lons[-1] + 0.01)}}]
    path = tmp_path_factory.mktemp("districts") / "districts.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def clinics_with_seats(tmp_path_factory, demo):
    """The demo clinics with capacities (the demo file has none), as GeoJSON for the command line."""
    data = json.loads(Path(demo["clinics"]).read_text(encoding="utf-8"))
    for feature, seats in zip(data["features"], (1500, 2500, 1200)):
        feature["properties"]["capacity"] = seats
    path = tmp_path_factory.mktemp("seats") / "clinics_seats.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def homes_gdf(demo):
    """The demo homes as a GeoDataFrame of points in WGS 84 (no lon/lat columns left)."""
    import geopandas as gpd
    import pandas as pd
    homes = pd.read_csv(demo["homes"])
    return gpd.GeoDataFrame(homes.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(homes.lon, homes.lat),
                            crs="EPSG:4326")


@pytest.fixture(scope="session")
def porto():
    path = SHARED / "osm" / "porto_2020.osm.pbf"
    if not path.is_file():
        pytest.skip(f"{path} is absent (the shared data folder, see ../shared/data/README.md)")
    return path
