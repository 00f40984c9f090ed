#!/usr/bin/python3
"""Plots the proxy bench (written by Proxy.Bench into bench/results/):
left, calls/s against sessions per system (proxy-throughput.csv);
right, the side-by-side phase: calls/s and where each call's CPU went, by program (proxy-side-by-side.csv)."""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

source = sys.argv[1] if len(sys.argv) > 1 else "bench/results/proxy-throughput.csv"
target = sys.argv[2] if len(sys.argv) > 2 else "bench/proxy-throughput.png"
side_source = os.path.join(os.path.dirname(source), "proxy-side-by-side.csv")

series = {}
with open(source, newline="") as f:
    for row in csv.DictReader(f):
        if row["system"] != "http-floor":  # a reference for the CPU panel, not a system to compare
            series.setdefault(row["label"], []).append((int(row["sessions"]), float(row["calls_per_s"])))

side = []
if os.path.exists(side_source):
    with open(side_source, newline="") as f:
        side = list(csv.DictReader(f))

fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6), gridspec_kw={"width_ratios": [1.1, 1]})
for label, points in series.items():
    points.sort()
    left.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
left.set_xscale("log", base=2)
left.set_xticks(sorted({p[0] for pts in series.values() for p in pts}))
left.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
left.set_yscale("log")
left.set_xlabel("sessions in parallel (each its own server process / sandbox)")
left.set_ylabel("echo calls/s (median of windows)")
left.set_title("calls/s vs sessions, systems one after another")
left.grid(True, which="both", alpha=0.3)
left.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)

if side:
    groups = [c for c in side[0] if c.startswith("cpu_us_")]
    bottoms = [0.0] * len(side)
    names = [row["system"] for row in side]
    for group in groups:
        values = [float(row[group]) for row in side]
        name = group.removeprefix("cpu_us_")
        right.bar(names, values, bottom=bottoms, label="bench process (client; SMCP's proxy too)" if name == "bench" else name)
        bottoms = [b + v for b, v in zip(bottoms, values)]
    for i, row in enumerate(side):
        right.annotate(f"{float(row['calls_per_s']):.0f} calls/s", (i, bottoms[i]), ha="center", va="bottom", fontsize=8)
    right.set_ylabel("CPU µs per call, all programs on the machine (median of windows)")
    right.set_title("16 sessions side by side: calls/s and where each call's CPU goes")
    right.tick_params(axis="x", labelsize=8, rotation=15)
    right.legend(fontsize=8)
    right.grid(True, axis="y", alpha=0.3)
else:
    right.set_axis_off()

fig.suptitle("server-everything echo on 2 cores")
fig.tight_layout()
fig.savefig(target, dpi=100)
print(f"wrote {target}")
