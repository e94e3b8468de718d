"""backoff's jitter functions. Passed to a decorator they are recognised by identity and
applied by persevere's core (``full_jitter`` as its ``Jitter::Full``, ``random_jitter`` as
``Jitter::Random``), drawing from persevere's per-call random numbers; called directly they
use Python's ``random`` module as backoff does."""

import random


def random_jitter(value: float) -> float:
    """The value plus up to one second (backoff's jitter before version 1.2)."""
    return value + random.random()


def full_jitter(value: float) -> float:
    """A uniformly random wait between 0 and the value (AWS's "Full Jitter")."""
    return random.uniform(0, value)
