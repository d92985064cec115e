"""Session cookies and CSRF tokens, without a server: Secure over https, tampering and foreign tokens refused."""

from __future__ import annotations

import secrets

import pytest
from starlette.requests import Request
from starlette.responses import Response

from api.web.session import (
    SESSION_COOKIE,
    CsrfRefused,
    SignInRequired,
    check_csrf,
    check_signin_token,
    read_session,
    signin_token,
    start_session,
)
from core.security import issue_token

SECRET = "test-secret-0123456789abcdef-0123456789"


def request(scheme: str = "http", cookies: dict[str, str] | None = None) -> Request:
    cookie = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
    headers = [(b"cookie", cookie.encode())] if cookie else []
    scope = {"type": "http", "scheme": scheme, "method": "GET", "path": "/", "headers": headers, "query_string": b""}
    return Request(scope)


def session_cookie(scheme: str) -> tuple[str, str]:
    response = Response()
    start_session(request(scheme), response, "s0026", secrets.token_urlsafe(8), secret=SECRET, ttl_seconds=600)
    header = next(v for k, v in response.raw_headers if k == b"set-cookie" and v.startswith(SESSION_COOKIE.encode()))
    text = header.decode()
    return text.split(";", 1)[0].split("=", 1)[1], text


def test_the_cookie_is_httponly_lax_and_secure_over_https() -> None:
    _, over_http = session_cookie("http")
    _, over_https = session_cookie("https")
    for header in (over_http, over_https):
        assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header
    assert "Secure" not in over_http and "Secure" in over_https


def test_each_session_has_its_own_csrf_token() -> None:
    first = read_session(request(cookies={SESSION_COOKIE: session_cookie("http")[0]}), keys=[SECRET])
    second = read_session(request(cookies={SESSION_COOKIE: session_cookie("http")[0]}), keys=[SECRET])
    assert first.staff_id == second.staff_id == "s0026"
    assert first.csrf_token != second.csrf_token
    check_csrf(first, first.csrf_token)
    for wrong in (second.csrf_token, "", None):
        with pytest.raises(CsrfRefused):
            check_csrf(first, wrong)


def test_tampered_foreign_or_missing_cookies_are_no_session() -> None:
    token = session_cookie("http")[0]
    bearer = issue_token("s0026", "sid", secret=SECRET, ttl_seconds=600)  # an API token is not a web session
    for cookie in (token[:-2] + "xx", bearer, ""):
        with pytest.raises(SignInRequired):
            read_session(request(cookies={SESSION_COOKIE: cookie} if cookie else {}), keys=[SECRET])
    with pytest.raises(SignInRequired):
        read_session(request(cookies={SESSION_COOKIE: token}), keys=[SECRET + "-other"])


def test_the_signin_token_is_bound_to_its_nonce_cookie() -> None:
    nonce, token = signin_token(request(), secret=SECRET)
    check_signin_token(request(cookies={"ringi_signin": nonce}), token, secret=SECRET)
    with pytest.raises(CsrfRefused):
        check_signin_token(request(cookies={"ringi_signin": "other"}), token, secret=SECRET)
    with pytest.raises(CsrfRefused):
        check_signin_token(request(), token, secret=SECRET)
