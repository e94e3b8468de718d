"""backoff's wait generators as decorators use them: recognised and stepped in Rust, or, for
a user's generator function, created per call and driven with send()."""

import itertools
import math

import persevere_retry.backoff as backoff


def always_fails(decorator):
    @decorator
    def f():
        raise ValueError("no")

    return f


def run(f):
    try:
        f()
    except ValueError:
        pass


def test_expo_waits_double_from_factor_up_to_max_value(sleeps):
    run(always_fails(backoff.on_exception(backoff.expo, ValueError, max_tries=7, jitter=None,
                                          factor=0.5, max_value=4)))
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_expo_with_base_three(sleeps):
    run(always_fails(backoff.on_exception(backoff.expo, ValueError, max_tries=5, jitter=None,
                                          base=3)))
    assert sleeps == [1, 3, 9, 27]


def test_fibo_waits_follow_fibonacci_up_to_max_value(sleeps):
    run(always_fails(backoff.on_exception(backoff.fibo, ValueError, max_tries=8, jitter=None,
                                          max_value=5)))
    assert sleeps == [1, 1, 2, 3, 5, 5, 5]


def test_constant_list_gives_up_when_exhausted(sleeps):
    giveups = []
    f = always_fails(backoff.on_exception(backoff.constant, ValueError, jitter=None,
                                          interval=[0.25, 0.5], on_giveup=giveups.append))
    run(f)
    assert sleeps == [0.25, 0.5]
    assert [d["tries"] for d in giveups] == [3]


def test_constant_list_is_read_again_by_every_call(sleeps):
    f = always_fails(backoff.on_exception(backoff.constant, ValueError, jitter=None,
                                          interval=(1, 2)))
    run(f)
    run(f)
    assert sleeps == [1, 2, 1, 2]


def test_decay_waits_decay_to_min_value(sleeps):
    run(always_fails(backoff.on_exception(backoff.decay, ValueError, max_tries=5, jitter=None,
                                          initial_value=8, decay_factor=1, min_value=1)))
    assert sleeps[0] == 8
    assert abs(sleeps[1] - 8 * math.e ** -1) < 1e-9
    assert abs(sleeps[2] - 8 * math.e ** -2) < 1e-9
    assert sleeps[3] == 1


def test_runtime_reads_the_wait_from_each_exception(sleeps):
    class Throttled(Exception):
        def __init__(self, retry_after):
            self.retry_after = retry_after

    waits = iter([3, 1, 2])

    @backoff.on_exception(backoff.runtime, Throttled, max_tries=4, jitter=None,
                          value=lambda e: e.retry_after)
    def f():
        raise Throttled(next(waits, 0))

    try:
        f()
    except Throttled:
        pass
    assert sleeps == [3, 1, 2]


def test_a_user_generator_is_sent_each_exception(sleeps):
    seen = []

    def waits(first):
        exc = yield
        n = first
        while True:
            seen.append(str(exc))
            exc = yield n
            n += 1

    count = itertools.count()

    @backoff.on_exception(waits, ValueError, max_tries=4, jitter=None, first=5)
    def f():
        raise ValueError(f"e{next(count)}")

    try:
        f()
    except ValueError:
        pass
    assert sleeps == [5, 6, 7]
    assert seen == ["e0", "e1", "e2"]


def test_callable_generator_arguments_are_read_per_call(sleeps):
    intervals = iter([2, 3])
    f = always_fails(backoff.on_exception(backoff.constant, ValueError, max_tries=2,
                                          jitter=None, interval=lambda: next(intervals)))
    run(f)
    run(f)
    assert sleeps == [2, 3]


def test_an_exhausted_user_generator_gives_up(sleeps):
    def two():
        yield
        yield 1
        yield 2

    giveups = []
    run(always_fails(backoff.on_exception(two, ValueError, jitter=None,
                                          on_giveup=giveups.append)))
    assert sleeps == [1, 2]
    assert giveups[0]["tries"] == 3


def test_an_exception_in_a_user_generator_escapes_from_the_call(sleeps):
    def broken():
        yield
        raise RuntimeError("generator broke")

    f = always_fails(backoff.on_exception(broken, ValueError))
    try:
        f()
    except RuntimeError as e:
        assert str(e) == "generator broke"
        assert isinstance(e.__context__, ValueError)
    else:
        raise AssertionError("the generator's exception did not escape")
    assert sleeps == []


def test_the_generators_yield_backoffs_values_when_called_directly():
    assert list(itertools.islice(backoff.expo(), 1, 6)) == [1, 2, 4, 8, 16]
    assert list(itertools.islice(backoff.expo(base=3, factor=0.5, max_value=5), 1, 5)) == [
        0.5, 1.5, 4.5, 5]
    assert list(itertools.islice(backoff.fibo(max_value=4), 1, 7)) == [1, 1, 2, 3, 4, 4]
    assert list(itertools.islice(backoff.constant(interval=[1, 2]), 1, 9)) == [1, 2]
    gen = backoff.runtime(value=lambda x: x * 2)
    next(gen)
    assert gen.send(3) == 6
