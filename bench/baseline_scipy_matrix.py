#!/usr/bin/python3
"""Python baseline for the origin x target travel-time matrix: scipy.sparse.csgraph.dijkstra.

Usage:
  /usr/bin/python3 bench/baseline_scipy_matrix.py DIR CUTOFF_SECONDS [--chunk C]
  /usr/bin/python3 bench/baseline_scipy_matrix.py DIR [CUTOFF_SECONDS] --whole-graph K

DIR holds nodes.csv (node,x,y), arcs.csv (tail,head,seconds), origins.csv and
targets.csv (id,node), as written by the C++ benchmarks.

Matrix mode prints one JSON line to stdout:
  {"build_s": ..., "dijkstra_s": ..., "total_s": ..., "pairs": ..., "settled_per_s": ...}
  build_s      csr_matrix construction from the arcs (dedupe by minimum first)
  dijkstra_s   dijkstra(csgraph, directed=True, indices=origin_nodes, limit=CUTOFF)
  total_s      build_s + dijkstra_s + extracting origins x targets and counting
  pairs        (origin point, target point) pairs with finite time <= CUTOFF
  settled_per_s  finite entries in the full distance rows / dijkstra_s

Whole-graph mode prints {"dijkstra_s": ..., "nodes_per_s": ...}: K separate
single-source dijkstra calls without limit from the first K origins; nodes_per_s is
the number of reached nodes (summed over the runs) divided by dijkstra_s.

Loading the CSV files is not timed. Diagnostics go to stderr; stdout carries only
the JSON line. Exit status 2 on a missing/malformed input.
"""

import argparse
import json
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

ZERO_EPS = 1e-6
# Auto-chunk the origins when one distance block would need more than this many bytes.
MAX_BLOCK_BYTES = 4 << 30


from baseline_common import fail, load_columns, load_nodes_and_arcs, note  # noqa: E402


def load(folder, whole_graph):
    node_ids, tail, head, secs = load_nodes_and_arcs(folder)
    n = len(node_ids)
    _, origins = load_columns(folder, "origins.csv", ["id", "node"], [np.int64, np.int64])
    if whole_graph:
        targets = np.zeros(0, dtype=np.int64)
    else:
        _, targets = load_columns(folder, "targets.csv", ["id", "node"], [np.int64, np.int64])
    for name, col in (("origins.csv", origins), ("targets.csv", targets)):
        if len(col) and (col.min() < 0 or col.max() >= n):
            fail("%s: node out of range 0..%d" % (name, n - 1))
    return n, tail, head, secs, origins, targets


def explicit_zeros_are_edges():
    """True if this scipy keeps an explicit 0 stored in a csr_matrix as a 0-second edge."""
    m = sp.csr_matrix((np.array([0.0, 1.0]), (np.array([0, 1]), np.array([1, 2]))), shape=(3, 3))
    d = dijkstra(m, directed=True, indices=[0], limit=10.0)
    return bool(d[0, 1] == 0.0 and d[0, 2] == 1.0)


