#!/usr/bin/python3
"""Python baseline for facility isochrones: networkx ego_graph + shapely buffer.

Usage:
  /usr/bin/python3 bench/baseline_networkx_isochrones.py DIR BREAKS_MINUTES BUFFER_M SAMPLE
                   [--method ego|sssp] [--geometry mls|mls-directed|union-each]
                   [--resolution R]
  e.g. ... /tmp/benchdir 5,10,15 50 20

DIR holds nodes.csv (node,x,y), arcs.csv (tail,head,seconds) and facilities.csv
(id,node), as written by the C++ benchmarks.

Not timed: loading the CSVs and building the networkx DiGraph (edge attribute
'seconds', node attributes 'x','y'; parallel arcs keep the minimum).

Timed, for each of the first SAMPLE facilities (file order) -- the "common way",
as in the OSMnx isochrone example:
  --method ego (default): for each break, sub = nx.ego_graph(G, node,
      radius=break*60, distance='seconds'); the edges of sub (both end nodes within
      the break: the approach stops at nodes) become LineStrings between node
      coordinates, buffered by BUFFER_M.
  --method sssp: one nx.single_source_dijkstra_path_length(G, node,
      cutoff=max_break*60, weight='seconds'), then per break the edges whose two
      end nodes have time <= break; same geometry step (a cheaper variant).
Geometry step (--geometry):
  mls (default)   MultiLineString(lines).buffer(BUFFER_M, R), one line per street
                  (the two directions of a street give one line);
  mls-directed    the same with one line per directed arc (naive; GEOS is 2-4x slower
                  on the exactly coincident pairs);
  union-each      unary_union([line.buffer(BUFFER_M, R) for line in lines]), the
                  same geometric algorithm as lifecircle's maps/service_area.cpp.
R (--resolution) is segments per quarter circle, default 4 = lifecircle's
AreaOptions::quadrant_segments (shapely's own default would be 16).
A facility whose node has no edge within a break gets Point(node).buffer(BUFFER_M).

Python is too slow for all facilities, so only SAMPLE are timed and the time is
extrapolated linearly to all facilities in facilities.csv. Prints one JSON line:
  {"facilities_timed": S, "seconds": t, "seconds_per_facility": t/S,
   "extrapolated_seconds_for": N, "extrapolated_s": t/S*N, "polygons": P,
   "method": ..., "geometry": ..., "resolution": R, "note": ...}
polygons counts the non-empty isochrone geometries produced (S x number of breaks).
Diagnostics go to stderr. Exit status 2 on a missing/malformed input.
"""

import argparse
import gc
import json
import time

import networkx as nx
import numpy as np
from shapely.geometry import LineString, MultiLineString, Point
from shapely.ops import unary_union


from baseline_common import fail, load_columns, load_nodes_and_arcs, note  # noqa: E402


def load_graph(folder):
    node_ids, xs, ys, tail, head, secs = load_nodes_and_arcs(folder, ("node", "x", "y"))
    n = len(node_ids)
    narcs = len(tail)
    _, fac = load_columns(folder, "facilities.csv", ["id", "node"], [np.int64, np.int64])
    if len(fac) and (fac.min() < 0 or fac.max() >= n):
        fail("facilities.csv: node out of range 0..%d" % (n - 1))

    # Parallel arcs keep the minimum (a DiGraph would keep the last one added).
    if len(tail):
        key = tail * n + head
        order = np.argsort(key, kind="stable")
        key = key[order]
        start = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        secs = np.minimum.reduceat(secs[order], start)
        key = key[start]
        tail, head = key // n, key % n
    G = nx.DiGraph()
    G.add_nodes_from((i, {"x": x, "y": y})
                     for i, x, y in zip(node_ids.tolist(), xs.tolist(), ys.tolist()))
    G.add_weighted_edges_from(zip(tail.tolist(), head.tolist(), secs.tolist()), weight="seconds")
    return G, fac, narcs


def iso_geometry(G, node, edges, buffer_m, resolution, geometry):
    """The isochrone polygon of the given edges (pairs of node ids)."""
    nodes = G.nodes
    if geometry != "mls-directed":
        # One line per street: a DiGraph holds both directions of a walkable street, and
        # two exactly coincident segments make GEOS's buffer 2-4x slower for nothing.
        edges = {(u, v) if u <= v else (v, u) for u, v in edges}
    lines = [LineString([(nodes[u]["x"], nodes[u]["y"]), (nodes[v]["x"], nodes[v]["y"])])
             for u, v in edges if u != v]
    if not lines:
        return Point(nodes[node]["x"], nodes[node]["y"]).buffer(buffer_m, resolution)
    if geometry == "union-each":
        return unary_union([line.buffer(buffer_m, resolution) for line in lines])
    return MultiLineString(lines).buffer(buffer_m, resolution)


