#!/usr/bin/python3
"""Python baseline for maximal covering location (MCLP): scipy dijkstra, lazy greedy, swaps.

Usage:
  /usr/bin/python3 bench/baseline_scipy_mclp.py DIR MINUTES K [--chunk C] [--no-swap]
  /usr/bin/python3 bench/baseline_scipy_mclp.py --self-test

The way a Python planner picks K sites without a MIP solver. DIR holds nodes.csv
(node,x,y), arcs.csv (tail,head,seconds) as written by bench_common.hpp's export_graph(),
and (headers exactly as shown)
  suggest_demand.csv      id,x,y,weight   residents, work CRS metres
  suggest_candidates.csv  id,x,y          candidate sites, work CRS metres
A candidate covers a demand point when the network time from the point's nearest node to
the candidate's nearest node is <= MINUTES*60. Residents travel to the site (lifecircle's
default --direction to-facility), so the searches run from the candidates over the
reversed graph.

Timed parts (one JSON line on stdout; seconds):
  build_s    arcs -> csr_matrix (parallel arcs keep the minimum), and its transpose
  snap_s     largest connected component, cKDTree over its nodes, nearest node of every
             demand point and candidate
  table_s    dijkstra(indices=C candidates, limit=T) per call, C = --chunk; each call's
             reached nodes gathered into a sparse candidate x demand boolean CSR matrix
             (the coverage table); its pairs counted
  greedy_s   lazy greedy with a heap: gain of a candidate = weight of the still uncovered
             demand in its row (NumPy over the row's indices), K picks
  swap_s     best-improvement swap local search on cover counts, to the first local
             optimum (at most 50 swaps): with u0 = w*(count==0), u1 = w*(count==1),
             gain_f = A[f] @ u0, loss_s = A[s] @ u1, extra(f,s) = A[f] @ (u1 * A[s]),
             all pairs at once by sparse products; delta = gain_f - loss_s + extra(f,s)
  total_s    build + snap + table + greedy + swap
Not timed: reading the CSV files (load_s is printed for information). Nothing is written.

Also in the JSON: covered_weight, total_weight, covered_share, selected (candidate ids in
pick order; a swap puts the new site in the place of the one it replaces), pairs,
candidates, demand, K, swaps, greedy_covered_weight, table_dijkstra_s (part of table_s).

--no-swap skips the swap search (swap_s = 0, swaps = 0). --self-test builds a small grid
in a temporary folder, runs this script on it and checks the result against brute force.

Diagnostics go to stderr; stdout carries only the JSON line. Exit status 2 on a
missing/malformed input.
"""

import argparse
import csv
import heapq
import json
import os
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from baseline_common import fail, load_columns, load_nodes_and_arcs, note, snap_to_largest_component
from baseline_scipy_matrix import build_csgraph, explicit_zeros_are_edges, ZERO_EPS

MAX_SWAPS = 50
DEMAND_COLUMNS = ["id", "x", "y", "weight"]
CANDIDATE_COLUMNS = ["id", "x", "y"]


def check_header(folder, name, columns):
    """Fail unless DIR/name exists and its header is exactly `columns`."""
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        fail("missing file %s" % path)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            header = next(csv.reader(f), None)
    except (OSError, UnicodeDecodeError) as e:
        fail("cannot read %s: %s" % (path, e))
    header = [h.strip().lstrip("\ufeff") for h in header or []]
    if header != columns:
        fail("%s: header must be exactly %s (found %s)"
             % (path, ",".join(columns), ",".join(header) if header else "nothing"))
    return path


