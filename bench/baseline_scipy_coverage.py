#!/usr/bin/python3
"""Python baseline for coverage and E2SFCA: scipy.sparse.csgraph.dijkstra and NumPy.

Usage:
  /usr/bin/python3 bench/baseline_scipy_coverage.py DIR MINUTES [--chunk C] [--variants]

DIR holds nodes.csv (node,x,y), arcs.csv (tail,head,seconds) as written by
bench_common.hpp's export_graph(), and
  coverage_demand.csv      id,x,y,weight     residents, work CRS metres
  coverage_facilities.csv  id,x,y,capacity   facilities, work CRS metres
Residents travel to the facilities (lifecircle's default --direction to-facility), so
the searches run from the facilities over the reversed graph.

Timed parts (one JSON line on stdout; seconds):
  build_s      arcs -> csr_matrix (parallel arcs keep the minimum), and its transpose
  snap_s       largest connected component, cKDTree over its nodes, nearest node of every
               demand point and facility
  nearest_s    dijkstra(indices=facility_nodes, min_only=True, limit=T): one multi-source
               search; demand minutes and the weighted covered share
  e2sfca_dijkstra_s  dijkstra(indices=C facilities, limit=T) per call, C = --chunk
  e2sfca_table_s     each call's rows gathered at the demand nodes into a sparse
               facility x demand table of Luo & Qi zone weights (1, 0.68, 0.22 within
               T/3, 2T/3, T)
  e2sfca_ratio_s     R_j = S_j / sum_i P_i W_ij, A_i = sum_j R_j W_ij (sparse products)
  total_s      build + snap + nearest + e2sfca (dijkstra + table + ratio)
Not timed: reading the CSV files (load_s is printed for information). Nothing is
written: the C++ side writes a GeoPackage and a summary, Python writes no files.

--variants also times weaker forms beside the strongest one: one dijkstra call per
facility for the E2SFCA table (variant_chunk1_s), and the nearest facility taken from
the E2SFCA table instead of a min_only search (variant_table_covered_share, must equal
covered_share). And a check of the snapping difference: the covered share when the
straight walks from each point to its nearest node count at --access-kmh, as lifecircle
counts its access walks (variant_access_covered_share, variant_access_s).

Diagnostics go to stderr; stdout carries only the JSON line. Exit status 2 on a
missing/malformed input.
"""

import argparse
import json
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from baseline_common import fail, load_columns, load_nodes_and_arcs, note, snap_to_largest_component
from baseline_scipy_matrix import build_csgraph, explicit_zeros_are_edges, ZERO_EPS

# Luo & Qi (2009), Enhanced two-step floating catchment area: three travel-time zones with
# Gaussian-derived weights.
ZONE_WEIGHTS = (1.0, 0.68, 0.22)


def zone_weights(d, limit):
    """Luo & Qi weight of each time d <= limit (d > limit must not be passed)."""
    return np.where(d <= limit / 3.0, ZONE_WEIGHTS[0],
                    np.where(d <= 2.0 * limit / 3.0, ZONE_WEIGHTS[1], ZONE_WEIGHTS[2]))


def e2sfca_table(gt, fac_nodes, dem_nodes, limit, chunk, want_nearest=False):
    """Sparse facility x demand table of zone weights from bounded dijkstra calls of
    `chunk` facilities each. Returns (table, dijkstra seconds, table seconds, and with
    want_nearest the least time per demand point over the table, else None)."""
    nf, nd, n = len(fac_nodes), len(dem_nodes), gt.shape[0]
    rows, cols, vals = [], [], []
    nearest = np.full(n, np.inf)
    dij_s = table_s = 0.0
    for start in range(0, nf, chunk):
        idx = fac_nodes[start:start + chunk]
        t0 = time.perf_counter()
        d = dijkstra(gt, directed=True, indices=idx, limit=limit)
        t1 = time.perf_counter()
        # The reached nodes of each row (a sequential pass; cheaper than gathering the
        # columns of the demand nodes), as a sparse facility x node block.
        r, c = np.nonzero(d <= limit)
        dv = d[r, c]
        if want_nearest:
            np.minimum.at(nearest, c, dv)
        rows.append(r + start)
        cols.append(c)
        vals.append(zone_weights(dv, limit))
        del d
        t2 = time.perf_counter()
        dij_s += t1 - t0
        table_s += t2 - t1
    t0 = time.perf_counter()
    w_nodes = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                            shape=(nf, n))
    # Node x demand point incidence: facility x node weights times it give facility x point.
    at_node = sp.csr_matrix((np.ones(nd), (dem_nodes, np.arange(nd))), shape=(n, nd))
    table = (w_nodes @ at_node).tocsr()
    table_s += time.perf_counter() - t0
    return table, dij_s, table_s, nearest[dem_nodes] if want_nearest else None


