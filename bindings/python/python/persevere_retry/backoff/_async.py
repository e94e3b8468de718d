"""The retry loops of coroutine functions: as the plain ones (lazy start included), awaiting the
target, coroutine ``giveup`` functions and coroutine handlers, and sleeping with
``asyncio.sleep`` as looked up at each retry."""

import asyncio
import functools

from persevere_retry.backoff import _testing_state


def _awaiting(functions):
    # backoff awaits a handler that is a coroutine function and calls any other.
    return [(f, asyncio.iscoroutinefunction(f)) for f in functions]


async def _run(handlers, details):
    for handler, is_coroutine in handlers:
        if is_coroutine:
            await handler(details)
        else:
            handler(details)


def retry_exception(target, policy, exception, *, max_tries, max_time, giveup,
                    on_success, on_backoff, on_giveup, raise_on_giveup):
    on_success, on_backoff, on_giveup = map(_awaiting, (on_success, on_backoff, on_giveup))
    giveup_is_coroutine = asyncio.iscoroutinefunction(giveup)
    lazy = policy.lazy and not callable(max_tries) and not callable(max_time)

    @functools.wraps(target)
    async def retry(*args, **kwargs):
        tries = max_tries if _testing_state.max_tries is None else _testing_state.capped(max_tries)
        stamp = policy.stamp() if lazy else None
        call = None if stamp is not None else policy.begin(target, args, kwargs, tries, max_time)
        while True:
            try:
                ret = await target(*args, **kwargs)
            except exception as e:
                if call is None:
                    call = policy.begin(target, args, kwargs, tries, max_time, stamp)
                fatal = (await giveup(e)) if giveup_is_coroutine else giveup(e)
                wait, details = call.failed(e, bool(fatal))
                if wait is None:
                    if details is not None:
                        await _run(on_giveup, details)
                    if raise_on_giveup or call.exhausted:
                        raise
                    return None
                if details is not None:
                    await _run(on_backoff, details)
                await asyncio.sleep(0 if _testing_state.instant else wait)
                call.attempt()
            else:
                if call is not None:
                    details = call.succeeded()
                    if details is not None:
                        await _run(on_success, details)
                return ret

    return retry


def retry_predicate(target, policy, predicate, *, max_tries, max_time,
                    on_success, on_backoff, on_giveup):
    on_success, on_backoff, on_giveup = map(_awaiting, (on_success, on_backoff, on_giveup))
    lazy = policy.lazy and not callable(max_tries) and not callable(max_time)

    @functools.wraps(target)
    async def retry(*args, **kwargs):
        tries = max_tries if _testing_state.max_tries is None else _testing_state.capped(max_tries)
        stamp = policy.stamp() if lazy else None
        call = None if stamp is not None else policy.begin(target, args, kwargs, tries, max_time)
        while True:
            ret = await target(*args, **kwargs)
            retrying = bool(predicate(ret))
            if call is None:
                if not retrying:
                    return ret
                call = policy.begin(target, args, kwargs, tries, max_time, stamp)
            wait, details, succeeded = call.returned(ret, retrying)
            if wait is None:
                if details is not None:
                    await _run(on_success if succeeded else on_giveup, details)
                return ret
            if details is not None:
                await _run(on_backoff, details)
            await asyncio.sleep(0 if _testing_state.instant else wait)
            call.attempt()

    return retry
