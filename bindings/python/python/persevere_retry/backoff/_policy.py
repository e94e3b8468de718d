"""From a decorator's arguments to the Rust policy: which of backoff's generators was passed
(by identity), the jitter, and the persevere options. The jitter is always called as a Python
function, backoff's own included: they draw from the ``random`` module, as backoff's do."""

from persevere_retry import _persevere
from persevere_retry.backoff import _wait_gen

_BUILTIN_WAITS = {
    _wait_gen.expo: "expo",
    _wait_gen.fibo: "fibo",
    _wait_gen.constant: "constant",
    _wait_gen.decay: "decay",
    _wait_gen.runtime: "runtime",
}


def build(kind, wait_gen, wait_gen_kwargs, jitter, on_success, on_backoff, on_giveup, options):
    """The Rust policy of one decorated function (``kind``: ``"exception"`` or
    ``"predicate"``). ``options`` holds persevere's keywords: budget, monotonic,
    measure_after_attempt."""
    cls = _persevere.ExceptionPolicy if kind == "exception" else _persevere.PredicatePolicy
    try:
        builtin = _BUILTIN_WAITS.get(wait_gen)
    except TypeError:  # an unhashable wait_gen is the user's own
        builtin = None
    return cls(
        builtin,
        wait_gen,
        dict(wait_gen_kwargs),
        jitter,
        bool(on_success or on_backoff or on_giveup),
        bool(on_success),
        options["budget"],
        bool(options["monotonic"]),
        bool(options["measure_after_attempt"]),
    )