def share_with_access(gt, fac_nodes, fac_gap, dem_nodes, dem_gap, pop, limit, speed):
    """Covered share when the straight walks point -> nearest node (facility and resident)
    count at `speed` m/s, as lifecircle counts its access walks: one search from a virtual
    source joined to each facility node by its walk (the least one per node)."""
    n = gt.shape[0]
    start = np.full(n, np.inf)
    np.minimum.at(start, fac_nodes, fac_gap / speed)
    heads = np.flatnonzero(np.isfinite(start))
    src = sp.csr_matrix((start[heads], (np.zeros(len(heads), dtype=np.int64), heads)),
                        shape=(1, n + 1))
    ext = sp.vstack([sp.hstack([gt, sp.csr_matrix((n, 1))]), src]).tocsr()
    dist = dijkstra(ext, directed=True, indices=n, limit=limit)
    total = dist[dem_nodes] + dem_gap / speed
    return float(pop[total <= limit].sum() / pop.sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("minutes", type=float, help="the standard: minutes to the nearest facility")
    ap.add_argument("--chunk", type=int, default=20, metavar="C",
                    help="facilities per dijkstra call for the E2SFCA table (default 20)")
    ap.add_argument("--access-kmh", type=float, default=4.0,
                    help="--variants: walking speed of the straight walk to the nearest node "
                         "(default 4, lifecircle's)")
    ap.add_argument("--variants", action="store_true",
                    help="also time weaker variants (one dijkstra call per facility)")
    a = ap.parse_args()
    if not (a.minutes > 0 and np.isfinite(a.minutes)):
        fail("MINUTES must be a finite number > 0")
    if not a.access_kmh > 0:
        fail("--access-kmh must be > 0")
    if a.chunk < 1:
        fail("--chunk must be >= 1")
    limit = a.minutes * 60.0

    t0 = time.perf_counter()
    node_ids, nx, ny, tail, head, secs = load_nodes_and_arcs(a.dir, ("node", "x", "y"))
    n = len(node_ids)
    xy = np.empty((n, 2))
    xy[node_ids, 0], xy[node_ids, 1] = nx, ny
    _, dx, dy, pop = load_columns(a.dir, "coverage_demand.csv", ["id", "x", "y", "weight"],
                                  [np.float64] * 4)
    _, fx, fy, cap = load_columns(a.dir, "coverage_facilities.csv", ["id", "x", "y", "capacity"],
                                  [np.float64] * 4)
    if len(dx) == 0 or len(fx) == 0:
        fail("coverage_demand.csv and coverage_facilities.csv need at least one row each")
    if pop.min() < 0 or cap.min() < 0:
        fail("weights and capacities must be >= 0")
    load_s = time.perf_counter() - t0
    zero_eps = 0.0 if explicit_zeros_are_edges() else ZERO_EPS
    note("loaded %d nodes, %d arcs, %d demand points, %d facilities in %.1fs (not timed)"
         % (n, len(tail), len(dx), len(fx), load_s))

    # Graph: residents travel to the facility, so search from it over reversed arcs.
    t0 = time.perf_counter()
    g = build_csgraph(n, tail, head, secs, zero_eps)
    gt = g.transpose().tocsr()
    build_s = time.perf_counter() - t0

    # Snapping: nearest node of the largest (weakly) connected component, the usual
    # OSMnx-style preparation (ox.nearest_nodes on the largest component).
    t0 = time.perf_counter()
    (dem_nodes, dem_gap), (fac_nodes, fac_gap) = snap_to_largest_component(g, xy, (dx, dy), (fx, fy))
    snap_s = time.perf_counter() - t0

    # (a) Nearest facility: one multi-source search with min_only.
    t0 = time.perf_counter()
    dist = dijkstra(gt, directed=True, indices=np.unique(fac_nodes), limit=limit, min_only=True)
    minutes = dist[dem_nodes] / 60.0
    covered = dist[dem_nodes] <= limit
    share = float(pop[covered].sum() / pop.sum())
    nearest_s = time.perf_counter() - t0

    # (b) E2SFCA from a facility x demand table of bounded searches.
    table, e_dij_s, e_table_s, _ = e2sfca_table(gt, fac_nodes, dem_nodes, limit, a.chunk)
    t0 = time.perf_counter()
    demand_in_reach = table @ pop  # sum_i P_i W_ij per facility
    ratio = np.divide(cap, demand_in_reach, out=np.zeros(len(cap)), where=demand_in_reach > 0)
    access = table.T @ ratio  # A_i
    e_ratio_s = time.perf_counter() - t0

    total_s = build_s + snap_s + nearest_s + e_dij_s + e_table_s + e_ratio_s
    reached = np.isfinite(minutes)
    out = {
        "build_s": build_s, "snap_s": snap_s, "nearest_s": nearest_s,
        "e2sfca_dijkstra_s": e_dij_s, "e2sfca_table_s": e_table_s, "e2sfca_ratio_s": e_ratio_s,
        "total_s": total_s, "total_without_snap_s": total_s - snap_s, "load_s": load_s,
        "chunk": a.chunk, "covered_share": share,
        "mean_minutes": float(np.average(minutes[reached], weights=pop[reached]))
        if reached.any() else None,
        "table_pairs": int(table.nnz),
        "access_weighted_mean": float(np.average(access, weights=pop)) if pop.sum() > 0 else None,
        "access_zero_share": float(pop[access == 0].sum() / pop.sum()),
        "facilities_with_demand": int(np.count_nonzero(demand_in_reach > 0)),
    }
    if a.variants:
        _, dij1, tab1, nearest_tab = e2sfca_table(gt, fac_nodes, dem_nodes, limit, 1, True)
        out["variant_chunk1_s"] = dij1 + tab1 + e_ratio_s
        share_tab = float(pop[nearest_tab <= limit].sum() / pop.sum())
        if abs(share_tab - share) > 1e-12:
            note("warning: covered share from the table %.6f differs from min_only %.6f"
                 % (share_tab, share))
        out["variant_table_covered_share"] = share_tab
        t0 = time.perf_counter()
        out["variant_access_covered_share"] = share_with_access(
            gt, fac_nodes, fac_gap, dem_nodes, dem_gap, pop, limit, a.access_kmh / 3.6)
        out["variant_access_s"] = time.perf_counter() - t0
    note("build %.2fs, snap %.2fs, nearest %.2fs, e2sfca %.2f+%.2f+%.2fs (chunk %d), total %.2fs; "
         "covered %.4f, %d table pairs"
         % (build_s, snap_s, nearest_s, e_dij_s, e_table_s, e_ratio_s, a.chunk, total_s, share,
            table.nnz))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
