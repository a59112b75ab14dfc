#!/usr/bin/env python3
"""Line charts, as plain SVG, from SimulatedScale's CSV files (no plotting library needed).

    benchmarks/plot-scale.py OUT.svg COLUMN TITLE [--until SECONDS] FILE.csv[=LABEL] ...

COLUMN is a CSV column, or a ratio ("entries_mean/writers", "unknown/n": n and writers are the
counts in the file's first line). One line per file, virtual seconds across.
"""
import re
import sys

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]


def read(path):
    with open(path) as f:
        lines = [line.rstrip("\n") for line in f]
    n = int(re.match(r"# (\d+) nodes", lines[0]).group(1))
    found = re.search(r"(\d+) writers", lines[0])
    writers = int(found.group(1)) if found else n
    header = lines[1].split(",")
    rows = [dict(zip(header, map(float, line.split(",")))) for line in lines[2:] if line and not line.startswith("#")]
    return n, writers, rows


def value(row, column, n, writers):
    if "/" in column:
        top, bottom = column.split("/")
        counts = {"n": n, "writers": writers}
        return row[top] / (counts[bottom] if bottom in counts else row[bottom])
    return row[column]


def main():
    out, column, title = sys.argv[1:4]
    args = sys.argv[4:]
    until = None
    if args[:1] == ["--until"]:
        until = float(args[1])
        args = args[2:]
    series = []
    for arg in args:
        path, _, label = arg.partition("=")
        n, writers, rows = read(path)
        series.append((label or path, [(r["virtual_s"], value(r, column, n, writers)) for r in rows
                                       if until is None or r["virtual_s"] <= until]))
    width, height, left, right, top, bottom = 640, 360, 60, 170, 30, 40
    xmax = max(x for _, points in series for x, _ in points) or 1
    ymax = max(y for _, points in series for _, y in points) or 1
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x):
        return left + x / xmax * plot_w

    def py(y):
        return top + plot_h - y / ymax * plot_h

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="18" font-size="13">{title}</text>',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>']
    for i in range(5):
        y = ymax * i / 4
        svg.append(f'<text x="{left - 6}" y="{py(y) + 4}" text-anchor="end">{y:.3g}</text>')
        svg.append(f'<line x1="{left}" y1="{py(y)}" x2="{left + plot_w}" y2="{py(y)}" stroke="#ddd"/>')
        x = xmax * i / 4
        svg.append(f'<text x="{px(x)}" y="{top + plot_h + 16}" text-anchor="middle">{x:.3g}</text>')
    svg.append(f'<text x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle">virtual seconds</text>')
    for k, (label, points) in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points)
        svg.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        svg.append(f'<line x1="{left + plot_w + 10}" y1="{top + 10 + 16 * k}" x2="{left + plot_w + 28}" '
                   f'y2="{top + 10 + 16 * k}" stroke="{colour}" stroke-width="2"/>')
        svg.append(f'<text x="{left + plot_w + 32}" y="{top + 14 + 16 * k}">{label}</text>')
    svg.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
