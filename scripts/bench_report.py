"""Renders target/bench-results/results.json (written by bench.py) as docs/benchmarks.md.

    python3 scripts/bench_report.py   # re-renders the last run without running anything
"""

import json
import statistics
from pathlib import Path

IMPLS = ["persevere", "hand", "backon", "tokio-retry", "retry"]
SCENARIOS = [
    ("success_blocking", "(a) success at the first try, blocking"),
    ("success_async", "(a) success at the first try, async"),
    ("fail3_blocking_nojitter", "(b) 3 failures then success, blocking, no jitter"),
    ("fail3_blocking_full", "(b) 3 failures then success, blocking, full jitter"),
    ("fail3_async_nojitter", "(b) 3 failures then success, async, no jitter"),
    ("fail3_async_full", "(b) 3 failures then success, async, full jitter"),
    ("fail3_max_time_blocking_nojitter", "(c) as (b) with max_time, blocking, no jitter"),
    ("fail3_max_time_blocking_full", "(c) as (b) with max_time, blocking, full jitter"),
    ("fail3_max_time_async_nojitter", "(c) as (b) with max_time, async, no jitter"),
    ("fail3_max_time_async_full", "(c) as (b) with max_time, async, full jitter"),
    ("success_async_tokio_timer", "(a) success at the first try, async, on tokio's runtime"),
    ("fail3_async_full_tokio_timer", "(b) 3 failures, async, full jitter, on tokio's timer"),
    ("one_delay_full", "(d) one delay with full jitter"),
]

# What callgrind profiles of the core showed (crates/persevere at commit 1aa952d, profiled with
# `callgrind_annotate` on a build with line tables); shown under a missed target only.
CAUSES = {
    "success": (
        "Success path ({extra_success} instructions per call more than the hand loop; persevere's "
        "path took 167 instructions before the optimisation pass of the first stop). What remains is the work the semantics ask for before "
        "and after the first attempt, which the hand loop does not do: deciding whether the call "
        "needs the clock (is `max_time` set, are there handlers, is a subscriber listening at "
        "the log levels: one atomic load), reading `max_tries` (a closure may supply it per "
        "call), starting the strategy's state (a 32-byte copy of `Expo`) and the per-call random "
        "state, keeping the call's state for the failure path, and "
        "checking for `on_success` handlers afterwards."
    ),
    "failure": (
        "Failure path ({extra_failure} instructions per call more than the hand loop for three "
        "retries without jitter, about {extra_per_retry} per retry). Each retry goes through the "
        "decision core: the `when`/`giveup` filters, "
        "both limits, `Expo::next` in `f64` nanoseconds with a saturating conversion (the hand "
        "loop doubles a `Duration` with `saturating_mul`), the jitter dispatch, the `max_time` "
        "cut, a level check for the backoff event and the handler list; the hand loop only "
        "doubles a `Duration` and calls the same `Jitter::apply`. With full jitter the random "
        "draw weighs on both and the ratio falls to about 1.6x. Against backon persevere takes "
        "fewer instructions in every scenario, but its time ratio stays a little above 0.5x."
    ),
    "size": (
        "Future size. The call's state (`Retrying`) holds the strategy's position, the limits, "
        "the start time and the random state; it was cut from 144 to 104 bytes."
    ),
    "cli": (
        "The CLI. On this machine a process that starts another costs about 0.7 ms more than "
        "`true` alone: a minimal Rust program that only runs `true` through "
        "`std::process::Command` takes about 1.2 ms against 0.4-0.5 ms for `true`. persevere "
        "adds a few tenths of a millisecond more at start-up (the dynamic relocation of a "
        "3.8 MB binary, std's main-thread stack guard, which reads /proc/self/maps, and clap); "
        "GNU `timeout` and Debian's `retry` are small C programs. The child is started with "
        "`posix_spawn` (no `pre_exec` unless the terminal is handed over)."
    ),
}


