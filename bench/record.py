#!/usr/bin/env python3
"""Small steps of bench/run.sh's cold-path measurements (issue 16), kept out of the shell script.

    bench/record.py paths PLAN WORK            the files of literal paths wrk goes through, and
                                               the draft the writer changes and its unit
                                               (WORK/draft)
    bench/record.py writer OUT RATE FILE       the writer's JSON line into OUT's "writers"
    bench/record.py oha OUT FILE RATE NAME     oha's JSON report into OUT's endpoints as NAME
"""

import json
import sys


def paths(plan_file, work):
    plan = json.load(open(plan_file))

    def write(name, lines):
        with open(f"{work}/{name}", "w") as f:
            f.write("".join(line + "\n" for line in lines))

    write("baseline-ids.txt", [f"/agreements/{i}" for i in plan["readable_ids"]])
    write("service-ids.txt", [f"/api/v1/agreements/{i}" for i in plan["readable_ids"]])
    write("compliance-ids.txt", [f"/api/v1/agreements/{i}/compliance" for i in plan["active_ids"]])
    with open(f"{work}/draft", "w") as f:
        f.write(f"{plan['draft']} {plan['draft_unit']}\n")


def update(out, change):
    doc = json.load(open(out))
    change(doc)
    with open(out, "w") as f:
        json.dump(doc, f, indent=2)


def writer(out, rate, line_file):
    line = open(line_file).read().strip()
    update(out, lambda doc: doc.setdefault("writers", {}).__setitem__(
        rate, json.loads(line) if line else None))


def oha(out, report_file, rate, name):
    report = json.load(open(report_file))
    pct = report["latencyPercentiles"]
    statuses = report.get("statusCodeDistribution", {})
    entry = {"offered_rps": int(rate), "rps": report["summary"]["requestsPerSec"],
             "p50_ms": pct["p50"] * 1000, "p90_ms": pct["p90"] * 1000,
             "p99_ms": pct["p99"] * 1000, "max_ms": report["summary"]["slowest"] * 1000,
             "non_2xx": sum(n for code, n in statuses.items() if not str(code).startswith("2")),
             # Requests still in flight when the duration ends are cut off by oha itself.
             "socket_errors": sum(n for error, n in report.get("errorDistribution", {}).items()
                                  if "deadline" not in error),
             "cut_at_the_end": sum(n for error, n in report.get("errorDistribution", {}).items()
                                   if "deadline" in error)}
    update(out, lambda doc: doc["endpoints"].__setitem__(name, entry))
    print(f"  {name}: {json.dumps(entry)}")


if __name__ == "__main__":
    steps = {"paths": paths, "writer": writer, "oha": oha}
    if len(sys.argv) < 2 or sys.argv[1] not in steps:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    steps[sys.argv[1]](*sys.argv[2:])
