"""HttpHrClient against the real HR stub over HTTP: look-ups, dates, not-found, retryable failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from core.demo_city import generate_city
from integrations.hr import HrClient, HrNotFound, HttpHrClient
from schemas.org import Assignment, City
from stubs.hr.app import create_app
from tests.support.serve import serve_app

TRANSFER = date(2026, 10, 1)  # 人事異動: 総務課's 課長 retires, the 課長補佐 is promoted


def city_with_transfer() -> City:
    city = generate_city()

    def holder(post: str) -> Assignment:
        return next(a for a in city.assignments if a.org_unit_code == "somu.somu" and a.post_code == post)

    old, successor = holder("manager"), holder("assistant_manager")
    ended = [a.model_copy(update={"effective_to": TRANSFER}) if a in (old, successor) else a for a in city.assignments]
    promoted = successor.model_copy(update={"post_code": "manager", "effective_from": TRANSFER})
    return city.model_copy(update={"assignments": (*ended, promoted)})


@pytest.fixture
async def hr_url(tmp_path: Path) -> AsyncIterator[str]:
    async with serve_app(create_app(tmp_path / "hr.db", city=city_with_transfer())) as url:
        yield url


@pytest.fixture
async def hr(hr_url: str) -> AsyncIterator[HttpHrClient]:
    async with HttpHrClient(hr_url) as client:
        yield client


def _ids(city: City, org_unit: str, post: str) -> list[str]:
    return [a.staff_id for a in city.assignments if a.org_unit_code == org_unit and a.post_code == post]


async def test_is_an_hr_client(hr: HttpHrClient) -> None:
    client: HrClient = hr  # checked by mypy
    assert (await client.get_org_unit("executive")).kind == "executive"


async def test_lookups(hr: HttpHrClient) -> None:
    zaisei = await hr.get_org_unit("somu.zaisei")
    assert (zaisei.name, zaisei.symbol, zaisei.parent_code) == ("財政課", "萩財", "somu")

    mayor = await hr.get_staff("s0001", as_of=date(2026, 4, 1))
    assert (mayor.post.code, mayor.org_unit.code) == ("mayor", "executive")

    directors = await hr.holders("somu", "director", as_of=date(2026, 4, 1))
    assert [d.post.name for d in directors] == ["部長"]


async def test_holders_follow_the_date(hr: HttpHrClient) -> None:
    city = generate_city()
    (old,) = _ids(city, "somu.somu", "manager")
    (successor,) = _ids(city, "somu.somu", "assistant_manager")

    assert [s.id for s in await hr.holders("somu.somu", "manager", as_of=date(2026, 9, 30))] == [old]
    assert [s.id for s in await hr.holders("somu.somu", "manager", as_of=TRANSFER)] == [successor]
    assert await hr.holders("somu.somu", "assistant_manager", as_of=TRANSFER) == []
    assert await hr.holders("somu.somu", "manager", as_of=date(2026, 3, 31)) == []

    assert (await hr.get_staff(successor, as_of=date(2026, 9, 30))).post.code == "assistant_manager"
    assert (await hr.get_staff(successor, as_of=TRANSFER)).post.code == "manager"
    assert (await hr.get_staff(old, as_of=date(2026, 9, 30))).post.code == "manager"
    with pytest.raises(HrNotFound, match="holds no post"):
        await hr.get_staff(old, as_of=TRANSFER)


async def test_not_found(hr: HttpHrClient) -> None:
    with pytest.raises(HrNotFound, match="unknown staff"):
        await hr.get_staff("s9999")
    with pytest.raises(HrNotFound, match="unknown org unit"):
        await hr.get_org_unit("nowhere")
    with pytest.raises(HrNotFound):
        await hr.get_org_unit("somu/somu")  # quoted, not a different route
    with pytest.raises(HrNotFound, match="unknown post"):
        await hr.holders("somu", "shogun")


async def test_server_errors_propagate_then_recover(hr: HttpHrClient, hr_url: str) -> None:
    async with httpx.AsyncClient(base_url=hr_url) as admin:
        await admin.post("/admin/faults", json={"fail_next": 1})
    with pytest.raises(httpx.HTTPStatusError) as caught:
        await hr.get_org_unit("somu")
    assert caught.value.response.status_code == 503
    assert (await hr.get_org_unit("somu")).name == "総務部"


async def test_timeout_is_a_transport_error(hr_url: str) -> None:
    async with httpx.AsyncClient(base_url=hr_url) as admin:
        await admin.post("/admin/faults", json={"delay_ms": 500})
    async with HttpHrClient(hr_url, timeout=0.1) as slow:
        with pytest.raises(httpx.TransportError):
            await slow.get_org_unit("somu")


async def test_unreachable_is_a_transport_error(tmp_path: Path) -> None:
    async with serve_app(create_app(tmp_path / "hr.db")) as url:
        pass  # the port is free again
    async with HttpHrClient(url) as hr:
        with pytest.raises(httpx.TransportError):
            await hr.get_org_unit("somu")


async def test_custom_transport() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/org-units/somu"
        return httpx.Response(200, json={"code": "somu", "name": "総務部", "kind": "department"})

    async with HttpHrClient("http://hr.invalid", transport=httpx.MockTransport(handler)) as hr:
        assert (await hr.get_org_unit("somu")).kind == "department"
