#!/usr/bin/python3
"""Checks a plan's report.html as headless Chromium lays it out (the geometry is measured by the
browser, not by reading our own SVG numbers):

  - the page says lang="zh" (or the language asked for with --lang);
  - every map's frame holds every resident, facility and suggested site (their drawn boxes lie in
    the frame, within 8 px for the symbols' own size) with at most 30 % margin: on the frame's
    binding axis (a frame keeps its aspect) they span at least 70 % of it;
  - water is drawn in every map (--water) and labels are placed in every map;
  - a verdict and the standard as it ran are given for every service;
  - the variants appear side by side: a comparison with at least --panels panels (the largest),
    each panel titled.

A copy of the page with a measuring script added is opened with Chromium's --dump-dom; the
report itself has no script. With --pdf FILE, FILE must be an A4 PDF of at least two pages.

Usage: /usr/bin/python3 tests/report/check_plan_report.py REPORT.html [--lang zh] [--water]
           [--panels N] [--pdf FILE] [--services N]
Exit 0 ok, 1 a check failed (each printed), 77 Chromium is not installed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

MEASURE = r"""<script>
(function () {
  const box = (els) => {
    let b = null;
    for (const el of els) {
      const r = el.getBBox();
      if (r.width === 0 && r.height === 0 && el.tagName !== 'circle') continue;
      b = b ? {x0: Math.min(b.x0, r.x), y0: Math.min(b.y0, r.y), x1: Math.max(b.x1, r.x + r.width),
               y1: Math.max(b.y1, r.y + r.height)}
            : {x0: r.x, y0: r.y, x1: r.x + r.width, y1: r.y + r.height};
    }
    return b;
  };
  const out = {lang: document.documentElement.getAttribute('lang'), maps: [],
               verdicts: document.querySelectorAll('.callout.verdict').length,
               standards: document.querySelectorAll('.callout.standard').length,
               services: 0, comparisons: []};
  for (const f of document.querySelectorAll('figure.compare'))
    out.comparisons.push([...f.querySelectorAll('.panel-title')].map(t => t.textContent));
  for (const svg of document.querySelectorAll('svg.map')) {
    const fr = svg.querySelector('rect.frame').getBBox();
    const items = [...svg.querySelectorAll('g.layer.residents > *, g.layer.facilities > *, g.layer.sites > *')];
    out.maps.push({title: svg.getAttribute('aria-label'),
                   frame: {x0: fr.x, y0: fr.y, x1: fr.x + fr.width, y1: fr.y + fr.height},
                   items: items.length, box: box(items),
                   residents: svg.querySelectorAll('g.layer.residents > *').length,
                   facilities: svg.querySelectorAll('g.layer.facilities > *').length,
                   water: svg.querySelectorAll('g.layer.water > path').length,
                   labels: svg.querySelectorAll('g.labels > text.label').length});
  }
  const pre = document.createElement('pre');
  pre.id = 'lc-measure';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"""


def browser():
    for b in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(b)
        if path:
            return path
    return None


def check_pdf(path, problems):
    if not os.path.isfile(path):
        problems.append(f"no PDF at {path}")
        return
    data = open(path, "rb").read()
    if not data.startswith(b"%PDF-"):
        problems.append(f"{path} is not a PDF")
        return
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]", data)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    if not boxes or any(abs(float(w) - 595.3) > 2 or abs(float(h) - 841.9) > 2 for w, h in boxes):
        problems.append(f"PDF pages are not A4: {sorted(set(boxes))[:3]}")
    if pages < 2:
        problems.append(f"PDF has {pages} page(s)")
    print(f"check_plan_report: PDF {pages} A4 pages, {len(data)} bytes")


def main(argv):
    args = argv[1:]
    opts = {"--lang": "zh", "--panels": "1", "--pdf": None, "--services": "1"}
    water = "--water" in args
    if water:
        args.remove("--water")
    for key in list(opts):
        if key in args:
            at = args.index(key)
            opts[key] = args[at + 1]
            del args[at:at + 2]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    html_path = os.path.abspath(args[0])
    problems = []
    if opts["--pdf"]:
        check_pdf(opts["--pdf"], problems)
    chrome = browser()
    if not chrome:
        print("check_plan_report: skipped, chromium is not installed (apt-get install chromium)")
        return 77
    html = open(html_path, encoding="utf-8").read()
    if "<script" in html:
        problems.append("the report holds a script")
    work = tempfile.mkdtemp(prefix="check_plan_report.")
    try:
        # Beside the original, so anything it refers to resolves the same way.
        probe = os.path.join(os.path.dirname(html_path), ".check-" + os.path.basename(html_path))
        open(probe, "w", encoding="utf-8").write(html.replace("</body>", MEASURE + "</body>"))
        try:
            dom = subprocess.run(
                [chrome, "--headless=new", "--disable-gpu", "--no-sandbox", f"--user-data-dir={work}",
                 "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--no-first-run",
                 "--disable-extensions", "--disable-background-networking", "--window-size=1200,1600",
                 "--virtual-time-budget=5000", "--dump-dom", "file://" + probe],
                capture_output=True, text=True, timeout=180).stdout
        finally:
            os.remove(probe)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    m = re.search(r'<pre id="lc-measure">(.*?)</pre>', dom, re.S)
    if not m:
        problems.append("the measuring script gave nothing (the page did not lay out)")
        return report(problems)
    r = json.loads(m.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    if r["lang"] != opts["--lang"]:
        problems.append(f'<html lang="{r["lang"]}">, expected "{opts["--lang"]}"')
    services = int(opts["--services"])
    if r["verdicts"] < services or r["standards"] < services:
        problems.append(f"{r['verdicts']} verdicts and {r['standards']} standards as run for {services} services")
    if not r["comparisons"] or max(len(c) for c in r["comparisons"]) < int(opts["--panels"]):
        problems.append(f"panels side by side: {[len(c) for c in r['comparisons']]}, expected at least {opts['--panels']}")
    if any(not t.strip() for c in r["comparisons"] for t in c):
        problems.append("a panel without a title")
    if not r["maps"]:
        problems.append("no maps")
    for i, mp in enumerate(r["maps"]):
        name = f"map {i + 1} ({mp['title']})"
        f, b = mp["frame"], mp["box"]
        if mp["residents"] == 0 or mp["facilities"] == 0 and "无设施" not in (mp["title"] or ""):
            problems.append(f"{name}: {mp['residents']} residents, {mp['facilities']} facilities drawn")
        if b is None:
            problems.append(f"{name}: nothing to frame")
            continue
        slack = 8
        if b["x0"] < f["x0"] - slack or b["y0"] < f["y0"] - slack or b["x1"] > f["x1"] + slack or b["y1"] > f["y1"] + slack:
            problems.append(f"{name}: residents and facilities {b} reach beyond the frame {f}")
        span = max((b["x1"] - b["x0"]) / (f["x1"] - f["x0"]), (b["y1"] - b["y0"]) / (f["y1"] - f["y0"]))
        if span < 0.70:
            problems.append(f"{name}: residents and facilities span {span:.0%} of the frame (more than 30 % margin)")
        if water and mp["water"] == 0:
            problems.append(f"{name}: no water drawn")
        if mp["labels"] == 0:
            problems.append(f"{name}: no labels")
        print(f"check_plan_report: {name}: {mp['items']} residents/facilities/sites spanning {span:.0%} of the frame, "
              f"{mp['water']} water paths, {mp['labels']} labels")
    return report(problems)


def report(problems):
    for p in problems:
        print("check_plan_report: " + p, file=sys.stderr)
    if problems:
        return 1
    print("check_plan_report: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
