from backoff.types import Details


assert Details
