#!/usr/bin/env python3
"""Runs the README's walkthrough against a live server and checks every response excerpt it shows.

    ci/clients/with_server.sh target/debug/samverkan python3 ci/readme_walkthrough.py README.md

The walkthrough is the part of README.md between `<!-- walkthrough:start -->` and
`<!-- walkthrough:end -->`. In it, each ```sh block is run in order in one bash session (so
variables set by one block are there for the next), with `BASE` set to the server's URL and the
server's secret in the environment, as `with_server.sh` leaves them. A ```http block that follows a
```sh block is what that command answered: every non-empty line of it must appear in the command's
output, where `…` stands for any text (within the line): the first line (the status line) in
order, the others within that same response in any order (header order varies). A walkthrough that drifts from
the service fails CI. With WALKTHROUGH_SHOW=1 it prints every block's whole output, to refresh
the excerpts.
"""

import os
import re
import subprocess
import sys
import tempfile

START, END = "<!-- walkthrough:start -->", "<!-- walkthrough:end -->"
MARK = "=====walkthrough-block-{}====="


def blocks(text):
    """The (language, body) fenced blocks of the walkthrough section, in order."""
    if START not in text or END not in text:
        sys.exit(f"README has no {START} … {END} section")
    section = text.split(START, 1)[1].split(END, 1)[0]
    return [(m.group(1), m.group(2)) for m in re.finditer(r"```(\w+)\n(.*?)```", section, re.S)]


def excerpt_matches(expected_line, output, start):
    """Finds the expected line (… = any text within a line) in output from start; returns the end."""
    parts = [re.escape(p) for p in expected_line.strip().split("…")]
    pattern = re.compile("[^\n]*?".join(parts))
    m = pattern.search(output, start)
    return m.end() if m else None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    readme = open(sys.argv[1], encoding="utf-8").read()
    steps = []  # (command, [expected http blocks])
    for lang, body in blocks(readme):
        if lang == "sh":
            steps.append((body, []))
        elif lang == "http":
            if not steps:
                sys.exit("an http block comes before any sh block")
            steps[-1][1].append(body)
    if not steps:
        sys.exit("the walkthrough has no sh blocks")

    script = ["set -euo pipefail"]
    for i, (command, _) in enumerate(steps):
        script.append(f"echo '{MARK.format(i)}'")
        script.append(command)
    script.append(f"echo '{MARK.format(len(steps))}'")
    env = dict(os.environ)
    env["BASE"] = env.get("SERVER_URL", env.get("BASE", "http://127.0.0.1:8080"))
    # In the repository's root, as a reader would run it (`cargo run -q -- token …` finds the
    # project and its already built binary there).
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as work:
        env["CURL_HOME"] = work  # no user curl configuration
        result = subprocess.run(["bash", "-c", "\n".join(script)], cwd=root, env=env,
                                capture_output=True, text=True, timeout=600)
    out = result.stdout
    failures = 0
    for i, (command, expected_blocks) in enumerate(steps):
        begin, end = out.find(MARK.format(i)), out.find(MARK.format(i + 1))
        if begin < 0 or end < 0:
            print(f"FAILED: block {i + 1} did not run to its end (exit {result.returncode})")
            print("--- command:\n" + command.strip())
            print("--- output:\n" + out[begin:][-3000:] + "\n--- stderr:\n" + result.stderr[-3000:])
            return 1
        output = out[begin:end]
        first = command.strip().splitlines()[0][:90]
        if os.environ.get("WALKTHROUGH_SHOW"):
            print(f"===== block {i + 1}: {first}\n{output[len(MARK.format(i)) + 1:]}")
        position = 0
        for expected in expected_blocks:
            lines = [line for line in expected.splitlines() if line.strip()]
            # The first line is the status line, found in order; the other lines belong to that
            # response (up to the next status line), in any order, since header order varies.
            found = excerpt_matches(lines[0], output, position) if lines else position
            missing = lines[0] if found is None else None
            if found is not None:
                following = output.find("\nHTTP/", found)
                region_end = following if following >= 0 else len(output)
                region = output[:region_end]
                for line in lines[1:]:
                    if excerpt_matches(line, region, found) is None:
                        missing = line
                        break
                position = region_end
            if missing is not None:
                failures += 1
                print(f"FAILED: block {i + 1} ({first}): not in the response: {missing.strip()}")
                print("--- the response was:\n" + output[:3000])
                break
        if expected_blocks:
            print(f"ok: block {i + 1}: {first}")
    if failures:
        print(f"{failures} walkthrough block(s) differ from the service")
        return 1
    print(f"the README walkthrough holds: {len(steps)} commands, "
          f"{sum(1 for _, e in steps if e)} with checked responses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
