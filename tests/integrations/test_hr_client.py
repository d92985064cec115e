"""HttpHrClient against the real HR stub over HTTP: look-ups, dates, absences, substitutes, not-found, failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from core.demo_city import generate_city
from integrations.hr import HrClient, HrInvalid, HrNotFound, HttpHrClient
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


def _holder(org_unit: str, post: str) -> str:
    return min(_ids(generate_city(), org_unit, post))


async def test_absences(hr: HttpHrClient) -> None:
    client: HrClient = hr
    manager = _holder("somu.somu", "manager")
    leave = await client.add_absence(manager, kind="leave", start=date(2026, 6, 1), end=date(2026, 6, 3), note="年休")
    trip = await client.add_absence(manager, kind="trip", start=date(2026, 6, 3), end=date(2026, 6, 3))
    assert (leave.staff_id, leave.kind, leave.start, leave.end, leave.note) == (
        manager,
        "leave",
        date(2026, 6, 1),
        date(2026, 6, 3),
        "年休",
    )
    assert trip.note == ""
    assert leave.covers(date(2026, 6, 3))
    assert not leave.covers(date(2026, 6, 4))

    assert await client.absences(manager, on=date(2026, 6, 3)) == [leave, trip]
    assert await client.absences(manager, on=date(2026, 6, 4)) == []
    assert await client.is_absent(manager, on=date(2026, 6, 1))
    assert not await client.is_absent(manager, on=date(2026, 5, 31))

    await client.delete_absence(leave.id)
    assert await client.absences(manager, on=date(2026, 6, 3)) == [trip]
    assert not await client.is_absent(manager, on=date(2026, 6, 1))
    with pytest.raises(HrNotFound, match="unknown absence"):
        await client.delete_absence(leave.id)


async def test_add_absence_once_per_key(hr: HttpHrClient) -> None:
    first = await hr.add_absence(
        "s0010", kind="trip", start=date(2026, 7, 1), end=date(2026, 7, 2), idempotency_key="k"
    )
    again = await hr.add_absence(
        "s0010", kind="trip", start=date(2026, 7, 1), end=date(2026, 7, 2), idempotency_key="k"
    )
    assert first == again
    assert await hr.absences("s0010", on=date(2026, 7, 1)) == [first]


async def test_absence_refused_or_unknown(hr: HttpHrClient) -> None:
    with pytest.raises(HrInvalid, match="end is before start"):
        await hr.add_absence("s0010", kind="leave", start=date(2026, 6, 2), end=date(2026, 6, 1))
    with pytest.raises(HrInvalid, match="unknown staff"):
        await hr.add_absence("s9999", kind="leave", start=date(2026, 6, 1), end=date(2026, 6, 1))
    with pytest.raises(HrNotFound, match="unknown staff"):
        await hr.is_absent("s9999", on=date(2026, 6, 1))
    with pytest.raises(HrNotFound, match="unknown staff"):
        await hr.absences("s9999", on=date(2026, 6, 1))
    with pytest.raises(HrNotFound, match="unknown staff"):
        await hr.substituting("s9999", on=date(2026, 6, 1))


async def test_substitutes(hr: HttpHrClient) -> None:
    client: HrClient = hr
    day = date(2026, 6, 1)
    (deputy,) = await client.substitutes("executive", "mayor", as_of=day)
    assert (deputy.id, deputy.post.name) == (_holder("executive", "deputy_mayor"), "副市長")
    (somu_manager,) = await client.substitutes("somu", "director", as_of=day)
    assert (somu_manager.org_unit.name, somu_manager.post.name) == ("総務課", "課長")
    order = await client.substitutes("somu.somu", "manager", as_of=day)
    assert [(s.post.name, s.org_unit.name) for s in order] == [
        ("課長補佐", "総務課"),
        ("係長", "総務課"),
        ("係長", "総務課"),
    ]
    assert await client.substitutes("executive", "deputy_mayor", as_of=day) == []
    with pytest.raises(HrNotFound, match="unknown post"):
        await client.substitutes("somu", "shogun")


async def test_substitutes_follow_the_date(hr: HttpHrClient) -> None:
    city = generate_city()
    (successor,) = _ids(city, "somu.somu", "assistant_manager")
    chiefs = _ids(city, "somu.somu", "chief")
    before = await hr.substitutes("somu.somu", "manager", as_of=date(2026, 9, 30))
    assert [s.id for s in before] == [successor, *chiefs]
    # From the transfer the 課長補佐 is 課長 and the post of 課長補佐 is vacant: the 係長 are first.
    after = await hr.substitutes("somu.somu", "manager", as_of=TRANSFER)
    assert [s.id for s in after] == chiefs
    (director_substitute,) = await hr.substitutes("somu", "director", as_of=TRANSFER)
    assert director_substitute.id == successor


async def test_substituting(hr: HttpHrClient) -> None:
    client: HrClient = hr
    mayor, deputy = _holder("executive", "mayor"), _holder("executive", "deputy_mayor")
    manager, assistant = _holder("somu.somu", "manager"), _holder("somu.somu", "assistant_manager")
    await client.add_absence(manager, kind="leave", start=date(2026, 6, 1), end=date(2026, 6, 1))
    await client.add_absence(mayor, kind="trip", start=date(2026, 6, 1), end=date(2026, 6, 2))

    (absent,) = await client.substituting(assistant, on=date(2026, 6, 1))
    assert (absent.id, absent.post.code, absent.org_unit.code) == (manager, "manager", "somu.somu")
    assert await client.substituting(assistant, on=date(2026, 6, 2)) == []
    assert [s.id for s in await client.substituting(deputy, on=date(2026, 6, 2))] == [mayor]
    assert await client.substituting(mayor, on=date(2026, 6, 1)) == []
