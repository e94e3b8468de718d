#!/usr/bin/env python3
"""Times persevere_retry.backoff against backoff 2.2.1 and tenacity 9.x, in one process.

    python3 scripts/bench_python.py          # JSON on stdout (bench.py stores it)

Needs `persevere-retry` (pip install ./bindings/python), `backoff==2.2.1` and `tenacity>=9,<10` in
the running Python. Two paths, each a decorated function that returns 7: the success path
(the first attempt succeeds) and the 3-failure path (ValueError three times, then 7). Sleeps
are no-ops (time.sleep replaced, tenacity's sleep= given), as the Rust benches use a sleeper
that returns at once. Every decorator keeps its defaults otherwise: exponential waits with full
jitter (tenacity: wait_random_exponential) and at most 5 attempts; backoff and
persevere_retry.backoff log through the 'backoff' logger as they do by default.
"""

import importlib.metadata
import json
import os
import time
import timeit

import backoff
import tenacity

import persevere_retry.backoff as pbackoff


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
    yield "direct call", target
    yield "persevere_retry.backoff", pbackoff.on_exception(pbackoff.expo, ValueError, max_tries=5)(target)
    yield "persevere_retry.backoff, monotonic=True", pbackoff.on_exception(
        pbackoff.expo, ValueError, max_tries=5, monotonic=True)(target)
    yield "backoff", backoff.on_exception(backoff.expo, ValueError, max_tries=5)(target)
    # Without the default log records, which cost most of a retry in both.
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


def best_ns(fn, number, repeat=5):
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e9


def measure():
    time.sleep = lambda seconds: None  # backoff and persevere_retry.backoff look it up per retry
    out = {"paths": {}}
    for path, failures, number in [("success", 0, 20000), ("fail3", 3, 5000)]:
        target, call = failing(failures)
        rows = {}
        for name, wrapped in implementations(target):
            run = call(wrapped)
            if failures and name == "direct call":
                continue
            assert run() == 7, name
            rows[name] = best_ns(run, number)
        out["paths"][path] = rows
    out["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    out["load"] = round(os.getloadavg()[0], 2)
    out["versions"] = {
        "persevere": importlib.metadata.version("persevere-retry"),
        "backoff": importlib.metadata.version("backoff"),
        "tenacity": importlib.metadata.version("tenacity"),
    }
    return out


if __name__ == "__main__":
    print(json.dumps(measure()))
