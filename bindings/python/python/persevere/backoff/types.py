"""Public types, as in backoff: ``from persevere.backoff.types import Details``."""

from persevere.backoff._typing import Details

__all__ = ["Details"]