SEARCH_S = [0.0]  # time spent in the graph search (diagnostics on stderr)


def isochrones_ego(G, node, breaks_s, buffer_m, resolution, geometry):
    out = []
    for b in breaks_s:
        t0 = time.perf_counter()
        sub = nx.ego_graph(G, node, radius=b, distance="seconds")
        SEARCH_S[0] += time.perf_counter() - t0
        out.append(iso_geometry(G, node, sub.edges(), buffer_m, resolution, geometry))
    return out


def isochrones_sssp(G, node, breaks_s, buffer_m, resolution, geometry):
    t0 = time.perf_counter()
    dist = nx.single_source_dijkstra_path_length(G, node, cutoff=max(breaks_s), weight="seconds")
    SEARCH_S[0] += time.perf_counter() - t0
    out = []
    for b in breaks_s:
        inside = {v for v, d in dist.items() if d <= b}
        edges = [(u, v) for u in inside for v in G.successors(u) if v in inside]
        out.append(iso_geometry(G, node, edges, buffer_m, resolution, geometry))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("breaks", help="comma-separated break times in minutes, e.g. 5,10,15")
    ap.add_argument("buffer_m", type=float, help="buffer distance in metres")
    ap.add_argument("sample", type=int, help="time the first SAMPLE facilities")
    ap.add_argument("--method", choices=["ego", "sssp"], default="ego",
                    help="ego: nx.ego_graph per break (default, the common way); "
                         "sssp: one dijkstra with cutoff, filtered per break")
    ap.add_argument("--geometry", choices=["mls", "mls-directed", "union-each"], default="mls",
                    help="mls (default): MultiLineString(lines).buffer with one line per street; "
                         "mls-directed: one line per directed arc (both directions, 2-4x slower); "
                         "union-each: unary_union of each line's buffer (what lifecircle does)")
    ap.add_argument("--resolution", type=int, default=4,
                    help="buffer segments per quarter circle; default 4 = lifecircle's "
                         "AreaOptions::quadrant_segments (shapely's own default is 16)")
    a = ap.parse_args()
    try:
        breaks_min = [float(s) for s in a.breaks.split(",") if s.strip() != ""]
    except ValueError:
        fail("BREAKS_MINUTES must be comma-separated numbers, got %r" % a.breaks)
    if not breaks_min or any(not (b >= 0 and np.isfinite(b)) for b in breaks_min):
        fail("BREAKS_MINUTES must be non-empty and >= 0, got %r" % a.breaks)
    if not (a.buffer_m > 0 and np.isfinite(a.buffer_m)):
        fail("BUFFER_M must be > 0")
    if a.sample < 1:
        fail("SAMPLE must be >= 1")
    if a.resolution < 1:
        fail("--resolution must be >= 1")

    # Building ~10^6 networkx edge dicts is several times faster without the cyclic GC;
    # freezing afterwards keeps the (untimed) graph out of the timed part's GC passes.
    gc.disable()
    G, fac, narcs = load_graph(a.dir)
    gc.freeze()
    gc.enable()
    total = len(fac)
    if total == 0:
        fail("facilities.csv has no facilities")
    sample = min(a.sample, total)
    if sample < a.sample:
        note("only %d facilities, timing all of them" % total)
    breaks_s = [b * 60.0 for b in breaks_min]
    run = isochrones_ego if a.method == "ego" else isochrones_sssp
    note("graph: %d nodes, %d arcs (%d after dedupe); %d of %d facilities, breaks %s min, "
         "buffer %g m, method %s, geometry %s, resolution %d"
         % (G.number_of_nodes(), narcs, G.number_of_edges(), sample, total, a.breaks, a.buffer_m,
            a.method, a.geometry, a.resolution))

    polys = []
    t0 = time.perf_counter()
    for node in fac[:sample].tolist():
        polys.extend(run(G, node, breaks_s, a.buffer_m, a.resolution, a.geometry))
    t = time.perf_counter() - t0

    count = sum(1 for p in polys if not p.is_empty)
    note("%.3fs in total: %.3fs graph search, %.3fs edge selection + geometry; extrapolated to "
         "%d facilities: %.1fs" % (t, SEARCH_S[0], t - SEARCH_S[0], total, t / sample * total))
    per = t / sample
    print(json.dumps({
        "facilities_timed": sample,
        "seconds": t,
        "seconds_per_facility": per,
        "extrapolated_seconds_for": total,
        "extrapolated_s": per * total,
        "polygons": count,
        "method": a.method,
        "geometry": a.geometry,
        "resolution": a.resolution,
        "note": ("timed the first %d of %d facilities; extrapolated_s = seconds_per_facility * %d "
                 "(linear extrapolation, not measured)" % (sample, total, total)
                 if sample < total else "timed all %d facilities; no extrapolation" % total),
    }))


if __name__ == "__main__":
    main()
