#!/usr/bin/env python3
"""Turns bench/results/<backend>-<size>.json into a Markdown summary with the issue's targets."""

import glob
import json
import os
import sys

READS = ["GET /agreements/{id}", "GET /agreements?status=ACTIVE&unitCode=U07",
         "GET /partners/{id}/eligibility"]
SCALED = ["GET /agreements?status=ACTIVE&unitCode=U07", "GET /partners/{id}/eligibility"]
ALONE = "one connection: "
# Issue 16's ratios: (name, measured, against, at least).
BASE_GET = "baseline GET /agreements/{id}, random ids"
COLD = [
    ("random GET under 10 writes/s", "GET /agreements/{id}, random ids, 10 writes/s", BASE_GET, 0.60),
    ("random compliance", "GET /agreements/{id}/compliance, random active ids", BASE_GET, 0.40),
    ("keyed POST", "POST /agreements (Idempotency-Key)", "baseline POST /agreements", 0.50),
]
OPEN_LOOP = "open loop: GET /agreements/{id} at half the random-id rate, 10 writes/s"


def cold_ratios(ep):
    """Issue 16's ratios of one run, by name, where both figures were measured."""
    return {label: ep[name]["rps"] / ep[base]["rps"]
            for label, name, base, _ in COLD if name in ep and base in ep and ep[base]["rps"]}


def main():
    results = sys.argv[1]
    runs = {}
    for path in sorted(glob.glob(os.path.join(results, "*-*.json"))):
        doc = json.load(open(path))
        runs[(doc["backend"], doc["agreements"])] = doc
    if not runs:
        sys.exit("no results")
    first = next(iter(runs.values()))
    print(f"Machine: {first['machine']}. wrk -t2 -c{first['connections']} -d{first['duration']} "
          "on 127.0.0.1, load generator on the same 2 cores; SAMVERKAN_RATE_LIMIT=0.\n")
    checks = []
    for backend in sorted({b for b, _ in runs}):
        sizes = sorted(s for b, s in runs if b == backend)
        print(f"### {backend}\n")
        print("| agreements | endpoint | req/s | p50 ms | p99 ms | errors | load avg before |")
        print("|---:|---|---:|---:|---:|---:|---:|")
        for size in sizes:
            doc = runs[(backend, size)]
            for name, e in doc["endpoints"].items():
                errors = e["non_2xx"] + e["socket_errors"]
                print(f"| {size:,} | {name} | {e['rps']:,.0f} | {e['p50_ms']:.2f} | "
                      f"{e['p99_ms']:.2f} | {errors} | {e.get('loadavg_before', '')} |")
            print(f"| {size:,} | peak memory (VmHWM) | service {doc['service_peak_mb']} MB, "
                  f"baseline {doc['baseline_peak_mb']} MB | | | | |")
        print()
        for size in sizes:
            doc = runs[(backend, size)]
            ep = doc["endpoints"]
            # A run with BENCH_ONLY measures some endpoints only: targets need theirs.
            if "GET /agreements/{id}" in ep and "baseline GET /agreements/{id}" in ep:
                ratio = ep["GET /agreements/{id}"]["rps"] / ep["baseline GET /agreements/{id}"]["rps"]
                checks.append((f"{backend} {size:,}: GET /agreements/{{id}} at ≥ 70 % of baseline",
                               ratio >= 0.70, f"{ratio:.0%}"))
            for name in READS:
                if name not in ep:
                    continue
                p99 = ep[name]["p99_ms"]
                checks.append((f"{backend} {size:,}: {name} p99 ≤ 25 ms", p99 <= 25, f"{p99:.1f} ms"))
            errs = sum(e["non_2xx"] + e["socket_errors"] for n, e in ep.items()
                       if not n.startswith("baseline"))
            checks.append((f"{backend} {size:,}: no errors from the service", errs == 0, str(errs)))
            # A baseline that answered errors measured nothing: its ratios would be false.
            errs = sum(e["non_2xx"] + e["socket_errors"] for n, e in ep.items()
                       if n.startswith("baseline"))
            checks.append((f"{backend} {size:,}: no errors from the baseline", errs == 0, str(errs)))
            ratios = cold_ratios(ep)
            for label, name, base, least in COLD:
                if label in ratios:
                    checks.append((f"{backend} {size:,}: {label} at ≥ {least:.0%} of {base}",
                                   ratios[label] >= least, f"{ratios[label]:.0%}"))
            post = ep.get("POST /agreements (Idempotency-Key)")
            if post:
                checks.append((f"{backend} {size:,}: keyed POST ≥ 600 req/s at "
                               f"{doc['connections']} connections", post["rps"] >= 600,
                               f"{post['rps']:,.0f} req/s"))
            if OPEN_LOOP in ep:
                e = ep[OPEN_LOOP]
                checks.append((f"{backend} {size:,}: p99 of GET /agreements/{{id}} at half the "
                               f"maximum rate ≤ 10 ms", e["p99_ms"] <= 10,
                               f"{e['p99_ms']:.1f} ms at {e['offered_rps']:,}/s offered, "
                               f"{e['rps']:,.0f}/s served"))
            checks.append((f"{backend} {size:,}: peak memory ≤ 150 MB",
                           doc["service_peak_mb"] <= 150, f"{doc['service_peak_mb']} MB"))
        if len(sizes) >= 2:
            small, big = runs[(backend, sizes[0])], runs[(backend, sizes[-1])]
            for name in SCALED:
                for label, key in [("one connection", ALONE + name), ("32 connections", name)]:
                    if key not in big["endpoints"] or key not in small["endpoints"]:
                        continue
                    a = small["endpoints"][key]["p50_ms"]
                    b = big["endpoints"][key]["p50_ms"]
                    checks.append((f"{backend}: {name} p50 at {sizes[-1]:,} within 1.5× of "
                                   f"{sizes[0]:,} ({label})", b / a <= 1.5,
                                   f"{b / a:.2f}× ({a:.2f} → {b:.2f} ms)"))
        if len(sizes) >= 2:
            small = cold_ratios(runs[(backend, sizes[0])]["endpoints"])
            big = cold_ratios(runs[(backend, sizes[-1])]["endpoints"])
            for label in small:
                if label in big and big[label]:
                    worse = small[label] / big[label]
                    checks.append((f"{backend}: {label} ratio at {sizes[-1]:,} no worse than 1.5× "
                                   f"its value at {sizes[0]:,}", worse <= 1.5,
                                   f"{small[label]:.0%} → {big[label]:.0%}"))
    print("### Targets\n")
    print("| target | met | measured |")
    print("|---|---|---|")
    for name, ok, value in checks:
        print(f"| {name} | {'yes' if ok else '**no**'} | {value} |")


if __name__ == "__main__":
    main()
