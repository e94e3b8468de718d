"""From a decorator's arguments to the Rust policy: which of backoff's generators and jitters
were passed (by identity), and the persevere options."""

from persevere import _persevere
from persevere.backoff import _jitter, _wait_gen

_BUILTIN_WAITS = {
    _wait_gen.expo: "expo",
    _wait_gen.fibo: "fibo",
    _wait_gen.constant: "constant",
    _wait_gen.decay: "decay",
    _wait_gen.runtime: "runtime",
}


def _jitter_kind(jitter):
    if jitter is None:
        return "none"
    if jitter is _jitter.full_jitter:
        return "full"
    if jitter is _jitter.random_jitter:
        return "random"
    return "custom"


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
        _jitter_kind(jitter),
        jitter,
        bool(on_success or on_backoff or on_giveup),
        bool(on_success),
        options["budget"],
        bool(options["monotonic"]),
        bool(options["measure_after_attempt"]),
    )
