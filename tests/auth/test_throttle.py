"""Sign-in throttling and lockout (#13): exponential back-off per resolved client address, then a lock per
(staff id, address), then one per staff id over every address that holds back neither the office nor a sign-in with
the second factor; 429 problem+json with Retry-After, state in the database (every API process sees it).  The
back-off's clock is moved (``core.clock.now``), never slept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from core import clock
from db.models import SignInFailureRow
from tests.api.support import ADMIN, assert_problem
from tests.auth.conftest import HOME_IP, OFFICE_IP, Api, Staff, running_api
from tests.auth.test_sign_in import access_log, database, enrolled

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 10:00 JST


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = T0
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest_asyncio.fixture(loop_scope="session")
async def throttled(signin_database: str, tmp_path: Path) -> AsyncIterator[Api]:
    """Back-off after 3 failures per address, 2 s doubling up to 60 s (the locks out of the way, so only the
    back-off answers)."""
    async with running_api(
        signin_database,
        tmp_path,
        throttle_address_free=3,
        throttle_base_seconds=2,
        throttle_max_seconds=60,
        throttle_window_seconds=3600,
        lockout_threshold=1000,
        lockout_account_threshold=1000,
        office_networks="0.0.0.0/0,::/0",  # every address is "in the office": no second factor in the way
    ) as api:
        yield api


async def test_spraying_ids_from_one_address_backs_off(throttled: Api, staff: Staff, frozen: Clock) -> None:
    ip = "198.51.100.7"
    for _ in range(3):
        r = await throttled.sign_in(staff.take(), ip=ip, password="wrong")
        assert_problem(r, 401)
    assert_problem(await throttled.sign_in(staff.take(), ip=ip, password="wrong"), 401)  # the 4th: 2 s wait after
    r = await throttled.sign_in(staff.take(), ip=ip, password="wrong")
    assert_problem(r, 429)
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["retry-after"] == "2"
    # Even the right password waits: the back-off is the address's.
    someone = staff.take()
    assert_problem(await throttled.sign_in(someone, ip=ip), 429)
    # Another address is not held back.
    assert (await throttled.sign_in(someone, ip="198.51.100.8")).status_code == 200
    frozen.advance(2)
    assert_problem(await throttled.sign_in(staff.take(), ip=ip, password="wrong"), 401)  # the 5th: now 4 s
    r = await throttled.sign_in(staff.take(), ip=ip)
    assert_problem(r, 429)
    assert r.headers["retry-after"] == "4"
    frozen.advance(4)
    assert (await throttled.sign_in(staff.take(), ip=ip)).status_code == 200


async def test_a_forged_x_forwarded_for_does_not_escape_the_address_back_off(
    throttled: Api, staff: Staff, frozen: Clock
) -> None:
    """No trusted proxy: the address is the peer's, whatever X-Forwarded-For says."""
    ip = "198.51.100.77"
    for n in range(4):
        async with throttled.client(ip, **{"x-forwarded-for": f"203.0.113.{n}"}) as http:
            r = await http.post("/v1/auth/token", json={"staff_id": staff.take(), "password": "wrong"})
            assert_problem(r, 401)
    async with throttled.client(ip, **{"x-forwarded-for": "203.0.113.200"}) as http:
        assert_problem(await http.post("/v1/auth/token", json={"staff_id": staff.take(), "password": "x"}), 429)


async def test_the_web_sign_in_answers_429_with_retry_after(throttled: Api, staff: Staff, frozen: Clock) -> None:
    ip = "198.51.100.90"
    for _ in range(4):
        await throttled.sign_in(staff.take(), ip=ip, password="wrong")
    async with throttled.client(ip) as http:
        form = await http.get("/signin")
        token = form.text.split('name="signin_csrf" value="', 1)[1].split('"', 1)[0]
        r = await http.post(
            "/signin", data={"staff_id": staff.take(), "password": "demo", "signin_csrf": token, "next": "/inbox"}
        )
    assert r.status_code == 429
    assert r.headers["retry-after"] == "2"
    assert "この端末からのサインインの失敗が続いたため" in r.text  # in Japanese on the page


async def test_wrong_enrolment_codes_back_off(throttled: Api, staff: Staff, frozen: Clock) -> None:
    someone = staff.take()
    token = await throttled.token(someone, ip=OFFICE_IP)
    async with throttled.client(OFFICE_IP, authorization=f"Bearer {token}") as http:
        assert (await http.post("/v1/auth/totp/enrol")).status_code == 200
        answers = [(await http.post("/v1/auth/totp/confirm", json={"code": "000000"})).status_code for _ in range(5)]
    # Three free failures per address, then 2 s after the 4th: the 5th code is not even checked.
    assert answers[:4] == [401, 401, 401, 401] and answers[4] == 429


