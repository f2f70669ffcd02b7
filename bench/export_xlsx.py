#!/usr/bin/env python3
"""The agreements export as CSV and as an Excel workbook at 10,000 agreements: time and the
service's peak memory (bench only; issue 14).

    python3 bench/export_xlsx.py BINARY [--backend sqlite|postgres] [--agreements 10000] [--runs 3]

Loads a generated register (bench/load_register.py) into a fresh database, then for each format
starts a fresh release instance of the service, asks for `GET /api/v1/agreements` as a
coordinator (who sees every agreement, drafts included) `--runs` times, and records each
request's time and the instance's peak resident memory (VmHWM from /proc/PID/status) before the
first request and after the last. A fresh instance per format, so that one format's peak is not
the other's. Checks that every export carries every agreement (X-Total-Count, and the rows of the
CSV and of the workbook's sheet). Standard library only; 127.0.0.1 only.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
import io

HERE = os.path.dirname(os.path.abspath(__file__))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PG = {"PGHOST": os.environ.get("PGHOST", "127.0.0.1"), "PGPORT": os.environ.get("PGPORT", "5432"),
      "PGUSER": os.environ.get("PGUSER", "postgres")}


def peak_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def get(url, token, accept):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Accept": accept})
    started = time.monotonic()
    with urllib.request.urlopen(req, timeout=300) as r:
        body = r.read()
        return r.status, r.headers, body, time.monotonic() - started


def wait_ready(base):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health/ready", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the service did not become ready")


def rows_of(fmt, body):
    """Data rows in the export (the header not counted)."""
    if fmt == "csv":
        import csv
        return sum(1 for _ in csv.reader(io.StringIO(body.decode()))) - 1
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    return sheet.count("<row ") - 1


def measure(binary, env, fmt, runs, port):
    env = dict(env, SAMVERKAN_BIND=f"127.0.0.1:{port}", SAMVERKAN_PUBLIC_URL=f"http://127.0.0.1:{port}")
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base)
        token = subprocess.run([binary, "token", "--role", "coordinator", "--sub", "bench-export"],
                               env=env, capture_output=True, text=True, check=True).stdout.strip()
        url = f"{base}/api/v1/agreements"
        # One JSON page first, so that the start-up and the first-read caches are in the baseline.
        status, _, _, _ = get(f"{url}?limit=20", token, "application/json")
        assert status == 200, status
        before = peak_mb(proc.pid)
        times, sizes = [], []
        for _ in range(runs):
            status, headers, body, elapsed = get(url, token, "text/csv" if fmt == "csv" else XLSX)
            assert status == 200, status
            total = int(headers["X-Total-Count"])
            assert rows_of(fmt, body) == total, (fmt, rows_of(fmt, body), total)
            times.append(elapsed)
            sizes.append(len(body))
        return {"format": fmt, "rows": total, "truncated": headers["X-Truncated"],
                "bytes": sizes[-1], "seconds": [round(t, 3) for t in times],
                "median_s": round(statistics.median(times), 3),
                "peak_before_mb": round(before, 1), "peak_after_mb": round(peak_mb(proc.pid), 1)}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--agreements", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--port", type=int, default=18421)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="samverkan-export-bench-")
    db = f"samverkan_export_{os.getpid()}"
    if args.backend == "postgres":
        env_pg = dict(os.environ, **PG)
        subprocess.run(["psql", "-qAt", "-d", "postgres", "-c", f'CREATE DATABASE "{db}"'],
                       env=env_pg, check=True, stdin=subprocess.DEVNULL)
        url = f"postgres://{PG['PGUSER']}@{PG['PGHOST']}:{PG['PGPORT']}/{db}"
    else:
        url = f"sqlite://{work}/export.db"
    env = dict(os.environ, DATABASE_URL=url, SAMVERKAN_JWT_SECRET=secrets.token_hex(32),
               SAMVERKAN_RATE_LIMIT="0", RUST_LOG="warn")
    try:
        subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True)
        started = time.monotonic()
        subprocess.run([sys.executable, os.path.join(HERE, "load_register.py"), url,
                        str(args.agreements)], env=env, check=True, capture_output=True)
        print(f"{args.backend}: {args.agreements} agreements loaded in "
              f"{time.monotonic() - started:.1f}s", flush=True)
        results = []
        for i, fmt in enumerate(["csv", "xlsx"]):
            r = measure(binary, env, fmt, args.runs, args.port + i)
            print(json.dumps(r), flush=True)
            results.append(r)
        print(f"\n| backend | format | rows | size | time per export (median of {args.runs}) "
              "| peak memory before → after |")
        print("|---|---|---:|---:|---:|---:|")
        for r in results:
            print(f"| {args.backend} | {r['format']} | {r['rows']:,} | {r['bytes'] / 1e6:.1f} MB "
                  f"| {r['median_s']:.2f} s | {r['peak_before_mb']} → {r['peak_after_mb']} MB |")
    finally:
        if args.backend == "postgres":
            subprocess.run(["psql", "-qAt", "-d", "postgres", "-c",
                            f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'],
                           env=dict(os.environ, **PG), stdin=subprocess.DEVNULL)
        for name in os.listdir(work):
            os.remove(os.path.join(work, name))
        os.rmdir(work)


if __name__ == "__main__":
    main()
