"""Public types, as in backoff: ``from persevere_retry.backoff.types import Details``."""

from persevere_retry.backoff._typing import Details

__all__ = ["Details"]