def load_ids(path):
    """The first column of a CSV file with header, as strings (candidate ids such as c17)."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = csv.reader(f)
            next(rows, None)
            return [r[0].strip() for r in rows if r]
    except (OSError, UnicodeDecodeError, IndexError) as e:
        fail("cannot read %s: %s" % (path, e))


def coverage_table(gt, cand_nodes, dem_nodes, limit, chunk):
    """Sparse candidate x demand boolean table (True: covered within limit) from bounded
    dijkstra calls of `chunk` candidates each. Returns (table, dijkstra seconds, seconds)."""
    nc, nd, n = len(cand_nodes), len(dem_nodes), gt.shape[0]
    t_start = time.perf_counter()
    rows, cols = [], []
    dij_s = 0.0
    for start in range(0, nc, chunk):
        idx = cand_nodes[start:start + chunk]
        t0 = time.perf_counter()
        d = dijkstra(gt, directed=True, indices=idx, limit=limit)
        dij_s += time.perf_counter() - t0
        # The reached nodes of each row (a sequential pass; flat indices split by divmod
        # are about twice as fast as a 2-D np.nonzero), as a candidate x node block.
        r, c = divmod(np.flatnonzero(d <= limit), n)
        rows.append((r + start).astype(np.int32))
        cols.append(c.astype(np.int32))
        del d
    reach = sp.csr_matrix((np.ones(sum(len(r) for r in rows), dtype=np.float32),
                           (np.concatenate(rows), np.concatenate(cols))), shape=(nc, n))
    # Node x demand point incidence: candidate x node reach times it gives candidate x point.
    at_node = sp.csr_matrix((np.ones(nd, dtype=np.float32), (dem_nodes, np.arange(nd))),
                            shape=(n, nd))
    table = (reach @ at_node).tocsr().astype(bool)
    table.sort_indices()
    return table, dij_s, time.perf_counter() - t_start


def lazy_greedy(a, w, k):
    """K picks of the largest marginal covered weight (lazy evaluation: a stale gain is an
    upper bound, submodularity). Ties go to the lower candidate index."""
    indptr, indices = a.indptr, a.indices
    uncovered = w.astype(np.float64).copy()  # weight still uncovered, 0 once covered
    first = a.astype(np.float64) @ uncovered
    heap = [(-g, f) for f, g in enumerate(first.tolist())]
    heapq.heapify(heap)
    selected = []
    while len(selected) < k and heap:
        _, f = heapq.heappop(heap)
        row = indices[indptr[f]:indptr[f + 1]]
        g = float(uncovered[row].sum())
        if not heap or g >= -heap[0][0]:
            selected.append(f)
            uncovered[row] = 0.0
        else:
            heapq.heappush(heap, (-g, f))
    return selected


def swap_search(af, w, selected, max_swaps, eps):
    """Best-improvement swap local search from `selected` (modified in place) to the first
    local optimum or max_swaps swaps. Returns the number of swaps."""
    nc = af.shape[0]
    count = np.asarray(af[selected].sum(axis=0)).ravel()
    swaps = 0
    while swaps < max_swaps:
        u0 = w * (count == 0)
        u1 = w * (count == 1)
        a_s = af[selected]                         # K x demand
        gain = af @ u0                             # candidates
        loss = a_s @ u1                            # K
        extra = (af @ a_s.multiply(u1[np.newaxis, :]).T.tocsc()).toarray()  # candidates x K
        delta = gain[:, np.newaxis] - loss[np.newaxis, :] + extra
        in_s = np.zeros(nc, dtype=bool)
        in_s[selected] = True
        delta[in_s, :] = -np.inf
        f, j = np.unravel_index(np.argmax(delta), delta.shape)
        if not delta[f, j] > eps:
            break
        s = selected[j]
        count -= np.asarray(af[s].todense()).ravel()
        count += np.asarray(af[f].todense()).ravel()
        selected[j] = int(f)
        swaps += 1
    return swaps


def run(a):
    if a.dir is None or a.minutes is None or a.k is None:
        fail("DIR, MINUTES and K are required (or --self-test)")
    if not (a.minutes > 0 and np.isfinite(a.minutes)):
        fail("MINUTES must be a finite number > 0")
    if a.k < 1:
        fail("K must be >= 1")
    if a.chunk < 1:
        fail("--chunk must be >= 1")
    limit = a.minutes * 60.0

    t0 = time.perf_counter()
    node_ids, nx, ny, tail, head, secs = load_nodes_and_arcs(a.dir, ("node", "x", "y"))
    n = len(node_ids)
    xy = np.empty((n, 2))
    xy[node_ids, 0], xy[node_ids, 1] = nx, ny
    check_header(a.dir, "suggest_demand.csv", DEMAND_COLUMNS)
    cpath = check_header(a.dir, "suggest_candidates.csv", CANDIDATE_COLUMNS)
    dx, dy, w = load_columns(a.dir, "suggest_demand.csv", ["x", "y", "weight"], [np.float64] * 3)
    cx, cy = load_columns(a.dir, "suggest_candidates.csv", ["x", "y"], [np.float64] * 2)
    cand_ids = load_ids(cpath)
    if len(cand_ids) != len(cx):
        fail("%s: %d ids for %d rows" % (cpath, len(cand_ids), len(cx)))
    if len(dx) == 0 or len(cx) == 0:
        fail("suggest_demand.csv and suggest_candidates.csv need at least one row each")
    if w.min() < 0:
        fail("weights must be >= 0")
    if a.k > len(cx):
        fail("K = %d exceeds the %d candidates" % (a.k, len(cx)))
    load_s = time.perf_counter() - t0
    zero_eps = 0.0 if explicit_zeros_are_edges() else ZERO_EPS
    note("loaded %d nodes, %d arcs, %d demand points, %d candidates in %.1fs (not timed)"
         % (n, len(tail), len(dx), len(cx), load_s))

    # Graph: residents travel to the site, so search from it over reversed arcs.
    t0 = time.perf_counter()
    g = build_csgraph(n, tail, head, secs, zero_eps)
    gt = g.transpose().tocsr()
    build_s = time.perf_counter() - t0

    # Snapping: nearest node of the largest (weakly) connected component (OSMnx-style).
    t0 = time.perf_counter()
    (dem_nodes, _), (cand_nodes, _) = snap_to_largest_component(g, xy, (dx, dy), (cx, cy))
    snap_s = time.perf_counter() - t0

    table, dij_s, table_s = coverage_table(gt, cand_nodes, dem_nodes, limit, a.chunk)
    pairs = int(table.nnz)

    t0 = time.perf_counter()
    selected = lazy_greedy(table, w, a.k)
    greedy_s = time.perf_counter() - t0
    total_w = float(w.sum())

    def covered_weight(sel):
        hit = np.zeros(len(w), dtype=bool)
        hit[table[sel].indices] = True
        return float(w[hit].sum())

    greedy_cov = covered_weight(selected)
    swaps = 0
    swap_s = 0.0
    if not a.no_swap:
        t0 = time.perf_counter()
        af = table.astype(np.float64)
        swaps = swap_search(af, w, selected, MAX_SWAPS, 1e-9 * max(1.0, total_w))
        swap_s = time.perf_counter() - t0
        if swaps == MAX_SWAPS:
            note("warning: stopped after %d swaps, before a local optimum" % MAX_SWAPS)
    cov = covered_weight(selected)

    total_s = build_s + snap_s + table_s + greedy_s + swap_s
    out = {
        "build_s": build_s, "snap_s": snap_s, "table_s": table_s, "table_dijkstra_s": dij_s,
        "greedy_s": greedy_s, "swap_s": swap_s, "total_s": total_s, "load_s": load_s,
        "chunk": a.chunk, "covered_weight": cov, "total_weight": total_w,
        "covered_share": cov / total_w if total_w > 0 else None,
        "greedy_covered_weight": greedy_cov,
        "selected": [cand_ids[f] for f in selected], "pairs": pairs,
        "candidates": len(cx), "demand": len(dx), "K": a.k, "swaps": swaps,
    }
    note("build %.2fs, snap %.2fs, table %.2fs (dijkstra %.2fs, chunk %d), greedy %.2fs, "
         "swap %.2fs (%d swaps), total %.2fs; covered %.0f of %.0f (greedy %.0f), %d pairs"
         % (build_s, snap_s, table_s, dij_s, a.chunk, greedy_s, swap_s, swaps, total_s, cov,
            total_w, greedy_cov, pairs))
    print(json.dumps(out))


# ---------------------------------------------------------------------------------------
# --self-test: a small grid with direction-dependent times, checked by brute force.

def _write_case(folder, rng, side, nd, nc):
    spacing = 100.0
    with open(os.path.join(folder, "nodes.csv"), "w") as f:
        f.write("node,x,y\n")
        for i in range(side * side):
            f.write("%d,%.3f,%.3f\n" % (i, (i % side) * spacing, (i // side) * spacing))
    arcs = []
    for i in range(side * side):
        x, y = i % side, i // side
        for j, ok in ((i + 1, x + 1 < side), (i + side, y + 1 < side)):
            if ok:  # east/north slower than west/south: the direction matters
                base = float(rng.uniform(40.0, 90.0))
                arcs.append((i, j, base * 1.7))
                arcs.append((j, i, base))
    with open(os.path.join(folder, "arcs.csv"), "w") as f:
        f.write("tail,head,seconds\n")
        for t, h, s in arcs:
            f.write("%d,%d,%.4f\n" % (t, h, s))
    ext = (side - 1) * spacing
    dem = np.column_stack((rng.uniform(0, ext, nd), rng.uniform(0, ext, nd),
                           rng.integers(1, 201, nd)))
    cand = np.column_stack((rng.uniform(0, ext, nc), rng.uniform(0, ext, nc)))
    with open(os.path.join(folder, "suggest_demand.csv"), "w") as f:
        f.write("id,x,y,weight\n")
        for i, (x, y, wt) in enumerate(dem):
            f.write("%d,%.3f,%.3f,%d\n" % (i, x, y, wt))
    with open(os.path.join(folder, "suggest_candidates.csv"), "w") as f:
        f.write("id,x,y\n")
        for i, (x, y) in enumerate(cand):
            f.write("c%d,%.3f,%.3f\n" % (i, x, y))
    nodes = np.array([((i % side) * spacing, (i // side) * spacing) for i in range(side * side)])
    return nodes, arcs, dem, cand


def _brute_cover(nodes, arcs, dem, cand, limit):
    """Pure-Python check: cover[c] = set of demand indices whose nearest node reaches the
    candidate's nearest node within limit on the forward arcs (heapq Dijkstra per point)."""
    n = len(nodes)
    adj = [[] for _ in range(n)]
    for t, h, s in arcs:
        adj[t].append((h, s))

    def nearest(p):
        return int(np.argmin(((nodes - p) ** 2).sum(axis=1)))

    cand_node = [nearest(p) for p in cand[:, :2]]
    cover = [set() for _ in cand_node]
    for i, p in enumerate(dem[:, :2]):
        src = nearest(p)
        dist = {src: 0.0}
        pq = [(0.0, src)]
        while pq:
            d, u = heapq.heappop(pq)
            if d > dist.get(u, np.inf):
                continue
            for v, s in adj[u]:
                nd = d + s
                if nd <= limit and nd < dist.get(v, np.inf):
                    dist[v] = nd
                    heapq.heappush(pq, (nd, v))
        for c, cn in enumerate(cand_node):
            if cn in dist:
                cover[c].add(i)
    return cover


