#!/usr/bin/env bash
# Benchmarks the release build against the bare baseline (bench/baseline) on PostgreSQL and SQLite,
# with a generated register of each size. Load goes to 127.0.0.1 only, with literal URLs and a
# fixed duration (wrk -t2 -c32 -d10s by default).
#
#   bench/run.sh                       # both backends, 1000 and 100000 agreements
#   BENCH_BACKENDS=sqlite BENCH_SIZES=1000 BENCH_DURATION=5s bench/run.sh
#   BENCH_BIN=target/release/samverkan bench/run.sh   # skip building the service
#   BENCH_ONLY='GET /agreements/\{id\}' bench/run.sh     # only the measurements whose name matches
#
# Writes bench/results/<backend>-<size>.json (one object per measured endpoint) and
# bench/results/summary.md. The service runs with SAMVERKAN_RATE_LIMIT=0 (one caller sends all the
# load; the per-caller limit would otherwise answer most of it 429) and RUST_LOG=warn.
# Issue 16's cold-path figures come from the same run: GETs over 2,000 ids spread over the whole
# register (bench/wrk_report.lua goes through a file of literal paths in turn), the same while
# bench/writer.py changes a draft 10 and 100 times a second (each write drops every kept answer),
# compliance over 2,000 active ids, the baseline's bare POST beside the service's keyed POST, and
# latency at a fixed offered rate (oha -q with latency correction) at half the random-id rate.
# Needs: cargo, wrk, oha (installed here when missing), psql/createdb on 127.0.0.1:5432 (trust),
# python3, curl.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
backends=${BENCH_BACKENDS:-"postgres sqlite"}
sizes=${BENCH_SIZES:-"1000 100000"}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-32}
svc_port=${BENCH_PORT:-18301}
base_port=$((svc_port - 1))
results=$here/results
mkdir -p "$results"
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}

# BENCH_BIN: a release binary of the service already built (otherwise it is built here).
if [[ -n ${BENCH_BIN:-} ]]; then
    bin=$BENCH_BIN
else
    echo "building the service (release)"
    (cd "$root" && cargo build --release --quiet --bin samverkan)
    bin=$root/target/release/samverkan
fi
echo "building the baseline (release, its own target dir)"
(cd "$here/baseline" && cargo build --release --quiet --target-dir "$here/baseline/target")
baseline=$here/baseline/target/release/samverkan-baseline
command -v oha >/dev/null || { echo "installing oha (open-loop load)"; cargo install --locked --quiet oha; }
seconds=${duration%s}

