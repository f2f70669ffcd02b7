-- wrk script for bench/run.sh: prints one JSON line with the figures at the end of a run.
-- With BENCH_POST_BODY set, every request is a POST of that body to BENCH_POST_PATH with an
-- Idempotency-Key unique to the run, the thread and the request (a counter, never random).
-- With BENCH_PATHS_FILE set, every request is a GET of the file's next path (one literal path a
-- line, already in a seeded random order): each thread starts at its own place in the list and
-- goes through it in turn, so a run spreads over the whole list without any random URL.

local post_body = os.getenv("BENCH_POST_BODY")
local post_path = os.getenv("BENCH_POST_PATH")
local run_id = os.getenv("BENCH_RUN_ID") or "run"
local threads = {}
local next_thread = 0

function setup(thread)
    next_thread = next_thread + 1
    thread:set("thread_no", next_thread)
    table.insert(threads, thread)
end

if post_body then
    local counter = 0
    function request()
        counter = counter + 1
        -- wrk.format uses these headers instead of the -H ones, so copy those (the token) in.
        local headers = {}
        for k, v in pairs(wrk.headers) do
            headers[k] = v
        end
        headers["Content-Type"] = "application/json"
        headers["Idempotency-Key"] = run_id .. "-" .. thread_no .. "-" .. counter
        return wrk.format("POST", post_path, headers, post_body)
    end
end

local paths_file = os.getenv("BENCH_PATHS_FILE")
if paths_file then
    local paths = {}
    for line in io.lines(paths_file) do
        if line ~= "" then
            table.insert(paths, line)
        end
    end
    local at = 0
    function init(args)
        at = ((thread_no or 1) - 1) * math.floor(#paths / 2)
    end
    function request()
        at = at % #paths + 1
        return wrk.format("GET", paths[at])
    end
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        '{"requests": %d, "duration_us": %d, "rps": %.1f, "p50_ms": %.3f, "p90_ms": %.3f, ' ..
        '"p99_ms": %.3f, "max_ms": %.3f, "non_2xx": %d, "socket_errors": %d}\n',
        summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(90) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000,
        e.status, e.connect + e.read + e.write + e.timeout))
end
