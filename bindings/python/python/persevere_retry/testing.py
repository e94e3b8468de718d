"""Instant retries for test suites: while :func:`instant_retries` is active, every decorator of
``persevere_retry.backoff`` skips its sleeps (its handlers still see the computed waits) and,
given ``max_tries``, makes at most that many attempts per call::

    from persevere_retry.testing import instant_retries

    def test_gives_up_fast():
        with instant_retries(max_tries=2):
            with pytest.raises(ConnectionError):
                fetch()          # decorated with max_tries=10: two attempts, no sleep

The pytest plugin of the package offers the same as the ``persevere_instant`` fixture. The
setting is process-wide (every thread and event loop), like the decorators' own sleeps.
"""

from contextlib import contextmanager
from typing import Iterator, Optional

from persevere_retry.backoff import _testing_state


class InstantRetries:
    """The active setting; change ``max_tries`` while it is active to change the cap."""

    @property
    def max_tries(self) -> Optional[int]:
        """At most this many attempts per call (``None``: the decorators' own limits)."""
        return _testing_state.max_tries

    @max_tries.setter
    def max_tries(self, value: Optional[int]) -> None:
        _testing_state.set_max_tries(value)


@contextmanager
def instant_retries(max_tries: Optional[int] = None) -> Iterator[InstantRetries]:
    """Makes every retry of ``persevere_retry.backoff``'s decorators instant inside the block,
    capping each call at ``max_tries`` attempts when given (a positive int). Restores the
    previous setting on exit, so blocks nest."""
    previous = (_testing_state.instant, _testing_state.max_tries)
    _testing_state.set_max_tries(max_tries)
    _testing_state.instant = True
    try:
        yield InstantRetries()
    finally:
        _testing_state.instant, _testing_state.max_tries = previous