def fmt_ns(v):
    if v is None:
        return "–"
    return f"{v / 1e3:.2f} µs" if v >= 1e3 else f"{v:.1f} ns"


def ratio(a, b):
    return f"{a / b:.2f}x" if a is not None and b else "–"


def ns(results, scenario, impl):
    return results["criterion"].get(scenario, {}).get(impl, {}).get("ns")


def instr(results, scenario, impl):
    return results.get("instructions", {}).get(scenario, {}).get(impl)


def size(results, impl, sleeper):
    for row in results["future_sizes"]:
        if row["implementation"] == impl and row["sleeper"] == sleeper:
            return int(row["bytes"])
    return None


def verdict(ok):
    return "met" if ok else "**missed**"


def targets(r):
    rows, missed = [], set()

    def add(name, measured, ok, cause=None):
        rows.append(f"| {name} | {measured} | {verdict(ok)} |")
        if not ok and cause:
            missed.add(cause)

    for mode in ["blocking", "async"]:
        s = f"success_{mode}"
        t, i = ns(r, s, "persevere") / ns(r, s, "hand"), None
        if instr(r, s, "hand"):
            i = instr(r, s, "persevere") / instr(r, s, "hand")
        add(f"success path, {mode}: persevere ≤ 1.2x the hand loop",
            f"{t:.2f}x time" + (f", {i:.2f}x instructions" if i else ""), t <= 1.2, "success")
    for mode in ["blocking", "async"]:
        for j in ["nojitter", "full"]:
            s = f"fail3_{mode}_{j}"
            t = ns(r, s, "persevere") / ns(r, s, "hand")
            i = instr(r, s, "persevere") / instr(r, s, "hand") if instr(r, s, "hand") else None
            add(f"3 failures, {mode}, {j}: persevere ≤ 1.5x the hand loop",
                f"{t:.2f}x time" + (f", {i:.2f}x instructions" if i else ""), t <= 1.5, "failure")
    for j in ["nojitter", "full"]:
        s = f"fail3_async_{j}"
        t = ns(r, s, "persevere") / ns(r, s, "backon")
        add(f"3 failures, async, {j}: persevere ≤ 0.5x backon",
            f"{t:.2f}x ({fmt_ns(ns(r, s, 'persevere'))} vs {fmt_ns(ns(r, s, 'backon'))})",
            t <= 0.5, "failure")
    for sleeper in ["ready", "tokio"]:
        p, b = size(r, "persevere", sleeper), size(r, "backon", sleeper)
        add(f"future size ({sleeper} sleeper) ≤ backon's", f"{p} vs {b} bytes", p <= b, "size")
    allocs = [float(a["allocations_per_call"]) for a in r["allocations"]
              if a["implementation"] == "persevere"]
    add("0 allocations per call (persevere, 8 scenarios)",
        f"max {max(allocs):g} per call", max(allocs) == 0)
    cli = r["cli"]
    if cli["pending"]:
        rows.append("| CLI: ≤ 1 ms above `true`, no slower than `timeout` and `retry` | "
                    "pending: the CLI is not in this checkout | – |")
    else:
        m = cli["median_ms"]
        p = m["persevere -- true"]
        add("CLI: ≤ 1 ms above `true` (median)", f"+{p - m['true']:.2f} ms",
            p - m["true"] <= 1.0, "cli")
        for other in [k for k in m if k.startswith(("timeout", "retry"))]:
            add(f"CLI: no slower than `{other}`", f"{p:.2f} vs {m[other]:.2f} ms", p <= m[other],
                "cli")
    return rows, missed


