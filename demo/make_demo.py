#!/usr/bin/env python3
"""Writes the built-in demo district (synthetic, deterministic): a 2 km x 2 km street grid
split by a river with a single bridge, a few footpaths and steps, a one-way street, and
facilities tagged as in OpenStreetMap. Run: python3 demo/make_demo.py (rewrites demo/*)."""
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
LON0, LAT0 = 116.300, 39.980          # a Haidian-like location, so Chinese names read naturally
M_PER_DEG_LAT = 111_320.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(LAT0))
N = 21                                 # 21 x 21 junctions, 100 m apart
STEP = 100.0
RIVER_ROW = 10                         # the river runs between rows 10 and 11
BRIDGE_COL = 4                         # the only crossing


def lonlat(x, y):
    return LON0 + x / M_PER_DEG_LON, LAT0 + y / M_PER_DEG_LAT


nodes = {}          # id -> (lon, lat, tags)
ways = []           # (id, [node ids], tags)
next_node = [1]


def node(x, y, tags=None):
    nid = next_node[0]
    next_node[0] += 1
    lon, lat = lonlat(x, y)
    nodes[nid] = (lon, lat, tags or {})
    return nid


grid = [[node(c * STEP, r * STEP) for c in range(N)] for r in range(N)]
street_names = ["学院路", "成府路", "中关村大街", "知春路", "北四环西路"]
wid = [1000]


def way(ids, tags):
    wid[0] += 1
    ways.append((wid[0], ids, tags))


for r in range(N):
    if r % 5 == 0:
        tags = {"highway": "secondary", "name": street_names[r // 5], "maxspeed": "50"}
    else:
        tags = {"highway": "residential", "name": f"示范{r}巷"}
    if r == 13:
        tags["oneway"] = "yes"          # a one-way street for drive
    way([grid[r][c] for c in range(N)], tags)
for c in range(N):
    tags = {"highway": "tertiary" if c % 5 == 0 else "residential", "name": f"{c}号街"}
    south = [grid[r][c] for r in range(0, RIVER_ROW + 1)]
    north = [grid[r][c] for r in range(RIVER_ROW + 1, N)]
    if c == BRIDGE_COL:
        way(south[-1:] + north[:1], {"highway": "tertiary", "bridge": "yes", "name": "清河桥"})
    way(south, tags)
    way(north, tags)

# A winding footpath with shape points that are not junctions, and a flight of steps.
fp = [grid[2][2]]
for k in range(1, 8):
    fp.append(node(2 * STEP + k * 12.5 * 8 / 8 * 1.0 + 25 * math.sin(k), 2 * STEP + k * 12.5))
fp.append(grid[3][3])
way(fp, {"highway": "footway"})
way([grid[6][6], grid[7][7]], {"highway": "steps"})
way([grid[16][16], grid[17][17]], {"highway": "path", "access": "private"})
way([grid[0][0], grid[0][1]], {"highway": "motorway"})

# Facilities as OSM objects.
facilities = [
    ("clinic", 3.3, 3.5, {"amenity": "clinic", "name": "清华园社区卫生服务中心", "healthcare": "clinic"}),
    ("clinic", 15.2, 4.6, {"amenity": "clinic", "name": "东升社区卫生服务站", "healthcare": "clinic"}),
    ("clinic", 7.6, 15.4, {"amenity": "doctors", "name": "河北诊所", "healthcare": "doctor"}),
    ("kindergarten", 5.5, 6.5, {"amenity": "kindergarten", "name": "阳光幼儿园", "capacity": "180"}),
    ("kindergarten", 12.5, 17.5, {"amenity": "kindergarten", "name": "河畔幼儿园", "capacity": "120"}),
    ("meal-point", 9.5, 2.5, {"amenity": "social_facility", "social_facility": "food_bank",
                              "social_facility:for": "senior", "name": "学院路老年助餐点"}),
]
fac_features = []
for i, (kind, cx, cy, tags) in enumerate(facilities):
    node(cx * STEP, cy * STEP, tags)
    lon, lat = lonlat(cx * STEP, cy * STEP)
    fac_features.append({"type": "Feature", "properties": {
        "id": f"F{i + 1}", "name": tags["name"], "type": kind, "capacity": int(tags.get("capacity", "0")) or None},
        "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}})
# A hospital campus as a closed way.
hx, hy = 16 * STEP + 20, 14 * STEP + 20
ring = [node(hx, hy), node(hx + 60, hy), node(hx + 60, hy + 60), node(hx, hy + 60)]
way(ring + ring[:1], {"amenity": "hospital", "name": "海淀示范医院", "building": "hospital", "beds": "300"})

with open(os.path.join(HERE, "demo_district.osm"), "w", encoding="utf-8") as f:
    f.write("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"lifecircle demo\">\n")
    for nid, (lon, lat, tags) in sorted(nodes.items()):
        if tags:
            f.write(f'  <node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">\n')
            for k, v in tags.items():
                f.write(f'    <tag k="{k}" v="{v}"/>\n')
            f.write("  </node>\n")
        else:
            f.write(f'  <node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>\n')
    for w, ids, tags in ways:
        f.write(f'  <way id="{w}" version="1">\n')
        for i in ids:
            f.write(f'    <nd ref="{i}"/>\n')
        for k, v in tags.items():
            f.write(f'    <tag k="{k}" v="{v}"/>\n')
        f.write("  </way>\n")
    f.write("</osm>\n")

with open(os.path.join(HERE, "clinics.geojson"), "w", encoding="utf-8") as f:
    json.dump({"type": "FeatureCollection", "features": [x for x in fac_features if x["properties"]["type"] == "clinic"]},
              f, ensure_ascii=False, indent=1)

rng = random.Random(15)
with open(os.path.join(HERE, "homes.csv"), "w", encoding="utf-8") as f:
    f.write("id,lon,lat,population,age_group\n")
    for i in range(300):
        x, y = rng.uniform(0, (N - 1) * STEP), rng.uniform(0, (N - 1) * STEP)
        lon, lat = lonlat(x, y)
        f.write(f"H{i + 1},{lon:.7f},{lat:.7f},{rng.randint(5, 60)},{rng.choice(['children', 'elderly', 'all'])}\n")
