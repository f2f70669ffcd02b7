#!/usr/bin/env python3
"""Several instances on one PostgreSQL: proves the issue's four properties against three release
instances on 127.0.0.1, requests spread across them. Prints PASS/FAIL lines, exits 1 on a failure.

    bench/instances.py target/release/samverkan

1. If-Match: 12 concurrent PATCHes of the same agreement at the same version, spread over the
   instances, give exactly one 200 and eleven 412, for 10 versions in a row.
2. Idempotency: the same POST (same key, same body) sent 9 times at once across the instances,
   then retried until none is in flight, creates exactly one agreement, and every answer names it;
   for 10 keys.
3. Change feed: while 3 writers create 150 partners through all instances, a poller that follows
   `nextAfter` (asking the instances in turn) sees every event exactly once, in the feed's order
   (by writing transaction, then id: with concurrent writers not always by id), and afterwards
   exactly the events in the database.
4. Webhooks: a subscription to a receiver on 127.0.0.1 gets each event delivered exactly once
   (one delivery id per event, no duplicates), whichever instance delivers it.
"""

import http.server
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from cluster import Cluster, agreement_body, check, finish, request, seed


def if_match(c, t, partners):
    r = request("POST", f"{c.base(0)}/agreements", t["officer"], agreement_body(partners))
    assert r.status == 201, r
    agreement = r.json()
    version = agreement["version"]
    rounds_ok = 0
    statuses_seen = {}
    for round_no in range(10):
        barrier = threading.Barrier(12)

        def patch(i):
            barrier.wait()
            return request("PATCH", f"{c.base(i)}/agreements/{agreement['id']}", t["officer"],
                           {"title": f"Version {version} by writer {i}"},
                           headers={"If-Match": f'"{version}"',
                                    "Content-Type": "application/merge-patch+json"})

        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(patch, range(12)))
        codes = sorted(a.status for a in answers)
        for code in codes:
            statuses_seen[code] = statuses_seen.get(code, 0) + 1
        winners = [a for a in answers if a.status == 200]
        if codes == [200] + [412] * 11:
            rounds_ok += 1
        else:
            print(f"  round {round_no}: statuses {codes}")
        if winners:
            version = winners[0].json()["version"]
    stored = int(c.sql(f"SELECT version FROM agreements WHERE id = '{agreement['id']}'"))
    check("If-Match: exactly one 200 and eleven 412 per version, 10 versions, 3 instances",
          rounds_ok == 10, f"{rounds_ok}/10 rounds; statuses {statuses_seen}")
    check("If-Match: the stored version counts exactly the successful updates",
          stored == agreement["version"] + 10, f"version {stored}")


def idempotency(c, t, partners):
    good = 0
    for k in range(10):
        key = f"cluster-retry-{k}"
        body = agreement_body(partners, title=f"Idempotent {k}", case=f"KS 2026-7{k:04d}")
        barrier = threading.Barrier(9)

        def post(i):
            barrier.wait()
            return request("POST", f"{c.base(i)}/agreements", t["officer"], body,
                           headers={"Idempotency-Key": key})

        with ThreadPoolExecutor(9) as pool:
            answers = list(pool.map(post, range(9)))
        # A request that met the first one still in flight gets 409; a client retries it.
        for i, a in enumerate(answers):
            tries = 0
            while a.status == 409 and tries < 50:
                time.sleep(0.05)
                a = request("POST", f"{c.base(i)}/agreements", t["officer"], body,
                            headers={"Idempotency-Key": key})
                tries += 1
            answers[i] = a
        ids = {a.json()["id"] for a in answers if a.status == 201}
        rows = int(c.sql(f"SELECT count(*) FROM agreements WHERE case_number = 'KS 2026-7{k:04d}'"))
        statuses = sorted(a.status for a in answers)
        if rows == 1 and len(ids) == 1 and statuses == [201] * 9:
            good += 1
        else:
            print(f"  key {key}: rows {rows}, ids {ids}, statuses {statuses}")
    check("Idempotency: 9 concurrent sends of one key across 3 instances create one record, "
          "every answer names it", good == 10, f"{good}/10 keys")


