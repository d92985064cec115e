"""Passwords (dev token issuer) and bearer tokens (JWT, HS256)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

import jwt

_ITERATIONS = 120_000


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _ITERATIONS)
    return f"pbkdf2_sha256${_ITERATIONS}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    return hmac.compare_digest(candidate, base64.b64decode(digest))


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
