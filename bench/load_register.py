#!/usr/bin/env python3
"""Writes a generated register straight into a migrated Samverkan database (bench only).

    bench/load_register.py DATABASE_URL AGREEMENTS [--plan FILE]

DATABASE_URL is postgres://… (rows go in with COPY through psql) or sqlite://PATH (batched
INSERTs in one transaction). Apply the schema first with `samverkan migrate`. The register is
deterministic (seeded) and in proportion to AGREEMENTS:

  units        KS and 20 committees below it (U01..U20)
  partners     AGREEMENTS / 2: CITY 40 %, REGION 10 %, UNIVERSITY 20 %, ORGANISATION 20 %, COMPANY 10 %
  assessments  40 countries with 3 superseded and 1 published assessment each; one in five
               cities and regions with one superseded and one published assessment of its own
  agreements   AGREEMENTS: ACTIVE 55 %, DRAFT 25 %, ENDED 15 %, CANCELLED 5 %; 1-3 partners,
               1-2 purposes, 2 SDGs, a funding line for half of them
  exceptions   one per (agreement, partner in one of the 4 countries that fail DEMOCRACY):
               GRANTED for active agreements (so they stay compliant), otherwise REQUESTED or DENIED

The plan (ids the benchmark asks for) is printed as JSON, or written to --plan FILE.
"""

import csv
import datetime
import io
import json
import random
import sqlite3
import subprocess
import sys

COUNTRIES_OK = ("SE NO DK FI IS DE FR NL BE LU AT CH IE GB ES PT IT EE LV LT PL CZ SK SI HR "
                "GR CY MT CA US AU NZ JP KR UY CL CR TW").split()
COUNTRIES_FAIL = ["CN", "TR", "VN", "RW"]
UNITS = [f"U{n:02d}" for n in range(1, 21)]
TYPES = ["SISTER_CITY", "PROJECT", "LETTER_OF_INTENT", "MOU", "NETWORK_MEMBERSHIP",
         "KNOWLEDGE_EXCHANGE", "OTHER"]
PURPOSES = ["OPERATIONAL_DEVELOPMENT", "KNOWLEDGE_EXCHANGE", "PROFILING", "SOCIETAL_IMPACT",
            "DEMOCRATIC_VALUES"]


def uid(kind, n):
    """A UUID-shaped id, unique per kind and number (kind 1 partner, 2 agreement, ...)."""
    return f"0192f5d2-{kind:04x}-7000-8000-{n:012x}"


def ts(day_offset, seconds=0):
    """A naive UTC timestamp `day_offset` days after 2024-01-01, as both databases read it."""
    t = datetime.datetime(2024, 1, 1) + datetime.timedelta(days=day_offset, seconds=seconds)
    return t.strftime("%Y-%m-%d %H:%M:%S.%f")