def feed_and_webhooks(c, t, receiver):
    r = request("POST", f"{c.base(0)}/webhooks", t["admin"],
                {"url": f"http://127.0.0.1:{receiver.port}/hook", "eventTypes": ["PARTNER"],
                 "description": "cluster test"})
    webhook_ok = check("Webhooks: a subscription to 127.0.0.1 is accepted", r.status == 201,
                       str(r.status) if r.status == 201 else repr(r))
    start = int(c.sql("SELECT coalesce(max(id), 0) FROM events"))
    seen = []
    stop = threading.Event()

    def poller():
        after, turn = start, 0
        while True:
            done = stop.is_set()
            r = request("GET", f"{c.base(turn)}/events?after={after}&limit=7", t["reader"])
            turn += 1
            if r.status != 200:
                seen.append(("error", r.status))
                time.sleep(0.05)
                continue
            feed = r.json()
            seen.extend(e["id"] for e in feed["items"])
            after = feed["nextAfter"]
            if done and not feed["items"]:
                return
            time.sleep(0.005)

    def writer(w):
        for n in range(50):
            r = request("POST", f"{c.base(w + n)}/partners", t["cora"],
                        {"name": f"Writer {w} partner {n}", "kind": "ORGANISATION", "countryCode": "SE"})
            assert r.status == 201, r

    p = threading.Thread(target=poller)
    p.start()
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(writer, range(3)))
    stop.set()
    p.join(timeout=60)
    # The feed's order (src/events/store.rs): by writing transaction, then id, after `start`'s place.
    in_db = [int(x) for x in c.sql(
        "SELECT id FROM events WHERE (txid, id) > "
        f"(SELECT coalesce(max(txid), -1), coalesce(max(id), 0) FROM events WHERE id = {start}) "
        "ORDER BY txid, id").split()]
    errors = [s for s in seen if isinstance(s, tuple)]
    ids = [s for s in seen if not isinstance(s, tuple)]
    check("Feed: the poller saw every event of 150 concurrent writes exactly once, in order",
          ids == in_db and len(in_db) >= 150 and not errors,
          f"seen {len(ids)}, in database {len(in_db)}, duplicates {len(ids) - len(set(ids))}, "
          f"listed out of id order {sum(a > b for a, b in zip(ids, ids[1:]))}, "
          f"errors {errors[:3]}")

    if not webhook_ok:
        return
    partner_events = [int(x) for x in c.sql(
        f"SELECT id FROM events WHERE id > {start} AND entity_type = 'PARTNER' ORDER BY id").split()]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with receiver.lock:
            got = len(receiver.received)
        if got >= len(partner_events):
            break
        time.sleep(0.5)
    time.sleep(3)  # anything sent twice would come now
    with receiver.lock:
        received = list(receiver.received)
    msg_ids = [m for m, _ in received]
    event_ids = sorted(e for _, e in received)
    check("Webhooks: every event delivered exactly once across 3 instances",
          sorted(set(msg_ids)) == sorted(msg_ids) and event_ids == partner_events,
          f"{len(partner_events)} events, {len(received)} deliveries, "
          f"{len(msg_ids) - len(set(msg_ids))} duplicate webhook-ids, "
          f"{len(event_ids) - len(set(event_ids))} duplicate events")


class Receiver:
    """A webhook receiver on 127.0.0.1 that records (webhook-id, event id) per request."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    event_id = json.loads(body)["id"]
                except (ValueError, KeyError):
                    event_id = None
                with outer.lock:
                    outer.received.append((self.headers.get("webhook-id"), event_id))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    receiver = Receiver()
    with Cluster(sys.argv[1], 3, env={"SAMVERKAN_WEBHOOK_ALLOW": "127.0.0.1"}) as c:
        print(f"3 instances on ports {c.ports}, database {c.db}")
        t, partners = seed(c)
        if_match(c, t, partners)
        idempotency(c, t, partners)
        feed_and_webhooks(c, t, receiver)
    receiver.server.shutdown()
    finish()


if __name__ == "__main__":
    main()
