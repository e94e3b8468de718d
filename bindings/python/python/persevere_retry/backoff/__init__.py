"""A drop-in for the ``backoff`` package, with persevere's Rust core making every retry decision.

Replace ``import backoff`` with ``import persevere_retry.backoff as backoff``: the decorators, wait
generators, jitters, handlers, details dicts and log messages are backoff 2.2.1's (and the
later fork's ``decay``). Beyond backoff, the decorators take ``budget=`` (a
:class:`persevere_retry.RatioBudget` or :class:`persevere_retry.TokenBucket` shared by many decorators),
``monotonic=True`` (measure time with the monotonic clock instead of
``datetime.datetime.now()``) and ``measure_after_attempt=True`` (``max_time`` and
``details['elapsed']`` measured when each attempt ends, so no attempt starts after the
deadline: backoff#186).
"""

from persevere_retry.backoff import _common, types  # noqa: F401 (backoff's submodules)
from persevere_retry.backoff._decorator import on_exception, on_predicate
from persevere_retry.backoff._jitter import full_jitter, random_jitter
from persevere_retry.backoff._switch import install, uninstall
from persevere_retry.backoff._wait_gen import constant, decay, expo, fibo, runtime

__all__ = [
    "on_predicate",
    "on_exception",
    "constant",
    "decay",
    "expo",
    "fibo",
    "runtime",
    "full_jitter",
    "random_jitter",
    "install",
    "uninstall",
]

# The version of backoff's API this module reproduces (code that checks backoff's version
# keeps working); persevere's own is persevere_retry.__version__.
__version__ = "2.2.1"
