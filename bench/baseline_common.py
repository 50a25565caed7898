"""Shared by the baseline scripts: messages and reading the CSV files the C++ benchmarks write.
Loading is never timed."""
import csv
import os
import sys
import warnings

import numpy as np

PROG = os.path.splitext(os.path.basename(sys.argv[0]))[0]


def fail(msg):
    print(PROG + ": error: " + msg, file=sys.stderr)
    sys.exit(2)


def note(msg):
    print(PROG + ": " + msg, file=sys.stderr)


def load_columns(folder, name, columns, dtypes):
    """Read the named columns of DIR/name (CSV with header) into numpy arrays."""
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        fail("missing file %s" % path)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            header = next(csv.reader(f), None)
    except (OSError, UnicodeDecodeError) as e:
        fail("cannot read %s: %s" % (path, e))
    if not header:
        fail("%s is empty (expected a header line %s)" % (path, ",".join(columns)))
    header = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in columns if c not in header]
    if missing:
        fail("%s: header %s lacks column(s) %s" % (path, ",".join(header), ",".join(missing)))
    usecols = [header.index(c) for c in columns]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "empty input file" warning
            data = np.loadtxt(path, delimiter=",", skiprows=1, usecols=usecols,
                              dtype=np.float64, ndmin=2, encoding="utf-8")
    except ValueError as e:
        fail("%s: malformed data: %s" % (path, e))
    out = []
    for k, (c, dt) in enumerate(zip(columns, dtypes)):
        col = data[:, k]
        if not np.all(np.isfinite(col)):
            fail("%s: non-finite value in column %s" % (path, c))
        if dt is np.int64:
            if not np.all(col == np.floor(col)):
                fail("%s: non-integer value in column %s" % (path, c))
            col = col.astype(np.int64)
        out.append(col)
    return out


def load_nodes_and_arcs(folder, columns=("node",)):
    """Check and read nodes.csv (the given columns, "node" first: dense ids 0..n-1) and
    arcs.csv (tail, head, seconds). Returns the node columns, then tail, head, seconds."""
    if not os.path.isdir(folder):
        fail("input folder %s does not exist" % folder)
    dtypes = [np.int64] + [np.float64] * (len(columns) - 1)
    node_columns = load_columns(folder, "nodes.csv", list(columns), dtypes)
    n = len(node_columns[0])
    if n == 0:
        fail("nodes.csv has no nodes")
    if not np.array_equal(np.sort(node_columns[0]), np.arange(n)):
        fail("nodes.csv: node ids must be dense 0..n-1")
    tail, head, secs = load_columns(folder, "arcs.csv", ["tail", "head", "seconds"],
                                    [np.int64, np.int64, np.float64])
    for name, col in (("tail", tail), ("head", head)):
        if len(col) and (col.min() < 0 or col.max() >= n):
            fail("arcs.csv: %s out of range 0..%d" % (name, n - 1))
    if len(secs) and secs.min() < 0:
        fail("arcs.csv: negative seconds")
    return node_columns + [tail, head, secs]


def snap_to_largest_component(g, xy, *point_sets):
    """Nearest node of the largest (weakly) connected component for each (x, y) array pair, the
    usual OSMnx-style preparation (ox.nearest_nodes on the largest component). Returns a list
    of (nodes, straight distances) per point set."""
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree
    _, label = connected_components(g, directed=True, connection="weak")
    largest = np.flatnonzero(label == np.bincount(label).argmax())
    tree = cKDTree(xy[largest])
    out = []
    for px, py in point_sets:
        gap, at = tree.query(np.column_stack((px, py)))
        out.append((largest[at], gap))
    return out
