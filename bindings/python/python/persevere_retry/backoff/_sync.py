"""The retry loops of plain functions. Rust decides (``call.failed``/``call.returned``);
these call the target, ``giveup``/``predicate`` and the handlers, and sleep with
``time.sleep`` as looked up at each retry."""

import functools
import time

from persevere_retry.backoff import _testing_state


def retry_exception(target, policy, exception, *, max_tries, max_time, giveup,
                    on_success, on_backoff, on_giveup, raise_on_giveup):
    @functools.wraps(target)
    def retry(*args, **kwargs):
        tries = max_tries if _testing_state.max_tries is None else _testing_state.capped(max_tries)
        call = policy.begin(target, args, kwargs, tries, max_time)
        while True:
            try:
                ret = target(*args, **kwargs)
            except exception as e:
                wait, details = call.failed(e, bool(giveup(e)))
                if wait is None:
                    if details is not None:
                        for handler in on_giveup:
                            handler(details)
                    # An exhausted strategy raises even without raise_on_giveup, as backoff.
                    if raise_on_giveup or call.exhausted:
                        raise
                    return None
                if details is not None:
                    for handler in on_backoff:
                        handler(details)
                if not _testing_state.instant:
                    time.sleep(wait)
                call.attempt()
            else:
                details = call.succeeded()
                if details is not None:
                    for handler in on_success:
                        handler(details)
                return ret

    return retry


def retry_predicate(target, policy, predicate, *, max_tries, max_time,
                    on_success, on_backoff, on_giveup):
    @functools.wraps(target)
    def retry(*args, **kwargs):
        tries = max_tries if _testing_state.max_tries is None else _testing_state.capped(max_tries)
        call = policy.begin(target, args, kwargs, tries, max_time)
        while True:
            ret = target(*args, **kwargs)
            wait, details, succeeded = call.returned(ret, bool(predicate(ret)))
            if wait is None:
                if details is not None:
                    for handler in on_success if succeeded else on_giveup:
                        handler(details)
                return ret
            if details is not None:
                for handler in on_backoff:
                    handler(details)
            if not _testing_state.instant:
                time.sleep(wait)
            call.attempt()

    return retry
