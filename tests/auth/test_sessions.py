"""Sessions on the server (#13): sign-out, a lockout and a second-factor reset end every session of the person at
once (bearer tokens and web cookies alike); the idle timeout and the absolute lifetime end them by time; a person
sees and ends their own sessions; a token signed with the shipped JWT secret is refused; key rotation.

Time is moved with the processes' clock (``core.clock.now``), never slept."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from sqlalchemy import select

from core import clock
from core.second_factor import SecretBox
from core.security import issue_token
from core.settings import DEV_JWT_SECRET
from db.models import SessionRow, StaffTotpRow
from tests.api.support import ADMIN, assert_problem
from tests.auth.conftest import HOME_IP, OFFICE_IP, Api, Staff, running_api
from tests.auth.test_sign_in import database, enrolled, next_code

SIGNIN_CSRF = re.compile(r'name="signin_csrf" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def shift(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[timedelta], None]]:
    """Move the processes' clock forward (the real one keeps running underneath)."""
    offset = timedelta()

    def now() -> datetime:
        return datetime.now(UTC) + offset

    def move(by: timedelta) -> None:
        nonlocal offset
        offset += by

    monkeypatch.setattr(clock, "now", now)
    yield move


async def me(api: Api, token: str) -> httpx.Response:
    async with api.client(OFFICE_IP, authorization=f"Bearer {token}") as http:
        return await http.get("/v1/me/sessions")


async def web_sign_in(api: Api, staff_id: str) -> httpx.AsyncClient:
    """A browser signed in through the sign-in form (the caller closes it)."""
    transport = httpx.ASGITransport(app=api.app, client=(OFFICE_IP, 50124))
    browser = httpx.AsyncClient(transport=transport, base_url="http://ringi.test")
    form = await browser.get("/signin")
    token = SIGNIN_CSRF.search(form.text)
    assert token is not None
    data = {"staff_id": staff_id, "password": "demo", "signin_csrf": token.group(1), "next": "/inbox"}
    r = await browser.post("/signin", data=data)
    assert r.status_code == 303 and r.headers["location"] == "/inbox", r.text
    return browser


async def signed_in(browser: httpx.AsyncClient) -> bool:
    r = await browser.get("/inbox")
    if r.status_code == 303:
        assert r.headers["location"].startswith("/signin")
        return False
    assert r.status_code == 200, r.text
    return True


# --- revocation -----------------------------------------------------------------------------------------------------


async def test_after_sign_out_the_old_token_and_the_old_cookie_are_refused(api: Api, staff: Staff) -> None:
    someone = staff.take()
    first, second = await api.token(someone), await api.token(someone)
    browser = await web_sign_in(api, someone)
    old_cookie = browser.cookies.get("ringi_session")
    try:
        assert await signed_in(browser)
        async with api.client(OFFICE_IP, authorization=f"Bearer {first}") as http:
            assert (await http.post("/v1/auth/signout")).status_code == 204
        for token in (first, second):  # every session of the person, not only the one that signed out
            assert "session has ended" in assert_problem(await me(api, token), 401)["detail"]
        assert not await signed_in(browser)
        # The cookie the browser held, sent again (e.g. copied before sign-out), is no session either.
        replay = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api.app, client=(OFFICE_IP, 50125)),
            base_url="http://ringi.test",
            cookies={"ringi_session": old_cookie or ""},
        )
        async with replay:
            assert not await signed_in(replay)
    finally:
        await browser.aclose()
    assert (await me(api, await api.token(someone))).status_code == 200  # signing in again works


async def test_web_sign_out_ends_the_bearer_tokens_too(api: Api, staff: Staff) -> None:
    someone = staff.take()
    token = await api.token(someone)
    browser = await web_sign_in(api, someone)
    try:
        page = await browser.get("/inbox")
        csrf = CSRF.search(page.text)
        assert csrf is not None
        old_cookie = browser.cookies.get("ringi_session")
        r = await browser.post("/signout", data={"csrf_token": csrf.group(1)})
        assert r.status_code == 303
        browser.cookies.set("ringi_session", old_cookie or "")  # the old cookie, kept by whoever copied it
        assert not await signed_in(browser)
    finally:
        await browser.aclose()
    assert_problem(await me(api, token), 401)


