"""``on_exception`` and ``on_predicate``: backoff's decorators, with persevere's options."""

import asyncio
import logging
import operator
from typing import Any, Callable, Iterable, Optional, Type, Union

from persevere_retry.backoff import _async, _log, _policy, _sync
from persevere_retry.backoff._jitter import full_jitter
from persevere_retry.backoff._typing import (
    Budget,
    _CallableT,
    _Handler,
    _Jitterer,
    _MaybeCallable,
    _MaybeLogger,
    _MaybeSequence,
    _Predicate,
    _WaitGenerator,
)

_OPTIONS_DOC = """
    persevere's options (keyword-only; backoff's behaviour without them):
        budget: a persevere_retry.RatioBudget or persevere_retry.TokenBucket shared by every decorator
            given the same object: a retry it refuses ends the call as a give-up.
        monotonic: measure max_time and details['elapsed'] with the monotonic clock instead
            of datetime.datetime.now() (which jumps with the wall clock).
        measure_after_attempt: measure time when each attempt ends (persevere's deadline
            rule, backoff#186): an attempt that ends at or after max_time is the last, and
            details['elapsed'] includes it. backoff measures when the attempt starts.
"""


def _handlers(on_success, on_backoff, on_giveup, logger, backoff_log_level, giveup_log_level):
    logger = _log.prepare_logger(logger)
    return (
        _log.handlers(on_success),
        _log.backoff_handlers(on_backoff, logger, backoff_log_level),
        _log.giveup_handlers(on_giveup, logger, giveup_log_level),
    )


def on_predicate(wait_gen: _WaitGenerator,
                 predicate: _Predicate[Any] = operator.not_,
                 *,
                 max_tries: Optional[_MaybeCallable[int]] = None,
                 max_time: Optional[_MaybeCallable[float]] = None,
                 jitter: Union[_Jitterer, None] = full_jitter,
                 on_success: Union[_Handler, Iterable[_Handler], None] = None,
                 on_backoff: Union[_Handler, Iterable[_Handler], None] = None,
                 on_giveup: Union[_Handler, Iterable[_Handler], None] = None,
                 logger: _MaybeLogger = "backoff",
                 backoff_log_level: int = logging.INFO,
                 giveup_log_level: int = logging.ERROR,
                 budget: Optional[Budget] = None,
                 monotonic: bool = False,
                 measure_after_attempt: bool = False,
                 **wait_gen_kwargs: Any) -> Callable[[_CallableT], _CallableT]:
    """Returns a decorator that retries the target while ``predicate(return_value)`` holds.

    Args:
        wait_gen: a generator function of the waits in seconds (backoff.expo, ...).
        predicate: retry while it is true of the return value (default: while falsy).
        max_tries: attempts in all, after which the last value is returned (None: no limit);
            a callable is called at each call.
        max_time: seconds after which the last value is returned; a callable is called at
            each call.
        jitter: a function of the wait returning the jittered wait (default full_jitter);
            None for exact waits.
        on_success, on_backoff, on_giveup: a handler or an iterable of handlers, each called
            with the details dict of the event.
        logger: a logger name or Logger for the default log handlers (None: no log).
        backoff_log_level, giveup_log_level: their levels (INFO, ERROR).
        **wait_gen_kwargs: passed to wait_gen at each call (callables are called first).
    """
    options = {"budget": budget, "monotonic": monotonic,
               "measure_after_attempt": measure_after_attempt}

    def decorate(target):
        success, backoff_, giveup_ = _handlers(on_success, on_backoff, on_giveup, logger,
                                               backoff_log_level, giveup_log_level)
        policy = _policy.build("predicate", wait_gen, wait_gen_kwargs, jitter,
                               success, backoff_, giveup_, options)
        loops = _async if asyncio.iscoroutinefunction(target) else _sync
        return loops.retry_predicate(target, policy, predicate,
                                     max_tries=max_tries, max_time=max_time,
                                     on_success=success, on_backoff=backoff_,
                                     on_giveup=giveup_)

    return decorate


def on_exception(wait_gen: _WaitGenerator,
                 exception: _MaybeSequence[Type[Exception]],
                 *,
                 max_tries: Optional[_MaybeCallable[int]] = None,
                 max_time: Optional[_MaybeCallable[float]] = None,
                 jitter: Union[_Jitterer, None] = full_jitter,
                 giveup: _Predicate[Exception] = lambda e: False,
                 on_success: Union[_Handler, Iterable[_Handler], None] = None,
                 on_backoff: Union[_Handler, Iterable[_Handler], None] = None,
                 on_giveup: Union[_Handler, Iterable[_Handler], None] = None,
                 raise_on_giveup: bool = True,
                 logger: _MaybeLogger = "backoff",
                 backoff_log_level: int = logging.INFO,
                 giveup_log_level: int = logging.ERROR,
                 budget: Optional[Budget] = None,
                 monotonic: bool = False,
                 measure_after_attempt: bool = False,
                 **wait_gen_kwargs: Any) -> Callable[[_CallableT], _CallableT]:
    """Returns a decorator that retries the target when it raises ``exception``.

    Args:
        wait_gen: a generator function of the waits in seconds (backoff.expo, ...).
        exception: an exception type, or a tuple of them, that triggers a retry.
        max_tries: attempts in all, after which the exception escapes (None: no limit); a
            callable is called at each call.
        max_time: seconds after which the exception escapes; a callable is called at each
            call.
        jitter: a function of the wait returning the jittered wait (default full_jitter);
            None for exact waits.
        giveup: a function of the exception: true to give up at once.
        on_success, on_backoff, on_giveup: a handler or an iterable of handlers, each called
            with the details dict of the event.
        raise_on_giveup: re-raise the exception when giving up (else return None).
        logger: a logger name or Logger for the default log handlers (None: no log).
        backoff_log_level, giveup_log_level: their levels (INFO, ERROR).
        **wait_gen_kwargs: passed to wait_gen at each call (callables are called first).
    """
    options = {"budget": budget, "monotonic": monotonic,
               "measure_after_attempt": measure_after_attempt}

    def decorate(target):
        success, backoff_, giveup_ = _handlers(on_success, on_backoff, on_giveup, logger,
                                               backoff_log_level, giveup_log_level)
        policy = _policy.build("exception", wait_gen, wait_gen_kwargs, jitter,
                               success, backoff_, giveup_, options)
        loops = _async if asyncio.iscoroutinefunction(target) else _sync
        return loops.retry_exception(target, policy, exception,
                                     max_tries=max_tries, max_time=max_time, giveup=giveup,
                                     on_success=success, on_backoff=backoff_,
                                     on_giveup=giveup_, raise_on_giveup=raise_on_giveup)

    return decorate


on_predicate.__doc__ += _OPTIONS_DOC
on_exception.__doc__ += _OPTIONS_DOC
