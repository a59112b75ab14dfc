#!/usr/bin/env python3
"""Charts, as plain SVG, of the DHT's figures (DhtScale; no plotting library needed).

    benchmarks/plot-dht.py cdf OUT.svg TITLE KIND FILE.csv=LABEL ...
        the share of lookups (KIND lookup) or gets (KIND get) that ended within x ms, from -Dout files
    benchmarks/plot-dht.py sybils OUT.svg RESULTS.txt
        lookup and get success against the number of disjoint paths d, from DhtScale's printed lines
"""
import re
import sys

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]
W, H, L, R, T, B = 640, 380, 60, 160, 40, 50


def frame(title, xlabel, ylabel, xmax, xticks, yticks, ymin=0.0):
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="14">{title}</text>']
    pw, ph = W - L - R, H - T - B
    for x in xticks:
        px = L + pw * x / xmax
        out.append(f'<line x1="{px}" y1="{T}" x2="{px}" y2="{T + ph}" stroke="#eee"/>')
        out.append(f'<text x="{px}" y="{T + ph + 16}" text-anchor="middle">{x}</text>')
    for y in yticks:
        py = T + ph * (1 - (y - ymin) / (1 - ymin))
        out.append(f'<line x1="{L}" y1="{py}" x2="{L + pw}" y2="{py}" stroke="#eee"/>')
        out.append(f'<text x="{L - 6}" y="{py + 4}" text-anchor="end">{y:g}</text>')
    out.append(f'<rect x="{L}" y="{T}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
    out.append(f'<text x="{L + pw / 2}" y="{H - 12}" text-anchor="middle">{xlabel}</text>')
    out.append(f'<text x="16" y="{T + ph / 2}" text-anchor="middle" transform="rotate(-90 16 {T + ph / 2})">{ylabel}</text>')
    return out, pw, ph


def cdf(out_path, title, kind, files):
    xmax = 1500
    out, pw, ph = frame(title, "milliseconds (simulated)", "share ended within", xmax, range(0, xmax + 1, 250),
                        [0, 0.25, 0.5, 0.75, 0.95, 1])
    px500 = L + pw * 500 / xmax
    out.append(f'<line x1="{px500}" y1="{T}" x2="{px500}" y2="{T + ph}" stroke="#999" stroke-dasharray="4 3"/>')
    for i, spec in enumerate(files):
        path, label = spec.split("=", 1)
        with open(path) as f:
            values = sorted(int(line.split(",")[1]) for line in f if line.startswith(kind + ","))
        points = []
        for j, v in enumerate(values):
            points.append(f"{L + pw * min(v, xmax) / xmax:.1f},{T + ph * (1 - (j + 1) / len(values)):.1f}")
        colour = COLOURS[i % len(COLOURS)]
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{" ".join(points)}"/>')
        out.append(f'<text x="{L + pw + 8}" y="{T + 14 + 16 * i}" fill="{colour}">{label}</text>')
    out.append("</svg>")
    with open(out_path, "w") as f:
        f.write("\n".join(out) + "\n")


def sybils(out_path, results):
    rows = {}
    text = open(results).read()
    for header, lookups, gets in re.findall(r"(nodes=.*)\n(lookups=.*)\n(gets=.*)", text):
        h = dict(kv.split("=") for kv in header.split())
        if float(h["sybils"]) == 0:
            continue
        found = float(re.search(r"found=([\d.]+)", lookups).group(1))
        got = float(re.search(r"got=([\d.]+)", gets).group(1))
        rows.setdefault((int(h["nodes"]), int(h["paths"])), []).append((found, got))
    out, pw, ph = frame("Success with 20 % sybils, by disjoint paths d", "disjoint paths d", "share that succeeded",
                        5, [1, 2, 3, 4], [0.8, 0.85, 0.9, 0.95, 0.99, 1], ymin=0.8)
    series = {}
    for (nodes, d), values in sorted(rows.items()):
        for which, idx in (("lookups", 0), ("gets", 1)):
            series.setdefault(f"{nodes:,} nodes, {which}", []).append((d, [v[idx] for v in values]))
    for i, (label, points) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        line = []
        for d, values in points:
            x = L + pw * d / 5
            mean = sum(values) / len(values)
            y = lambda v: T + ph * (1 - (max(v, 0.8) - 0.8) / 0.2)
            out.append(f'<line x1="{x}" y1="{y(min(values)):.1f}" x2="{x}" y2="{y(max(values)):.1f}" stroke="{colour}"/>')
            out.append(f'<circle cx="{x}" cy="{y(mean):.1f}" r="3" fill="{colour}"/>')
            line.append(f"{x},{y(mean):.1f}")
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.2" points="{" ".join(line)}"/>')
        out.append(f'<text x="{L + pw + 8}" y="{T + 14 + 16 * i}" fill="{colour}">{label}</text>')
    out.append("</svg>")
    with open(out_path, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "cdf":
        cdf(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    elif sys.argv[1] == "sybils":
        sybils(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
