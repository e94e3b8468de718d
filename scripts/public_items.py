#!/usr/bin/env python3
"""Counts the public, non-hidden items of the `persevere` crate, from rustdoc's JSON output.

An item counts once, at the first public path that reaches it from the crate root: modules,
types, traits, functions, constants, and re-exports of other crates' items. Methods, fields
and variants are not counted (they belong to their type). Items marked `#[doc(hidden)]`, and
everything reached only through them, are not counted: they are the plumbing that the type
parameters and the drivers' bounds name, not the API.

    python3 scripts/public_items.py            # the count, and a line per item with --list
    python3 scripts/public_items.py --max 100  # exit status 1 above 100

Rustdoc's JSON output is unstable: a nightly toolchain makes it, or the stable one with
RUSTC_BOOTSTRAP=1, which is what this script uses so that CI needs no other toolchain.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "target" / "rustdoc-json"


def build_json() -> Path:
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    subprocess.run(
        [
            "cargo", "rustdoc", "-q", "-p", "persevere", "--all-features",
            "--target-dir", str(TARGET), "--",
            "-Z", "unstable-options", "--output-format", "json",
        ],
        cwd=ROOT, env=env, check=True,
    )
    return TARGET / "doc" / "persevere.json"


def is_hidden(item: dict) -> bool:
    return any("hidden" in str(attr) for attr in item.get("attrs", []))


def public_items(doc: dict) -> list[tuple[str, str]]:
    index = doc["index"]
    seen: set[int] = set()
    found: list[tuple[str, str]] = []

    def walk(module_id: int, path: str) -> None:
        for child_id in index[str(module_id)]["inner"]["module"]["items"]:
            child = index.get(str(child_id))
            if child is None or child["visibility"] != "public" or is_hidden(child):
                continue
            kind = next(iter(child["inner"]))
            if kind == "use":
                use = child["inner"]["use"]
                target_id = use.get("id")
                target = index.get(str(target_id)) if target_id is not None else None
                if target is None:
                    # Another crate's item: counted once per name it is re-exported under.
                    key = hash(("extern", path, use["name"]))
                    if key not in seen:
                        seen.add(key)
                        found.append((f"{path}::{use['name']}", "re-export"))
                    continue
                if is_hidden(target):
                    continue
                if use.get("is_glob"):
                    walk(target_id, path)
                    continue
                child_id, child, kind = target_id, target, next(iter(target["inner"]))
                name = use["name"]
            else:
                name = child["name"]
            if child_id in seen:
                continue
            seen.add(child_id)
            found.append((f"{path}::{name}", kind))
            if kind == "module":
                walk(child_id, f"{path}::{name}")

    walk(doc["root"], "persevere")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print every item counted")
    parser.add_argument("--max", type=int, help="fail (exit 1) above this count")
    args = parser.parse_args()
    items = public_items(json.loads(build_json().read_text()))
    if args.list:
        for path, kind in sorted(items):
            print(f"{kind:10} {path}")
    print(f"persevere: {len(items)} public items (rustdoc JSON; hidden plumbing not counted)")
    if args.max is not None and len(items) > args.max:
        print(f"more than {args.max}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
