#!/usr/bin/env python3
"""Runs the test suites of real clients of backoff twice, with backoff 2.2.1 and with
persevere_retry.backoff switched in by PERSEVERE_RETRY_AS_BACKOFF=1, and compares each test's
outcome. The clients import backoff themselves: the switch is the only change.

    python3 bindings/python/clients/run_clients.py            # singer-sdk, posthog, gql
    python3 bindings/python/clients/run_clients.py singer-sdk

Each client gets a venv under target/python-clients/ with its release from PyPI, the test
dependencies its suite imports, and the persevere-retry wheel (target/python-dist/wheel, built
by bindings/python/check_dist.sh, else built here with `pip wheel`). The suites come from the
clients' sdists on PyPI (only the registries are reachable). Needs PyPI; about 5 minutes.
Exit status 1 when an outcome differs between the two runs or the switch did not take.
"""

import os
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
WORK = ROOT / "target" / "python-clients"
WHEELS = ROOT / "target" / "python-dist" / "wheel"

# name: (the release, what its tests need, the tests to run relative to the unpacked sdist,
# pytest's extra arguments). Some of posthog's tests send to us.i.posthog.com, unreachable here:
# they fail in both runs, after pytest-timeout's 10 s instead of backoff's minutes.
CLIENTS = {
    "singer-sdk": (
        "singer-sdk==0.54.9",
        ["singer-sdk[jwt]==0.54.9", "pytest>=9,<10", "requests-mock", "responses",
         "time-machine", "dirty-equals", "pytest-snapshot", "pytz", "fastjsonschema",
         "rfc3339-validator", "sqlalchemy>=2", "requests-cache", "toolz"],
        ["tests/core/rest", "tests/core/test_streams.py"],
        [],
    ),
    "posthog": (
        "posthog==3.25.0",
        ["posthog==3.25.0", "pytest>=7,<9", "mock>=2.0.0", "freezegun==1.5.1", "parameterized",
         "six", "pydantic", "pytest-timeout"],
        ["posthog/test/test_consumer.py", "posthog/test/test_client.py",
         "posthog/test/test_request.py"],
        ["--timeout", "10"],
    ),
    "gql": (
        "gql==3.5.3",
        ["gql[aiohttp,requests,httpx,websockets]==3.5.3", "pytest==7.4.2",
         "pytest-asyncio==0.21.1", "mock==4.0.2", "parse==1.15.0", "aiofiles",
         "pytest-console-scripts==1.3.1"],
        ["tests/test_client.py", "tests/test_requests.py", "tests/test_aiohttp.py",
         "tests/test_httpx_async.py"],
        [],
    ),
}

PROBE = "import backoff, persevere_retry.backoff as p; print(backoff is p)"


def run(command, **kwargs):
    print("+", " ".join(str(c) for c in command), flush=True)
    return subprocess.run(command, check=True, **kwargs)


def wheel():
    found = sorted(WHEELS.glob("persevere_retry-*.whl"))
    if not found:
        run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT / "bindings/python"),
             "-w", str(WHEELS)])
        found = sorted(WHEELS.glob("persevere_retry-*.whl"))
    return found[-1]


def prepare(name, release, requirements):
    venv = WORK / name / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        run([sys.executable, "-m", "venv", str(venv)])
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run(pip + requirements + ["backoff==2.2.1"])
    run(pip + ["--force-reinstall", "--no-deps", str(wheel())])
    sdists = WORK / name / "sdist"
    sdists.mkdir(parents=True, exist_ok=True)
    run([str(python), "-m", "pip", "download", "-q", "--disable-pip-version-check",
         "--no-binary", ":all:", "--no-deps", release, "-d", str(sdists)])
    archive = sorted(sdists.glob("*.tar.gz"))[-1]
    with tarfile.open(archive) as tar:
        top = tar.getnames()[0].split("/")[0]
        tar.extractall(WORK / name, filter="data") if sys.version_info >= (3, 12) else tar.extractall(WORK / name)
    return python, WORK / name / top


def outcomes(junit):
    """Each test's outcome in a junit XML report."""
    result = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        test = f"{case.get('classname')}::{case.get('name')}"
        kinds = {child.tag for child in case}
        result[test] = ("failed" if kinds & {"failure", "error"} else
                        "skipped" if "skipped" in kinds else "passed")
    return result


def suite(python, source, tests, pytest_args, switched):
    env = {k: v for k, v in os.environ.items() if k != "PERSEVERE_RETRY_AS_BACKOFF"}
    # The venv's scripts on the PATH, as in an activated venv (gql's CLI tests run gql-cli).
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    if switched:
        env["PERSEVERE_RETRY_AS_BACKOFF"] = "1"
    probe = subprocess.run([str(python), "-c", PROBE], env=env, capture_output=True, text=True,
                           check=True).stdout.strip()
    junit = source / f"junit-{'switched' if switched else 'backoff'}.xml"
    subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o",
                    "addopts=", f"--junitxml={junit}", *pytest_args, *tests], cwd=source, env=env)
    return probe == "True", outcomes(junit)


def main(names):
    differences = 0
    table = []
    for name in names:
        release, requirements, tests, pytest_args = CLIENTS[name]
        python, source = prepare(name, release, requirements)
        real_probe, real = suite(python, source, tests, pytest_args, switched=False)
        dropin_probe, dropin = suite(python, source, tests, pytest_args, switched=True)
        if real_probe or not dropin_probe:
            print(f"{name}: the switch did not take (backoff is drop-in: {real_probe} without, "
                  f"{dropin_probe} with PERSEVERE_RETRY_AS_BACKOFF=1)")
            differences += 1
        if not real or not dropin:
            print(f"{name}: no test ran ({len(real)} with backoff, {len(dropin)} switched): "
                  "a missing test dependency?")
            differences += 1
        changed = sorted(t for t in set(real) | set(dropin) if real.get(t) != dropin.get(t))
        for test in changed:
            print(f"{name}: {test}: {real.get(test)} with backoff, {dropin.get(test)} switched")
        differences += len(changed)

        def count(o):
            return {k: sum(1 for v in o.values() if v == k) for k in ("passed", "failed", "skipped")}

        table.append((release, count(real), count(dropin), len(changed)))
    print()
    print("| client | with backoff 2.2.1 | with persevere_retry.backoff | tests that differ |")
    print("|---|---|---|---:|")
    for release, real, dropin, changed in table:
        fmt = "{passed} passed, {failed} failed, {skipped} skipped".format
        print(f"| {release} | {fmt(**real)} | {fmt(**dropin)} | {changed} |")
    return 1 if differences else 0


if __name__ == "__main__":
    chosen = sys.argv[1:] or list(CLIENTS)
    unknown = [n for n in chosen if n not in CLIENTS]
    if unknown:
        sys.exit(f"unknown client(s) {', '.join(unknown)}; choose from {', '.join(CLIENTS)}")
    sys.exit(main(chosen))
