#!/usr/bin/python3
"""Reads a plan's tables.xlsx with openpyxl (an independent reader) and checks every figure in it
against summary.json: per service sheet, the groups of every variant (today, each [[variants]]
entry, with the suggested sites), the districts, the seats and the suggested sites. Numbers must
be stored as numbers (not text) and equal the summary's to the 16 significant digits an .xlsx
keeps (libxlsxwriter writes "%.16G"; Excel itself shows 15).

Usage: /usr/bin/python3 tests/plan/check_tables.py PLAN_FOLDER
Exit 0 = all equal, 1 = a difference (each printed), 77 = openpyxl is not installed.
"""

import json
import math
import os
import re
import sys

try:
    import openpyxl
except ImportError:
    print("check_tables: skipped, python3-openpyxl is not installed")
    sys.exit(77)

HEADER = re.compile(r"^(\w+) \[(\w+)\]$")


def same(a, b):
    if b is None:
        return a is None
    if isinstance(b, bool) or not isinstance(b, (int, float)):
        return a == b
    if not isinstance(a, (int, float)) or isinstance(a, bool):
        return False
    return math.isclose(a, b, rel_tol=1e-15, abs_tol=1e-12)


def blocks(ws):
    """The sheet's tables: {first header cell: (header, rows)}, a table ending at a blank row."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    out = {}
    i = 0
    while i < len(rows):
        row = rows[i]
        if row and row[0] in ("group", "district", "variant", "rank"):
            header = list(row)
            while header and header[-1] is None:  # openpyxl pads rows to the sheet's width
                header.pop()
            body = []
            i += 1
            while i < len(rows) and any(c is not None for c in rows[i]):
                body.append(rows[i])
                i += 1
            out[row[0]] = (header, body)
        i += 1
    return out


def main(folder):
    summary = json.load(open(os.path.join(folder, "summary.json"), encoding="utf-8"))
    wb = openpyxl.load_workbook(os.path.join(folder, "tables.xlsx"), data_only=True)
    problems, checked = [], 0

    def expect(where, got, want):
        nonlocal checked
        checked += 1
        if not same(got, want):
            problems.append(f"{where}: tables.xlsx {got!r}, summary.json {want!r}")

    for s in summary["services"]:
        if s["id"] not in wb.sheetnames:
            problems.append(f"no sheet for service {s['id']} (sheets: {wb.sheetnames})")
            continue
        ws = wb[s["id"]]
        variants = {v["id"]: v for v in s["variants"]}
        if "suggest" in s and "after" in s["suggest"]:
            variants["with_sites"] = s["suggest"]["after"]
        t = blocks(ws)
        # Groups: one row per group, per variant total / covered / coverage_share / mean_minutes.
        header, body = t.get("group", ([], []))
        seen_variants = set()
        for row in body:
            group = row[0]
            for col, name in enumerate(header):
                m = HEADER.match(str(name or ""))
                if not m:
                    continue
                measure, vid = m.groups()
                seen_variants.add(vid)
                expect(f"{s['id']} {vid} {group} {measure}", row[col], variants[vid]["groups"][group][measure])
        if seen_variants != set(variants):
            problems.append(f"{s['id']}: the groups table has variants {sorted(seen_variants)}, "
                            f"the summary {sorted(variants)}")
        if len(body) != len(summary["groups"]):
            problems.append(f"{s['id']}: {len(body)} group rows, {len(summary['groups'])} groups")
        # Districts of the service's group.
        if "district" in t:
            header, body = t["district"]
            for row in body:
                name = row[0]
                for col, cell in enumerate(header):
                    m = HEADER.match(str(cell or ""))
                    if not m:
                        continue
                    measure, vid = m.groups()
                    d = [x for x in variants[vid]["districts"] if x["district"] == name][0]
                    want = d["served"] if measure == "served" else d[s["demand_group"]][measure]
                    expect(f"{s['id']} {vid} {name} {measure}", row[col], want)
        elif any("districts" in v for v in variants.values()):
            problems.append(f"{s['id']}: no districts table")
        # Seats.
        if "variant" in t:
            header, body = t["variant"]
            for row in body:
                cap = variants[row[0]]["capacity"]
                for col, measure in enumerate(header[1:], start=1):
                    expect(f"{s['id']} {row[0]} seats {measure}", row[col], cap[measure])
        elif "capacity" in s["variants"][0]:
            problems.append(f"{s['id']}: no seats table")
        # Suggested sites.
        if "rank" in t:
            header, body = t["rank"]
            sites = {x["rank"]: x for x in s["suggest"]["sites"]}
            for row in body:
                x = sites[row[0]]
                expect(f"{s['id']} site {row[0]} name", row[1], x["name"])
                expect(f"{s['id']} site {row[0]} candidate", row[2], x["candidate_id"])
                expect(f"{s['id']} site {row[0]} added", row[3], x["added_weight"])
                expect(f"{s['id']} site {row[0]} assigned", row[4], x["assigned_weight"])
            if len(body) != len(sites):
                problems.append(f"{s['id']}: {len(body)} site rows, {len(sites)} sites")
        elif "suggest" in s:
            problems.append(f"{s['id']}: no suggested sites table")
    for p in problems:
        print("check_tables: " + p, file=sys.stderr)
    print(f"check_tables: {checked} figures compared, {len(problems)} problem(s)")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
