#!/usr/bin/env python3
"""PostgreSQL faults under a write load: the machine's cluster is stopped (pg_ctlcluster stop -m
fast) for ten seconds, then frozen (kill -STOP on every postgres process) for ten seconds, while
twelve writers (eight back to back, four paced) POST agreements with idempotency keys to one
release instance on 127.0.0.1.

    bench/faults.py target/release/samverkan [stop|freeze ...]

Checks, for each fault (PASS/FAIL lines; exit 1 on a failure):
  - every request during the fault answers within 2 s, with 503, a problem document
    (type .../service-unavailable) and Retry-After; none hangs, none is refused;
  - the service answers 2xx again within 5 s of the database's return, without a restart;
  - every write acknowledged with 2xx is in the database, whole (its partners, purpose, SDG and
    its CREATED event), and nothing is half applied;
  - retrying every failed request with the same key afterwards applies each exactly once.

THIS STOPS THE MACHINE'S POSTGRESQL, which every other test on the machine uses: about 40 s in all.
The cluster is always restored (SIGCONT, start) on the way out, also on failure or Ctrl-C.
"""

import glob
import os
import signal
import subprocess
import sys
import threading
import time

from cluster import Cluster, agreement_body, check, finish, request, seed

VERSION = os.environ.get("PG_VERSION") or sorted(os.listdir("/etc/postgresql"))[-1]
PROBLEM = "https://samverkan.boras.se/problems/service-unavailable"


def pg_ready():
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode == 0


def pg_pids():
    out = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def restore():
    """Whatever happened: wake every postgres process and make sure the cluster runs."""
    for pid in pg_pids():
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
    if not pg_ready():
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", VERSION, "main", "start"],
                       capture_output=True)
    for _ in range(100):
        if pg_ready():
            return
        time.sleep(0.1)


class Load:
    """Twelve writers, each POSTing agreements with a fresh key per agreement; a failed request is
    kept for a retry with the same key once the database is back."""

    def __init__(self, c, token, partners, tag):
        self.c, self.token, self.partners, self.tag = c, token, partners, tag
        self.log = []  # (started, elapsed, key, status, retry_after, problem type)
        self.acked = {}  # key -> agreement id
        self.failed = {}  # key -> body
        self.lock = threading.Lock()
        self.stop = threading.Event()
        # Eight writers back to back, and four paced ones that send every quarter second, so that
        # fresh requests keep arriving while the back-to-back ones are stuck in a frozen database.
        self.threads = [threading.Thread(target=self.writer, args=(w,)) for w in range(12)]

    def writer(self, w):
        n = 0
        while not self.stop.is_set():
            key = f"{self.tag}-{w}-{n}"
            body = agreement_body(self.partners, title=f"Fault {key}", case=f"F {key}")
            started = time.monotonic()
            try:
                r = request("POST", f"{self.c.base(0)}/agreements", self.token, body,
                            headers={"Idempotency-Key": key}, timeout=10)
                status, elapsed = r.status, r.elapsed
                ptype = (r.json() or {}).get("type") if r.status >= 400 else None
                retry_after = r.headers.get("Retry-After")
            except Exception as e:  # a hang (timeout) or a refused connection
                status, elapsed, ptype, retry_after = f"error {type(e).__name__}", time.monotonic() - started, None, None
            with self.lock:
                self.log.append((started, elapsed, key, status, retry_after, ptype))
                if status == 201:
                    self.acked[key] = r.json()["id"]
                else:
                    self.failed[key] = body
            n += 1
            if status != 201 or w >= 8:
                time.sleep(0.25)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)