def generate(n_agreements):
    rnd = random.Random(20261126)
    now = ts(1060)
    t = {k: [] for k in ["units", "partners", "assessments", "agreements", "agreement_partners",
                         "agreement_purposes", "agreement_sdgs", "agreement_fundings",
                         "exceptions"]}
    t["units"].append(("KS", "Kommunstyrelsen", "Executive board", "EXECUTIVE_BOARD", None,
                       None, None, 1, now, now))
    for code in UNITS:
        t["units"].append((code, f"Nämnd {code}", f"Committee {code}", "COMMITTEE", "KS",
                           None, None, 1, now, now))

    def assessment(aid, subject_key, country, partner, verdicts, published_day, superseded_by):
        status = "SUPERSEDED" if superseded_by else "PUBLISHED"
        pub = ts(published_day)
        sup = ts(published_day + 200) if superseded_by else None
        return (aid, subject_key, country, partner,
                verdicts[0], "Bench rationale.", verdicts[1], "Bench rationale.",
                verdicts[2], "Bench rationale.", "[]",
                ts(published_day)[:10], "2027-12-31", status, "bench.drafter", pub,
                "bench.publisher", sup, superseded_by, 1, pub, sup or pub)

    a_seq = 0
    for country in COUNTRIES_OK + COUNTRIES_FAIL:
        verdicts = ("MEETS", "DOES_NOT_MEET", "MEETS") if country in COUNTRIES_FAIL else ("MEETS",) * 3
        ids = [uid(3, a_seq + k) for k in range(4)]
        a_seq += 4
        for k in range(4):
            t["assessments"].append(assessment(ids[k], f"country:{country}", country, None,
                                               verdicts, 10 + 200 * k,
                                               ids[k + 1] if k < 3 else None))

    n_partners = max(n_agreements // 2, 10)
    kinds = ["CITY"] * 8 + ["REGION"] * 2 + ["UNIVERSITY"] * 4 + ["ORGANISATION"] * 4 + ["COMPANY"] * 2
    partners = []
    for p in range(n_partners):
        pid = uid(1, p)
        kind = kinds[p % len(kinds)]
        # One partner in ten comes from a country that fails a requirement.
        country = (COUNTRIES_FAIL[p % 4] if p % 10 == 3 else COUNTRIES_OK[p % len(COUNTRIES_OK)])
        created = ts(p * 700 // n_partners, p % 86400)
        t["partners"].append((pid, f"Partner {p}", kind, country, f"City {p}", None, None,
                              None, False, 1, created, created))
        partners.append((pid, kind, country))
        if kind in ("CITY", "REGION") and p % 5 == 0:
            ids = [uid(3, a_seq), uid(3, a_seq + 1)]
            a_seq += 2
            for k in range(2):
                t["assessments"].append(assessment(ids[k], f"partner:{pid}", country, pid,
                                                   ("MEETS",) * 3, 300 + 250 * k,
                                                   ids[1] if k == 0 else None))

    statuses = ["ACTIVE"] * 11 + ["DRAFT"] * 5 + ["ENDED"] * 3 + ["CANCELLED"]
    x_seq = 0
    plan = {"agreement": None, "eligibility": None, "unit": "U07", "partners": []}
    for i in range(n_agreements):
        aid = uid(2, i)
        status = statuses[i % len(statuses)]
        atype = TYPES[rnd.randrange(len(TYPES))]
        unit = UNITS[i % len(UNITS)]
        k = 2 if atype == "PROJECT" else rnd.randint(1, 3)
        chosen = rnd.sample(range(n_partners), k)
        purposes = ["PROJECT_COLLABORATION"] if atype == "PROJECT" else []
        purposes += rnd.sample(PURPOSES, rnd.randint(1, 2))
        created = ts(i * 1000 // n_agreements, i % 86400)
        activated = created if status != "DRAFT" else None
        sdgs = sorted(rnd.sample(range(1, 18), 2))
        fundings = [("EU", "Interreg", "150000.00", "EUR")] if i % 2 == 0 else []
        # The row keeps its lists as the service writes them (`agreements::store::StoredLists`).
        lists = json.dumps({"partners": [partners[p][0] for p in chosen],
                            "purposes": sorted(purposes), "sdgs": sdgs,
                            "fundings": [list(f) for f in fundings]}, ensure_ascii=False)
        t["agreements"].append((
            aid, f"Samarbete {i}", "Genererat för prestandamätning.", atype, unit,
            "2026-01-01", "2027-12-31", f"KS 2026-{i:05d}", None, status, "[]", False,
            activated, "bench.officer" if activated else None,
            created if status == "ENDED" else None, created if status == "CANCELLED" else None,
            "bench.officer", 1, created, created, lists))
        for pos, p in enumerate(chosen):
            pid, kind, country = partners[p]
            t["agreement_partners"].append((aid, pid, pos))
            if country in COUNTRIES_FAIL:
                xid = uid(4, x_seq)
                x_seq += 1
                decision = "GRANTED" if status in ("ACTIVE", "ENDED") else ("DENIED" if i % 2 else None)
                xstatus = decision or "REQUESTED"
                t["exceptions"].append((
                    xid, aid, pid, unit, "Genererat undantag.", f"KS 2026-{90000 + x_seq}",
                    xstatus, "bench.officer", None, decision,
                    "KOMMUNSTYRELSEN" if decision else None, None,
                    "2025-12-01" if decision else None, "§ 448" if decision else None, None,
                    "2025-12-01" if decision == "GRANTED" else None,
                    "2027-12-31" if decision == "GRANTED" else None,
                    "bench.secretary" if decision else None, created if decision else None,
                    None, None, None, None, None, None, None, 1, created, created))
        for pu in purposes:
            t["agreement_purposes"].append((aid, pu))
        for sdg in sdgs:
            t["agreement_sdgs"].append((aid, sdg))
        for pos, f in enumerate(fundings):
            t["agreement_fundings"].append((aid, pos, *f))
        # The benchmark's targets: an active agreement of U07 in the middle of the register, with
        # a city partner that has an assessment of its own.
        if (plan["agreement"] is None and i >= n_agreements // 2 and status == "ACTIVE"
                and unit == "U07"):
            for p in chosen:
                pid, kind, country = partners[p]
                if kind == "CITY" and p % 5 == 0 and country not in COUNTRIES_FAIL:
                    plan["agreement"] = aid
                    plan["eligibility"] = pid
        if len(plan["partners"]) < 2 and partners[chosen[0]][2] not in COUNTRIES_FAIL:
            plan["partners"].append(partners[chosen[0]][0])
    plan["partners"] = sorted(set(plan["partners"]))
    assert plan["agreement"], "no target agreement chosen"
    # Ids over the whole register in a seeded random order, for the cold-path reads: wrk asks for
    # them in turn from a file of literal paths (no load tool's random-URL feature). Drafts are
    # left out, since not every role may read them; the writer changes one draft, as an officer
    # of its unit.
    order = random.Random(20261130)
    readable = [row[0] for row in t["agreements"] if row[9] != "DRAFT"]
    active = [row[0] for row in t["agreements"] if row[9] == "ACTIVE"]
    plan["readable_ids"] = order.sample(readable, min(2000, len(readable)))
    plan["active_ids"] = order.sample(active, min(2000, len(active)))
    plan["draft"], plan["draft_unit"] = next((row[0], row[4]) for row in t["agreements"]
                                             if row[9] == "DRAFT")
    return t, plan


COLUMNS = {
    "units": "code, name, name_en, unit_type, parent_code, valid_from, valid_until, version, created_at, updated_at",
    "partners": "id, name, kind, country_code, city, eu_pic, organisation_number, website, archived, version, created_at, updated_at",
    "assessments": "id, subject_key, country_code, partner_id, human_rights, human_rights_rationale, democracy, democracy_rationale, rule_of_law, rule_of_law_rationale, indicators, assessed_at, valid_until, status, drafted_by, published_at, published_by, superseded_at, superseded_by, version, created_at, updated_at",
    "agreements": "id, title, description, agreement_type, unit_code, start_date, end_date, case_number, external_funding_not_possible_reason, status, warnings, registered_retroactively, activated_at, activated_by, ended_at, cancelled_at, created_by, version, created_at, updated_at, lists",
    "agreement_partners": "agreement_id, partner_id, position",
    "agreement_purposes": "agreement_id, purpose",
    "agreement_sdgs": "agreement_id, sdg",
    "agreement_fundings": "agreement_id, position, source, programme, amount, currency",
    "exceptions": "id, agreement_id, partner_id, unit_code, justification, case_number, status, requested_by, withdrawn_at, decision, deciding_body, delegation_reference, decided_at, protocol_paragraph, conditions, valid_from, valid_until, decided_by, decision_recorded_at, revocation_deciding_body, revocation_delegation_reference, revocation_decided_at, revocation_protocol_paragraph, revocation_reason, revoked_by, revocation_recorded_at, version, created_at, updated_at",
}
# Superseded assessments point at their successor, so load in an order that satisfies the key.
ORDER = ["units", "partners", "assessments", "agreements", "agreement_partners",
         "agreement_purposes", "agreement_sdgs", "agreement_fundings", "exceptions"]


def load_postgres(url, tables):
    for name in ORDER:
        rows = tables[name]
        if name == "assessments":
            rows = list(reversed(rows))  # successors before the rows that name them
        buf = io.StringIO()
        w = csv.writer(buf)
        for r in rows:
            w.writerow(["" if v is None else ("t" if v is True else "f" if v is False else v)
                        for v in r])
        sql = f"\\copy {name} ({COLUMNS[name]}) FROM STDIN WITH (FORMAT csv)"
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                       input=buf.getvalue(), text=True, check=True)
    subprocess.run(["psql", "-q", url, "-c", "VACUUM ANALYZE"], check=True)


def load_sqlite(path, tables):
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    with db:
        for name in ORDER:
            rows = tables[name]
            if name == "assessments":
                rows = list(reversed(rows))
            cols = COLUMNS[name]
            marks = ", ".join("?" * len(cols.split(",")))
            db.executemany(f"INSERT INTO {name} ({cols}) VALUES ({marks})", rows)
    db.execute("ANALYZE")
    db.close()


def main():
    args = sys.argv[1:]
    plan_file = None
    if "--plan" in args:
        i = args.index("--plan")
        plan_file = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    url, n = args[0], int(args[1])
    tables, plan = generate(n)
    if url.startswith("sqlite://"):
        load_sqlite(url[len("sqlite://"):], tables)
    elif url.startswith(("postgres://", "postgresql://")):
        load_postgres(url, tables)
    else:
        sys.exit(f"unsupported DATABASE_URL {url}")
    plan["counts"] = {k: len(v) for k, v in tables.items()}
    text = json.dumps(plan, indent=2)
    if plan_file:
        with open(plan_file, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
