"""The switch: persevere_retry.backoff.install() and PERSEVERE_RETRY_AS_BACKOFF=1 (the .pth file
installed with the wheel) make `import backoff` give the drop-in. Each case runs in a fresh
interpreter, as a switched application would."""

import os
import subprocess
import sys

# What a program that imports backoff itself reports: which module each name resolved to.
PROBE = """
import backoff, backoff._common, backoff.types
from backoff import _jitter, _wait_gen, _sync, _async
import persevere_retry.backoff as dropin
print(backoff is dropin, backoff._common is dropin._common, backoff.types is dropin.types,
      _jitter is dropin._jitter, _wait_gen is dropin._wait_gen, _sync is dropin._sync,
      _async is dropin._async)
"""


def python(code, **environment):
    env = {k: v for k, v in os.environ.items() if k != "PERSEVERE_RETRY_AS_BACKOFF"}
    env.update(environment)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=60)


def test_install_makes_backoff_and_its_submodules_the_dropin():
    done = python("import persevere_retry.backoff as b; b.install(); b.install()\n" + PROBE)
    assert (done.returncode, done.stdout, done.stderr) == (0, "True True True True True True True\n", "")


def test_the_environment_variable_switches_at_start_up():
    done = python(PROBE, PERSEVERE_RETRY_AS_BACKOFF="1")
    assert (done.returncode, done.stdout, done.stderr) == (0, "True True True True True True True\n", "")


def test_without_the_switch_backoff_is_the_real_one():
    for environment in ({}, {"PERSEVERE_RETRY_AS_BACKOFF": "0"}):
        done = python(PROBE, **environment)
        assert (done.returncode, done.stdout, done.stderr) == (0, "False False False False False False False\n", "")


def test_a_switched_backoff_retries_with_the_rust_core():
    code = """
import backoff, time
time.sleep = lambda s: None
calls = []
@backoff.on_exception(backoff.constant, ValueError, interval=0, max_tries=3, budget=None)
def f():
    calls.append(1)
    raise ValueError
try:
    f()
except ValueError:
    print(len(calls))
"""
    # budget= exists only in the drop-in: a TypeError with the real backoff.
    assert python(code, PERSEVERE_RETRY_AS_BACKOFF="1").stdout == "3\n"
    assert "TypeError" in python(code).stderr


def test_a_bad_value_of_the_variable_is_reported_and_changes_nothing():
    done = python(PROBE, PERSEVERE_RETRY_AS_BACKOFF="yes")
    assert done.returncode == 0
    assert done.stdout == "False False False False False False False\n"
    assert done.stderr == ("persevere-retry: PERSEVERE_RETRY_AS_BACKOFF must be 1 (import backoff "
                           "gives persevere_retry.backoff) or 0, not 'yes'; backoff is not "
                           "replaced\n")


def test_install_after_backoff_was_imported_raises():
    done = python("import backoff\nimport persevere_retry.backoff as b\ntry:\n    b.install()\n"
                  "except RuntimeError as e:\n    print('backoff was imported before' in str(e))\n"
                  "import sys\nprint(sys.modules['backoff'] is b)")
    assert (done.returncode, done.stdout) == (0, "True\nFalse\n")


def test_uninstall_gives_the_real_backoff_back():
    done = python("import persevere_retry.backoff as b\nb.install()\nb.uninstall()\n"
                  "import backoff, backoff._common\nprint(backoff is b, backoff._common is b._common)")
    assert (done.returncode, done.stdout) == (0, "False False\n")


def test_a_pytest_run_with_warnings_as_errors_starts_when_switched(tmp_path):
    # The package is imported at start-up, before pytest loads its plugin; pytest must not warn
    # that it cannot rewrite it (suites with filterwarnings=error would not start).
    (tmp_path / "test_switched.py").write_text(
        "import backoff\n\n\ndef test_backoff_is_the_dropin(persevere_instant):\n"
        "    assert backoff.__name__ == 'persevere_retry.backoff'\n")
    env = {k: v for k, v in os.environ.items() if k != "PERSEVERE_RETRY_AS_BACKOFF"}
    env["PERSEVERE_RETRY_AS_BACKOFF"] = "1"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-W", "error", "-p",
                           "no:cacheprovider", "-p", "no:asyncio", str(tmp_path)], capture_output=True, text=True,
                          env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
