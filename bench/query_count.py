#!/usr/bin/env python3
"""Counts the SQL statements one `GET /partners/{id}/eligibility` runs, for a partner with a short
history and one with a long history, and those of the agreement reads (`GET /agreements/{id}`, its
compliance, a page of the list, a filtered page) cold and kept, on PostgreSQL with
`log_statement = 'all'` set on a dedicated database (read back from the server's log). Exits 1
when the eligibility counts differ between the histories or any read runs more statements than its
allowance (`ELIGIBILITY`, `AGREEMENT_READS`).

    bench/query_count.py target/release/samverkan
    bench/query_count.py target/release/samverkan post   # the keyed POST /agreements only

Each partner is a CITY in a country that fails DEMOCRACY, party to one draft agreement:
  short: its own assessment published twice (1 supersession), 1 exception request (withdrawn)
  long:  its own assessment published 51 times (50 supersessions), 50 exception requests
         (49 withdrawn, the last one open)
The statements counted are the request's own, on its connection (the sweep and the webhook
worker query the same database meanwhile), first for a question not asked before (judged from the
register), then for the same question again (the kept answer, see `src/db/derived.rs`). A pool
checkout test (`SELECT 1`) comes on top for a connection idle for more than 250 ms.

Then a keyed `POST /agreements` as an officer (a new `Idempotency-Key`): its transaction from
BEGIN to COMMIT on its connection, printed, for the benchmark's body (two partners, one purpose,
one goal, no funding line), for one with longer lists (three partners, two purposes, two goals,
two funding lines) and for one with the purpose SISTER_CITIES. Exits 1 when one runs more
statements than `POST_AGREEMENT` allows (each list is one statement however long, an empty list
none).
"""

import glob
import os
import re
import sys
import time
import uuid

from cluster import Cluster, agreement_body, check, finish, request, seed

STATEMENT = re.compile(r"\[(\d+)\] \S+ LOG:  (?:statement|execute [^:]*): (.*)")



def history(c, t, partner, supersessions, requests):
    judged = {"verdict": "MEETS", "rationale": "Judged for the query count."}
    for n in range(supersessions + 1):
        r = request("POST", f"{c.base(0)}/assessments", t["cora"],
                    {"partnerId": partner, "humanRights": judged, "democracy": judged,
                     "ruleOfLaw": judged, "assessedAt": "2026-01-01", "validUntil": "2027-12-31"})
        assert r.status == 201, r
        a = r.json()
        r = request("POST", f"{c.base(0)}/assessments/{a['id']}/publish", t["per"],
                    headers={"If-Match": f'"{a["version"]}"'})
        assert r.status == 200, r
    r = request("POST", f"{c.base(0)}/agreements", t["officer"], agreement_body([partner]))
    assert r.status == 201, r
    agreement = r.json()["id"]
    for n in range(requests):
        r = request("POST", f"{c.base(0)}/exceptions", t["officer"],
                    {"agreementId": agreement, "partnerId": partner,
                     "justification": "Viktigt utbyte.", "caseNumber": f"KS 2026-{n:05d}"})
        assert r.status == 201, r
        x = r.json()
        if n < requests - 1 or requests == 1:
            r = request("POST", f"{c.base(0)}/exceptions/{x['id']}/withdraw", t["officer"],
                        headers={"If-Match": f'"{x["version"]}"'})
            assert r.status == 200, r
    return agreement


# Statements the service's background work runs on the same database (the webhook worker, the
# sweep's lease), never part of an eligibility request.
BACKGROUND = ("webhook", "leases", "sweep_marks")


