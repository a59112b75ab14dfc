#!/usr/bin/env python3
"""Charts, as plain SVG, of PubSubScale's grid (benchmarks/pubsub-grid.sh; no plotting library needed).

    benchmarks/plot-pubsub.py GRIDDIR OUTDIR [NODES]
        writes OUTDIR/duplicates.svg and OUTDIR/p95.svg: per scenario (topics, message size, loss),
        one bar per mode (v1.1, v1.2, lazy links) of the runs in GRIDDIR for NODES nodes (1000)
"""
import os
import re
import sys

MODES = [("v11", "gossipsub v1.1", "#1f77b4"), ("v12", "v1.2 (IDONTWANT)", "#2ca02c"), ("lazy", "v1.2 + lazy links", "#d62728")]
W, H, L, R, T, B = 760, 400, 60, 170, 40, 80


def read(path):
    text = open(path).read()
    p95 = int(re.search(r"p95 (\d+) ms", text).group(1))
    dups = float(re.search(r"duplicates per delivered message ([0-9.]+)", text).group(1))
    delivered = float(re.search(r"delivered ([0-9.]+) %", text).group(1))
    return p95, dups, delivered


def bars(title, ylabel, scenarios, values, ymax, yticks, target=None, target_label=""):
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{(W - R + L) / 2}" y="22" text-anchor="middle" font-size="14">{title}</text>']
    pw, ph = W - L - R, H - T - B
    for y in yticks:
        py = T + ph * (1 - y / ymax)
        out.append(f'<line x1="{L}" y1="{py}" x2="{L + pw}" y2="{py}" stroke="#eee"/>')
        out.append(f'<text x="{L - 6}" y="{py + 4}" text-anchor="end">{y:g}</text>')
    group = pw / len(scenarios)
    bar = group / (len(MODES) + 1)
    for i, scenario in enumerate(scenarios):
        for j, (mode, _, colour) in enumerate(MODES):
            value = values.get((scenario, mode))
            if value is None:
                continue
            x = L + i * group + (j + 0.5) * bar
            shown = min(value, ymax)
            y = T + ph * (1 - shown / ymax)
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar * 0.9:.1f}" height="{T + ph - y:.1f}" fill="{colour}"/>')
            out.append(f'<text x="{x + bar * 0.45:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="9">{value:g}</text>')
        label = scenario.split("|")
        for k, part in enumerate(label):
            out.append(f'<text x="{L + (i + 0.5) * group:.1f}" y="{T + ph + 16 + 13 * k}" text-anchor="middle" font-size="11">{part}</text>')
    if target is not None:
        py = T + ph * (1 - target / ymax)
        out.append(f'<line x1="{L}" y1="{py}" x2="{L + pw}" y2="{py}" stroke="#000" stroke-dasharray="5,3"/>')
        out.append(f'<text x="{L + pw + 8}" y="{py + 4}">{target_label}</text>')
    out.append(f'<rect x="{L}" y="{T}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
    out.append(f'<text x="16" y="{T + ph / 2}" text-anchor="middle" transform="rotate(-90 16 {T + ph / 2})">{ylabel}</text>')
    for j, (_, name, colour) in enumerate(MODES):
        y = T + 20 + 20 * j
        out.append(f'<rect x="{L + pw + 10}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{L + pw + 28}" y="{y}">{name}</text>')
    out.append("</svg>")
    return "\n".join(out)


def main():
    grid, outdir = sys.argv[1], sys.argv[2]
    nodes = sys.argv[3] if len(sys.argv) > 3 else "1000"
    scenarios, p95s, dups = [], {}, {}
    for topics, topics_label in (("1", "1 topic"), ("100", "100 topics")):
        for size, size_label in (("200", "200 B"), ("102400", "100 KiB")):
            for loss, loss_label in (("0", "0 %"), ("0.05", "5 % loss")):
                scenario = f"{topics_label}|{size_label}|{loss_label}"
                for mode, _, _ in MODES:
                    path = os.path.join(grid, f"n{nodes}-topics{topics}-size{size}-loss{loss}-{mode}.txt")
                    if os.path.exists(path):
                        p95, dup, _ = read(path)
                        p95s[(scenario, mode)] = p95
                        dups[(scenario, mode)] = dup
                if any(s == scenario for s, _ in p95s):
                    scenarios.append(scenario)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "duplicates.svg"), "w") as f:
        f.write(bars(f"Duplicates per delivered message, {nodes} nodes (churn 5 %/min, 50 Mbit/s uplinks)", "copies of a message already had",
                     scenarios, dups, 6, [0, 1, 2, 3, 4, 5, 6], 0.3, "target 0.3"))
    with open(os.path.join(outdir, "p95.svg"), "w") as f:
        f.write(bars(f"Propagation p95, {nodes} nodes (churn 5 %/min, 50 Mbit/s uplinks)", "ms, publish to delivery",
                     scenarios, p95s, 2500, [0, 500, 1000, 1500, 2000, 2500], 500, "target 500 ms"))


if __name__ == "__main__":
    main()
