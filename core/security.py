"""Passwords (argon2id; older pbkdf2 hashes still verify) and bearer tokens (JWT, HS256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from jwt.types import Options

from core import clock

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


#: Letters and digits a person reads off a screen without confusing them (no 0/O, 1/l/I).
_ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def one_time_password(length: int = 16) -> str:
    """A random one-time password (about 5.8 bits a character), for an administrator's reset."""
    return "".join(secrets.choice(_ONE_TIME_ALPHABET) for _ in range(length))


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


@dataclass(frozen=True)
class TokenClaims:
    """Who a valid token names, and the server-side session (``sessions`` row) it belongs to."""

    staff_id: str
    session_id: str


def issue_token(staff_id: str, session_id: str, *, secret: str, ttl_seconds: int, now: datetime | None = None) -> str:
    issued = now or clock.now()
    claims = {
        "sub": staff_id,
        "sid": session_id,
        "iat": issued,
        "exp": issued + timedelta(seconds=ttl_seconds),
        "iss": "ringi",
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(token: str, *, keys: Sequence[str]) -> TokenClaims:
    """The claims of a valid token (signed with any of ``keys``: the current one, then those of before a
    rotation); ``InvalidToken`` with the reason otherwise.  A token without a session id (older ones) is not
    valid: only a live session is."""
    claims = decode_signed(token, keys=keys, issuer="ringi")
    subject, session_id = claims.get("sub"), claims.get("sid")
    if not isinstance(subject, str) or not subject:
        raise InvalidToken("the token names no staff member")
    if not isinstance(session_id, str) or not session_id:
        raise InvalidToken("the token is not valid: sign in again")
    return TokenClaims(staff_id=subject, session_id=session_id)


def decode_signed(token: str, *, keys: Sequence[str], issuer: str) -> dict[str, Any]:
    """The claims of an HS256 JWT of ``issuer`` signed with one of ``keys`` (tried in order).

    Expiry is checked against ``core.clock.now``, the clock that issued the token and keeps its session."""
    options: Options = {"require": ["sub", "exp", "iss"], "verify_exp": False}
    for secret in keys:
        try:
            claims: dict[str, Any] = jwt.decode(token, secret, algorithms=["HS256"], issuer=issuer, options=options)
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise InvalidToken("the token is not valid") from exc
        expires = claims["exp"]
        if not isinstance(expires, int | float):
            raise InvalidToken("the token is not valid")
        if expires <= clock.now().timestamp():
            raise InvalidToken("the token has expired: its session reached its lifetime; sign in again")
        return claims
    raise InvalidToken("the token is not valid")


def session_ended(
    *, last_seen_at: datetime, expires_at: datetime, now: datetime, idle_timeout: timedelta
) -> str | None:
    """Why a session has ended by time (its absolute lifetime, or idle past the timeout); None while it is live."""
    if now >= expires_at:
        return "the session has reached its lifetime"
    if now - last_seen_at >= idle_timeout:
        return "the session was idle too long"
    return None
