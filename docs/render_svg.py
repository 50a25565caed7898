#!/usr/bin/env python3
"""Draws GeoJSON layers (polygons graduated by `minutes`, or by their first `uncovered_*` field for a
gap map; lines; points, green/red by `covered` when they have it) as an SVG picture, with nothing
but the standard library. Used for the README pictures:
    python3 docs/render_svg.py out.svg areas.geojson [lines.geojson] [points.geojson]"""
import json
import math
import sys

COLOURS = ["#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027"]


def rings_of(geom):
    if geom["type"] == "Polygon":
        return [geom["coordinates"]]
    if geom["type"] == "MultiPolygon":
        return geom["coordinates"]
    return []


def main():
    out, *paths = sys.argv[1:]
    layers = [json.load(open(p, encoding="utf-8")) for p in paths]
    xs, ys = [], []

    def walk(c):
        if isinstance(c[0], (int, float)):
            xs.append(c[0]); ys.append(c[1])
        else:
            for x in c:
                walk(x)
    for layer in layers:
        for f in layer["features"]:
            walk(f["geometry"]["coordinates"])
    lat0 = math.radians((min(ys) + max(ys)) / 2)
    w = 800
    sx = w / ((max(xs) - min(xs)) * math.cos(lat0))
    h = int((max(ys) - min(ys)) * sx) + 1

    def pt(c):
        return f"{(c[0] - min(xs)) * math.cos(lat0) * sx:.1f},{(max(ys) - c[1]) * sx:.1f}"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
             f'<rect width="{w}" height="{h}" fill="#f7f7f2"/>']
    for i, layer in enumerate(layers):
        feats = layer["features"]
        gap_field = next((k for k in (feats[0]["properties"] if feats else {}) if k.startswith("uncovered_")), None)
        if feats and feats[0]["geometry"]["type"] in ("Polygon", "MultiPolygon") and gap_field:
            top = max(f["properties"][gap_field] for f in feats) or 1
            for f in feats:  # yellow (few uncovered) to red (many)
                colour = COLOURS[3 + min(2, int(3 * f["properties"][gap_field] / top))] if f["properties"][gap_field] < top else COLOURS[5]
                d = " ".join("M" + " L".join(pt(c) for c in ring) + " Z"
                             for poly in rings_of(f["geometry"]) for ring in poly)
                parts.append(f'<path d="{d}" fill="{colour}" fill-opacity="0.7" stroke="#777" stroke-width="0.4"/>')
        elif feats and feats[0]["geometry"]["type"] in ("Polygon", "MultiPolygon"):
            breaks = sorted({f["properties"].get("minutes", 0) for f in feats})
            for f in sorted(feats, key=lambda f: -f["properties"].get("minutes", 0)):
                colour = COLOURS[min(breaks.index(f["properties"].get("minutes", 0)) * 2, len(COLOURS) - 1)]
                d = " ".join("M" + " L".join(pt(c) for c in ring) + " Z"
                             for poly in rings_of(f["geometry"]) for ring in poly)
                parts.append(f'<path d="{d}" fill="{colour}" fill-opacity="0.55" fill-rule="evenodd" '
                             f'stroke="#333" stroke-width="0.6"/>')
        elif feats and "LineString" in feats[0]["geometry"]["type"]:
            for f in feats:
                g = f["geometry"]
                lines = g["coordinates"] if g["type"] == "MultiLineString" else [g["coordinates"]]
                for line in lines:
                    parts.append(f'<polyline points="{" ".join(pt(c) for c in line)}" fill="none" '
                                 f'stroke="#555" stroke-width="1"/>')
        else:
            for f in feats:
                x, y = pt(f["geometry"]["coordinates"]).split(",")
                covered = f["properties"].get("covered")
                if covered is None:
                    parts.append(f'<circle cx="{x}" cy="{y}" r="5" fill="#08306b"/>')
                else:
                    parts.append(f'<circle cx="{x}" cy="{y}" r="2.2" fill="{COLOURS[0] if covered else COLOURS[5]}" '
                                 f'stroke="#222" stroke-width="0.3"/>')
    parts.append("</svg>")
    open(out, "w", encoding="utf-8").write("\n".join(parts))


if __name__ == "__main__":
    main()
