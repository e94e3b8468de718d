"""Where time comes from: `datetime.datetime.now()` looked up at each reading (backoff's clock,
so tests that replace it keep working), or the monotonic clock with monotonic=True."""

import pytest

import persevere_retry.backoff as backoff


def test_the_default_clock_reads_datetime_now_before_each_attempt(wall_clock):
    @backoff.on_predicate(backoff.constant, max_tries=3, interval=0)
    def f():
        return False

    f()
    # backoff's readings: the start, then one before each attempt.
    assert wall_clock.reads == 4


def test_elapsed_is_the_time_before_the_attempt_to_the_microsecond(wall_clock):
    backoffs = []

    @backoff.on_predicate(backoff.constant, max_tries=3, interval=0, jitter=None,
                          on_backoff=backoffs.append)
    def f():
        wall_clock.advance(0.000005)
        return False

    f()
    assert [d["elapsed"] for d in backoffs] == [0.0, 0.000005]


def test_monotonic_ignores_the_wall_clock(wall_clock):
    giveups = []

    @backoff.on_exception(backoff.constant, ValueError, max_time=10, interval=0,
                          max_tries=3, monotonic=True, on_giveup=giveups.append)
    def f():
        wall_clock.advance(3600)
        raise ValueError

    with pytest.raises(ValueError):
        f()
    assert wall_clock.reads == 0
    assert giveups[0]["tries"] == 3
    assert 0 <= giveups[0]["elapsed"] < 1