def render(r):
    m = r["machine"]
    out = [
        "# Benchmarks",
        "",
        "<!-- Generated by scripts/bench.py; do not edit by hand. -->",
        "",
        f"Produced by `{r['command']}` on {m['date']}.",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores; {m['os']}; {m['rustc']}; Python {m['python']}.",
        f"- Load average (1 min) {r['load_before']} before and {r['load_after']} after the run. "
        "The machine's 2 cores are shared with other work, so timings carry noise: each time "
        "below is criterion's median (its 95% confidence interval is in the detail table), "
        "and the ratios that matter are also given in instructions (callgrind), which do not "
        "depend on the load.",
        "",
        "## Targets (issue 5)",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    rows, missed = targets(r)
    out += rows
    if missed:
        out += ["", "What stands in the way (callgrind profiles of the core):", ""]
        extra = {}
        for key, name in [("success_blocking", "extra_success"),
                          ("fail3_blocking_nojitter", "extra_failure")]:
            p, h = instr(r, key, "persevere"), instr(r, key, "hand")
            extra[name] = f"{p - h:.0f}" if p and h else "more"
            if name == "extra_failure":
                extra["extra_per_retry"] = f"{(p - h) / 3:.0f}" if p and h else "more"
        out += [f"- {CAUSES[c].format(**extra)}" for c in ["success", "failure", "size", "cli"]
                if c in missed]
    out += ["", "## Time per call (criterion median)", "",
            "| scenario | " + " | ".join(IMPLS) + " | persevere / hand | persevere / backon |",
            "|---|" + "---:|" * (len(IMPLS) + 2)]
    for key, label in SCENARIOS:
        if key not in r["criterion"]:
            continue
        cells = [fmt_ns(ns(r, key, i)) for i in IMPLS]
        p = ns(r, key, "persevere")
        out.append(f"| {label} | " + " | ".join(cells)
                   + f" | {ratio(p, ns(r, key, 'hand'))} | {ratio(p, ns(r, key, 'backon'))} |")
    out += ["", "95% confidence intervals of the medians:", "",
            "| scenario | implementation | low | median | high |", "|---|---|---:|---:|---:|"]
    for key, _ in SCENARIOS:
        for impl, e in sorted(r["criterion"].get(key, {}).items()):
            out.append(f"| {key} | {impl} | {fmt_ns(e['lo'])} | {fmt_ns(e['ns'])} | {fmt_ns(e['hi'])} |")
    if r.get("instructions"):
        out += ["", "## Instructions per call (callgrind)", "",
                "`valgrind --tool=callgrind target/release/calls <scenario> <impl> <n>` for two "
                "values of n; the difference divided by n cancels the start-up cost.", "",
                "| scenario | persevere | hand | backon | persevere / hand | persevere / backon |",
                "|---|---:|---:|---:|---:|---:|"]
        for key, counts in r["instructions"].items():
            p, h, b = counts["persevere"], counts["hand"], counts["backon"]
            out.append(f"| {key} | {p:.0f} | {h:.0f} | {b:.0f} | {p / h:.2f}x | {p / b:.2f}x |")
    out += ["", "## Future sizes (e)", "", "`target/release/future_sizes`: `size_of_val` of "
            "each library's retry future for the same operation.", "",
            "| implementation | sleeper | bytes |", "|---|---|---:|"]
    out += [f"| {s['implementation']} | {s['sleeper']} | {s['bytes']} |" for s in r["future_sizes"]]
    out += ["", "## Heap allocations per call", "", "`target/release/allocations` (a counting "
            "global allocator; `benches/tests/test_allocations.rs` asserts persevere's zeros).", "",
            "| scenario | implementation | allocations per call |", "|---|---|---:|"]
    out += [f"| {a['scenario']} | {a['implementation']} | {a['allocations_per_call']} |"
            for a in r["allocations"]]
    out += ["", "## 100,000 concurrent retrying tasks (f)", "",
            "`target/release/many_tasks <impl>`: a paused current-thread tokio runtime, each task "
            "fails three times and succeeds at its fourth attempt, full jitter, tokio's timer. "
            "Wall time (median of runs) and peak resident memory (`VmHWM`). persevere's task holds "
            "an `Arc` of the shared policy beside its retry future.", "",
            "| implementation | tasks | wall time | peak memory | before spawning | per task |",
            "|---|---:|---:|---:|---:|---:|"]
    for impl, t in r["many_tasks"].items():
        per_task = (t["peak_kib"] - t["baseline_kib"]) * 1024 / t["tasks"]
        out.append(f"| {impl} | {t['tasks']:,} | {t['wall_ms']:.0f} ms | {t['peak_kib'] / 1024:.1f} MiB "
                   f"| {t['baseline_kib'] / 1024:.1f} MiB | {per_task:.0f} B |")
    hedge = r.get("hedging")
    if hedge:
        out += [""] + render_hedging(hedge)
    cli = r["cli"]
    out += ["", "## The CLI", "", f"Median wall time per run ({cli['tool']}).", "",
            "| command | median |", "|---|---:|"]
    out += [f"| `{k}` | {v:.2f} ms |" for k, v in cli["median_ms"].items()]
    if cli["pending"]:
        out += ["", "The `persevere -- true` row is pending: the CLI (crate `persevere-cli`, binary "
                "`persevere`) is being built on another branch and is not in this checkout. Once "
                "it is, the same command adds its row."]
    py = r.get("python")
    if py and "paths" in py:
        out += [""] + render_python(py)
    out += ["", "## What is measured", "", (Path(__file__).parent / "bench_method.md").read_text().strip(), ""]
    return "\n".join(out)


def render_hedging(hedge):
    """The hedging section: per mode, the median and the worst of several runs (a run is one
    list of rows from `target/release/hedging`; results of older runs hold one such list)."""
    runs = hedge["runs"] if isinstance(hedge, dict) else [hedge]
    calls = runs[0][0]["calls"]
    out = ["## Hedging: tail latency against a server slow on 10 % of requests", "",
           f"`python3 scripts/bench.py --hedging {len(runs)}` runs `target/release/hedging "
           f"{calls} 50` {len(runs)} times: 50 concurrent clients on one tokio runtime (2 worker "
           "threads) call a loopback server that answers 10 % of requests (drawn from a seeded "
           "generator) after 1 s, the rest at once. Unhedged: one request per call. Hedged: "
           "`.hedge(50 ms, n)`, another request after 50 ms without an answer, at most n in "
           "flight, the first answer wins and the others are dropped. `requests` counts what "
           "reached the server. The machine's 2 cores are shared with other builds, so these "
           "latencies vary with its load: each cell is the median of the runs, with the worst "
           "run after the slash.", "",
           "| mode | calls | requests | p50 | p90 | p99 | max | wall time |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    modes = [row["mode"] for row in runs[0]]

    def cell(mode, key, unit=" ms"):
        values = [float(row[key]) for run in runs for row in run if row["mode"] == mode]
        median, worst = statistics.median(values), max(values)
        if len(values) == 1:
            return f"{median:g}{unit}"
        return f"{median:g} / {worst:g}{unit}"

    for mode in modes:
        out.append(f"| {mode} | {calls} | {cell(mode, 'requests', '')} | {cell(mode, 'p50_ms')} | "
                   f"{cell(mode, 'p90_ms')} | {cell(mode, 'p99_ms')} | {cell(mode, 'max_ms')} | "
                   f"{cell(mode, 'wall_ms')} |")
    if len(runs) > 1:
        out += ["", "p99 of each run, in order:", ""]
        for mode in modes:
            p99 = [row["p99_ms"] for run in runs for row in run if row["mode"] == mode]
            out.append(f"- {mode}: " + ", ".join(f"{v} ms" for v in p99))
    return out


def render_budgets(root):
    """Retry budgets by load shape, from the simulation's published rows
    (`docs/simulation/outage.csv`: sustained load through an outage; `docs/simulation/wave.csv`:
    one wave of 200 calls). Seeded: the same figures on every run and machine."""
    def rows(name):
        lines = (root / "docs" / "simulation" / name).read_text().splitlines()
        header = lines[0].split(",")
        return [dict(zip(header, line.split(","))) for line in lines[1:]]
    outage, wave = rows("outage.csv"), rows("wave.csv")
    out = ["## Retry budgets by load shape (simulation)", "",
           "`cargo run --release -p persevere-sim` (seeded: the same figures on every run and "
           "machine; docs/simulation.md explains them). Amplification is attempts per request: "
           "under sustained load, the attempts reaching the server during a 10 s outage over "
           "the requests started in it (1000 requests a second, every strategy, the highest "
           "row); in one wave, 200 calls that start together and all fail (full jitter).", "",
           "| budget | sustained, max_tries 3 | sustained, max_tries 5 | one wave, max_tries 3 "
           "| one wave, max_tries 5 |", "|---|---:|---:|---:|---:|"]
    for budget in dict.fromkeys(r["budget"] for r in wave):
        cells = []
        for table, highest in ((outage, True), (wave, False)):
            for tries in ("3", "5"):
                values = [float(r["amplification"]) for r in table
                          if r["budget"] == budget and r["max_tries"] == tries]
                cells.append(f"{max(values):.2f}" if values else "-")
        out.append(f"| {budget} | " + " | ".join(cells) + " |")
    return out


def render_python(py):
    """The Python section: persevere_retry.backoff against backoff, python-backoff, tenacity,
    stamina and backoffs on the success path and the 3-failure path (scripts/bench_python.py)."""
    v = py["versions"]
    success, fail3 = py["paths"]["success"], py["paths"]["fail3"]
    peers = ", ".join(f"{name} {version}" for name, version in v.items() if name != "persevere")
    out = ["## Python: persevere_retry.backoff and the libraries users pick instead", "",
           f"`python3 scripts/bench.py --python-only` (scripts/bench_python.py): `timeit`, best "
           f"of 5 (20,000 calls on the success path, 5,000 on the 3-failure path), one run; "
           f"persevere-retry {v['persevere']}, {peers} (python-backoff in a child process: it "
           "installs the module `backoff` too). Each decorates a function that returns 7 (after "
           "raising ValueError three times on the 3-failure path) with at most 5 attempts and "
           "exponential waits with full jitter where the library has them (tenacity: "
           "`wait_random_exponential`; stamina its own; backoffs `FullJitter`); sleeps are "
           "no-ops. backoff, python-backoff and persevere_retry.backoff log each retry on the "
           "`backoff` logger by default, stamina through logging; the `logger=None` rows leave "
           "it out. persevere_retry.backoff's default rows measure time as backoff does "
           "(`datetime.datetime.now()`); `monotonic=True` reads the monotonic clock."
           + (f" Run on {py['date']}, load average (1 min) {py['load']}." if "date" in py else ""), "",
           "| decorator | success | 3 failures | backoff / this, success | backoff / this, 3 failures |",
           "|---|---:|---:|---:|---:|"]
    for name in success:
        base_s = success["backoff, logger=None" if "logger=None" in name else "backoff"]
        row = f"| {name} | {fmt_ns(success[name])} | "
        if name in fail3:
            base_f = fail3["backoff, logger=None" if "logger=None" in name else "backoff"]
            row += f"{fmt_ns(fail3[name])} | {base_s / success[name]:.2f}x | {base_f / fail3[name]:.2f}x |"
        else:
            row += f"– | {base_s / success[name]:.2f}x | – |"
        out.append(row)
    out += ["", "The ratios are speed-ups over backoff 2.2.1 configured alike (the `logger=None` "
            "rows over `backoff, logger=None`): above 1x is faster than backoff."]
    return out


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    results = json.loads((root / "target" / "bench-results" / "results.json").read_text())
    (root / "docs" / "benchmarks.md").write_text(render(results))