async def test_a_second_factor_reset_ends_every_session(api: Api, staff: Staff) -> None:
    someone = staff.take()
    totp, _ = await enrolled(api, someone)
    away = await api.token(someone, ip=HOME_IP, otp=next_code(totp))  # e.g. on the phone that was lost
    browser = await web_sign_in(api, someone)
    try:
        admin = await api.token(ADMIN)
        async with api.client(OFFICE_IP, authorization=f"Bearer {admin}") as http:
            assert (await http.delete(f"/v1/auth/totp/{someone}")).status_code == 204
        assert_problem(await me(api, away), 401)
        assert not await signed_in(browser)
    finally:
        await browser.aclose()
    assert (await me(api, admin)).status_code == 200  # the admin's own session is untouched


async def test_a_lockout_over_every_address_ends_every_session_a_lock_of_one_address_none(
    signin_database: str, tmp_path: Path, staff: Staff
) -> None:
    """An outsider locking their own (id, address) pair must not sign the person out; a brute force from many
    addresses (the id locked everywhere) ends every session: whoever is guessing may already hold one."""
    async with running_api(signin_database, tmp_path, lockout_threshold=2, lockout_account_threshold=3) as api:
        someone = staff.take()
        token = await api.token(someone)
        for _ in range(2):
            await api.sign_in(someone, ip="192.0.2.31", password="wrong")
        assert (await me(api, token)).status_code == 200
        assert_problem(await api.sign_in(someone, ip="192.0.2.32", password="wrong"), 429)
        assert_problem(await me(api, token), 401)


# --- by time ----------------------------------------------------------------------------------------------------


async def test_an_idle_session_ends_and_an_active_one_slides(
    api: Api, staff: Staff, shift: Callable[[timedelta], None]
) -> None:
    someone = staff.take()
    token, idle = await api.token(someone), await api.token(someone)
    browser = await web_sign_in(api, someone)
    try:
        for _ in range(3):  # 3 x 20 minutes of use: each request moves last_seen_at on
            shift(timedelta(minutes=20))
            assert (await me(api, token)).status_code == 200
        assert "idle" in assert_problem(await me(api, idle), 401)["detail"]  # 60 minutes untouched
        assert not await signed_in(browser)
        shift(timedelta(minutes=api.settings.session_idle_minutes, seconds=1))
        assert "idle" in assert_problem(await me(api, token), 401)["detail"]
    finally:
        await browser.aclose()


async def test_last_seen_is_written_at_most_once_a_minute(
    api: Api, staff: Staff, shift: Callable[[timedelta], None]
) -> None:
    someone = staff.take()
    token = await api.token(someone)

    async def last_seen() -> datetime:
        async with database(api) as session:
            rows = (await session.scalars(select(SessionRow).where(SessionRow.staff_id == someone))).all()
            (row,) = rows
            return row.last_seen_at

    opened = await last_seen()
    for _ in range(3):
        assert (await me(api, token)).status_code == 200
    assert await last_seen() == opened
    shift(timedelta(minutes=2))
    assert (await me(api, token)).status_code == 200
    assert await last_seen() > opened


async def test_a_session_ends_at_its_lifetime_however_active(
    signin_database: str, tmp_path: Path, staff: Staff, shift: Callable[[timedelta], None]
) -> None:
    async with running_api(signin_database, tmp_path, jwt_ttl_seconds=3600, session_idle_minutes=45) as api:
        someone = staff.take()
        token = await api.token(someone)
        for _ in range(2):
            shift(timedelta(minutes=29))
            assert (await me(api, token)).status_code == 200
        shift(timedelta(minutes=3))  # 61 minutes after sign-in, 3 after the last request
        assert "lifetime" in assert_problem(await me(api, token), 401)["detail"]


# --- my sessions ------------------------------------------------------------------------------------------------


async def test_a_person_sees_and_ends_their_own_sessions(api: Api, staff: Staff) -> None:
    someone, other = staff.take(), staff.take()
    here, there = await api.token(someone), await api.token(someone)
    browser = await web_sign_in(api, someone)
    theirs = await api.token(other)
    try:
        r = await me(api, here)
        assert r.status_code == 200, r.text
        sessions = r.json()["items"]
        assert sorted(s["kind"] for s in sessions) == ["api", "api", "web"]
        (current,) = [s for s in sessions if s["current"]]
        assert current["client_ip"] == OFFICE_IP and current["user_agent"] == "pytest-signin"
        others = [s["id"] for s in sessions if not s["current"]]
        their_id = next(s["id"] for s in (await me(api, theirs)).json()["items"])

        async with api.client(OFFICE_IP, authorization=f"Bearer {here}") as http:
            assert_problem(await http.delete(f"/v1/me/sessions/{their_id}"), 404)  # not mine: as if missing
            assert_problem(await http.delete("/v1/me/sessions/no-such-session"), 404)
            for session_id in others:
                assert (await http.delete(f"/v1/me/sessions/{session_id}")).status_code == 204
            assert [s["id"] for s in (await http.get("/v1/me/sessions")).json()["items"]] == [current["id"]]
        assert_problem(await me(api, there), 401)
        assert not await signed_in(browser)
        assert (await me(api, theirs)).status_code == 200
    finally:
        await browser.aclose()


