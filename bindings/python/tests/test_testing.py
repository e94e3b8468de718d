"""The testing helper: instant_retries() and the persevere_instant fixture (the pytest plugin,
loaded through the package's pytest11 entry point) skip sleeps and cap attempts."""

import asyncio

import pytest

import persevere_retry.backoff as backoff
from persevere_retry.testing import instant_retries


def flaky(decorator, failures):
    calls = []

    @decorator
    def f():
        calls.append(1)
        if len(calls) <= failures:
            raise ValueError("no")
        return "ok"

    return f, calls


def test_instant_retries_skip_the_sleeps_but_handlers_see_the_waits(sleeps):
    waits = []
    f, calls = flaky(backoff.on_exception(backoff.expo, ValueError, jitter=None, max_tries=5,
                                          on_backoff=lambda d: waits.append(d["wait"])), 3)
    with instant_retries():
        assert f() == "ok"
    assert (len(calls), sleeps, waits) == (4, [], [1, 2, 4])
    calls.clear()
    assert f() == "ok"  # outside the block the sleeps are back
    assert sleeps == [1, 2, 4]


def test_instant_retries_cap_attempts(sleeps):
    f, calls = flaky(backoff.on_exception(backoff.constant, ValueError, max_tries=10), 5)
    with instant_retries(max_tries=2):
        with pytest.raises(ValueError):
            f()
    assert (len(calls), sleeps) == (2, [])


def test_the_cap_never_raises_the_decorators_own_limit(sleeps):
    f, calls = flaky(backoff.on_exception(backoff.constant, ValueError, max_tries=lambda: 2), 5)
    with instant_retries(max_tries=4):
        with pytest.raises(ValueError):
            f()
    assert len(calls) == 2


def test_blocks_nest_and_restore():
    f, calls = flaky(backoff.on_exception(backoff.constant, ValueError, max_tries=None), 10 ** 6)
    with instant_retries(max_tries=3):
        with instant_retries(max_tries=1):
            with pytest.raises(ValueError):
                f()
            assert len(calls) == 1
        with pytest.raises(ValueError):
            f()
        assert len(calls) == 4


def test_a_bad_cap_is_rejected():
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="max_tries must be a positive int or None"):
            with instant_retries(max_tries=bad):
                pass


def test_async_retries_are_instant():
    slept = []
    calls = []

    @backoff.on_exception(backoff.constant, ValueError, interval=3600, max_tries=3)
    async def f():
        calls.append(1)
        raise ValueError("no")

    async def main():
        real_sleep = asyncio.sleep

        async def recording(seconds):
            slept.append(seconds)
            await real_sleep(0)

        asyncio.sleep = recording
        try:
            with instant_retries():
                with pytest.raises(ValueError):
                    await f()
        finally:
            asyncio.sleep = real_sleep

    asyncio.run(main())
    assert (len(calls), slept) == (3, [0, 0])


def test_the_fixture_makes_retries_instant_and_can_cap(persevere_instant, sleeps):
    f, calls = flaky(backoff.on_exception(backoff.expo, ValueError, max_tries=8), 100)
    persevere_instant.max_tries = 3
    with pytest.raises(ValueError):
        f()
    assert (len(calls), sleeps, persevere_instant.max_tries) == (3, [], 3)
