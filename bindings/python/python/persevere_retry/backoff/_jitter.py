"""backoff's jitter functions. The core calls them for each wait (like any user's jitter), and
they draw from Python's ``random`` module, looked up at each call as backoff's do: so
``random.seed(..)`` gives backoff's exact waits, and ``mock.patch('random.uniform')`` or
``mock.patch('random.random')`` controls them."""

import random


def random_jitter(value: float) -> float:
    """The value plus up to one second (backoff's jitter before version 1.2)."""
    return value + random.random()


def full_jitter(value: float) -> float:
    """A uniformly random wait between 0 and the value (AWS's "Full Jitter")."""
    return random.uniform(0, value)
