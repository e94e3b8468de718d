"""backoff's ``_common`` helpers, for code that imports them from ``backoff._common``.

The decorators do not use these (the Rust core resolves the waits and limits); they behave as
backoff's helpers of the same names so that code reaching into backoff's internals keeps
working: ``_maybe_call``, ``_init_wait_gen``, ``_next_wait``, ``_prepare_logger``,
``_config_handlers``, ``_log_backoff``, ``_log_giveup`` and the ``'backoff'`` ``_logger``.
"""

import warnings
from typing import Any, Callable, Dict, Generator, Optional

from persevere_retry.backoff._log import _log_backoff, _log_giveup, _logger, handlers
from persevere_retry.backoff._log import prepare_logger as _prepare_logger

__all__ = [
    "_maybe_call",
    "_init_wait_gen",
    "_next_wait",
    "_prepare_logger",
    "_config_handlers",
    "_log_backoff",
    "_log_giveup",
    "_logger",
]


def _maybe_call(f: Any, *args: Any, **kwargs: Any) -> Any:
    """``f(*args, **kwargs)`` when ``f`` is callable (``f`` itself if that raises TypeError),
    else ``f``."""
    if not callable(f):
        return f
    try:
        return f(*args, **kwargs)
    except TypeError:
        return f


def _init_wait_gen(wait_gen: Callable[..., Generator[Any, Any, Any]],
                   wait_gen_kwargs: Dict[str, Any]) -> Generator[Any, Any, Any]:
    """The generator ``wait_gen(**kwargs)`` (callable values called first), primed."""
    kwargs = {name: _maybe_call(value) for name, value in wait_gen_kwargs.items()}
    generator = wait_gen(**kwargs)
    generator.send(None)
    return generator


def _next_wait(wait: Generator[Any, Any, Any], send_value: Any,
               jitter: Optional[Callable[..., float]], elapsed: float,
               max_time: Optional[float]) -> Any:
    """The next wait: the generator's value, jittered, cut to what is left of ``max_time``."""
    value = wait.send(send_value)
    try:
        seconds = jitter(value) if jitter is not None else value
    except TypeError:
        warnings.warn(
            "Nullary jitter function signature is deprecated. Use unary signature accepting "
            "a wait value in seconds and returning a jittered version of it.",
            DeprecationWarning,
            stacklevel=2,
        )
        seconds = value + jitter()  # type: ignore[misc]
    if max_time is not None:
        seconds = min(seconds, max_time - elapsed)
    return seconds


def _config_handlers(user_handlers: Any, *, default_handler: Any = None, logger: Any = None,
                     log_level: Optional[int] = None) -> list:
    """The handler list of one event: the default handler bound to ``logger`` first, then the
    user's handler or handlers."""
    return handlers(user_handlers, default_handler, logger, log_level)
