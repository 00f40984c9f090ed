#!/usr/bin/python3
"""Plots calls/s against sessions per system from bench/results/proxy-throughput.csv (written by Proxy.Bench)."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

source = sys.argv[1] if len(sys.argv) > 1 else "bench/results/proxy-throughput.csv"
target = sys.argv[2] if len(sys.argv) > 2 else "bench/proxy-throughput.png"
series = {}
with open(source, newline="") as f:
    for row in csv.DictReader(f):
        series.setdefault(row["label"], []).append((int(row["sessions"]), float(row["calls_per_s"])))

fig, ax = plt.subplots(figsize=(8, 5))
for label, points in series.items():
    points.sort()
    ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
ax.set_xscale("log", base=2)
ax.set_xticks(sorted({p[0] for pts in series.values() for p in pts}))
ax.get_xaxis().set_major_formatter(matplotlib.ticker.ScalarFormatter())
ax.set_yscale("log")
ax.set_xlabel("sessions in parallel (each its own server process / sandbox)")
ax.set_ylabel("echo calls/s (median of windows)")
ax.set_title("server-everything echo, 2 cores: calls/s vs sessions")
ax.grid(True, which="both", alpha=0.3)
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(target, dpi=110)
print(f"wrote {target}")