# --- secrets ----------------------------------------------------------------------------------------------------


def production(**overrides: str) -> dict[str, str]:
    return {"jwt_secret": secrets.token_hex(32), "totp_encryption_key": secrets.token_hex(32), **overrides}


async def test_a_token_signed_with_the_shipped_secret_is_refused_in_production(
    signin_database: str, tmp_path: Path
) -> None:
    async with running_api(signin_database, tmp_path, **production()) as api:
        assert api.settings.production_problems() == []
        real = await api.token(ADMIN)
        session_id = jwt.decode(real, options={"verify_signature": False})["sid"]  # even with a live session id
        for forged in (
            issue_token(ADMIN, session_id, secret=DEV_JWT_SECRET, ttl_seconds=600),
            jwt.encode(
                {"sub": ADMIN, "iss": "ringi", "exp": datetime.now(UTC) + timedelta(hours=1)},
                DEV_JWT_SECRET,
                algorithm="HS256",
            ),
        ):
            assert_problem(await me(api, forged), 401)
        cookie = jwt.encode(
            {"sub": ADMIN, "sid": session_id, "iss": "ringi-web", "exp": datetime.now(UTC) + timedelta(hours=1)},
            DEV_JWT_SECRET,
            algorithm="HS256",
        )
        transport = httpx.ASGITransport(app=api.app, client=(OFFICE_IP, 50126))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://ringi.test", cookies={"ringi_session": cookie}
        ) as browser:
            assert not await signed_in(browser)
        assert (await me(api, real)).status_code == 200


async def test_jwt_rotation_old_secrets_verify_the_new_one_signs(
    signin_database: str, tmp_path: Path, staff: Staff
) -> None:
    someone = staff.take()
    old = production()
    async with running_api(signin_database, tmp_path, **old) as api:
        before = await api.token(someone)
    rotated = production(jwt_previous_secrets=old["jwt_secret"], totp_encryption_key=old["totp_encryption_key"])
    async with running_api(signin_database, tmp_path, **rotated) as api:
        assert (await me(api, before)).status_code == 200
        after = await api.token(someone)
        jwt.decode(after, rotated["jwt_secret"], algorithms=["HS256"], issuer="ringi")  # signed with the new one
    dropped = {**rotated, "jwt_previous_secrets": ""}
    async with running_api(signin_database, tmp_path, **dropped) as api:
        assert_problem(await me(api, before), 401)
        assert (await me(api, after)).status_code == 200


async def test_totp_key_rotation_keeps_second_factors_and_recovery_codes(
    signin_database: str, tmp_path: Path, staff: Staff
) -> None:
    someone = staff.take()
    old = production()
    async with running_api(signin_database, tmp_path, **old) as api:
        totp, codes = await enrolled(api, someone)
    rotated = {**old, "totp_encryption_key": secrets.token_hex(32), "totp_previous_keys": old["totp_encryption_key"]}
    async with running_api(signin_database, tmp_path, **rotated) as api:
        assert (await api.sign_in(someone, ip=HOME_IP, otp=codes[0])).status_code == 200
        assert (await api.sign_in(someone, ip=HOME_IP, otp=next_code(totp))).status_code == 200  # and resealed
    async with database(api) as session:  # resealed with the new key at its use
        row = await session.get(StaffTotpRow, someone)
        assert row is not None and row.secret_sealed is not None
        assert SecretBox([rotated["totp_encryption_key"]]).open(row.secret_sealed) == totp.secret
    without_old = {**rotated, "totp_previous_keys": ""}
    async with running_api(signin_database, tmp_path, **without_old) as api:
        # Recovery codes are hashed with the key of their enrolment: they need it kept among the previous keys.
        assert_problem(await api.sign_in(someone, ip=HOME_IP, otp=codes[1]), 401)
