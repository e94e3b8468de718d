"""Runs backoff's own test suite against persevere_retry.backoff (the acceptance run).

backoff's tests are not part of this repository (their code is theirs): put the `tests/`
directory of backoff 2.2.x, plus the `decay` tests of the later fork, under `tests/` here. This
conftest calls persevere_retry.backoff.install() before they are imported, which is the whole
adaptation. PERSEVERE_UPSTREAM_REAL=1 skips the aliasing, to check the files against
the real backoff 2.2.1 (its `decay` tests then fail: 2.2.1 has no `decay`).
"""

import os

if os.environ.get("PERSEVERE_UPSTREAM_REAL") != "1":
    import persevere_retry.backoff

    # The supported switch: `import backoff` and its submodules give the drop-in.
    persevere_retry.backoff.install()