work=$(mktemp -d)
pids=()
dbs=()
cleanup() {
    local rc=$?
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    for d in "${dbs[@]}"; do psql -d postgres -qAt -c "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)" >/dev/null || true; done
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export SAMVERKAN_JWT_SECRET
SAMVERKAN_JWT_SECRET=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
export SAMVERKAN_RATE_LIMIT=0 RUST_LOG=warn

wait_http() {
    for _ in $(seq 1 100); do
        curl -fs -o /dev/null "$1" && return 0
        sleep 0.1
    done
    echo "no answer from $1" >&2
    return 1
}

# measure NAME URL [wrk args...]: one wrk run, its JSON line appended to $out.
measure() {
    local name=$1 url=$2
    shift 2
    if [[ -n ${BENCH_ONLY:-} ]] && ! [[ $name =~ $BENCH_ONLY ]]; then
        return 0
    fi
    local line load
    # The 1-minute load average before the run: other work on the machine shows up here.
    load=$(cut -d' ' -f1 /proc/loadavg)
    local threads=2
    [[ $connections -ge 2 ]] || threads=1
    line=$(wrk -t"$threads" -c"$connections" -d"$duration" --timeout 5s -s "$here/wrk_report.lua" "$@" "$url" | tail -n1)
    echo "  $name: $line"
    python3 - "$name" "$line" "$out" "$load" <<'EOF'
import json, sys
name, line, out, load = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
with open(out) as f:
    doc = json.load(f)
doc["endpoints"][name] = dict(json.loads(line), loadavg_before=load)
with open(out, "w") as f:
    json.dump(doc, f, indent=2)
EOF
}

# peak resident memory (VmHWM) of a process, in MB
peak_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

for backend in $backends; do
    for size in $sizes; do
        echo "== $backend, $size agreements"
        if [[ $backend == postgres ]]; then
            db="samverkan_bench_${size}_$$"
            psql -d postgres -qAt -c "CREATE DATABASE \"$db\"" >/dev/null
            dbs+=("$db")
            url="postgres://$PGUSER@$PGHOST:$PGPORT/$db"
        else
            url="sqlite://$work/bench-$size.db"
        fi
        DATABASE_URL=$url "$bin" migrate
        started=$SECONDS
        python3 "$here/load_register.py" "$url" "$size" --plan "$work/plan.json" >/dev/null
        echo "  register loaded in $((SECONDS - started))s: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"])' "$work/plan.json")"
        agreement=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["agreement"])' "$work/plan.json")
        partner=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["eligibility"])' "$work/plan.json")
        partners_json=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["partners"]))' "$work/plan.json")

        # Dirty pages of the load written out now, not by a checkpoint in the middle of a run.
        if [[ $backend == postgres ]]; then
            psql -d "$db" -qAt -c "CHECKPOINT" >/dev/null
        fi
        DATABASE_URL=$url BIND=127.0.0.1:$base_port "$baseline" >"$work/baseline.log" 2>&1 &
        base_pid=$!
        pids+=("$base_pid")
        DATABASE_URL=$url SAMVERKAN_BIND=127.0.0.1:$svc_port SAMVERKAN_PUBLIC_URL=http://127.0.0.1:$svc_port \
            "$bin" serve >"$work/service.log" 2>&1 &
        svc_pid=$!
        pids+=("$svc_pid")
        wait_http "http://127.0.0.1:$svc_port/health/ready"
        wait_http "http://127.0.0.1:$base_port/agreements/$agreement"
        reader=$(DATABASE_URL=$url "$bin" token --role reader --sub bench-reader)
        officer=$(DATABASE_URL=$url "$bin" token --role officer --unit U07 --sub bench-officer)
        svc=http://127.0.0.1:$svc_port/api/v1
        get_url="$svc/agreements/$agreement"
        list_url="$svc/agreements?status=ACTIVE&unitCode=U07&limit=20"
        elig_url="$svc/partners/$partner/eligibility?unitCode=U07&agreementId=$agreement"
        for u in "$get_url" "$list_url" "$elig_url"; do
            code=$(curl -s -o "$work/probe.json" -w '%{http_code}' -H "Authorization: Bearer $reader" "$u")
            [[ $code == 200 ]] || { echo "probe $u answered $code: $(cat "$work/probe.json")" >&2; exit 1; }
        done
        echo "  eligibility answer: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$work/probe.json")"
        body=$(printf '{"title":"Mätning","type":"KNOWLEDGE_EXCHANGE","unitCode":"U07","partnerIds":%s,"purposes":["KNOWLEDGE_EXCHANGE"],"sdgs":[4],"startDate":"2027-01-01","endDate":"2027-12-31","caseNumber":"KS 2026-99999"}' "$partners_json")
        code=$(curl -s -o "$work/probe.json" -w '%{http_code}' -H "Authorization: Bearer $officer" -H 'Content-Type: application/json' -d "$body" "$svc/agreements")
        [[ $code == 201 ]] || { echo "POST probe answered $code: $(cat "$work/probe.json")" >&2; exit 1; }

        out=$results/$backend-$size.json
        python3 - "$out" "$backend" "$size" "$duration" "$connections" <<'EOF'
import json, sys, platform, os
out, backend, size, duration, conns = sys.argv[1:]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))
json.dump({"backend": backend, "agreements": int(size), "duration": duration,
           "connections": int(conns), "machine": f"{os.cpu_count()} cores, {cpu}, {int(mem)//1024} MB, {platform.platform()}",
           "endpoints": {}}, open(out, "w"), indent=2)
