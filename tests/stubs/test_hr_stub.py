"""The HR stub over real HTTP: look-ups, dates, postings, its own persistent state, fault injection."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from core.demo_city import EFFECTIVE_FROM, generate_city
from schemas.org import City
from stubs.finance.app import create_app as create_finance_app
from stubs.hr.app import create_app
from tests.support.serve import serve_app


@pytest.fixture
async def hr(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(create_app(tmp_path / "hr.db")) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


async def test_health(hr: httpx.AsyncClient) -> None:
    response = await hr.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_org_units(hr: httpx.AsyncClient) -> None:
    units = (await hr.get("/org-units")).json()
    assert [u["code"] for u in units] == [u.code for u in generate_city().org_units]
    assert units[0] == {
        "code": "executive",
        "name": "特別職",
        "kind": "executive",
        "parent_code": None,
        "symbol": None,
    }

    zaisei = (await hr.get("/org-units/somu.zaisei")).json()
    assert zaisei == {
        "code": "somu.zaisei",
        "name": "財政課",
        "kind": "division",
        "parent_code": "somu",
        "symbol": "萩財",
    }
    assert (await hr.get("/org-units/nowhere")).status_code == 404


async def test_staff_as_of(hr: httpx.AsyncClient) -> None:
    mayor = (await hr.get("/staff/s0001", params={"as_of": "2026-04-01"})).json()
    assert mayor["id"] == "s0001"
    assert mayor["post"] == {"code": "mayor", "name": "市長"}
    assert mayor["org_unit"] == {"code": "executive", "name": "特別職"}

    before = await hr.get("/staff/s0001", params={"as_of": "2026-03-31"})
    assert before.status_code == 404
    assert "holds no post" in before.json()["detail"]
    assert (await hr.get("/staff/s9999")).status_code == 404
    assert (await hr.get("/staff/s0001", params={"as_of": "not-a-date"})).status_code == 422


async def test_staff_defaults_to_today(hr: httpx.AsyncClient) -> None:
    if date.today() < EFFECTIVE_FROM:
        pytest.skip("the seed organisation starts later than today")
    admin = (await hr.get("/staff/admin")).json()
    assert admin["org_unit"]["code"] == "seisaku.joho"
    assert admin["post"]["code"] == "staff"


async def test_holders(hr: httpx.AsyncClient) -> None:
    params = {"org_unit": "somu.somu", "post": "manager", "as_of": "2026-05-01"}
    managers = (await hr.get("/holders", params=params)).json()
    assert len(managers) == 1
    assert managers[0]["org_unit"]["name"] == "総務課"
    assert managers[0]["post"]["name"] == "課長"

    assert (await hr.get("/holders", params={**params, "as_of": "2026-03-31"})).json() == []
    assert (await hr.get("/holders", params={**params, "post": "mayor"})).json() == []
    assert (await hr.get("/holders", params={**params, "post": "shogun"})).status_code == 404
    assert (await hr.get("/holders", params={**params, "org_unit": "nowhere"})).status_code == 404
    assert (await hr.get("/holders", params={"org_unit": "somu.somu"})).status_code == 422


async def test_postings_are_stored_once_per_key(hr: httpx.AsyncClient) -> None:
    leave = {"staff_id": "s0010", "from": "2026-12-01", "days": 2, "reason": "年次休暇"}
    created = await hr.post("/postings/leave", json=leave)
    assert created.status_code == 201
    posting_id = created.json()["id"]

    stored = (await hr.get(f"/postings/leave/{posting_id}")).json()
    assert stored["payload"] == leave
    assert stored["kind"] == "leave"

    headers = {"Idempotency-Key": "doc-1:step-3"}
    first = await hr.post("/postings/trip", json={"to": "山口市"}, headers=headers)
    again = await hr.post("/postings/trip", json={"to": "山口市"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first.json()["id"] != posting_id

    assert (await hr.get(f"/postings/overtime/{posting_id}")).status_code == 404
    assert (await hr.post("/postings/bonus", json={})).status_code == 422
    assert (await hr.post("/postings/leave", json=[1, 2])).status_code == 422


async def test_state_survives_restart_and_is_not_reseeded(tmp_path: Path) -> None:
    db = tmp_path / "hr.db"
    small = generate_city()
    small = City(
        name="小さな市",
        org_units=small.org_units[:3],
        posts=small.posts,
        staff=small.staff[:3],
        assignments=small.assignments[:3],
    )
    async with serve_app(create_app(db, city=small)) as url, httpx.AsyncClient(base_url=url) as client:
        posting_id = (await client.post("/postings/overtime", json={"hours": 3})).json()["id"]

    async with serve_app(create_app(db)) as url, httpx.AsyncClient(base_url=url) as client:
        assert len((await client.get("/org-units")).json()) == 3
        assert (await client.get(f"/postings/overtime/{posting_id}")).json()["payload"] == {"hours": 3}


async def test_fail_next_then_recover(hr: httpx.AsyncClient) -> None:
    set_faults = await hr.post("/admin/faults", json={"fail_next": 2})
    assert set_faults.json() == {"delay_ms": 0, "fail_next": 2, "status": 503}

    assert (await hr.get("/health")).status_code == 200  # exempt, does not count
    assert (await hr.get("/org-units/somu")).status_code == 503
    assert (await hr.get("/admin/faults")).json()["fail_next"] == 1
    assert (await hr.get("/holders", params={"org_unit": "somu", "post": "director"})).status_code == 503
    assert (await hr.get("/org-units/somu")).status_code == 200


async def test_fault_status_and_clear(hr: httpx.AsyncClient) -> None:
    await hr.post("/admin/faults", json={"fail_next": 5, "status": 500})
    assert (await hr.get("/org-units/somu")).status_code == 500
    assert (await hr.delete("/admin/faults")).status_code == 204
    assert (await hr.get("/org-units/somu")).status_code == 200
    assert (await hr.post("/admin/faults", json={"status": 200})).status_code == 422


async def test_delay(hr: httpx.AsyncClient) -> None:
    await hr.post("/admin/faults", json={"delay_ms": 300})
    started = time.monotonic()
    assert (await hr.get("/org-units/somu")).status_code == 200
    assert time.monotonic() - started >= 0.3

    started = time.monotonic()
    assert (await hr.get("/health")).status_code == 200
    assert time.monotonic() - started < 0.3


async def test_finance_stub_health_and_db(tmp_path: Path) -> None:
    db = tmp_path / "finance" / "finance.db"
    async with serve_app(create_finance_app(db)) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/health")).json() == {"status": "ok"}
        assert db.exists()
        await client.post("/admin/faults", json={"fail_next": 1})
        assert (await client.get("/health")).status_code == 200