def build_csgraph(n, tail, head, secs, zero_eps):
    """Timed: dedupe parallel arcs keeping the minimum, then csr_matrix (which would sum them)."""
    if len(tail):
        key = tail * n + head  # one int64 per (tail, head); n*n fits for n < 3e9
        order = np.argsort(key, kind="stable")
        key = key[order]
        start = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        w = np.minimum.reduceat(secs[order], start)
        key = key[start]
        t, h = key // n, key % n
        if zero_eps:
            w = np.where(w == 0.0, zero_eps, w)
    else:
        t = h = np.zeros(0, dtype=np.int64)
        w = np.zeros(0)
    return sp.csr_matrix((w, (t, h)), shape=(n, n))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("cutoff", nargs="?", type=float, help="cutoff in seconds (matrix mode)")
    ap.add_argument("--whole-graph", type=int, metavar="K", default=None,
                    help="K single-source runs without limit from the first K origins")
    ap.add_argument("--chunk", type=int, metavar="C", default=0,
                    help="run the matrix dijkstra on C origins at a time (default: one call, "
                         "auto-chunked only if the distance block would exceed 4 GiB)")
    ap.add_argument("--zero-eps", type=float, default=None,
                    help="weight given to 0-second arcs (default: keep exact 0 if this scipy "
                         "treats explicit zeros as edges, else %g)" % ZERO_EPS)
    a = ap.parse_args()
    whole = a.whole_graph is not None
    if whole and a.whole_graph < 1:
        fail("--whole-graph K needs K >= 1")
    if not whole:
        if a.cutoff is None:
            fail("CUTOFF_SECONDS is required (unless --whole-graph K)")
        if not (a.cutoff >= 0 and np.isfinite(a.cutoff)):
            fail("CUTOFF_SECONDS must be a finite number >= 0")
    if a.chunk < 0:
        fail("--chunk must be >= 0")

    n, tail, head, secs, origins, targets = load(a.dir, whole)
    if len(origins) == 0:
        fail("origins.csv has no origins")

    zero_eps = a.zero_eps
    if zero_eps is None:
        zero_eps = 0.0 if explicit_zeros_are_edges() else ZERO_EPS
    nzero = int(np.count_nonzero(secs == 0.0))
    if nzero:
        note("%d zero-second arcs, %s" % (nzero, "kept as explicit zeros (this scipy treats them as edges)"
                                           if zero_eps == 0.0 else "given weight %g" % zero_eps))

    t0 = time.perf_counter()
    g = build_csgraph(n, tail, head, secs, zero_eps)
    build_s = time.perf_counter() - t0
    note("graph: %d nodes, %d arcs (%d after dedupe), build %.4fs" % (n, len(tail), g.nnz, build_s))

    if whole:
        k = min(a.whole_graph, len(origins))
        if k < a.whole_graph:
            note("only %d origins, running %d" % (len(origins), k))
        dij_s = 0.0
        reached = 0
        for o in origins[:k]:
            t0 = time.perf_counter()
            d = dijkstra(g, directed=True, indices=int(o))
            dij_s += time.perf_counter() - t0
            reached += int(np.count_nonzero(np.isfinite(d)))
        note("%d runs, %d reached nodes in total" % (k, reached))
        print(json.dumps({"dijkstra_s": dij_s, "nodes_per_s": reached / dij_s if dij_s > 0 else 0.0}))
        return

    cutoff = a.cutoff
    no = len(origins)
    chunk = a.chunk
    if chunk == 0 and no * n * 8 > MAX_BLOCK_BYTES:
        chunk = max(1, MAX_BLOCK_BYTES // (n * 8))
        note("distance block %d x %d too large; chunking %d origins per call" % (no, n, chunk))
    if chunk == 0 or chunk >= no:
        chunks = [origins]
    else:
        chunks = [origins[i:i + chunk] for i in range(0, no, chunk)]

    dij_s = 0.0
    extract_s = 0.0
    pairs = 0
    finite = 0
    for idx in chunks:
        t0 = time.perf_counter()
        d = dijkstra(g, directed=True, indices=idx, limit=cutoff)
        t1 = time.perf_counter()
        sub = d[:, targets]
        pairs += int(np.count_nonzero(sub <= cutoff))  # inf <= cutoff is False
        t2 = time.perf_counter()
        dij_s += t1 - t0
        extract_s += t2 - t1
        finite += int(np.count_nonzero(np.isfinite(d)))  # statistics only, not timed
        del d, sub
    total_s = build_s + dij_s + extract_s
    note("%d origins x %d targets, cutoff %gs, %d call(s), %d finite labels, extract %.4fs"
         % (no, len(targets), cutoff, len(chunks), finite, extract_s))
    print(json.dumps({"build_s": build_s, "dijkstra_s": dij_s, "total_s": total_s, "pairs": pairs,
                      "settled_per_s": finite / dij_s if dij_s > 0 else 0.0}))


if __name__ == "__main__":
    main()