def generation_sql():
    """`db::derived::GENERATION_SQL` as the source defines it (what the register's generation is
    may change; `derived::generation()` reads it as `SELECT {GENERATION_SQL} AS generation`)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "db", "derived.rs")
    with open(path) as f:
        source = f.read()
    m = re.search(r'GENERATION_SQL: &str =\s*"((?:[^"\\]|\\.)*)"', source)
    if not m:
        sys.exit(f"no string literal GENERATION_SQL in {path}: update generation_sql()")
    # A Rust string literal: a backslash at the end of a line continues it without the newline
    # and the next line's leading blanks.
    text = re.sub(r"\\\n\s*", "", m.group(1))
    return text.replace('\\"', '"').replace("\\\\", "\\")


# The statement that reads the register's generation on its own.
GENERATION = f"SELECT {generation_sql()}"


def logged(c, log_path, send):
    """`send()`'s answer and the statements (backend pid, text) logged for this database from
    when it was sent to half a second after it answered."""
    with open(log_path, "rb") as f:
        f.seek(0, 2)
        start = f.tell()
    r = send()
    time.sleep(0.5)
    with open(log_path, "rb") as f:
        f.seek(start)
        lines = f.read().decode(errors="replace").splitlines()
    found = []
    for line in lines:
        if f"@{c.db} " in line:
            m = STATEMENT.search(line)
            if m:
                found.append((m.group(1), m.group(2).strip()))
    return r, found


def statements_of(c, log_path, url, token, first=GENERATION):
    """The statements of one request: those on the connection that ran its first statement
    (`first`: the register generation read, or the statement that reads it with the agreement), in
    the half second after it was sent."""
    r, found = logged(c, log_path, lambda: request("GET", url, token))
    assert r.status == 200, r
    found = [(p, stmt) for p, stmt in found
             if not any(b in stmt for b in BACKGROUND) and stmt.upper() != "SELECT 1"]
    start_at = next(i for i, (_, stmt) in enumerate(found) if stmt.startswith(first))
    pid = found[start_at][0]
    own = []
    for p, stmt in found[start_at:]:
        if p != pid:
            continue
        # The connection back in the pool: background work (a transaction, the sweep's own
        # generation read) may take it next; the eligibility read opens no transaction.
        if own and (stmt.upper() == "BEGIN" or stmt.startswith(GENERATION) or stmt.startswith(first)):
            break
        own.append(stmt)
    return r.json(), own


def log_statements(c):
    """Statement logging for this database only, from the next connection on: the instance's
    connections are ended, so that it opens new ones."""
    c.sql(f"ALTER DATABASE \"{c.db}\" SET log_statement = 'all'")
    c.sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{c.db}' "
          "AND pid <> pg_backend_pid()")


def main():
    if len(sys.argv) not in (2, 3) or sys.argv[2:] not in ([], ["post"]):
        sys.exit(__doc__)
    logs = sorted(glob.glob("/var/log/postgresql/postgresql-*-main.log"))
    if not logs:
        sys.exit("no PostgreSQL server log under /var/log/postgresql")
    with Cluster(sys.argv[1], 1, base_port=18331) as c:
        t, seeded = seed(c)
        if sys.argv[2:] == ["post"]:
            log_statements(c)
            # Each pooled connection ended above fails its next request once (503).
            for _ in range(10):
                request("GET", f"{c.base(0)}/units", t["reader"])
            post_agreement(c, t, logs[-1], seeded)
            finish()
            return
        judged = {"verdict": "MEETS", "rationale": "r"}
        r = request("POST", f"{c.base(0)}/assessments", t["cora"],
                    {"countryCode": "TR", "humanRights": judged,
                     "democracy": {"verdict": "DOES_NOT_MEET", "rationale": "r"},
                     "ruleOfLaw": judged, "assessedAt": "2026-01-01", "validUntil": "2027-12-31"})
        a = r.json()
        assert request("POST", f"{c.base(0)}/assessments/{a['id']}/publish", t["per"],
                       headers={"If-Match": f'"{a["version"]}"'}).status == 200
        partners = {}
        for name, n in [("short", 1), ("long", 50)]:
            r = request("POST", f"{c.base(0)}/partners", t["cora"],
                        {"name": f"Stad {name}", "kind": "CITY", "countryCode": "TR", "city": name})
            pid = r.json()["id"]
            partners[name] = (pid, history(c, t, pid, n, n))
        log_statements(c)
        counts = {}
        for name, (pid, agreement) in partners.items():
            base = f"{c.base(0)}/partners/{pid}/eligibility?unitCode=KFN&agreementId={agreement}"
            # Days after the assessments were published (they are valid until 2027-12-31).
            for day in ("2027-01-04", "2027-01-05", "2027-01-06"):
                request("GET", f"{base}&date={day}", t["reader"])  # statements prepared
            # A date not asked before: the answer is judged from the register.
            answer, own = statements_of(c, logs[-1], f"{base}&date=2027-01-07", t["reader"])
            # The same question again, the register unchanged: the kept answer (db::derived).
            _, again = statements_of(c, logs[-1], f"{base}&date=2027-01-07", t["reader"])
            counts[name] = (len(own), len(again))
            print(f"{name} history: {answer['status']}, {len(answer['assessments'])} assessment(s) "
                  f"used, {len(answer['pendingRequests'])} pending request(s); judged in "
                  f"{len(own)} statements, asked again in {len(again)}:")
            for s in own:
                print(f"    {s[:150]}")
            print("  asked again:")
            for s in again:
                print(f"    {s[:150]}")
        check("eligibility runs the same number of statements with 1 and with 50 supersessions "
              "and exception requests", counts["short"][0] == counts["long"][0] > 0,
              f"{counts['short'][0]} and {counts['long'][0]}")
        cold_most, kept_most = ELIGIBILITY
        check(f"eligibility judged from the register runs at most {cold_most} statements",
              max(counts["short"][0], counts["long"][0]) <= cold_most,
              f"{counts['short'][0]} and {counts['long'][0]}")
        check(f"the same question with the register unchanged runs at most {kept_most} statement "
              "(the generation)", max(counts["short"][1], counts["long"][1]) <= kept_most,
              f"{counts['short'][1]} and {counts['long'][1]}")
        agreements(c, t, logs[-1], seeded)
        post_agreement(c, t, logs[-1], seeded)
    finish()


# The most statements eligibility may run, judged from the register and asked again with the
# register unchanged: the generation, then the partner with whether the unit exists and it is a
# party to the agreement, the assessments and the exception requests as JSON; asked again, the
# generation only.
ELIGIBILITY = (2, 1)

# The statement that reads an agreement with its lists, its unit's kind and its compliance inputs.
ONE_AGREEMENT = "SELECT a.id, a.title"
# The statement that reads a page of agreements with the same and the register's generation.
PAGE = 'SELECT "agreements"."id"'

# The most statements each agreement read may run, cold (the register just changed) and kept
# (asked again, the register unchanged): (path, first statement, cold, kept). A page is the page
# statement, the count and the compliance inputs of its active agreements (both kept while the
# register is unchanged). The GET and the compliance read are one statement either way: it leaves
# the compliance inputs out when the agreement and the register are those of the judgement held.
AGREEMENT_READS = [
    ("/agreements/{id}", ONE_AGREEMENT, 1, 1),
    ("/agreements/{id}/compliance", ONE_AGREEMENT, 1, 1),
    ("/agreements?limit=20", PAGE, 3, 1),
    ("/agreements?status=ACTIVE&unitCode=KFN&limit=20", PAGE, 3, 1),
]


def agreements(c, t, log, partners):
    """Statements of the agreement reads, cold and kept, over a register of 25 agreements (active
    ones with two partners each, drafts with funding lines), printed and checked against
    AGREEMENT_READS."""
    ids = []
    for n in range(25):
        body = agreement_body(partners, title=f"Avtal {n}", case=f"KS 2026-{n:05d}")
        body["fundings"] = [{"source": "OWN", "amount": "100.00", "currency": "SEK"}]
        r = request("POST", f"{c.base(0)}/agreements", t["officer"], body)
        assert r.status == 201, r
        a = r.json()
        if n % 2 == 0:
            r = request("POST", f"{c.base(0)}/agreements/{a['id']}/activate", t["officer"],
                        headers={"If-Match": f'"{a["version"]}"'})
            assert r.status == 200, r
        ids.append(a["id"])
    active = ids[0]
    for path, first, cold_most, kept_most in AGREEMENT_READS:
        url = c.base(0) + path.replace("{id}", active)
        request("GET", url, t["reader"])  # statements prepared
        # A write elsewhere in the register: a new generation, so nothing kept is served.
        r = request("POST", f"{c.base(0)}/partners", t["cora"],
                    {"name": f"Ny part {len(path)}", "kind": "ORGANISATION", "countryCode": "SE"})
        assert r.status == 201, r
        _, cold = statements_of(c, log, url, t["reader"], first)
        _, kept = statements_of(c, log, url, t["reader"], first)
        print(f"GET {path}: cold {len(cold)} statements, kept {len(kept)}:")
        for s in cold:
            print(f"    {s[:150]}")
        check(f"GET {path} cold runs at most {cold_most} statements", len(cold) <= cold_most,
              str(len(cold)))
        check(f"GET {path} kept runs at most {kept_most} statements", len(kept) <= kept_most,
              str(len(kept)))


# The most statements a keyed POST /agreements may run, BEGIN and COMMIT included, by body: the
# key's advisory lock, the key's stored reply (none), the units (the officer's scope and the
# agreement's unit), the partners, the agreement, one INSERT per list that is not empty, the event
# and the key's reply, then COMMIT. The partners' sister-city dates are read only for the purpose
# SISTER_CITIES (the one rule that looks at them).
POST_AGREEMENT = {
    "the benchmark's body": 12,
    "longer lists": 13,
    "purpose SISTER_CITIES": 13,
}

# The statement that takes the key's transaction-level advisory lock: the keyed POST's first one
# after BEGIN.
KEY_LOCK = "SELECT pg_try_advisory_xact_lock("


def transaction_of(c, log_path, send, first=KEY_LOCK):
    """The statements of the transaction that `send()` causes: on the connection that ran `first`,
    from the BEGIN before it to the COMMIT or ROLLBACK after it."""
    r, found = logged(c, log_path, send)
    pid = next(p for p, stmt in found if stmt.startswith(first))
    mine = [stmt for p, stmt in found if p == pid]
    own_at = next(i for i, stmt in enumerate(mine) if stmt.startswith(first))
    begin = max(i for i in range(own_at + 1) if mine[i].upper() == "BEGIN")
    end = next(i for i in range(own_at, len(mine)) if mine[i].upper() in ("COMMIT", "ROLLBACK"))
    return r, mine[begin:end + 1]


def post_agreement(c, t, log, partners):
    """Statements of a keyed `POST /agreements` as an officer, for the benchmark's body and for one
    with longer lists, printed and checked against POST_AGREEMENT."""
    extra = request("POST", f"{c.base(0)}/partners", t["cora"],
                    {"name": "Tredje part", "kind": "ORGANISATION", "countryCode": "SE"})
    assert extra.status == 201, extra
    long_body = agreement_body(partners + [extra.json()["id"]], title="Längre listor")
    long_body["purposes"] = ["KNOWLEDGE_EXCHANGE", "PROFILING"]
    long_body["sdgs"] = [4, 11]
    long_body["fundings"] = [{"source": "EU", "programme": "Interreg", "amount": "150000.00",
                              "currency": "EUR"},
                             {"source": "OWN", "amount": "20000.00", "currency": "SEK"}]
    sister_body = agreement_body(partners, title="Vänort")
    sister_body["purposes"] = ["SISTER_CITIES"]
    counts = {}
    for name, body in [("the benchmark's body", agreement_body(partners, title="Mätning")),
                       ("longer lists", long_body), ("purpose SISTER_CITIES", sister_body)]:
        def send():
            r = request("POST", f"{c.base(0)}/agreements", t["officer"], body,
                        headers={"Idempotency-Key": str(uuid.uuid4())})
            assert r.status == 201, r
            return r
        send()  # statements prepared
        _, own = transaction_of(c, log, send)
        counts[name] = len(own)
        print(f"keyed POST /agreements, {name}: {len(own)} statements:")
        for s in own:
            print(f"    {s[:150]}")
    for name, n in counts.items():
        check(f"keyed POST /agreements ({name}) runs at most {POST_AGREEMENT[name]} statements, "
              "BEGIN and COMMIT included", n <= POST_AGREEMENT[name], str(n))


if __name__ == "__main__":
    main()
