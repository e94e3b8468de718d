"""Stacked decorators (the nearest is the inner loop), methods, and concurrent threads."""

import threading

import pytest

import persevere_retry.backoff as backoff


class DbError(Exception):
    pass


class HttpError(Exception):
    pass


def test_stacked_decorators_nest_their_loops(sleeps):
    failures = iter([HttpError, HttpError, DbError, HttpError, None])
    calls = []
    outer, inner = [], []

    @backoff.on_exception(backoff.constant, DbError, interval=10, jitter=None, logger=None,
                          on_backoff=lambda d: outer.append(d["tries"]))
    @backoff.on_exception(backoff.constant, HttpError, interval=1, jitter=None, logger=None,
                          on_backoff=lambda d: inner.append(d["tries"]))
    def save():
        calls.append(1)
        failure = next(failures)
        if failure:
            raise failure
        return "saved"

    assert save() == "saved"
    assert len(calls) == 5
    # The inner loop retried HTTP twice, then a database error escaped it; the outer loop
    # retried the whole call, whose inner loop starts afresh.
    assert inner == [1, 2, 1]
    assert outer == [1]
    assert sleeps == [1, 1, 10, 1]


def test_methods_see_self(sleeps):
    class Client:
        def __init__(self):
            self.calls = 0

        @backoff.on_predicate(backoff.constant, interval=0)
        def fetch(self, n):
            self.calls += 1
            return self.calls >= n

    client = Client()
    assert client.fetch(3) is True
    assert client.calls == 3
    assert Client.fetch.__name__ == "fetch"


def test_threads_share_a_decorated_function(sleeps):
    results = []
    local = threading.local()

    @backoff.on_exception(backoff.constant, ValueError, interval=0, jitter=None,
                          max_tries=5, logger=None)
    def work(n):
        local.calls = getattr(local, "calls", 0) + 1
        if local.calls < 3:
            raise ValueError
        return n

    def run(n):
        results.append(work(n))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(8))


def test_wraps_keeps_the_name_and_doc():
    @backoff.on_exception(backoff.expo, ValueError)
    def documented():
        """Docs."""

    assert documented.__name__ == "documented"
    assert documented.__doc__ == "Docs."
    with pytest.raises(TypeError):
        documented(1)
