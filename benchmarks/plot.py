#!/usr/bin/env python3
"""Plots for docs/BENCHMARKS.md from the results that benchmarks/run-all.sh writes.

    /usr/bin/python3 benchmarks/plot.py benchmarks/results docs/img

Reads oneway.json (JMH JSON), latency-loss.jsonl and latency-link.jsonl (RoundTripLatency);
writes throughput.png, latency-loss.png and latency-link.png. Needs matplotlib
(Debian: apt-get install python3-matplotlib).
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {
    "gladius": "Gladius (KCP/UDP)",
    "gladiusSecure": "Gladius, secure",
    "gladius-secure": "Gladius, secure",
    "nettyTcp": "Netty TCP",
    "baseline tcp": "Netty TCP",
    "baseline tls-jdk": "TCP + TLS 1.3 (JDK)",
    "baseline tls-boringssl": "TCP + TLS 1.3 (BoringSSL)",
    "baseline quic": "Netty QUIC (quiche)",
    "tcp": "Netty TCP",
    "nettyUdp": "Netty UDP (no reliability)",
    "udpGsoGro": "UDP, GSO + GRO (no reliability)",
    "gladius-pool": "Gladius, echo on the plugin threads",
    "quic": "Netty QUIC (quiche)",
    "udp": "UDP (floor; lost probes not counted)",
    "gladius-link": "Gladius across LossyLink (10 ms each way)",
}


def throughput(results, out):
    with open(os.path.join(results, "oneway.json")) as f:
        runs = json.load(f)
    series = {}
    for run in runs:
        method = run["benchmark"].rsplit(".", 1)[1]
        if "transport" in run["params"]:  # OneWayThroughput.baseline: one series per transport
            method += " " + run["params"]["transport"]
        size = int(run["params"]["size"])
        series.setdefault(method, []).append((size, run["primaryMetric"]["score"], run["primaryMetric"]["scoreError"]))
    fig, (msgs, mbs) = plt.subplots(1, 2, figsize=(11, 4.2))
    for method, points in sorted(series.items()):
        points.sort()
        sizes = [p[0] for p in points]
        rates = [p[1] for p in points]
        errors = [0 if p[2] != p[2] else p[2] for p in points]  # NaN when one iteration
        msgs.errorbar(sizes, rates, yerr=errors, marker="o", capsize=3, label=LABELS.get(method, method))
        mbs.plot(sizes, [r * s / 1e6 for r, s in zip(rates, sizes)], marker="o", label=LABELS.get(method, method))
    for axis, unit in ((msgs, "messages / s"), (mbs, "MB / s")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("message size (bytes)")
        axis.set_ylabel(unit)
        axis.grid(True, which="both", alpha=0.3)
    msgs.set_title("One-way throughput on loopback")
    mbs.set_title("The same, in bytes")
    msgs.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "throughput.png"), dpi=110)


def latency(results, name, out, title):
    path = os.path.join(results, name + ".jsonl")
    if not os.path.exists(path):
        return
    rows = [json.loads(line) for line in open(path) if line.strip()]
    systems = sorted({r["system"] for r in rows})
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for axis, key, label in ((axes[0], "p50_us", "median"), (axes[1], "p99_us", "99th percentile")):
        for system in systems:
            points = sorted((r["loss"], r[key] / 1000) for r in rows if r["system"] == system)
            axis.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=LABELS.get(system, system))
        axis.set_yscale("log")
        axis.set_xlabel("random packet loss (%)")
        axis.set_ylabel("round trip, " + label + " (ms)")
        axis.grid(True, which="both", alpha=0.3)
        axis.set_title(title + ": " + label)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, name + ".png"), dpi=110)


def main():
    results, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    throughput(results, out)
    latency(results, "latency-loss", out, "Round trip at 500/s")
    latency(results, "latency-link", out, "Across LossyLink")
    print("plots in", out)


if __name__ == "__main__":
    main()
