"""Runs backoff's own test suite against persevere.backoff (the acceptance run).

backoff's tests are not part of this repository (their code is theirs): put the `tests/`
directory of backoff 2.2.x, plus the `decay` tests of the later fork, under `tests/` here. This
conftest puts persevere.backoff into sys.modules under the name `backoff` before they are
imported, which is the whole adaptation. PERSEVERE_UPSTREAM_REAL=1 skips the aliasing, to check the files against
the real backoff 2.2.1 (its `decay` tests then fail: 2.2.1 has no `decay`).
"""

import os
import sys

if os.environ.get("PERSEVERE_UPSTREAM_REAL") != "1":
    import persevere.backoff
    import persevere.backoff.types

    sys.modules["backoff"] = persevere.backoff
    sys.modules["backoff.types"] = persevere.backoff.types
