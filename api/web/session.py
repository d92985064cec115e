"""Web sessions: a signed cookie (HttpOnly, SameSite=Lax, Secure over https) and per-session CSRF tokens.

The cookie holds a JWT of its own issuer (``ringi-web``), so it is never accepted as a bearer token, nor a bearer
token as a cookie.  Each session carries a random id; its CSRF token is an HMAC of that id, sent in a hidden
field of every form and checked on every POST.  The sign-in form, which comes before any session, is protected
the same way by a short-lived nonce cookie (no login CSRF).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import jwt
from starlette.requests import Request
from starlette.responses import Response

from api.origin import scheme_of
from core import clock
from core.security import InvalidToken, decode_signed

SESSION_COOKIE = "ringi_session"
SIGNIN_COOKIE = "ringi_signin"
CSRF_FIELD = "csrf_token"
_ISSUER = "ringi-web"
_SIGNIN_TTL_SECONDS = 3600


class SignInRequired(Exception):
    """No valid session: the page sends the browser to the sign-in form."""


class PasswordChangeRequired(Exception):
    """Signed in with a one-time password: the page sends the browser to the password change form."""


class CsrfRefused(Exception):
    """A POST without the session's CSRF token."""


@dataclass(frozen=True)
class WebSession:
    staff_id: str
    session_id: str
    csrf_token: str


def _mac(secret: str, purpose: str, value: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def _cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )


def is_https(request: Request) -> bool:
    """Over TLS, or behind a trusted proxy that says it took the request over https (api/origin.py)."""
    app = request.scope.get("app")
    state = getattr(getattr(app, "state", None), "ringi", None)
    if state is None:  # no running app (a unit test's bare request): the scope's own scheme
        return request.scope.get("scheme") == "https"
    return scheme_of(request, state.settings) == "https"


def start_session(
    request: Request, response: Response, staff_id: str, session_id: str, *, secret: str, ttl_seconds: int
) -> None:
    """Set the cookie of the server-side session ``session_id`` (api/services/sessions.py opened it)."""
    now = clock.now()
    claims = {
        "sub": staff_id,
        "sid": session_id,
        "iat": now,
        "exp": now + timedelta(seconds=ttl_seconds),
        "iss": _ISSUER,
    }
    _cookie(request, response, SESSION_COOKIE, jwt.encode(claims, secret, algorithm="HS256"), ttl_seconds)
    response.delete_cookie(SIGNIN_COOKIE, path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def read_session(request: Request, *, keys: Sequence[str]) -> WebSession:
    """The cookie's session (signed with any of ``keys``, the current one first); whether it is still live is
    the server's to say (``check_live``)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired
    try:
        claims = decode_signed(token, keys=keys, issuer=_ISSUER)
    except InvalidToken as exc:
        raise SignInRequired from exc
    staff_id, session_id = claims.get("sub"), claims.get("sid")
    if not isinstance(staff_id, str) or not isinstance(session_id, str):
        raise SignInRequired
    return WebSession(staff_id=staff_id, session_id=session_id, csrf_token=_mac(keys[0], "csrf", session_id))


def check_csrf(session: WebSession, submitted: str | None) -> None:
    if not submitted or not hmac.compare_digest(submitted, session.csrf_token):
        raise CsrfRefused


def signin_token(request: Request, *, secret: str) -> tuple[str, str]:
    """The sign-in form's nonce (kept, or new) and the CSRF token bound to it."""
    nonce = request.cookies.get(SIGNIN_COOKIE) or secrets.token_urlsafe(16)
    return nonce, _mac(secret, "signin", nonce)


def keep_signin_nonce(request: Request, response: Response, nonce: str) -> None:
    _cookie(request, response, SIGNIN_COOKIE, nonce, _SIGNIN_TTL_SECONDS)


def check_signin_token(request: Request, submitted: str | None, *, secret: str) -> None:
    nonce = request.cookies.get(SIGNIN_COOKIE)
    if not nonce or not submitted or not hmac.compare_digest(submitted, _mac(secret, "signin", nonce)):
        raise CsrfRefused
