#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Pivot Google Benchmark JSON from bench.cpp: ns per reserve+release,
one table per kind, rows = live tasks, columns = CPUs."""
import json
import sys

data = json.load(open(sys.argv[1]))
cells = {}
for b in data["benchmarks"]:
    if b.get("run_type") == "aggregate":
        continue
    name, rest = b["name"].split("/", 1)
    args = dict(kv.split(":") for kv in rest.split("/") if ":" in kv)
    ns = b["cpu_time"]  # per iteration, in time_unit
    unit = b.get("time_unit", "ns")
    ns *= {"ns": 1, "us": 1e3, "ms": 1e6}[unit]
    cells.setdefault(name, {})[(int(args["tasks"]), int(args["cpus"]))] = ns

for name, c in cells.items():
    tasks = sorted({k[0] for k in c})
    cpus = sorted({k[1] for k in c})
    print("\n%s: ns per reserve+release (rows: live tasks, columns: CPUs)" % name)
    print("%8s" % "tasks" + "".join("%9s" % ("cpus=%d" % x) for x in cpus))
    for t in tasks:
        print("%8d" % t + "".join("%9.0f" % c[(t, x)] for x in cpus))
