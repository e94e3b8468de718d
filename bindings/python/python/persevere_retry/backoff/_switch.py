"""The switch: make ``import backoff`` give this drop-in, for code that imports backoff itself
(a dependency, a test suite). ``install()`` registers the drop-in and its submodules under
backoff's names in ``sys.modules``, where every later import finds them first; the
``PERSEVERE_RETRY_AS_BACKOFF=1`` environment variable does it at interpreter start-up (a .pth
file installed with the package calls :func:`install_from_environment`).
"""

import importlib
import os
import sys

# backoff's submodules, which code imports by name (backoff._common, backoff.types, ...).
SUBMODULES = ("_common", "_jitter", "_wait_gen", "_sync", "_async", "_typing", "types")

ENVIRONMENT_VARIABLE = "PERSEVERE_RETRY_AS_BACKOFF"

# Whether start-up already read the variable: site may run the .pth file twice (a venv's lib64
# symlink to lib makes one site-packages look like two on Python 3.11), and the warning about
# a bad value should be printed once.
_started = False


def _aliases():
    package = importlib.import_module("persevere_retry.backoff")
    yield "backoff", package
    for name in SUBMODULES:
        yield f"backoff.{name}", importlib.import_module(f"persevere_retry.backoff.{name}")


def install() -> None:
    """Makes every later ``import backoff`` (and ``import backoff._common``, ``from backoff
    import types``, ...) resolve to ``persevere_retry.backoff``.

    Modules that imported the real backoff before keep it, so calling this after backoff was
    imported raises RuntimeError instead of leaving the process with both. Calling it twice is
    harmless.
    """
    current = sys.modules.get("backoff")
    if current is not None and current is not sys.modules.get("persevere_retry.backoff"):
        raise RuntimeError(
            f"backoff was imported before persevere_retry.backoff.install() (from "
            f"{getattr(current, '__file__', current)!s}); modules that imported it keep the real "
            f"one. Call install() before anything imports backoff, or set "
            f"{ENVIRONMENT_VARIABLE}=1 to switch at interpreter start-up."
        )
    for name, module in list(_aliases()):
        sys.modules[name] = module


def uninstall() -> None:
    """Undoes :func:`install`: later imports of backoff find the real package again (modules
    that imported the drop-in keep it)."""
    for name, module in list(_aliases()):
        if sys.modules.get(name) is module:
            del sys.modules[name]


def install_from_environment() -> None:
    """Called at start-up by the package's .pth file: installs when the variable is ``1``,
    does nothing when it is unset, empty or ``0``, and says so on stderr for any other value
    (a .pth file cannot stop the interpreter)."""
    global _started
    if _started:
        return
    _started = True
    value = os.environ.get(ENVIRONMENT_VARIABLE, "")
    if value in ("", "0"):
        return
    if value != "1":
        sys.stderr.write(
            f"persevere-retry: {ENVIRONMENT_VARIABLE} must be 1 (import backoff gives "
            f"persevere_retry.backoff) or 0, not {value!r}; backoff is not replaced\n"
        )
        return
    install()
