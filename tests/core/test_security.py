"""Password hashes: argon2id for new ones; pbkdf2 ones (older databases) still verify and ask to be rehashed.
Sessions end idle or at their lifetime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from argon2 import Type

from core.security import hash_password, hash_pbkdf2, needs_rehash, session_ended, verify_password
from tests.support.cheap_hashing import PRODUCTION_ARGON2


def test_argon2id() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong horse", stored)
    assert not needs_rehash(stored)
    assert hash_password("correct horse") != stored, "salted"


def test_pbkdf2_still_verifies_and_needs_a_rehash() -> None:
    stored = hash_pbkdf2("correct horse")
    assert verify_password("correct horse", stored)
    assert not verify_password("wrong horse", stored)
    assert needs_rehash(stored)


def test_malformed_hashes_never_verify() -> None:
    for stored in ("", "$argon2id$garbage", "pbkdf2_sha256$x$y$z", "plain-text-password", "a$b$c$d"):
        assert not verify_password("plain-text-password", stored)
        assert needs_rehash(stored)


def test_a_session_ends_idle_or_at_its_lifetime_whichever_comes_first() -> None:
    start = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
    idle = timedelta(minutes=30)
    end = start + timedelta(hours=8)

    def ended(last_seen_minutes: int, now_minutes: int) -> str | None:
        return session_ended(
            last_seen_at=start + timedelta(minutes=last_seen_minutes),
            expires_at=end,
            now=start + timedelta(minutes=now_minutes),
            idle_timeout=idle,
        )

    assert ended(0, 29) is None
    assert ended(0, 30) == "the session was idle too long"  # 30 minutes unused: ended exactly then
    assert ended(470, 479) is None
    assert ended(479, 480) == "the session has reached its lifetime"


def test_production_hashes_are_rfc_9106_low_memory_and_cheap_test_ones_are_rehashed() -> None:
    assert (PRODUCTION_ARGON2.time_cost, PRODUCTION_ARGON2.memory_cost, PRODUCTION_ARGON2.parallelism) == (
        3,
        64 * 1024,
        4,
    )
    assert PRODUCTION_ARGON2.type is Type.ID
    assert PRODUCTION_ARGON2.check_needs_rehash(hash_password("correct horse")), "the suite's cheap hash"
    assert not PRODUCTION_ARGON2.check_needs_rehash(PRODUCTION_ARGON2.hash("correct horse"))
