"""Shared by bench/instances.py and bench/faults.py: a fresh PostgreSQL database, N instances of
the service on 127.0.0.1 ports, tokens, and a small JSON HTTP client (standard library only)."""

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request

PG = {"PGHOST": os.environ.get("PGHOST", "127.0.0.1"), "PGPORT": os.environ.get("PGPORT", "5432"),
      "PGUSER": os.environ.get("PGUSER", "postgres")}

FAILURES = []


def check(name, ok, detail=""):
    print(f"{'PASS' if ok else 'FAIL'}: {name}{' (' + detail + ')' if detail else ''}", flush=True)
    if not ok:
        FAILURES.append(name)
    return ok


def psql(sql, db="postgres"):
    env = dict(os.environ, **PG)
    out = subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql], env=env,
                         capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL)
    return out.stdout.strip()


class Response:
    def __init__(self, status, headers, body, elapsed):
        self.status, self.headers, self.body, self.elapsed = status, headers, body, elapsed

    def json(self):
        return json.loads(self.body) if self.body else None

    def __repr__(self):
        return f"<{self.status} {self.body[:200]!r}>"


def request(method, url, token=None, body=None, headers=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    h = {"Accept": "application/json"}
    if token:
        h["Authorization"] = f"Bearer {token}"
    if body is not None:
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, r.headers, r.read().decode(), time.monotonic() - started)
    except urllib.error.HTTPError as e:
        # e.headers is an HTTPMessage: header names are looked up case-insensitively.
        return Response(e.code, e.headers, e.read().decode(), time.monotonic() - started)


class Cluster:
    """N instances of BINARY on one fresh PostgreSQL database."""

    def __init__(self, binary, n=3, base_port=18311, env=None):
        self.binary = os.path.abspath(binary)
        self.db = f"samverkan_cluster_{os.getpid()}_{int(time.time())}"
        self.url = f"postgres://{PG['PGUSER']}@{PG['PGHOST']}:{PG['PGPORT']}/{self.db}"
        self.ports = [base_port + i for i in range(n)]
        self.procs = []
        self.logs = []
        self.env = dict(os.environ, DATABASE_URL=self.url,
                        SAMVERKAN_JWT_SECRET=secrets.token_hex(32),
                        SAMVERKAN_RATE_LIMIT="0", RUST_LOG=os.environ.get("RUST_LOG", "warn"),
                        **(env or {}))

    def __enter__(self):
        psql(f'CREATE DATABASE "{self.db}"')
        for port in self.ports:
            log = open(f"/tmp/{self.db}-{port}.log", "w")
            env = dict(self.env, SAMVERKAN_BIND=f"127.0.0.1:{port}",
                       SAMVERKAN_PUBLIC_URL=f"http://127.0.0.1:{port}")
            self.procs.append(subprocess.Popen([self.binary, "serve"], env=env, stdout=log,
                                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
            self.logs.append(log)
        deadline = time.monotonic() + 60
        for port in self.ports:
            while True:
                try:
                    if request("GET", f"http://127.0.0.1:{port}/health/ready", timeout=2).status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    self.dump_logs()
                    raise RuntimeError(f"instance on {port} did not become ready")
                time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in self.logs:
            log.close()
        if exc[0] is not None or FAILURES:
            self.dump_logs()
        for port in self.ports:
            try:
                os.remove(f"/tmp/{self.db}-{port}.log")
            except OSError:
                pass
        try:
            psql(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        except subprocess.CalledProcessError as e:
            print(f"warning: could not drop {self.db}: {e.stderr}", file=sys.stderr)

    def dump_logs(self, lines=30):
        for port in self.ports:
            try:
                tail = open(f"/tmp/{self.db}-{port}.log").read().splitlines()[-lines:]
            except OSError:
                continue
            print(f"--- last lines of the instance on {port}:", file=sys.stderr)
            for line in tail:
                print("   ", line, file=sys.stderr)

    def base(self, i):
        return f"http://127.0.0.1:{self.ports[i % len(self.ports)]}/api/v1"

    def token(self, role, unit=None, sub=None):
        args = [self.binary, "token", "--role", role, "--sub", sub or f"cluster-{role}"]
        if unit:
            args += ["--unit", unit]
        return subprocess.run(args, env=self.env, capture_output=True, text=True,
                              check=True).stdout.strip()

    def sql(self, query):
        return psql(query, self.db)


def seed(c):
    """Units KS and KFN, a country assessment for SE (four eyes) and two partners; returns the
    tokens and partner ids the scenarios use."""
    t = {r: c.token(r) for r in ["admin", "reader", "board_secretary"]}
    t["officer"] = c.token("officer", unit="KFN", sub="cluster-officer")
    t["cora"] = c.token("coordinator", sub="cora")
    t["per"] = c.token("coordinator", sub="per")
    for code, typ, parent in [("KS", "EXECUTIVE_BOARD", None), ("KFN", "COMMITTEE", "KS")]:
        r = request("POST", f"{c.base(0)}/units", t["admin"],
                    {"code": code, "name": f"Enhet {code}", "type": typ, "parentCode": parent})
        assert r.status == 201, r
    judged = {"verdict": "MEETS", "rationale": "Judged for the cluster test."}
    r = request("POST", f"{c.base(1)}/assessments", t["cora"],
                {"countryCode": "SE", "humanRights": judged, "democracy": judged, "ruleOfLaw": judged,
                 "assessedAt": "2026-01-01", "validUntil": "2027-12-31"})
    assert r.status == 201, r
    a = r.json()
    r = request("POST", f"{c.base(2)}/assessments/{a['id']}/publish", t["per"],
                headers={"If-Match": f'"{a["version"]}"'})
    assert r.status == 200, r
    partners = []
    for i in range(2):
        r = request("POST", f"{c.base(i)}/partners", t["cora"],
                    {"name": f"Partner {i}", "kind": "ORGANISATION", "countryCode": "SE"})
        assert r.status == 201, r
        partners.append(r.json()["id"])
    return t, partners


def agreement_body(partners, title="Kunskapsutbyte", case="KS 2026-00001"):
    return {"title": title, "type": "KNOWLEDGE_EXCHANGE", "unitCode": "KFN", "partnerIds": partners,
            "purposes": ["KNOWLEDGE_EXCHANGE"], "sdgs": [4], "startDate": "2027-01-01",
            "endDate": "2027-12-31", "caseNumber": case}


def finish():
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed: {', '.join(FAILURES)}")
        sys.exit(1)
    print("all checks passed")
