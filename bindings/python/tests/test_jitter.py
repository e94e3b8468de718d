"""Jitter: backoff's two functions called as backoff calls them, a user's function called with each
wait, backoff's deprecated nullary form, and jitter=None."""

import pytest

import persevere_retry.backoff as backoff


def fails_n_times(n, decorator):
    calls = []

    @decorator
    def f():
        calls.append(1)
        if len(calls) <= n:
            raise ValueError("no")
        return "ok"

    return f


def test_full_jitter_stays_within_each_wait(sleeps):
    for _ in range(50):
        sleeps.clear()
        f = fails_n_times(3, backoff.on_exception(backoff.expo, ValueError, factor=0.5))
        assert f() == "ok"
        assert len(sleeps) == 3
        for wait, cap in zip(sleeps, [0.5, 1, 2]):
            assert 0 <= wait <= cap


def test_full_jitter_spreads_the_waits(sleeps):
    for _ in range(20):
        fails_n_times(1, backoff.on_exception(backoff.constant, ValueError, interval=10))()
    assert len(set(sleeps)) == 20


def test_random_jitter_adds_up_to_a_second(sleeps):
    for _ in range(50):
        fails_n_times(1, backoff.on_exception(backoff.constant, ValueError, interval=2,
                                              jitter=backoff.random_jitter))()
    assert all(2 <= wait < 3 for wait in sleeps)


def test_a_user_jitter_gets_each_wait_and_its_result_is_slept(sleeps):
    seen = []

    def halve(value):
        seen.append(value)
        return value / 2

    f = fails_n_times(3, backoff.on_exception(backoff.expo, ValueError, jitter=halve))
    assert f() == "ok"
    assert seen == [1, 2, 4]
    assert sleeps == [0.5, 1, 2]


def test_a_nullary_jitter_is_added_with_a_deprecation_warning(sleeps):
    f = fails_n_times(2, backoff.on_exception(backoff.constant, ValueError, interval=1,
                                              jitter=lambda: 0.25))
    with pytest.deprecated_call():
        assert f() == "ok"
    assert sleeps == [1.25, 1.25]


def test_an_exception_in_a_user_jitter_escapes(sleeps):
    def broken(value):
        raise KeyError("jitter")

    f = fails_n_times(1, backoff.on_exception(backoff.constant, ValueError, jitter=broken))
    with pytest.raises(KeyError):
        f()
    assert sleeps == []


def test_jitter_none_sleeps_the_exact_waits(sleeps):
    f = fails_n_times(4, backoff.on_exception(backoff.expo, ValueError, jitter=None))
    assert f() == "ok"
    assert sleeps == [1, 2, 4, 8]


def test_backoffs_jitters_draw_from_pythons_random_module(sleeps, monkeypatch):
    draws = []

    def uniform(a, b):
        draws.append(("uniform", a, b))
        return b / 4

    def random():
        draws.append(("random",))
        return 0.5

    monkeypatch.setattr("random.uniform", uniform)
    monkeypatch.setattr("random.random", random)
    for jitter in (backoff.full_jitter, backoff.random_jitter):
        f = fails_n_times(2, backoff.on_exception(backoff.expo, ValueError, jitter=jitter))
        assert f() == "ok"
    assert draws == [("uniform", 0, 1), ("uniform", 0, 2), ("random",), ("random",)]
    assert sleeps == [0.25, 0.5, 1.5, 2.5]
