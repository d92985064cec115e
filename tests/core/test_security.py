"""Password hashes: argon2id for new ones; pbkdf2 ones (older databases) still verify and ask to be rehashed."""

from __future__ import annotations

from core.security import hash_password, hash_pbkdf2, needs_rehash, verify_password


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
