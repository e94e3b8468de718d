"""The lazy start: a call that nothing observes takes one clock reading before its first
attempt and begins the core's call only when that attempt fails. What backoff does at the start
of every call must still happen whenever it can be observed; each case runs side by side with
backoff 2.2.1."""

import datetime
from unittest import mock

import backoff as real_backoff
import pytest

import persevere_retry.backoff as backoff


def succeeds_at_once(library, **decorator_args):
    @library.on_exception(library.expo, ValueError, **decorator_args)
    def f():
        return "ok"

    return f


def test_a_user_generator_is_created_and_primed_at_every_call_even_a_successful_one():
    for library in (backoff, real_backoff):
        created = []

        def waits():
            created.append(1)
            yield
            yield 1

        @library.on_exception(waits, ValueError)
        def f():
            return "ok"

        assert [f(), f(), f()] == ["ok"] * 3
        assert len(created) == 3, library


def test_callable_limits_are_read_at_every_call_even_a_successful_one():
    for library in (backoff, real_backoff):
        reads = []

        def max_tries():
            reads.append("tries")
            return 3

        def max_time():
            reads.append("time")
            return 10

        f = succeeds_at_once(library, max_tries=max_tries, max_time=max_time)
        assert [f(), f()] == ["ok", "ok"]
        assert sorted(reads) == ["time", "time", "tries", "tries"], library


def test_a_replaced_datetime_is_read_twice_per_successful_call_as_by_backoff(monkeypatch):
    counts = []
    moment = datetime.datetime(2024, 1, 1)
    for library in (backoff, real_backoff):
        reads = []

        class Datetime:
            @staticmethod
            def now():
                reads.append(1)
                return moment

        monkeypatch.setattr("datetime.datetime", Datetime)
        f = succeeds_at_once(library)
        f()
        f()
        monkeypatch.undo()
        counts.append(len(reads))
    assert counts == [4, 4]


def test_on_success_handlers_get_the_details_of_the_first_try():
    seen = []
    f = succeeds_at_once(backoff, on_success=seen.append)
    f()
    assert [(d["tries"], d["target"].__name__, type(d["elapsed"])) for d in seen] == [
        (1, "f", float)]


@pytest.mark.parametrize("monotonic", [False, True])
def test_a_lazily_started_call_retries_with_the_numbers_of_an_eager_one(monotonic):
    # The real datetime class (or the monotonic clock): the lazy path.
    details, attempts = [], []

    @backoff.on_exception(backoff.expo, ValueError, max_tries=4, jitter=None,
                          monotonic=monotonic, on_backoff=details.append,
                          on_giveup=details.append)
    def f():
        attempts.append(1)
        raise ValueError("no")

    with mock.patch("time.sleep"):
        with pytest.raises(ValueError):
            f()
    assert len(attempts) == 4
    assert [d["tries"] for d in details] == [1, 2, 3, 4]
    assert [d.get("wait") for d in details] == [1, 2, 4, None]
    elapsed = [d["elapsed"] for d in details]
    assert elapsed[0] == 0 and elapsed == sorted(elapsed)


def test_a_lazily_started_call_measures_max_time_from_before_the_first_attempt():
    # The first attempt takes 30 ms against max_time=10 ms. backoff measures from before it:
    # elapsed is 0 when it fails (retry), 30 ms when the second fails (give up): 2 attempts. A
    # start measured after the first attempt would allow a third.
    import time

    def busy(seconds):
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            pass

    results = []
    for library in (backoff, real_backoff):
        attempts = []

        @library.on_exception(library.constant, ValueError, interval=0, max_time=0.01,
                              jitter=None)
        def f():
            attempts.append(1)
            busy(0.03 if len(attempts) == 1 else 0)
            raise ValueError("slow")

        with mock.patch("time.sleep"):
            with pytest.raises(ValueError):
                f()
        results.append(len(attempts))
    assert results == [2, 2]


def test_instant_retries_cap_a_lazily_started_call():
    from persevere_retry.testing import instant_retries

    attempts = []

    @backoff.on_predicate(backoff.constant, interval=100)
    def poll():
        attempts.append(1)
        return None

    with instant_retries(max_tries=3):
        assert poll() is None
    assert len(attempts) == 3
