#!/usr/bin/env bash
# Checks what users install: the wheel pip builds (PEP 517, `pip wheel ./bindings/python`) is
# one abi3 manylinux2014 wheel, clean under auditwheel and twine; the sdist builds the same
# wheel; and the wheel installs into a fresh venv with no Rust toolchain on the PATH, imports,
# and retries. Run from anywhere; writes to target/python-dist. .ci/run runs it.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
OUT=$PWD/target/python-dist
rm -rf "$OUT" && mkdir -p "$OUT/wheel" "$OUT/sdist" "$OUT/from-sdist"

echo "-- tools (auditwheel, twine, build) in $OUT/tools"
"$PYTHON" -m venv "$OUT/tools"
"$OUT/tools/bin/pip" install -q --disable-pip-version-check auditwheel twine build

echo "-- the wheel, as pip builds it"
"$OUT/tools/bin/pip" wheel -q --disable-pip-version-check --no-deps ./bindings/python -w "$OUT/wheel"
wheel=$(ls "$OUT"/wheel/*.whl)
name=$(basename "$wheel")
case "$name" in
    persevere_retry-*-cp38-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl) ;;
    *) echo "unexpected wheel tag: $name (want cp38-abi3-manylinux2014_x86_64)"; exit 1 ;;
esac
"$OUT/tools/bin/auditwheel" show "$wheel" | tee "$OUT/auditwheel.txt"
grep -q 'is consistent with the following platform tag:' "$OUT/auditwheel.txt"
grep -q '"manylinux_2_17_x86_64"' "$OUT/auditwheel.txt"

echo "-- the sdist, and the wheel built from it"
"$OUT/tools/bin/python" -m build -q --sdist --outdir "$OUT/sdist" ./bindings/python
sdist=$(ls "$OUT"/sdist/*.tar.gz)
"$OUT/tools/bin/twine" check --strict "$wheel" "$sdist"
# The shared target directory spares a second compile of the dependencies.
CARGO_TARGET_DIR=$PWD/bindings/python/target \
    "$OUT/tools/bin/pip" wheel -q --disable-pip-version-check --no-deps "$sdist" -w "$OUT/from-sdist"
again=$(ls "$OUT"/from-sdist/*.whl)
[ "$(basename "$again")" = "$name" ] || { echo "the sdist built $(basename "$again"), not $name"; exit 1; }
# The same files with the same contents, but for the compiled library (its bytes embed paths).
listing() {
    "$OUT/tools/bin/python" - "$1" <<'PY'
import hashlib, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for info in sorted(wheel.infolist(), key=lambda i: i.filename):
        name = info.filename
        if name.endswith((".so", "/RECORD")) or "/sboms/" in name:
            print(name)
        else:
            print(name, hashlib.sha256(wheel.read(name)).hexdigest())
PY
}
diff <(listing "$wheel") <(listing "$again")

echo "-- a fresh venv without Rust: install the wheel, import, retry"
"$PYTHON" -m venv "$OUT/fresh"
bare_path=/usr/bin:/bin
if PATH=$bare_path command -v cargo >/dev/null || PATH=$bare_path command -v rustc >/dev/null; then
    echo "a Rust toolchain is on $bare_path: the check would prove nothing"; exit 1
fi
env -i PATH=$bare_path HOME="$OUT" "$OUT/fresh/bin/python" -m pip install -q \
    --disable-pip-version-check --no-index "$wheel"
env -i PATH=$bare_path HOME="$OUT" "$OUT/fresh/bin/python" - <<'PY'
import time

import persevere_retry
import persevere_retry.backoff as backoff

waits, calls = [], []
time.sleep = waits.append


@backoff.on_exception(backoff.expo, ValueError, max_tries=4, jitter=None,
                      budget=persevere_retry.RatioBudget())
def flaky():
    calls.append(1)
    if len(calls) < 4:
        raise ValueError("not yet")
    return "done"


assert (flaky(), len(calls), waits) == ("done", 4, [1, 2, 4]), (calls, waits)
print("fresh venv without Rust: persevere-retry", persevere_retry.__version__, "retries", waits)
PY
echo "-- $name: abi3 manylinux2014, auditwheel and twine clean, the sdist builds the same wheel"
