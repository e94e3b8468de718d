"""backoff's wait generators, for direct use (``next(expo())``) and as ``wait_gen``.

Passed to a decorator, these are recognised by identity and replaced by persevere's Rust
strategies (when their arguments are plain numbers); called directly, they are ordinary
generators yielding exactly what backoff's yield. Like backoff's, each first yields ``None``
(the decorator primes it with ``send(None)``).
"""

import itertools
import math
from typing import Any, Callable, Generator, Iterable, Optional, Union


def expo(
    base: float = 2, factor: float = 1, max_value: Optional[float] = None
) -> Generator[float, Any, None]:
    """Exponential waits: ``factor * base ** n`` for n = 0, 1, ..., then ``max_value`` once
    the sequence reaches it."""
    yield  # type: ignore[misc]
    n = 0
    while True:
        value = factor * base**n
        if max_value is not None and value >= max_value:
            yield max_value
            continue
        yield value
        n += 1


def fibo(max_value: Optional[int] = None) -> Generator[int, None, None]:
    """Fibonacci waits: 1, 1, 2, 3, 5, ..., then ``max_value`` once the sequence reaches it."""
    yield  # type: ignore[misc]
    current, following = 1, 1
    while True:
        if max_value is not None and current >= max_value:
            yield max_value
            continue
        yield current
        current, following = following, current + following


def constant(interval: Union[int, Iterable[float]] = 1) -> Generator[float, None, None]:
    """The same wait forever, or each value of an iterable of waits and then no more (the
    decorated call gives up when they run out)."""
    yield  # type: ignore[misc]
    try:
        waits = iter(interval)  # type: ignore[arg-type]
    except TypeError:
        waits = itertools.repeat(interval)  # type: ignore[arg-type]
    # A loop, not `yield from`: the decorator drives the generator with send(outcome), and
    # `yield from` would pass that on to the iterator, which has no send (an itertools.repeat,
    # a range's iterator): AttributeError on the second retry.
    for wait in waits:
        yield wait


def decay(
    initial_value: float = 1, decay_factor: float = 1, *, min_value: Optional[float] = None
) -> Generator[float, Any, None]:
    """Exponentially decaying waits: ``initial_value * e ** (-t * decay_factor)`` for
    t = 0, 1, ..., never below ``min_value``."""
    yield  # type: ignore[misc]
    t = 0
    while True:
        value = initial_value * math.e ** (-t * decay_factor)
        yield value if min_value is None or value > min_value else min_value
        t += 1


def runtime(*, value: Callable[[Any], float]) -> Generator[float, None, None]:
    """Waits read from each failure: ``value(exception_or_return_value)`` seconds (a
    Retry-After header, for example)."""
    outcome = yield  # type: ignore[misc]
    while True:
        outcome = yield value(outcome)
