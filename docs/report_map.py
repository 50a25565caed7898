#!/usr/bin/env python3
"""One map of a plan's report.html as a PNG, as the report draws it (headless Chromium, 2x), for the
README pictures:
    python3 docs/report_map.py report.html INDEX out.png     # INDEX: the map's place in the report, from 0
docs/porto_report_map.png is map 1 (kindergartens today) of the Porto 2020 plan of tests/plan/test_plan.sh."""
import re
import subprocess
import sys
import tempfile

report, index, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
html = open(report, encoding="utf-8").read()
maps = re.findall(r'<svg class="map[^"]*"[^>]*>.*?</svg>', html, flags=re.S)
svg = maps[index]
w, h = (int(v) for v in re.search(r'width="(\d+)" height="(\d+)"', svg).groups())
svg = svg.replace(f'width="{w}" height="{h}"', f'width="{2 * w}" height="{2 * h}"', 1)
style = "".join(re.findall(r"<style>(.*?)</style>", html, flags=re.S))
page = (f'<!doctype html><html><head><meta charset="utf-8"><style>{style} html,body{{margin:0;padding:0}} '
        f'svg.map{{display:block;width:{2 * w}px;height:{2 * h}px;max-width:none}}</style></head><body>{svg}</body></html>')
with tempfile.NamedTemporaryFile("w", suffix=".html", encoding="utf-8", delete=False) as f:
    f.write(page)
subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                f"--window-size={2 * w},{2 * h}", f"--screenshot={out}", "file://" + f.name], check=True,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
