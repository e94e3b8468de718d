"""max_tries and max_time as backoff reads them (once per call, callables called), and the
deadline rules: backoff's (time measured before each attempt) by default, persevere's (after
each attempt) with measure_after_attempt=True."""

import pytest

import persevere_retry.backoff as backoff


def test_max_tries_counts_every_attempt(sleeps):
    calls = []

    @backoff.on_exception(backoff.constant, ValueError, max_tries=4, interval=0)
    def f():
        calls.append(1)
        raise ValueError

    with pytest.raises(ValueError):
        f()
    assert len(calls) == 4


@pytest.mark.parametrize("max_tries", [0, -1, 2.5, None])
def test_a_max_tries_no_count_equals_never_stops(sleeps, max_tries):
    values = iter([False] * 30 + [True])

    @backoff.on_predicate(backoff.constant, max_tries=max_tries, interval=0)
    def f():
        return next(values)

    assert f() is True
    assert len(sleeps) == 30


def test_a_float_max_tries_equal_to_an_integer_stops_there(sleeps):
    @backoff.on_predicate(backoff.constant, max_tries=3.0, interval=0)
    def f():
        return False

    f()
    assert len(sleeps) == 2


def test_callable_limits_are_read_once_per_call(sleeps):
    reads = []

    def tries():
        reads.append(1)
        return 2

    @backoff.on_predicate(backoff.constant, max_tries=tries, interval=0)
    def f():
        return False

    f()
    f()
    assert len(reads) == 2
    assert len(sleeps) == 2


def test_max_time_by_default_measures_before_each_attempt(wall_clock):
    """backoff's rule: an attempt that starts before max_time may end long after it."""
    giveups = []

    @backoff.on_exception(backoff.constant, ValueError, max_time=10, interval=1, jitter=None,
                          on_giveup=giveups.append)
    def slow():
        wall_clock.advance(6)
        raise ValueError

    with pytest.raises(ValueError):
        slow()
    # Attempts start at 0 and 7 (before 10) and at 14: the third is the last.
    assert giveups[0]["tries"] == 3
    assert giveups[0]["elapsed"] == 14.0
    assert wall_clock.sleeps == [1, 1]


def test_measure_after_attempt_stops_at_the_first_attempt_ending_past_max_time(wall_clock):
    giveups = []

    @backoff.on_exception(backoff.constant, ValueError, max_time=10, interval=1, jitter=None,
                          on_giveup=giveups.append, measure_after_attempt=True)
    def slow():
        wall_clock.advance(6)
        raise ValueError

    with pytest.raises(ValueError):
        slow()
    # The second attempt ends at 13, past max_time: no third attempt.
    assert giveups[0]["tries"] == 2
    assert giveups[0]["elapsed"] == 13.0
    assert wall_clock.sleeps == [1]


def test_the_last_wait_is_cut_to_the_deadline(wall_clock):
    @backoff.on_exception(backoff.constant, ValueError, max_time=10, interval=3, jitter=None)
    def f():
        wall_clock.advance(1)
        raise ValueError

    with pytest.raises(ValueError):
        f()
    # Attempts start at 0, 4 and 8; 2 s are left after the third: the wait is cut to them.
    assert wall_clock.sleeps == [3, 3, 2]


def test_the_wait_cut_measures_after_the_attempt_when_asked(wall_clock):
    @backoff.on_exception(backoff.constant, ValueError, max_time=10, interval=5, jitter=None,
                          measure_after_attempt=True)
    def f():
        wall_clock.advance(2)
        raise ValueError

    with pytest.raises(ValueError):
        f()
    # Attempts end at 2 and 9: 1 s is left after the second.
    assert wall_clock.sleeps == [5, 1]


@pytest.mark.parametrize("after, tries", [(True, 1), (False, 2)])
def test_the_deadline_rules_on_the_monotonic_clock(wall_clock, monkeypatch, after, tries):
    """A first attempt that outlasts max_time (30 ms of 20) on the monotonic clock: measured
    when it ends, it is the last; measured when it starts (backoff's rule), one more runs."""
    import time

    monkeypatch.setattr("time.sleep", lambda seconds: None)
    giveups = []
    attempts = []

    @backoff.on_exception(backoff.constant, ValueError, max_time=0.02, interval=0,
                          jitter=None, monotonic=True, measure_after_attempt=after,
                          on_giveup=giveups.append)
    def slow():
        attempts.append(1)
        started = time.monotonic()
        while time.monotonic() - started < 0.03:
            pass
        raise ValueError

    with pytest.raises(ValueError):
        slow()
    assert wall_clock.reads == 0
    assert giveups[0]["tries"] == tries == len(attempts)
    # After: the first attempt's end; before: the second attempt's start, just after it.
    assert 0.03 <= giveups[0]["elapsed"] < 1