def _run_script(folder, *args):
    p = subprocess.run([sys.executable, os.path.abspath(__file__), folder] + list(args),
                       capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def self_test():
    import itertools
    import shutil
    import tempfile
    root = tempfile.mkdtemp(prefix="mclp_selftest_")
    try:
        swapped = 0
        for seed in range(12):
            rng = np.random.default_rng(seed)
            folder = os.path.join(root, "s%d" % seed)
            os.makedirs(folder)
            nodes, arcs, dem, cand = _write_case(folder, rng, 12, 300, 8)
            minutes = 5.0
            cover = _brute_cover(nodes, arcs, dem, cand, minutes * 60.0)
            wt = dem[:, 2]

            def value(sel):
                hit = set().union(*(cover[c] for c in sel))
                return float(sum(wt[i] for i in hit))

            for k in (2, 3):
                best = max(value(s) for s in itertools.combinations(range(8), k))
                rc, out, err = _run_script(folder, str(minutes), str(k), "--chunk", "3")
                assert rc == 0, err
                r = json.loads(out)
                sel = [int(c[1:]) for c in r["selected"]]
                assert len(set(sel)) == k, r
                assert abs(r["covered_weight"] - value(sel)) < 1e-6, (r, value(sel))
                assert r["pairs"] == sum(len(c) for c in cover), (r["pairs"], seed)
                assert r["greedy_covered_weight"] <= r["covered_weight"] + 1e-9
                # A local optimum: no single swap improves.
                for j in range(k):
                    for f in set(range(8)) - set(sel):
                        alt = sel[:j] + [f] + sel[j + 1:]
                        assert value(alt) <= r["covered_weight"] + 1e-6, (seed, k, sel, alt)
                if k == 2:
                    assert abs(r["covered_weight"] - best) < 1e-6, (seed, r, best)
                elif abs(r["covered_weight"] - best) > 1e-6:
                    note("self-test: seed %d K=3 local optimum %.0f < optimum %.0f (allowed)"
                         % (seed, r["covered_weight"], best))
                swapped += r["swaps"] > 0
                rc, out, _ = _run_script(folder, str(minutes), str(k), "--no-swap")
                assert rc == 0 and json.loads(out)["swaps"] == 0
                assert json.loads(out)["covered_weight"] == r["greedy_covered_weight"]
        note("self-test: %d of 24 runs needed swaps" % swapped)
        # Input errors exit with status 2.
        folder = os.path.join(root, "s0")
        assert _run_script(folder, "5", "9")[0] == 2  # K > candidates
        assert _run_script(os.path.join(root, "nowhere"), "5", "2")[0] == 2
        with open(os.path.join(folder, "suggest_candidates.csv")) as f:
            text = f.read()
        with open(os.path.join(folder, "suggest_candidates.csv"), "w") as f:
            f.write(text.replace("id,x,y", "id,x,y,extra", 1))
        assert _run_script(folder, "5", "2")[0] == 2  # header not exact
        os.remove(os.path.join(folder, "suggest_candidates.csv"))
        assert _run_script(folder, "5", "2")[0] == 2  # missing file
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("OK")


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        usage="%(prog)s DIR MINUTES K [--chunk C] [--no-swap]\n       %(prog)s --self-test")
    ap.add_argument("dir", nargs="?", metavar="DIR",
                    help="folder of nodes.csv, arcs.csv, suggest_demand.csv, "
                         "suggest_candidates.csv")
    ap.add_argument("minutes", nargs="?", type=float, metavar="MINUTES",
                    help="the standard: minutes from a resident to a site")
    ap.add_argument("k", nargs="?", type=int, metavar="K", help="sites to pick")
    ap.add_argument("--chunk", type=int, default=50, metavar="C",
                    help="candidates per dijkstra call for the coverage table (default 50)")
    ap.add_argument("--no-swap", action="store_true", help="greedy only, no swap search")
    ap.add_argument("--self-test", action="store_true",
                    help="check against brute force on a generated grid, print OK")
    a = ap.parse_args()
    if a.self_test:
        self_test()
    else:
        run(a)


if __name__ == "__main__":
    main()
