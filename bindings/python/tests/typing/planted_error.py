"""A wrong argument type passed to a decorated function: mypy and pyright must report it at the
marked line, which proves that the decorators keep the signature (tests/test_typing.py)."""

import asyncio

import persevere_retry.backoff as backoff


@backoff.on_exception(backoff.expo, ValueError, max_tries=3)
def fetch(url: str) -> bytes:
    return url.encode()


@backoff.on_predicate(backoff.constant, interval=1)
async def poll(job: int) -> bool:
    return job > 0


fetch(42)  # planted: int is not str
asyncio.run(poll("seven"))  # planted: str is not int
