#!/usr/bin/env python3
"""Fails when the top-level modules of src/ import each other in a cycle, a module imports one
from a higher layer than its own, or a feature imports one that comes after it (STYLE.md,
"Layers that only point down"; the layers are drawn in README.md, "Layout").

Reads every `crate::name` path in the code (comments stripped; `use crate::{a, b::c}` groups
expanded), maps each file to its top-level module and checks the graph. Prints the graph with
`--graph`. Runs in well under a second, so CI runs it on every change.
"""
import pathlib
import re
import sys

# Lowest first; a module may import only modules of a lower layer, and modules of its own layer
# only where that layer is ordered (its modules then rank in the order given, and import only
# those before them: the features, so that two features never import each other).
LAYERS = [
    ("text", ["text"], False),
    ("domain", ["domain"], False),
    ("db, rules and configuration", ["db", "policy", "config"], False),
    ("http mechanics", ["http"], False),
    ("features", ["events", "units", "partners", "contacts", "indicators", "assessments",
                  "countries", "webhooks", "exceptions", "eligibility", "agreements", "imports", "reports",
                  "sweep", "seed", "meta", "policy_document"], True),
    ("wiring", ["app", "cli"], True),
]
LAYER_OF = {m: i for i, (_, ms, _) in enumerate(LAYERS) for m in ms}
RANK_OF = {m: j for (_, ms, _) in LAYERS for j, m in enumerate(ms)}

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out = []
    for line in text.splitlines():
        # A `//` inside a string literal is rare here; strip from the first `//` not in quotes.
        in_str = False
        cut = len(line)
        i = 0
        while i < len(line) - 1:
            c = line[i]
            if c == '"' and (i == 0 or line[i - 1] != "\\"):
                in_str = not in_str
            elif not in_str and line[i:i + 2] == "//":
                cut = i
                break
            i += 1
        out.append(line[:cut])
    return "\n".join(out)


def group_heads(text: str, start: int) -> list[str]:
    """The first identifier of each item of the `{...}` group opening at text[start]."""
    depth = 0
    items, current = [], ""
    for c in text[start:]:
        if c == "{":
            depth += 1
            if depth == 1:
                continue
        elif c == "}":
            depth -= 1
            if depth == 0:
                items.append(current)
                break
        if depth == 1 and c == ",":
            items.append(current)
            current = ""
        else:
            current += c
    heads = []
    for item in items:
        m = re.match(r"\s*(\w+)", item)
        if m:
            heads.append(m.group(1))
    return heads


def module_of(path: pathlib.Path) -> str | None:
    rel = path.relative_to(SRC)
    if len(rel.parts) == 1:
        stem = rel.stem
        return None if stem in ("lib", "main") else stem
    return rel.parts[0]


def graph() -> dict[str, dict[str, set[str]]]:
    edges: dict[str, dict[str, set[str]]] = {}
    for path in sorted(SRC.rglob("*.rs")):
        here = module_of(path)
        if here is None:
            continue
        text = strip_comments(path.read_text())
        targets = set()
        for m in re.finditer(r"\bcrate::(\{|\w+)", text):
            if m.group(1) == "{":
                targets.update(group_heads(text, m.start(1)))
            else:
                targets.add(m.group(1))
        # `super::super::x` from src/a/b.rs is crate::x.
        depth = len(path.relative_to(SRC).parts) - 1
        if depth >= 1:
            pattern = r"\b" + r"super::" * (depth + (0 if path.name == "mod.rs" else 1)) + r"(\w+)"
            for m in re.finditer(pattern, text):
                targets.add(m.group(1))
        for t in targets:
            if t != here and t not in ("self",):
                edges.setdefault(here, {}).setdefault(t, set()).add(str(path.relative_to(SRC.parent)))
    return edges


def cycles(edges):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    nodes = set(edges) | {t for ts in edges.values() for t in ts}

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    edges = graph()
    problems = []
    unknown = sorted({m for m in set(edges) | {t for ts in edges.values() for t in ts}
                      if m not in LAYER_OF})
    for m in unknown:
        problems.append(f"module `{m}` has no layer: add it to LAYERS in ci/modules.py")
    for a, ts in sorted(edges.items()):
        for b, files in sorted(ts.items()):
            if a not in LAYER_OF or b not in LAYER_OF:
                continue
            la, lb = LAYER_OF[a], LAYER_OF[b]
            where = ", ".join(sorted(files))
            if lb > la:
                problems.append(f"`{a}` ({LAYERS[la][0]}) imports `{b}` ({LAYERS[lb][0]}), "
                                f"a higher layer: {where}")
            elif lb == la and LAYERS[la][2] and RANK_OF[b] > RANK_OF[a]:
                problems.append(f"`{a}` imports `{b}`, which comes after it in the {LAYERS[la][0]}' "
                                f"order (ci/modules.py): {where}")
    for comp in cycles(edges):
        problems.append(f"cycle between {', '.join(comp)} (`--graph` shows who imports whom)")
    if "--graph" in sys.argv:
        for name, ms, _ in reversed(LAYERS):
            print(f"{name}:")
            for m in ms:
                print(f"  {m} -> {', '.join(sorted(edges.get(m, {}))) or '(nothing)'}")
    for p in problems:
        print(p)
    modules = len(set(edges) | {t for ts in edges.values() for t in ts})
    if problems:
        print(f"modules: {len(problems)} problem(s) in {modules} top-level modules")
        return 1
    print(f"modules: {modules} top-level modules, no cycle, every import points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
