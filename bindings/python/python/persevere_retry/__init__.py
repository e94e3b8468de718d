"""persevere: retry with backoff, decided by a Rust core.

``persevere_retry.backoff`` is a drop-in for the ``backoff`` package (``import persevere_retry.backoff as
backoff``). Its decorators also take a retry budget shared by many decorators::

    import persevere_retry.backoff as backoff
    from persevere_retry import RatioBudget

    budget = RatioBudget(ratio=0.2)

    @backoff.on_exception(backoff.expo, OSError, max_tries=5, budget=budget)
    def fetch(): ...

PYTEST_DONT_REWRITE: with ``PERSEVERE_RETRY_AS_BACKOFF=1`` this package is imported at start-up,
before pytest loads its plugin (persevere_retry.pytest_plugin), and pytest would otherwise warn
that it cannot rewrite an imported module (an error in suites that turn warnings into errors).
"""

from persevere_retry._persevere import RatioBudget, TokenBucket

__all__ = ["RatioBudget", "TokenBucket"]
__version__ = "0.1.0"
