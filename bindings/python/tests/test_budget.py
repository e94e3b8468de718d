"""budget=: one retry budget shared by many decorators; a refused retry ends the call as a
give-up (on_giveup, then the exception or the last value)."""

import pytest

import persevere_retry.backoff as backoff
from persevere_retry import RatioBudget, TokenBucket


def test_a_token_bucket_is_shared_by_two_decorators(sleeps):
    bucket = TokenBucket(10, retry_cost=5)
    giveups = []

    def decorate(f):
        return backoff.on_exception(backoff.constant, ValueError, interval=0, max_tries=10,
                                    logger=None, budget=bucket, on_giveup=giveups.append)(f)

    @decorate
    def first():
        raise ValueError

    @decorate
    def second():
        raise ValueError

    with pytest.raises(ValueError):
        first()
    # 10 tokens pay for two retries of 5: the third attempt's failure is the last.
    assert giveups[-1]["tries"] == 3
    assert bucket.tokens == 0
    with pytest.raises(ValueError):
        second()
    # The bucket is empty for the other decorator too.
    assert giveups[-1]["tries"] == 1


def test_successes_refill_a_grpc_bucket(sleeps):
    bucket = TokenBucket.grpc(10, 0.5)
    values = iter([False, True])

    @backoff.on_predicate(backoff.constant, interval=0, budget=bucket)
    def poll():
        return next(values)

    assert poll() is True
    assert bucket.tokens == 9.5


def test_a_ratio_budget_refuses_beyond_its_ratio(sleeps):
    budget = RatioBudget(ratio=0.5, min_per_sec=0, ttl=10)
    outcomes = []

    @backoff.on_predicate(backoff.constant, interval=0, max_tries=3, budget=budget,
                          monotonic=True, on_giveup=lambda d: outcomes.append(d["tries"]))
    def poll():
        return False

    for _ in range(4):
        poll()
    # Each call deposits half a retry: a retry is granted once a whole one has accrued.
    assert outcomes == [1, 2, 1, 2]


def test_budget_arguments_are_checked():
    with pytest.raises(ValueError):
        RatioBudget(ratio=-1)
    with pytest.raises(ValueError):
        TokenBucket(0)
    with pytest.raises(TypeError):
        backoff.on_exception(backoff.expo, ValueError, budget=object())(lambda: None)
