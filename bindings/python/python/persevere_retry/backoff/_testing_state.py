"""The switches that :mod:`persevere_retry.testing` sets and the retry loops read: whether to
skip sleeps, and the cap on attempts per call. Module attributes, so that a loop pays one
attribute read for them."""

from typing import Any, Callable, Optional, Union

instant = False
max_tries: Optional[int] = None


def set_max_tries(value: Optional[int]) -> None:
    """Sets the cap, rejecting what is not a positive int."""
    global max_tries
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"max_tries must be a positive int or None, not {value!r}")
    max_tries = value


def capped(decorator_max_tries: Union[int, Callable[[], int], None]) -> Any:
    """The decorator's ``max_tries`` with the cap applied at each call (a callable one is
    called then, as the decorator would)."""
    cap = max_tries
    if cap is None:
        return decorator_max_tries

    def resolved() -> int:
        value = decorator_max_tries
        if callable(value):
            value = value()
        return cap if value is None else min(value, cap)

    return resolved
