#!/usr/bin/env python3
"""Imports 10,000 agreements (POST /api/v1/imports/agreements) into a fresh register and records
the time and the server's peak memory, on SQLite and on PostgreSQL.

    python3 bench/import.py target/release/samverkan [sqlite|postgres ...]

The file is in the agreements export's columns: 10,000 rows (25 % draft, 55 % active, 15 % ended,
5 % cancelled), 1-3 partners each out of 2,000 named by name, country and kind (so the import
creates them), purposes, two goals, a funding line for half, Swedish letters in every title. The
register holds the units and published country assessments first (they are not imported).
Each backend: one dry run, then the import, each timed from the first byte sent to the answer;
the server's peak resident memory (VmHWM) is reset before each (`/proc/PID/clear_refs`) and read
after. Then the register is exported as CSV, for the size of a 10,000-row export. Standard library only; the server listens on 127.0.0.1.
"""

import csv
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import PG, psql, request  # noqa: E402

ROWS = 10_000
PORT = 18391
COUNTRIES = ["NO", "FI", "DK", "DE", "EE"]
HEADER = ["id", "title", "description", "type", "unitCode", "partners", "purposes", "sdgs",
          "fundings", "externalFundingNotPossibleReason", "startDate", "endDate", "caseNumber",
          "status", "compliance.status", "compliance.asOf", "compliance.reasons", "warnings",
          "registeredRetroactively", "boundByPolicy", "overdue", "activatedAt", "activatedBy",
          "endedAt", "endReason", "cancelledAt", "cancelReason", "version", "createdAt",
          "updatedAt"]


def the_file():
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    kinds = ["CITY", "REGION", "UNIVERSITY", "ORGANISATION"]
    for i in range(ROWS):
        share = i % 20
        status = ("DRAFT" if share < 5 else "ACTIVE" if share < 16 else "ENDED" if share < 19
                  else "CANCELLED")
        partners = ";".join(
            f":Partnerstad {p} (Ålesund–Åbo):{COUNTRIES[p % len(COUNTRIES)]}:{kinds[p % 4]}"
            for p in sorted({(i * 7 + k * 13) % 2000 for k in range(1 + i % 3)}))
        funding = "EU:Interreg Öresund%3A del 2:150000.50:EUR" if i % 2 else ""
        row = {h: "" for h in HEADER}
        row.update({
            "title": f"Samverkan nr {i} – kultur, skola och äldreomsorg i Norden",
            "description": "Utbyte mellan bibliotek och skolor; två besök om året." if i % 3 else "",
            "type": "KNOWLEDGE_EXCHANGE", "unitCode": f"U{1 + i % 20:02d}", "partners": partners,
            "purposes": "KNOWLEDGE_EXCHANGE;OPERATIONAL_DEVELOPMENT", "sdgs": "4;11", "fundings": funding,
            "startDate": "2025-03-01", "endDate": "2026-06-30" if status == "ENDED" else "2028-12-31",
            "caseNumber": f"KS 2025-{i:05d}", "status": status,
            "endReason": "Programmet slutfördes." if status == "ENDED" else "",
            "cancelReason": "Parten drog sig ur." if status == "CANCELLED" else "",
            "id": "0192f5d2-7c1e-7d3a-9d6e-3f1a2b4c5d6e", "version": "3",
        })
        w.writerow([row[h] for h in HEADER])
    return out.getvalue().encode()


def token(binary, env, role, sub):
    return subprocess.run([binary, "token", "--role", role, "--sub", sub], env=env,
                          capture_output=True, text=True, check=True).stdout.strip()


def peak_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def reset_peak(pid):
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def post_file(base, tok, body, dry_run):
    url = f"{base}/imports/agreements" + ("?dryRun=true" if dry_run else "")
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Authorization": f"Bearer {tok}", "Content-Type": "text/csv", "Accept": "application/json"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=1800) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    return status, json.loads(text), time.monotonic() - started


def run(binary, backend, body):
    secret = secrets.token_hex(32)
    workdir = tempfile.mkdtemp(prefix="samverkan-import-")
    if backend == "sqlite":
        url = f"sqlite://{workdir}/register.db"
        dbname = None
    else:
        dbname = f"samverkan_import_{os.getpid()}_{int(time.time())}"
        psql(f'CREATE DATABASE "{dbname}"')
        url = f"postgres://{PG['PGUSER']}@{PG['PGHOST']}:{PG['PGPORT']}/{dbname}"
    env = dict(os.environ, DATABASE_URL=url, SAMVERKAN_JWT_SECRET=secret,
               SAMVERKAN_RATE_LIMIT="0", RUST_LOG="warn", SAMVERKAN_BIND=f"127.0.0.1:{PORT}",
               SAMVERKAN_PUBLIC_URL=f"http://127.0.0.1:{PORT}")
    log = open(f"{workdir}/server.log", "w")
    server = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{PORT}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request("GET", f"http://127.0.0.1:{PORT}/health/ready", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not become ready")
            time.sleep(0.2)
        admin = token(binary, env, "admin", "bench-admin")
        cora = token(binary, env, "coordinator", "cora")
        per = token(binary, env, "coordinator", "per")
        units = [("KS", "EXECUTIVE_BOARD", None)] + [
            (f"U{n:02d}", "COMMITTEE", "KS") for n in range(1, 21)]
        for code, kind, parent in units:
            r = request("POST", f"{base}/units", admin,
                        {"code": code, "name": f"Nämnd {code}", "type": kind, "parentCode": parent})
            assert r.status == 201, r
        judged = {"verdict": "MEETS", "rationale": "Bedömd för mätningen."}
        for country in COUNTRIES:
            r = request("POST", f"{base}/assessments", cora,
                        {"countryCode": country, "humanRights": judged, "democracy": judged,
                         "ruleOfLaw": judged, "assessedAt": "2025-01-01", "validUntil": "2029-12-31"})
            assert r.status == 201, r
            a = r.json()
            r = request("POST", f"{base}/assessments/{a['id']}/publish", per,
                        headers={"If-Match": f'"{a["version"]}"'})
            assert r.status == 200, r
        results = {}
        for dry_run in (True, False):
            reset_peak(server.pid)
            status, summary, seconds = post_file(base, cora, body, dry_run)
            assert status == (200 if dry_run else 201), (status, json.dumps(summary)[:2000])
            results["dry run" if dry_run else "import"] = {
                "seconds": round(seconds, 1), "peak_mib": round(peak_kib(server.pid) / 1024, 1),
                "agreements": summary["agreements"], "partners": summary["partners"]}
        # The same register exported: the size a 10,000-row export of it has.
        req = urllib.request.Request(f"{base}/agreements", headers={
            "Authorization": f"Bearer {cora}", "Accept": "text/csv"})
        with urllib.request.urlopen(req, timeout=600) as r:
            exported = r.read()
        results["export"] = {"rows": exported.count(b"\n") - 1,
                             "mib": round(len(exported) / 1024 / 1024, 2)}
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        if dbname:
            psql(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def main():
    binary = os.path.abspath(sys.argv[1])
    backends = sys.argv[2:] or ["sqlite", "postgres"]
    body = the_file()
    print(f"file: {ROWS} rows, {len(body) / 1024 / 1024:.2f} MiB of CSV", flush=True)
    for backend in backends:
        for step, figures in run(binary, backend, body).items():
            print(f"{backend} {step}: {json.dumps(figures)}", flush=True)


if __name__ == "__main__":
    main()
