"""Coroutine functions are retried on asyncio (detected as backoff detects them), awaiting
coroutine handlers and giveup functions and sleeping with asyncio.sleep."""

import asyncio

import pytest

import persevere_retry.backoff as backoff


@pytest.mark.asyncio
async def test_a_coroutine_is_retried_with_asyncio_sleep(sleeps):
    attempts = []

    @backoff.on_exception(backoff.expo, ValueError, jitter=None)
    async def fetch():
        attempts.append(1)
        if len(attempts) < 4:
            raise ValueError
        return "body"

    assert asyncio.iscoroutinefunction(fetch)
    assert await fetch() == "body"
    assert sleeps == [1, 2, 4]


@pytest.mark.asyncio
async def test_coroutine_handlers_and_giveup_are_awaited(sleeps):
    events = []

    async def on_backoff(details):
        await asyncio.sleep(0)
        events.append(("backoff", details["tries"]))

    def on_giveup(details):
        events.append(("giveup", details["tries"]))

    async def giveup(e):
        return str(e) == "stop"

    errors = iter(["again", "stop"])

    @backoff.on_exception(backoff.constant, ValueError, interval=0.5, jitter=None,
                          logger=None, giveup=giveup, on_backoff=on_backoff,
                          on_giveup=on_giveup)
    async def call():
        raise ValueError(next(errors))

    with pytest.raises(ValueError, match="stop"):
        await call()
    assert events == [("backoff", 1), ("giveup", 2)]
    # asyncio.sleep(0) from the handler, then the wait.
    assert sleeps == [0, 0.5]


@pytest.mark.asyncio
async def test_on_predicate_coroutine_returns_the_last_value(sleeps):
    @backoff.on_predicate(backoff.fibo, max_tries=4, jitter=None)
    async def poll():
        return None

    assert await poll() is None
    assert sleeps == [1, 1, 2]


@pytest.mark.asyncio
async def test_a_real_short_sleep_lets_other_tasks_run():
    ticks = []

    async def ticker():
        for _ in range(3):
            ticks.append(1)
            await asyncio.sleep(0)

    attempts = []

    @backoff.on_exception(backoff.constant, ValueError, interval=0.01, jitter=None)
    async def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise ValueError
        return len(ticks)

    task = asyncio.ensure_future(ticker())
    assert await flaky() == 3
    await task
