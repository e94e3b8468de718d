"""The pytest plugin of persevere-retry (registered through the ``pytest11`` entry point): the
``persevere_instant`` fixture."""

from typing import Iterator

import pytest

from persevere_retry.testing import InstantRetries, instant_retries


@pytest.fixture
def persevere_instant() -> Iterator[InstantRetries]:
    """Retries of ``persevere_retry.backoff`` are instant during the test; set
    ``persevere_instant.max_tries = n`` to cap each call at n attempts."""
    with instant_retries() as setting:
        yield setting
