"""Fixtures of persevere's own Python tests: sleeps are recorded instead of slept, as backoff's
own tests replace time.sleep and asyncio.sleep."""

import pytest


@pytest.fixture
def sleeps(monkeypatch):
    """The waits that `time.sleep` and `asyncio.sleep` were asked for, in order."""
    waits = []

    async def asleep(seconds):
        waits.append(seconds)

    monkeypatch.setattr("time.sleep", waits.append)
    monkeypatch.setattr("asyncio.sleep", asleep)
    return waits


class Clock:
    """`datetime.datetime.now()` replaced by a clock that the test moves."""

    def __init__(self, monkeypatch):
        import datetime

        self.now = datetime.datetime(2024, 1, 1, 12, 0, 0)
        self.reads = 0
        self.sleeps = []
        self._timedelta = datetime.timedelta
        clock = self

        class Datetime:
            @staticmethod
            def now():
                clock.reads += 1
                return clock.now

        monkeypatch.setattr("datetime.datetime", Datetime)
        monkeypatch.setattr("time.sleep", self.sleep)

    def sleep(self, seconds):
        """`time.sleep`: records the wait and moves the clock by it."""
        self.sleeps.append(seconds)
        self.advance(seconds)

    def advance(self, seconds):
        self.now += self._timedelta(seconds=seconds)


@pytest.fixture
def wall_clock(monkeypatch):
    """A `Clock` standing in for `datetime.datetime.now()`, moved by `time.sleep`."""
    return Clock(monkeypatch)