async def test_failures_older_than_the_window_are_pruned_whatever_their_key(
    throttled: Api, staff: Staff, frozen: Clock
) -> None:
    sprayed = "nobody-sprays-me-twice"
    await throttled.sign_in(sprayed, ip="198.51.100.120", password="wrong")
    frozen.advance(3601)
    await throttled.sign_in(staff.take(), ip="198.51.100.121", password="wrong")
    async with database(throttled) as session:
        left = await session.scalars(select(SignInFailureRow.key).where(SignInFailureRow.at < frozen.at))
        assert not {sprayed, "198.51.100.120"} & set(left.all())


# --- the lockout: per (id, address) first, per id over every address with a much higher threshold ---------------


@pytest_asyncio.fixture(loop_scope="session")
async def locking(signin_database: str, tmp_path: Path) -> AsyncIterator[Api]:
    """127.0.0.0/8 is the office; 3 failures lock an (id, address) pair, 5 over every address lock the id (the
    address back-off out of the way)."""
    async with running_api(
        signin_database, tmp_path, lockout_threshold=3, lockout_account_threshold=5, lockout_minutes=15
    ) as api:
        yield api


async def test_an_outsider_locks_only_their_own_address_not_the_decider(locking: Api, staff: Staff) -> None:
    decider = staff.take()
    _, recovery = await enrolled(locking, decider)
    outsider = "192.0.2.66"
    answers = [(await locking.sign_in(decider, ip=outsider, password="wrong")).status_code for _ in range(4)]
    assert answers == [401, 401, 429, 429]
    locked = await locking.sign_in(decider, ip=outsider)
    assert "locked" in assert_problem(locked, 429)["detail"] and int(locked.headers["retry-after"]) <= 15 * 60
    # The decider at the desk, and in telework with the second factor, signs in as usual.
    assert (await locking.sign_in(decider, ip=OFFICE_IP)).status_code == 200
    assert (await locking.sign_in(decider, ip=HOME_IP, otp=recovery[0])).status_code == 200


async def test_a_brute_force_from_many_addresses_locks_the_id_for_password_only_sign_ins(
    locking: Api, staff: Staff
) -> None:
    target = staff.take()
    _, recovery = await enrolled(locking, target)
    for n in range(4):  # four addresses, one guess each: below every pair's threshold
        assert_problem(await locking.sign_in(target, ip=f"192.0.2.{140 + n}", password="wrong"), 401)
    locked = assert_problem(await locking.sign_in(target, ip="192.0.2.150", password="wrong"), 429)  # the 5th
    assert "locked" in locked["detail"]
    # From outside, the right password alone waits (unchecked) ...
    assert "locked" in assert_problem(await locking.sign_in(target, ip="192.0.2.151"), 429)["detail"]
    # ... and with a code, a wrong password and a wrong code answer alike: no hint which of the two was wrong.
    wrong_password = await locking.sign_in(target, ip="192.0.2.152", password="wrong", otp=recovery[0])
    wrong_code = await locking.sign_in(target, ip="192.0.2.153", otp="000000")
    assert wrong_password.status_code == wrong_code.status_code == 429
    assert wrong_password.json()["title"] == wrong_code.json()["title"]
    assert wrong_password.headers["content-type"].startswith("application/problem+json")
    # The owner with password and second factor goes through; so does the office.
    assert (await locking.sign_in(target, ip=HOME_IP, otp=recovery[1])).status_code == 200
    assert (await locking.sign_in(target, ip=OFFICE_IP)).status_code == 200
    # An administrator lifts the lock (解除): password-only attempts are checked again.
    admin = await locking.token(ADMIN)
    async with locking.client(OFFICE_IP, authorization=f"Bearer {admin}") as http:
        assert (await http.delete(f"/v1/auth/lockout/{target}")).status_code == 204
    assert "second factor" in assert_problem(await locking.sign_in(target, ip="192.0.2.151"), 401)["detail"]


async def test_the_lock_is_in_the_access_log(locking: Api, staff: Staff) -> None:
    target = staff.take()
    for _ in range(4):
        await locking.sign_in(target, ip="192.0.2.77", password="wrong")
    reasons = [e["reason"] for e in await access_log(locking, staff_id=target, kind="sign_in")]
    assert reasons.count("wrong password") == 3 and reasons.count("locked") == 1
