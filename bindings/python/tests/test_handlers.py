"""Handlers and their details dicts, as backoff: one callable or an iterable, called in
order, with exactly backoff's keys; raise_on_giveup; exceptions in handlers escape."""

import pytest

import persevere_retry.backoff as backoff


def target(*args, **kwargs):
    raise NotImplementedError


def test_on_exception_details_have_backoffs_keys(sleeps):
    events = []
    attempts = []

    def f(*args, **kwargs):
        attempts.append(1)
        if len(attempts) < 3:
            raise ValueError(len(attempts))
        return "done"

    wrapped = backoff.on_exception(
        backoff.constant, ValueError, interval=0.5, jitter=None, logger=None,
        on_backoff=lambda d: events.append(("backoff", d)),
        on_giveup=lambda d: events.append(("giveup", d)),
        on_success=lambda d: events.append(("success", d)))(f)
    assert wrapped(1, x=2) == "done"

    keys = [(kind, sorted(d)) for kind, d in events]
    assert keys == [
        ("backoff", ["args", "elapsed", "exception", "kwargs", "target", "tries", "wait"]),
        ("backoff", ["args", "elapsed", "exception", "kwargs", "target", "tries", "wait"]),
        ("success", ["args", "elapsed", "kwargs", "target", "tries"]),
    ]
    first = events[0][1]
    assert first["target"] is f
    assert first["args"] == (1,)
    assert first["kwargs"] == {"x": 2}
    assert first["tries"] == 1
    assert first["wait"] == 0.5
    assert isinstance(first["exception"], ValueError)
    assert first["exception"].args == (1,)
    assert [d["tries"] for _, d in events] == [1, 2, 3]


def test_on_predicate_details_carry_the_value(sleeps):
    events = []
    values = iter([0, "", 7])

    @backoff.on_predicate(backoff.constant, interval=0, logger=None,
                          on_backoff=lambda d: events.append(("backoff", d["value"])),
                          on_success=lambda d: events.append(("success", d["value"])))
    def f():
        return next(values)

    assert f() == 7
    assert events == [("backoff", 0), ("backoff", ""), ("success", 7)]


def test_giving_up_reports_the_last_exception_and_raises_it(sleeps):
    giveups = []
    errors = [ValueError("a"), ValueError("b")]

    @backoff.on_exception(backoff.constant, ValueError, max_tries=2, interval=0,
                          logger=None, on_giveup=giveups.append)
    def f():
        raise errors.pop(0)

    with pytest.raises(ValueError, match="b"):
        f()
    assert str(giveups[0]["exception"]) == "b"
    assert giveups[0]["tries"] == 2
    assert "wait" not in giveups[0]


def test_without_raise_on_giveup_the_call_returns_none(sleeps):
    @backoff.on_exception(backoff.constant, ValueError, max_tries=2, interval=0,
                          raise_on_giveup=False)
    def f():
        raise ValueError

    assert f() is None


def test_an_exhausted_strategy_raises_even_without_raise_on_giveup(sleeps):
    @backoff.on_exception(backoff.constant, ValueError, interval=[0], raise_on_giveup=False)
    def f():
        raise ValueError("last")

    with pytest.raises(ValueError, match="last"):
        f()


def test_giveup_stops_at_once_with_on_giveup(sleeps):
    giveups = []

    @backoff.on_exception(backoff.constant, ValueError, interval=0, logger=None,
                          giveup=lambda e: str(e) == "fatal", on_giveup=giveups.append)
    def f():
        raise ValueError("fatal")

    with pytest.raises(ValueError):
        f()
    assert sleeps == []
    assert giveups[0]["tries"] == 1


def test_unlisted_exceptions_escape_at_once_without_handlers(sleeps):
    events = []

    @backoff.on_exception(backoff.constant, ValueError, interval=0,
                          on_giveup=events.append, on_backoff=events.append)
    def f():
        raise KeyError

    with pytest.raises(KeyError):
        f()
    assert events == []


def test_handlers_run_in_order_and_a_failing_one_stops_the_call(sleeps):
    order = []

    def first(details):
        order.append("first")

    def broken(details):
        order.append("broken")
        raise RuntimeError("handler")

    def never(details):
        order.append("never")

    @backoff.on_exception(backoff.constant, ValueError, interval=0, logger=None,
                          on_backoff=[first, broken, never])
    def f():
        raise ValueError

    with pytest.raises(RuntimeError, match="handler"):
        f()
    assert order == ["first", "broken"]
    assert sleeps == []


def test_one_decorator_serves_many_functions(sleeps):
    backoffs = []
    retry = backoff.on_exception(backoff.constant, ValueError, interval=0, max_tries=2,
                                 logger=None, on_backoff=backoffs.append)

    @retry
    def f():
        raise ValueError

    @retry
    def g():
        raise ValueError

    for fn in (f, g):
        with pytest.raises(ValueError):
            fn()
    assert [d["target"].__name__ for d in backoffs] == ["f", "g"]
