"""The retry loops of plain functions. Rust decides (``call.failed``/``call.returned``);
these call the target, ``giveup``/``predicate`` and the handlers, and sleep with
``time.sleep`` as looked up at each retry.

A call through a policy that may start lazily (``policy.lazy``: nothing observes the start of a
call, see the extension's timing.rs) takes a stamp before the first attempt and begins the
core's call only if that attempt fails: the success path then costs one clock reading."""

import functools
import time

from persevere_retry.backoff import _testing_state


def retry_exception(target, policy, exception, *, max_tries, max_time, giveup,
                    on_success, on_backoff, on_giveup, raise_on_giveup):
    lazy = policy.lazy and not callable(max_tries) and not callable(max_time)

    @functools.wraps(target)
    def retry(*args, **kwargs):
        tries = max_tries if _testing_state.max_tries is None else _testing_state.capped(max_tries)
        stamp = policy.stamp() if lazy else None
        call = None if stamp is not None else policy.begin(target, args, kwargs, tries, max_time)
        while True:
            try:
                ret = target(*args, **kwargs)
            except exception as e:
                if call is None:
                    call = policy.begin(target, args, kwargs, tries, max_time, stamp)
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
                if call is not None:
                    details = call.succeeded()
                    if details is not None:
                        for handler in on_success:
                            handler(details)
                return ret

    return retry


def retry_predicate(target, policy, predicate, *, max_tries, max_time,
                    on_success, on_backoff, on_giveup):
    lazy = policy.lazy and not callable(max_tries) and not callable(max_time)

    @functools.wraps(target)
    def retry(*args, **kwargs):
        tries = max_tries if _testing_state.max_tries is None else _testing_state.capped(max_tries)
        stamp = policy.stamp() if lazy else None
        call = None if stamp is not None else policy.begin(target, args, kwargs, tries, max_time)
        while True:
            ret = target(*args, **kwargs)
            retrying = bool(predicate(ret))
            if call is None:
                if not retrying:
                    return ret
                call = policy.begin(target, args, kwargs, tries, max_time, stamp)
            wait, details, succeeded = call.returned(ret, retrying)
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