def run_fault(c, t, partners, kind):
    tag = f"{kind}{int(time.time())}"
    with Load(c, t["officer"], partners, tag) as load:
        time.sleep(3)
        print(f"*** {kind.upper()}: PostgreSQL goes down for 10 s now ({time.strftime('%H:%M:%S')}); "
              "other tests on this machine may fail meanwhile", flush=True)
        fault_start = time.monotonic()
        try:
            if kind == "stop":
                subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", VERSION, "main", "stop",
                                "-m", "fast"], check=True)
            else:
                frozen = pg_pids()
                for pid in frozen:
                    try:
                        os.kill(pid, signal.SIGSTOP)
                    except ProcessLookupError:
                        pass
                print(f"    froze {len(frozen)} postgres processes", flush=True)
            down_at = time.monotonic()
            time.sleep(10)
        finally:
            # The outage ends when the restore begins; the database is back once it accepts
            # connections (pg_ctlcluster start returns a while after that).
            resume_at = time.monotonic()
            starter = None
            if kind == "stop":
                starter = subprocess.Popen(["pg_ctlcluster", "--skip-systemctl-redirect", VERSION,
                                            "main", "start"])
            else:
                for pid in pg_pids():
                    try:
                        os.kill(pid, signal.SIGCONT)
                    except ProcessLookupError:
                        pass
            while not pg_ready() and time.monotonic() - resume_at < 60:
                time.sleep(0.05)
            back_at = time.monotonic()
            if starter:
                starter.wait()
            restore()
        print(f"*** {kind.upper()}: PostgreSQL is back ({time.strftime('%H:%M:%S')}), "
              f"down {back_at - fault_start:.1f} s", flush=True)
        # The first acknowledged write that started after the database returned.
        recovered = None
        deadline = back_at + 20
        while time.monotonic() < deadline and recovered is None:
            with load.lock:
                later = [s + e for s, e, _, st, _, _ in load.log if s >= back_at and st == 201]
            if later:
                recovered = min(later) - back_at
            time.sleep(0.1)
        time.sleep(2)

    # Requests sent while the database was down (from half a second after it went until it
    # returned): each must answer within 2 s; those answered before its return, with a 503.
    sent = [x for x in load.log if down_at + 0.5 <= x[0] < resume_at]
    during = [x for x in sent if x[0] + x[1] <= resume_at]
    slow = [x for x in sent if x[1] > 2.0]
    bad = [x for x in during if x[3] != 503 or x[5] != PROBLEM or not x[4]]
    worst = max((x[1] for x in sent), default=0)
    statuses = {}
    for x in during:
        statuses[x[3]] = statuses.get(x[3], 0) + 1
    check(f"{kind}: requests during the outage answer within 2 s",
          sent and not slow, f"{len(sent)} requests, slowest {worst:.2f} s, {len(slow)} over 2 s")
    check(f"{kind}: each is 503 service-unavailable with Retry-After", during and not bad,
          f"statuses {statuses}; Retry-After {sorted({x[4] for x in during})}; first bad {bad[:1]}")
    # Requests that were inside the database when it went (not the target; shown).
    caught = [x for x in load.log if x[0] < down_at <= x[0] + x[1]]
    print(f"    {len(caught)} request(s) in flight when it went down: slowest "
          f"{max((x[1] for x in caught), default=0):.2f} s, statuses {sorted({str(x[3]) for x in caught})}")
    check(f"{kind}: the service answers 2xx within 5 s of the database's return",
          recovered is not None and recovered <= 5.0,
          "never" if recovered is None else f"{recovered:.2f} s")

    # Every acknowledged write is there, whole.
    ids = sorted(load.acked.values())
    id_list = ",".join(f"'{i}'" for i in ids)
    rows = c.sql(f"""
        SELECT a.id,
               (SELECT count(*) FROM agreement_partners p WHERE p.agreement_id = a.id),
               (SELECT count(*) FROM agreement_purposes p WHERE p.agreement_id = a.id),
               (SELECT count(*) FROM agreement_sdgs s WHERE s.agreement_id = a.id),
               (SELECT count(*) FROM events e WHERE e.entity_id = a.id AND e.action = 'CREATED')
        FROM agreements a WHERE a.case_number LIKE 'F {tag}-%'""")
    whole = {}
    for line in rows.splitlines():
        aid, p, pu, s, e = line.split("|")
        whole[aid] = (int(p), int(pu), int(s), int(e)) == (len(partners), 1, 1, 1)
    missing = [i for i in ids if i not in whole]
    half = [i for i, ok in whole.items() if not ok]
    check(f"{kind}: every write acknowledged with 2xx is in the database",
          ids and not missing, f"{len(ids)} acknowledged, {len(missing)} missing")
    check(f"{kind}: no write is half applied", not half,
          f"{len(whole)} stored, {len(half)} incomplete")

    # Retry every request that failed, with its key: each applies exactly once.
    # A key's claim is the transaction of its request (src/http/idempotency.rs): a request that
    # died with the database left nothing behind, so its retry runs at once; one whose transaction
    # is still ending on a thawed server answers 409 until it has, and is retried as a client would.
    retried, waited_409 = 0, 0
    retry_started = time.monotonic()
    for key, body in load.failed.items():
        while True:
            r = request("POST", f"{c.base(0)}/agreements", t["officer"], body,
                        headers={"Idempotency-Key": key})
            if r.status != 409 or time.monotonic() - retry_started > 90:
                break
            waited_409 += 1
            time.sleep(1)
        if r.status == 201:
            retried += 1
    print(f"    retries: {len(load.failed)} keys, answered 409 in flight {waited_409} time(s), "
          f"all answered after {time.monotonic() - retry_started:.1f} s", flush=True)
    counts = c.sql(f"SELECT case_number, count(*) FROM agreements WHERE case_number LIKE 'F {tag}-%' "
                   "GROUP BY case_number")
    per_key = {k: int(n) for k, n in (line.split("|") for line in counts.splitlines())}
    all_keys = set(load.acked) | set(load.failed)
    twice = [k for k, n in per_key.items() if n != 1]
    absent = [k for k in all_keys if f"F {k}" not in per_key]
    check(f"{kind}: retrying the {len(load.failed)} failed keys applies each exactly once",
          not twice and not absent and retried == len(load.failed),
          f"{retried} retries answered 201, {len(twice)} keys stored twice, {len(absent)} keys missing")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    kinds = sys.argv[2:] or ["stop", "freeze"]
    if os.geteuid() != 0:
        sys.exit("faults.py stops and freezes the machine's PostgreSQL: run it as root")
    if not pg_ready():
        sys.exit("PostgreSQL is not running on 127.0.0.1:5432")

    def on_signal(signum, frame):
        restore()
        sys.exit(130)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        with Cluster(sys.argv[1], 1, base_port=18321) as c:
            print(f"one instance on port {c.ports[0]}, database {c.db}")
            t, partners = seed(c)
            for kind in kinds:
                run_fault(c, t, partners, kind)
                # Let the pool settle before the next fault.
                time.sleep(2)
    finally:
        restore()
        print(f"PostgreSQL restored: {'accepting connections' if pg_ready() else 'NOT READY'}")
    finish()


if __name__ == "__main__":
    main()
