"""argon2id at its lowest cost in tests (registered from tests/conftest.py).

The production parameters (RFC 9106 "low memory": t=3, 64 MiB, 4 lanes) cost about 0.2 s of CPU per hash and per
verify, and the suite signs in thousands of times.  The scheme stays argon2id; verifying reads the parameters from
the stored hash, so servers started as subprocesses verify these cheaply too (and rehash them at production cost,
see ``core.security.needs_rehash``).  tests/core/test_security.py checks the production parameters themselves.
"""

from __future__ import annotations

from argon2 import PasswordHasher

import core.security

PRODUCTION_ARGON2 = core.security._ARGON2
core.security._ARGON2 = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
