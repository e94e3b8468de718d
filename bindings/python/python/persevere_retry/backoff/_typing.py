"""The types of backoff's API (``persevere_retry.backoff.types.Details`` is the one users import)."""

import logging
from typing import Any, Callable, Coroutine, Dict, Generator, Sequence, Tuple, TypeVar, Union

from typing import TypedDict

from persevere_retry._persevere import RatioBudget, TokenBucket


class _Details(TypedDict):
    target: Callable[..., Any]
    args: Tuple[Any, ...]
    kwargs: Dict[str, Any]
    tries: int
    elapsed: float


class Details(_Details, total=False):
    """The dict every handler receives. ``wait`` is present for ``on_backoff``; ``exception``
    in ``on_exception``'s ``on_backoff``/``on_giveup``; ``value`` in ``on_predicate``'s."""

    wait: float
    exception: BaseException
    value: Any


T = TypeVar("T")

_CallableT = TypeVar("_CallableT", bound=Callable[..., Any])
_Handler = Union[Callable[[Details], None], Callable[[Details], Coroutine[Any, Any, None]]]
_Jitterer = Callable[[float], float]
_MaybeCallable = Union[T, Callable[[], T]]
_MaybeLogger = Union[str, logging.Logger, None]
_MaybeSequence = Union[T, Sequence[T]]
_Predicate = Callable[[T], bool]
_WaitGenerator = Callable[..., Generator[float, None, None]]

# What budget= takes (persevere_retry.RatioBudget, persevere_retry.TokenBucket).
Budget = Union[RatioBudget, TokenBucket]
