"""Sign-in throttling (#13): exponential back-off per resolved client address and per staff id, 429
problem+json with Retry-After, state in the database (every API process sees it).  The clock is moved
(``core.clock.now``), never slept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from core import clock
from tests.api.support import assert_problem
from tests.auth.conftest import OFFICE_IP, Api, Staff, running_api

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
    """Back-off after 3 failures per address and 6 per staff id, 2 s doubling up to 60 s (the per-id lockout out of
    the way, so only the back-off answers)."""
    async with running_api(
        signin_database,
        tmp_path,
        throttle_address_free=3,
        throttle_account_free=6,
        throttle_base_seconds=2,
        throttle_max_seconds=60,
        throttle_window_seconds=3600,
        lockout_threshold=1000,
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


async def test_guessing_one_id_from_many_addresses_backs_off_but_not_for_good(
    throttled: Api, staff: Staff, frozen: Clock
) -> None:
    target = staff.take()
    for n in range(7):  # from seven addresses: none reaches its own back-off
        assert_problem(await throttled.sign_in(target, ip=f"192.0.2.{10 + n}", password="wrong"), 401)
    r = await throttled.sign_in(target, ip="192.0.2.99")  # the owner, right password, elsewhere: waits 2 s
    assert_problem(r, 429)
    assert r.headers["retry-after"] == "2"
    for _ in range(10):  # an outsider keeps guessing: the wait stops growing at the ceiling
        frozen.advance(61)
        await throttled.sign_in(target, ip="192.0.2.50", password="wrong")
    r = await throttled.sign_in(target, ip="192.0.2.99")
    assert_problem(r, 429)
    assert int(r.headers["retry-after"]) <= 60
    frozen.advance(60)
    assert (await throttled.sign_in(target, ip="192.0.2.99")).status_code == 200  # and the success forgets


async def test_a_success_forgets_the_ids_failures(throttled: Api, staff: Staff, frozen: Clock) -> None:
    target = staff.take()
    for n in range(6):
        assert_problem(await throttled.sign_in(target, ip=f"192.0.2.{120 + n}", password="wrong"), 401)
    assert (await throttled.sign_in(target, ip="192.0.2.130")).status_code == 200
    for n in range(6):
        assert_problem(await throttled.sign_in(target, ip=f"192.0.2.{140 + n}", password="wrong"), 401)


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


async def test_wrong_enrolment_codes_back_off(throttled: Api, staff: Staff, frozen: Clock) -> None:
    someone = staff.take()
    token = await throttled.token(someone, ip=OFFICE_IP)
    async with throttled.client(OFFICE_IP, authorization=f"Bearer {token}") as http:
        assert (await http.post("/v1/auth/totp/enrol")).status_code == 200
        answers = [(await http.post("/v1/auth/totp/confirm", json={"code": "000000"})).status_code for _ in range(5)]
    # Three free failures per address, then 2 s after the 4th: the 5th code is not even checked.
    assert answers[:4] == [401, 401, 401, 401] and answers[4] == 429
