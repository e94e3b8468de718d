# Types of the Rust extension persevere_retry._persevere (src/*.rs). The budgets are public
# (re-exported by persevere_retry); the policy and call classes are the decorators' internals.

from typing import Any, Callable, Dict, Optional, Tuple, Union, final

@final
class RatioBudget:
    """Retries may be at most ``ratio`` of the calls made in the last ``ttl`` seconds, plus
    ``min_per_sec`` retries per second. Share one object between the decorators it protects."""

    def __init__(self, ratio: float = 0.2, min_per_sec: int = 10, ttl: float = 10.0) -> None: ...
    def available_retries(self) -> int:
        """The retries the budget would grant now."""

@final
class TokenBucket:
    """Each retry costs tokens, each success earns some back; no retry when (nearly) empty."""

    def __init__(
        self,
        capacity: float,
        *,
        retry_cost: Optional[float] = None,
        timeout_cost: Optional[float] = None,
        throttling_cost: Optional[float] = None,
        success_reward: Optional[float] = None,
        initial: Optional[float] = None,
    ) -> None: ...
    @staticmethod
    def aws_standard() -> "TokenBucket":
        """The AWS SDKs' standard retry quota (500 tokens, 5 per retry, 10 per timeout)."""
    @staticmethod
    def aws_2026() -> "TokenBucket":
        """The AWS SDKs' 2026 retry quota."""
    @staticmethod
    def grpc(max_tokens: float, token_ratio: float) -> "TokenBucket":
        """gRPC's retry throttling."""
    @property
    def tokens(self) -> float:
        """The tokens in the bucket now."""
    @property
    def capacity(self) -> float:
        """The bucket's capacity."""

_Budget = Union[RatioBudget, TokenBucket]
_Seconds = Union[int, float]
_Limit = Any  # an int, a float, None, or a callable returning one (read per call)

@final
class ExceptionPolicy:
    def __init__(
        self,
        builtin: Optional[str],
        wait_gen: Callable[..., Any],
        wait_gen_kwargs: Dict[str, Any],
        jitter: Optional[Callable[..., Any]],
        handlers: bool,
        success_handlers: bool,
        budget: Optional[_Budget],
        monotonic: bool,
        measure_after_attempt: bool,
    ) -> None: ...
    def begin(
        self,
        target: Callable[..., Any],
        args: Tuple[Any, ...],
        kwargs: Dict[str, Any],
        max_tries: _Limit,
        max_time: _Limit,
    ) -> "ExceptionCall": ...

@final
class ExceptionCall:
    def attempt(self) -> None: ...
    def failed(
        self, exception: BaseException, fatal: bool
    ) -> Tuple[Optional[_Seconds], Optional[Dict[str, Any]]]: ...
    def succeeded(self) -> Optional[Dict[str, Any]]: ...
    @property
    def exhausted(self) -> bool: ...

@final
class PredicatePolicy:
    def __init__(
        self,
        builtin: Optional[str],
        wait_gen: Callable[..., Any],
        wait_gen_kwargs: Dict[str, Any],
        jitter: Optional[Callable[..., Any]],
        handlers: bool,
        success_handlers: bool,
        budget: Optional[_Budget],
        monotonic: bool,
        measure_after_attempt: bool,
    ) -> None: ...
    def begin(
        self,
        target: Callable[..., Any],
        args: Tuple[Any, ...],
        kwargs: Dict[str, Any],
        max_tries: _Limit,
        max_time: _Limit,
    ) -> "PredicateCall": ...

@final
class PredicateCall:
    def attempt(self) -> None: ...
    def returned(
        self, value: Any, retry: bool
    ) -> Tuple[Optional[_Seconds], Optional[Dict[str, Any]], bool]: ...
