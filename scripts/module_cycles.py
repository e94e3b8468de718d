#!/usr/bin/env python3
"""Prints the circles of `use` between the modules of a crate, from cargo-modules' graph.

    python3 scripts/module_cycles.py -p persevere --lib --all-features
    python3 scripts/module_cycles.py -p persevere-cli --bin persevere

The arguments go to `cargo modules dependencies` (cargo-modules 0.27: `cargo install
cargo-modules --version 0.27.0 --locked`). Functions, types and traits are filtered out, so
each "uses" edge goes from the module whose code names an item to the module that defines it.
Edges into the crate root are dropped: the root only re-exports (`pub use`), and a path
through a re-export (`crate::Details`) names the defining module's item, not the root's code.
A circle is a strongly connected group of two or more modules; the exit status is 1 if there is
one.
"""

import re
import subprocess
import sys


def module_graph(args):
    dot = subprocess.run(
        ["cargo", "modules", "dependencies", "--no-externs", "--no-sysroot", "--no-fns",
         "--no-types", "--no-traits", "--no-owns", *args],
        check=True, text=True, stdout=subprocess.PIPE).stdout
    edges = re.findall(r'"([^"]+)" -> "([^"]+)" \[label="uses"', dot)
    root = min((a for a, _ in edges), key=len, default="")
    graph = {}
    for a, b in edges:
        if a != b and b != root:
            graph.setdefault(a, set()).add(b)
            graph.setdefault(b, set())
    return graph


def circles(graph):
    """Tarjan's strongly connected components with two or more members."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main():
    found = circles(module_graph(sys.argv[1:]))
    for group in found:
        print("circle: " + " <-> ".join(group))
    if not found:
        print("no circle of use between modules")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
