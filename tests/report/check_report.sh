#!/usr/bin/env bash
# Loads a lifecircle HTML report in headless Chromium with the network cut off and checks that
# it renders offline and cleanly:
#   1. no console messages at all (the page has no scripts, so any message -- a failed load, a
#      blocked resource, a parse problem -- is a fault); read from Chromium's stderr log
#      (--enable-logging=stderr --v=0 prints each one as "...:CONSOLE:<line>] ...");
#   2. the page asked for nothing beyond file: and data: URLs: Chromium's own NetLog
#      (--log-net-log) is read for requests whose network isolation key is the file:// page
#      (Chromium's background requests carry other keys and are ignored); DNS is mapped to
#      nowhere and the proxy is a dead port, so nothing can leave the machine anyway;
#   3. the maps are drawn: the DOM after layout (--dump-dom) has as many <svg> elements as the
#      file, each with at least one <path> or <circle>;
#   4. a 1200 x 1600 screenshot is a valid PNG (decoded with zlib, no PIL) that is not one
#      colour: at least 8 distinct colours and at least 1 % of pixels differ from the most common.
#
# Usage: check_report.sh HTML_FILE [PNG_OUT]   (PNG_OUT: keep the screenshot there)
# Exit: 0 ok, 1 a check failed (message on stderr), 77 Chromium not installed (skip).
set -u

if [ $# -lt 1 ] || [ ! -f "$1" ]; then
  echo "usage: check_report.sh HTML_FILE [PNG_OUT]" >&2
  exit 1
fi
html=$(realpath "$1")
png_out=${2:-}

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$(command -v "$b"); break; fi
done
if [ -z "$browser" ]; then
  echo "check_report: chromium not installed (apt-get install chromium); skipping" >&2
  exit 77
fi
python=$(command -v python3 || true)
if [ -z "$python" ]; then
  echo "check_report: python3 is needed for the checks" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/check_report.XXXXXX")
trap 'rm -rf "$work"' EXIT

run_browser() {  # profile-dir extra-args...
  local profile=$1; shift
  timeout 120 "$browser" --headless=new --disable-gpu --no-sandbox --user-data-dir="$profile" \
    --host-resolver-rules="MAP * ~NOTFOUND" --proxy-server=127.0.0.1:9 \
    --no-first-run --no-default-browser-check --disable-extensions --disable-sync \
    --disable-background-networking --disable-component-update \
    --virtual-time-budget=3000 --enable-logging=stderr --v=0 "$@" "file://$html"
}

if ! run_browser "$work/p1" --log-net-log="$work/net.json" --dump-dom >"$work/dom.html" \
    2>"$work/log1.txt"; then
  echo "check_report: chromium --dump-dom failed:" >&2
  tail -5 "$work/log1.txt" >&2
  exit 1
fi
if ! run_browser "$work/p2" --hide-scrollbars --window-size=1200,1600 \
    --screenshot="$work/shot.png" >/dev/null 2>"$work/log2.txt"; then
  echo "check_report: chromium --screenshot failed:" >&2
  tail -5 "$work/log2.txt" >&2
  exit 1
fi

"$python" - "$html" "$work" <<'PY'
import json, os, re, struct, sys, zlib
from html.parser import HTMLParser

html_path, work = sys.argv[1], sys.argv[2]
problems = []

# 1. Console messages.
for log in ("log1.txt", "log2.txt"):
    with open(os.path.join(work, log), encoding="utf-8", errors="replace") as f:
        for line in f:
            if ":CONSOLE" in line:
                problems.append("console: " + line.strip())

# 2. Requests made by the page for anything but file: or data:.
try:
    with open(os.path.join(work, "net.json"), encoding="utf-8", errors="replace") as f:
        text = f.read()
    try:
        events = json.loads(text).get("events", [])
    except ValueError:  # cut short: Chromium writes the closing bracket last
        events = json.loads(text.rstrip().rstrip(",") + "]}").get("events", [])
    seen = set()
    for e in events:
        p = e.get("params") or {}
        url, key = p.get("url", ""), str(p.get("network_isolation_key", ""))
        if url and key.startswith("file://") and not url.startswith(("file:", "data:")):
            if url not in seen:
                seen.add(url)
                problems.append("network request from the page: " + url)
except (OSError, ValueError) as err:
    problems.append("cannot read the NetLog: %s" % err)

# 3. The laid-out DOM has the maps with their drawing.
class Svgs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth, self.svgs = 0, []
    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.depth += 1
            if self.depth == 1:
                self.svgs.append(0)
        elif self.depth and tag in ("path", "circle"):
            self.svgs[-1] += 1
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "svg":
            self.depth -= 1
    def handle_endtag(self, tag):
        if tag == "svg" and self.depth:
            self.depth -= 1

with open(html_path, encoding="utf-8") as f:
    expected = len(re.findall(r"<svg[\s>]", f.read()))
with open(os.path.join(work, "dom.html"), encoding="utf-8", errors="replace") as f:
    parser = Svgs()
    parser.feed(f.read())
if expected == 0:
    problems.append("the report has no <svg> maps")
if len(parser.svgs) != expected:
    problems.append("DOM has %d <svg> elements, the file %d" % (len(parser.svgs), expected))
for i, n in enumerate(parser.svgs):
    if n == 0:
        problems.append("map %d (<svg>) has no <path> or <circle>" % (i + 1))

# 4. The screenshot decodes and is not blank.
def decode_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if zlib.crc32(kind + body) != struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]:
            raise ValueError("bad CRC in chunk %r" % kind)
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    w, h, depth, colour, _, _, interlace = ihdr
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError("unexpected PNG format (depth %d, colour %d)" % (depth, colour))
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    prev, rows, off = bytearray(stride), [], 0
    for _ in range(h):
        f, line = raw[off], bytearray(raw[off + 1:off + 1 + stride])
        off += 1 + stride
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows

shot = os.path.join(work, "shot.png")
if not os.path.exists(shot) or os.path.getsize(shot) == 0:
    problems.append("no screenshot written")
else:
    try:
        w, h, bpp, rows = decode_png(shot)
        counts = {}
        for row in rows[::4]:
            for x in range(0, w * bpp, 4 * bpp):
                px = row[x:x + 3]
                counts[px] = counts.get(px, 0) + 1
        total = sum(counts.values())
        top = max(counts.values())
        if len(counts) < 8 or (total - top) < 0.01 * total:
            problems.append("screenshot is (nearly) one colour: %d colours" % len(counts))
        print("check_report: screenshot %dx%d, %d colours in the sample, %.1f %% not background"
              % (w, h, len(counts), 100.0 * (total - top) / total))
    except (ValueError, zlib.error, struct.error, TypeError) as err:
        problems.append("screenshot does not decode: %s" % err)

if problems:
    for p in problems:
        print("check_report: " + p, file=sys.stderr)
    sys.exit(1)
print("check_report: ok: %d maps drawn, no console messages, no network requests" % expected)
PY
status=$?
if [ $status -eq 0 ] && [ -n "$png_out" ]; then
  cp "$work/shot.png" "$png_out" || exit 1
fi
exit $status
