#!/usr/bin/env python3
"""Times persevere_retry.backoff against the retry libraries Python users pick instead:
backoff 2.2.1, python-backoff 3.0 (the fork), tenacity 9, stamina and backoffs 1.0.

    python3 scripts/bench_python.py          # JSON on stdout (bench.py stores it)

Needs `persevere-retry` (pip install ./bindings/python), `backoff==2.2.1`, `tenacity>=9,<10`,
`stamina` and `backoffs==1.0.*` in the running Python; python-backoff installs the module name
`backoff` too, so it lives in a directory of its own (`pip install --target DIR
python-backoff==3.0.*`, DIR from $PERSEVERE_BENCH_PYTHON_BACKOFF) and is timed in a child
process that puts DIR first on sys.path. `scripts/bench.py --python-only` sets all of this up.

Two paths, each a decorated function that returns 7: the success path (first call succeeds)
and the 3-failure path (ValueError three times, then 7). Sleeps are no-ops (time.sleep
replaced; backoffs, which binds its sleep, is given one), as the Rust benches use a sleeper that
returns at once. Every decorator keeps its defaults otherwise: exponential waits with full
jitter where it has them (tenacity: wait_random_exponential; stamina's own), at most 5
attempts; backoff, python-backoff and persevere_retry.backoff log through the 'backoff' logger
as they do by default.
"""

import importlib.metadata
import json
import os
import subprocess
import sys
import time
import timeit


def failing(n):
    """A target that fails `n` times per call, then returns 7 (the state resets per call)."""
    state = [0]

    def target():
        state[0] += 1
        if state[0] <= n:
            raise ValueError("flaky")
        return 7

    def call(wrapped):
        def run():
            state[0] = 0
            return wrapped()

        return run

    return target, call


def implementations(target):
    """(name, decorated target) of every library importable here."""
    import backoff
    import backoffs
    import stamina
    import tenacity

    import persevere_retry.backoff as pbackoff

    yield "direct call", target
    yield "persevere_retry.backoff", pbackoff.on_exception(pbackoff.expo, ValueError, max_tries=5)(target)
    yield "persevere_retry.backoff, monotonic=True", pbackoff.on_exception(
        pbackoff.expo, ValueError, max_tries=5, monotonic=True)(target)
    yield "backoff", backoff.on_exception(backoff.expo, ValueError, max_tries=5)(target)
    # Without the default log records, which cost most of a retry in backoff.
    yield "persevere_retry.backoff, logger=None, monotonic=True", pbackoff.on_exception(
        pbackoff.expo, ValueError, max_tries=5, logger=None, monotonic=True)(target)
    yield "backoff, logger=None", backoff.on_exception(
        backoff.expo, ValueError, max_tries=5, logger=None)(target)
    yield "tenacity", tenacity.retry(
        stop=tenacity.stop_after_attempt(5),
        wait=tenacity.wait_random_exponential(multiplier=1),
        retry=tenacity.retry_if_exception_type(ValueError),
        sleep=lambda seconds: None,
    )(target)
    yield "stamina", stamina.retry(on=ValueError, attempts=5)(target)
    policy = backoffs.Policy(jitter=backoffs.FullJitter(), max_retries=4)

    def with_backoffs():
        return backoffs.retry(target, policy, retry_on=ValueError, sleep=lambda seconds: None)

    yield "backoffs", with_backoffs


def fork_implementations(target):
    """python-backoff 3.0, imported as `backoff` from the directory first on sys.path."""
    import backoff

    yield "python-backoff", backoff.on_exception(backoff.expo, ValueError, max_tries=5)(target)
    yield "python-backoff, logger=None", backoff.on_exception(
        backoff.expo, ValueError, max_tries=5, logger=None)(target)


def best_ns(fn, number, repeat=5):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e9


def measure(rows_of):
    time.sleep = lambda seconds: None  # the backoffs and tenacity-based ones look it up per retry
    # stamina reports each retry through logging, which without configuration prints the
    # warning to stderr (logging's lastResort): its default cost, written to /dev/null here.
    sys.stderr = open(os.devnull, "w")
    paths = {}
    for path, failures, number in [("success", 0, 20000), ("fail3", 3, 5000)]:
        target, call = failing(failures)
        rows = {}
        for name, wrapped in rows_of(target):
            if failures and name == "direct call":
                continue
            run = call(wrapped)
            assert run() == 7, name
            rows[name] = best_ns(run, number)
        paths[path] = rows
    return paths


def fork_rows():
    """python-backoff's rows, from a child process (None when it is not set up)."""
    where = os.environ.get("PERSEVERE_BENCH_PYTHON_BACKOFF")
    if not where or not os.path.isdir(os.path.join(where, "backoff")):
        return None
    done = subprocess.run([sys.executable, __file__, "--fork", where], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def main():
    paths = measure(implementations)
    fork = fork_rows()
    versions = {name: importlib.metadata.version(dist) for name, dist in [
        ("persevere", "persevere-retry"), ("backoff", "backoff"), ("tenacity", "tenacity"),
        ("stamina", "stamina"), ("backoffs", "backoffs")]}
    if fork is not None:
        for path, rows in fork["paths"].items():
            paths[path].update(rows)
        versions["python-backoff"] = fork["version"]
    return {
        "paths": paths,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load": round(os.getloadavg()[0], 2),
        "versions": versions,
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fork"]:
        sys.path.insert(0, sys.argv[2])
        import backoff as fork_backoff

        assert fork_backoff.__file__.startswith(sys.argv[2]), fork_backoff.__file__
        version = [d for d in os.listdir(sys.argv[2]) if d.startswith("python_backoff-")]
        print(json.dumps({"paths": measure(fork_implementations),
                          "version": version[0].split("-")[1].replace(".dist", "")}))
    else:
        print(json.dumps(main()))