EOF
        # Warm-up, not recorded: connections opened, statements prepared, the service's first
        # sweep done, caches of the database and of the operating system filled.
        for u in "http://127.0.0.1:$base_port/agreements/$agreement" "$get_url" "$list_url" "$elig_url"; do
            wrk -t2 -c"$connections" -d3s -H "Authorization: Bearer $reader" "$u" >/dev/null
        done
        measure "baseline GET /agreements/{id}" "http://127.0.0.1:$base_port/agreements/$agreement"
        measure "GET /agreements/{id}" "$get_url" -H "Authorization: Bearer $reader"
        measure "GET /agreements?status=ACTIVE&unitCode=U07" "$list_url" -H "Authorization: Bearer $reader"
        measure "GET /partners/{id}/eligibility" "$elig_url" -H "Authorization: Bearer $reader"
        # The time one request takes with nothing else in its way (one connection): the scaling
        # target compares these, which the machine's other load disturbs far less.
        connections=1 measure "one connection: GET /agreements?status=ACTIVE&unitCode=U07" "$list_url" -H "Authorization: Bearer $reader"
        connections=1 measure "one connection: GET /partners/{id}/eligibility" "$elig_url" -H "Authorization: Bearer $reader"
        BENCH_POST_BODY=$body BENCH_POST_PATH=/api/v1/agreements BENCH_RUN_ID="bench-$$-$backend-$size" \
            measure "POST /agreements (Idempotency-Key)" "$svc/agreements" -H "Authorization: Bearer $officer"
        BENCH_POST_BODY=$body BENCH_POST_PATH=/agreements BENCH_RUN_ID="base-$$-$backend-$size" \
            measure "baseline POST /agreements" "http://127.0.0.1:$base_port/agreements"

        # The cold path (issue 16): ids over the whole register, in a seeded random order.
        python3 "$here/record.py" paths "$work/plan.json" "$work"
        read -r draft draft_unit <"$work/draft"
        writer_token=$(DATABASE_URL=$url "$bin" token --role officer --unit "$draft_unit" --sub bench-writer)
        BENCH_PATHS_FILE=$work/baseline-ids.txt \
            measure "baseline GET /agreements/{id}, random ids" "http://127.0.0.1:$base_port/"
        BENCH_PATHS_FILE=$work/service-ids.txt \
            measure "GET /agreements/{id}, random ids" "http://127.0.0.1:$svc_port/" -H "Authorization: Bearer $reader"
        BENCH_PATHS_FILE=$work/compliance-ids.txt \
            measure "GET /agreements/{id}/compliance, random active ids" "http://127.0.0.1:$svc_port/" -H "Authorization: Bearer $reader"
        for rate in 10 100; do
            # The writer starts first and ends last, so that every read of the run meets it.
            python3 "$here/writer.py" "$svc" "$writer_token" "$draft" "$rate" $((seconds + 2)) >"$work/writer.json" &
            writer=$!
            sleep 1
            BENCH_PATHS_FILE=$work/service-ids.txt \
                measure "GET /agreements/{id}, random ids, $rate writes/s" "http://127.0.0.1:$svc_port/" -H "Authorization: Bearer $reader"
            if [[ $rate == 10 ]]; then
                BENCH_PATHS_FILE=$work/compliance-ids.txt \
                    measure "GET /agreements/{id}/compliance, random active ids, 10 writes/s" "http://127.0.0.1:$svc_port/" -H "Authorization: Bearer $reader"
            fi
            wait "$writer" || echo "  the writer at $rate/s had errors" >&2
            echo "  writer at $rate/s: $(cat "$work/writer.json")"
            python3 "$here/record.py" writer "$out" "$rate" "$work/writer.json"
        done
        # Latency at a fixed offered rate, half of what the random-id GET reached, open loop with
        # latency correction, while the writer drops the kept answers ten times a second. One
        # literal URL: oha's URL lists pick at random, which this machine's rules forbid.
        max_rps=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["endpoints"].get("GET /agreements/{id}, random ids", {}).get("rps", 0)))' "$out")
        open_loop="open loop: GET /agreements/{id} at half the random-id rate, 10 writes/s"
        if [[ $max_rps -gt 1 ]] && { [[ -z ${BENCH_ONLY:-} ]] || [[ $open_loop =~ $BENCH_ONLY ]]; }; then
            python3 "$here/writer.py" "$svc" "$writer_token" "$draft" 10 $((seconds + 2)) >"$work/writer.json" &
            writer=$!
            sleep 1
            oha -z "$duration" -c "$connections" -q $((max_rps / 2)) --latency-correction --no-tui \
                --output-format json -H "Authorization: Bearer $reader" "$get_url" >"$work/oha.json"
            wait "$writer" || echo "  the writer during the open loop had errors" >&2
            python3 "$here/record.py" oha "$out" "$work/oha.json" $((max_rps / 2)) "$open_loop"
        fi
        peak=$(peak_mb "$svc_pid")
        base_peak=$(peak_mb "$base_pid")
        echo "  peak memory: service ${peak} MB, baseline ${base_peak} MB"
        python3 - "$out" "$peak" "$base_peak" <<'EOF'
import json, sys
out, peak, base = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
doc = json.load(open(out))
doc["service_peak_mb"], doc["baseline_peak_mb"] = peak, base
json.dump(doc, open(out, "w"), indent=2)
EOF
        kill "$svc_pid" "$base_pid"
        wait "$svc_pid" "$base_pid" 2>/dev/null || true
        pids=()
        if [[ $backend == postgres ]]; then
            psql -d postgres -qAt -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
        fi
    done
done
python3 "$here/summarize.py" "$results" | tee "$results/summary.md"
