#!/usr/bin/env python3
"""Prints the circles of imports between the files of a crate: file A imports file B when a
`use` in A (a `pub use` re-export included) names an item or a module of B's module. A circle
is a group of two or more files each of which reaches the others through such imports.

    python3 scripts/module_cycles.py crates/persevere/src            # one crate's source tree
    python3 scripts/module_cycles.py --all                           # every crate of the repository

The exit status is 1 if a circle is found. It reads the source as text (no build, no
cargo-modules): `use` paths through `crate::`, `super::`, `self::` and a module's own children,
a root re-export (`crate::Details`) followed to the file that defines the item. Items of other
crates, and the `use super::*` of inline test modules, are not imports between files.
"""

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def modules_of(src: Path) -> dict[str, Path]:
    """Module path ('' for the crate root) -> its file."""
    found = {}
    for path in src.rglob("*.rs"):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] in ("mod", "lib", "main"):
            parts = parts[:-1]
        found["::".join(parts)] = path
    return found


def expand(tree: str) -> list[str]:
    """`a::{b, c::{d, e}}` -> [`a::b`, `a::c::d`, `a::c::e`]."""
    tree = " ".join(tree.split())
    match = re.match(r"^(.*?)\{(.*)\}$", tree)
    if not match:
        return [tree]
    prefix, inner = match.groups()
    parts, depth, current = [], 0, ""
    for ch in inner:
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p for part in parts if part.strip() for p in expand(prefix + part.strip())]


def strip_comments(text: str) -> str:
    return re.sub(r"//[^\n]*", "", text)


class Crate:
    def __init__(self, src: Path):
        self.modules = modules_of(src)
        self.root_exports: dict[str, str] = {}
        root = self.modules.get("")
        if root is not None:
            for use in re.findall(r"\bpub use\s+([^;]+);", strip_comments(root.read_text())):
                for path in expand(use):
                    name = path.split(" as ")[-1].split("::")[-1].strip()
                    target = self.resolve("", path.split(" as ")[0].strip(), follow=False)
                    if target:
                        self.root_exports[name] = target

    def resolve(self, current: str, path: str, follow: bool = True):
        segments = path.split("::")
        if segments[0] == "crate":
            base, segments = [], segments[1:]
        elif segments[0] in ("super", "self"):
            base = current.split("::") if current else []
            while segments and segments[0] in ("super", "self"):
                if segments[0] == "super":
                    base = base[:-1]
                segments = segments[1:]
        else:
            # A path relative to the module: one of its children (2018 paths), else not ours.
            base = current.split("::") if current else []
            child = "::".join(base + segments[:1])
            if child not in self.modules:
                return None
        best, best_len = None, 0
        for i in range(len(segments) + 1):
            candidate = "::".join(base + segments[:i])
            if candidate in self.modules:
                best, best_len = candidate, i
        if best == "" and follow and best_len < len(segments):
            # An item the root re-exports: the file that defines it; else another crate's.
            return self.root_exports.get(segments[best_len])
        return best

    def imports(self) -> dict[str, set[str]]:
        edges = {module: set() for module in self.modules}
        for module, path in self.modules.items():
            text = strip_comments(path.read_text())
            for use in re.findall(r"\buse\s+([^;{]*(?:\{[^;]*\})?[^;]*);", text):
                for item in expand(use):
                    item = item.split(" as ")[0].strip()
                    if item.endswith("::*") and item.startswith("super"):
                        continue  # an inline test module's glob
                    target = self.resolve(module, item.removesuffix("::*"))
                    if target is not None and target != module and not target.startswith(
                        module + "::" if module else "\0"
                    ):
                        edges[module].add(target)
        return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
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

    for v in edges:
        if v not in index:
            visit(v)
    return found


def check(src: Path) -> int:
    crate = Crate(src)
    edges = crate.imports()
    found = circles(edges)
    for group in found:
        print(f"{src}: circle: " + " <-> ".join(m or "<root>" for m in group))
        for module in group:
            inside = sorted(t or "<root>" for t in edges[module] if t in group)
            print(f"    {module or '<root>'} imports {', '.join(inside)}")
    if not found:
        print(f"{src}: no circle of imports between files ({len(edges)} files)")
    return len(found)


def main() -> int:
    args = sys.argv[1:]
    if args == ["--all"]:
        sources = sorted(p.parent for p in ROOT.glob("crates/*/src/lib.rs"))
        sources += [ROOT / "crates/persevere-cli/src", ROOT / "bindings/python/src"]
        sources = sorted(set(sources))
    elif args:
        sources = [Path(a) for a in args]
    else:
        print(__doc__)
        return 2
    total = sum(check(src) for src in sources)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
