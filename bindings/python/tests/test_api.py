"""The public names of persevere_retry.backoff are backoff's, plus decay; the generators stay plain
generators for direct use."""

import inspect

import persevere_retry.backoff as backoff
from persevere_retry.backoff.types import Details


def test_backoffs_names_are_there():
    for name in ["on_exception", "on_predicate", "expo", "fibo", "constant", "runtime",
                 "decay", "full_jitter", "random_jitter"]:
        assert name in backoff.__all__
        assert callable(getattr(backoff, name))


def test_the_wait_generators_are_generator_functions():
    for gen in [backoff.expo, backoff.fibo, backoff.constant, backoff.runtime, backoff.decay]:
        assert inspect.isgeneratorfunction(gen)


def test_details_is_a_typed_dict():
    assert set(Details.__annotations__) >= {"target", "args", "kwargs", "tries", "elapsed",
                                            "wait", "value", "exception"}


def test_the_jitters_called_directly_use_pythons_random():
    for _ in range(100):
        assert 0 <= backoff.full_jitter(2) <= 2
        assert 2 <= backoff.random_jitter(2) <= 3
