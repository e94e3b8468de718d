"""backoff's default handlers: one log record per backoff and per give-up, with backoff's
messages, on the decorator's logger (``'backoff'`` by default) at its levels."""

import functools
import logging
import sys
import traceback

# As backoff: the 'backoff' logger exists, is quiet unless configured, and passes INFO.
_logger = logging.getLogger("backoff")
_logger.addHandler(logging.NullHandler())
_logger.setLevel(logging.INFO)


def _cause(details):
    # The exception being handled (the handlers run inside the retry loop's except block),
    # else the returned value.
    exc_type, exc, _ = sys.exc_info()
    if exc is not None:
        return traceback.format_exception_only(exc_type, exc)[-1].rstrip("\n")
    return details.get("value")


def would_emit(logger, level):
    """Whether ``logger.log(level, ...)`` would reach a handler that does anything: logging's own
    decision, made before building the record. Building it (the caller lookup, the formatted
    exception) is most of a retry's cost, and with backoff's default set-up (a NullHandler on the
    'backoff' logger, nothing on the root) every record is dropped. Anything this does not model
    exactly (a logger or handler subclass, filters, a custom record factory) counts as emitting,
    so the record is built and handled as logging always does."""
    if not logger.isEnabledFor(level):
        return False
    if logger.filters or logging.getLogRecordFactory() is not logging.LogRecord:
        return True
    found = False
    current = logger
    while current is not None:
        if type(current) not in (logging.Logger, logging.RootLogger):
            return True
        for handler in current.handlers:
            found = True
            if type(handler) is not logging.NullHandler:
                return True
        if not current.propagate:
            break
        current = current.parent
    # No handler at all: logging falls back on lastResort (stderr, WARNING and up), or warns once.
    return not found


def _log_backoff(details, logger, log_level):
    if not would_emit(logger, log_level):
        return
    logger.log(
        log_level,
        "Backing off %s(...) for %.1fs (%s)",
        details["target"].__name__,
        details["wait"],
        _cause(details),
    )


def _log_giveup(details, logger, log_level):
    if not would_emit(logger, log_level):
        return
    logger.log(
        log_level,
        "Giving up %s(...) after %d tries (%s)",
        details["target"].__name__,
        details["tries"],
        _cause(details),
    )


def prepare_logger(logger):
    """A logger name becomes that logger; a Logger object or None stays as it is."""
    if isinstance(logger, str):
        return logging.getLogger(logger)
    return logger


def handlers(user_handlers, default=None, logger=None, log_level=None):
    """The handler list of one event: the default log handler bound to ``logger`` first (if
    there is a logger), then the user's handler or iterable of handlers."""
    result = []
    if logger is not None and default is not None:
        result.append(functools.partial(default, logger=logger, log_level=log_level))
    if user_handlers is None:
        return result
    if hasattr(user_handlers, "__iter__"):
        result.extend(user_handlers)
    else:
        result.append(user_handlers)
    return result


def backoff_handlers(user_handlers, logger, log_level):
    return handlers(user_handlers, _log_backoff, logger, log_level)


def giveup_handlers(user_handlers, logger, log_level):
    return handlers(user_handlers, _log_giveup, logger, log_level)
