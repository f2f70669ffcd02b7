#!/usr/bin/env python3
"""A bounded writer for bench/run.sh: changes one draft agreement at a fixed rate while the reads
are measured, so that every write moves the register's generation (the kept answers are dropped)
as a case officer's edits would.

    bench/writer.py BASE_URL TOKEN AGREEMENT_ID RATE SECONDS

BASE_URL is the API root (http://127.0.0.1:PORT/api/v1). Each write is a PATCH of the draft's
title with the ETag of the previous answer in If-Match, on one kept-alive connection, sent on a
fixed schedule (the k-th write at k / RATE seconds; a late write is sent at once, never skipped).
Prints one JSON line: writes sent, 200s, other statuses, the rate achieved and the p50/p99 of a
write in milliseconds.
"""

import http.client
import json
import sys
import time
import urllib.parse


def main():
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    base, token, agreement, rate, seconds = sys.argv[1:]
    rate, seconds = float(rate), float(seconds)
    url = urllib.parse.urlsplit(base)
    path = f"{url.path}/agreements/{agreement}"
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    auth = {"Authorization": f"Bearer {token}"}
    conn.request("GET", path, headers=auth)
    res = conn.getresponse()
    res.read()
    if res.status != 200:
        sys.exit(f"GET {path} answered {res.status}")
    etag = res.getheader("ETag")
    sent = ok = 0
    other = {}
    took = []
    started = time.monotonic()
    while True:
        due = started + sent / rate
        now = time.monotonic()
        if due - started >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        body = json.dumps({"title": f"Mätning under skrivning {sent}"})
        headers = dict(auth, **{"Content-Type": "application/merge-patch+json", "If-Match": etag})
        t0 = time.monotonic()
        conn.request("PATCH", path, body=body.encode(), headers=headers)
        res = conn.getresponse()
        res.read()
        took.append((time.monotonic() - t0) * 1000)
        sent += 1
        if res.status == 200:
            ok += 1
            etag = res.getheader("ETag")
        else:
            other[res.status] = other.get(res.status, 0) + 1
    elapsed = time.monotonic() - started
    took.sort()
    pct = lambda q: round(took[min(len(took) - 1, int(q * len(took)))], 2) if took else None
    print(json.dumps({"writes": sent, "ok": ok, "other": other,
                      "rate": round(sent / elapsed, 1), "p50_ms": pct(0.5), "p99_ms": pct(0.99)}))
    if ok != sent:
        sys.exit(1)


if __name__ == "__main__":
    main()
