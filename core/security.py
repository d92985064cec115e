"""Passwords (argon2id; older pbkdf2 hashes still verify) and bearer tokens (JWT, HS256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_PBKDF2_ITERATIONS = 120_000
#: argon2id with argon2-cffi's defaults (RFC 9106 "low memory": t=3, m=64 MiB, p=4).
_ARGON2 = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash (CPU- and memory-heavy: call it off the event loop, e.g. ``asyncio.to_thread``)."""
    return _ARGON2.hash(password)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``: argon2 hashes, and the pbkdf2 ones written before them."""
    if stored.startswith("$argon2"):
        try:
            return _ARGON2.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    return _verify_pbkdf2(password, stored)


def needs_rehash(stored: str) -> bool:
    """True for a pbkdf2 hash, or an argon2 one of other parameters: rehash it after the next good sign-in."""
    if not stored.startswith("$argon2"):
        return True
    try:
        return _ARGON2.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def hash_pbkdf2(password: str) -> str:
    """The legacy scheme (pbkdf2-sha256), kept so tests can make hashes as older databases hold them."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _PBKDF2_ITERATIONS)
    return f"pbkdf2_sha256${_PBKDF2_ITERATIONS}${_b64(salt)}${_b64(digest)}"


def _verify_pbkdf2(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
        return hmac.compare_digest(candidate, base64.b64decode(digest))
    except ValueError:
        return False


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


class InvalidToken(Exception):
    pass


def issue_token(staff_id: str, *, secret: str, ttl_seconds: int, now: datetime | None = None) -> str:
    issued = now or datetime.now(UTC)
    claims = {"sub": staff_id, "iat": issued, "exp": issued + timedelta(seconds=ttl_seconds), "iss": "ringi"}
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(token: str, *, secret: str) -> str:
    """The staff id in a valid token; ``InvalidToken`` with the reason otherwise."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], issuer="ringi", options={"require": ["sub", "exp", "iss"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("the token has expired") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken("the token is not valid") from exc
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("the token names no staff member")
    return subject
