# pyright: strict
"""Uses every public name of persevere-retry the way users do; `mypy --strict` and pyright must
accept it as it is (tests/test_typing.py). The revealed types are checked there too."""

import asyncio
import functools
import logging
from typing import Any, Callable, Coroutine, Iterator, List, Optional

import persevere_retry
import persevere_retry.backoff as backoff
from persevere_retry import RatioBudget, TokenBucket
from persevere_retry.backoff.types import Details
from persevere_retry.testing import InstantRetries, instant_retries

budget = RatioBudget(ratio=0.1, min_per_sec=5, ttl=30.0)
bucket = TokenBucket(100.0, retry_cost=5.0, success_reward=1.0)
presets: List[TokenBucket] = [TokenBucket.aws_standard(), TokenBucket.aws_2026(),
                              TokenBucket.grpc(10.0, 0.1)]
level: float = bucket.tokens + bucket.capacity
available: int = budget.available_retries()
version: str = persevere_retry.__version__ + backoff.__version__


def log_backoff(details: Details) -> None:
    logging.info("try %d after %.1fs", details["tries"], details["elapsed"])


async def log_giveup(details: Details) -> None:
    logging.error("gave up on %s", details["target"])


def retry_after(exc: Exception) -> float:
    return 1.0


@backoff.on_exception(backoff.expo, (ValueError, OSError), max_tries=5, max_time=30,
                      jitter=backoff.full_jitter, giveup=lambda e: False,
                      on_backoff=log_backoff, on_giveup=[log_backoff], raise_on_giveup=True,
                      logger="backoff", backoff_log_level=logging.INFO,
                      giveup_log_level=logging.ERROR, budget=budget, monotonic=True,
                      measure_after_attempt=True, factor=2, max_value=60)
def fetch(url: str, timeout: float = 1.0) -> bytes:
    return url.encode()


@backoff.on_predicate(backoff.fibo, lambda value: value is None, max_tries=lambda: 3,
                      jitter=backoff.random_jitter, on_success=log_giveup, budget=bucket)
async def poll(job: int) -> Optional[str]:
    return str(job)


@backoff.on_exception(backoff.constant, KeyError, interval=[1, 2], jitter=None, logger=None)
@backoff.on_exception(backoff.decay, KeyError, initial_value=4, min_value=1)
@backoff.on_exception(backoff.runtime, KeyError, value=retry_after)
@backoff.on_exception(functools.partial(backoff.constant, interval=0), KeyError)
def stacked(key: str) -> int:
    return len(key)


body: bytes = fetch("https://example.invalid", timeout=2.0)
result: Coroutine[Any, Any, Optional[str]] = poll(7)
print(asyncio.run(result), stacked("k"))
fetch_type: Callable[[str, float], bytes] = fetch

waits: Iterator[float] = backoff.expo(base=2, factor=1, max_value=10)
next(waits)

with instant_retries(max_tries=2) as setting:
    instant: InstantRetries = setting
    cap: Optional[int] = setting.max_tries

backoff.install()
backoff.uninstall()
