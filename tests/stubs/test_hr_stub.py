"""The HR stub over real HTTP: look-ups, dates, postings, its own persistent state, fault injection."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import closing
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
    app = create_app(tmp_path / "hr.db", city=generate_city())
    async with serve_app(app) as url, httpx.AsyncClient(base_url=url) as client:
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


async def test_without_an_organisation_a_new_database_is_empty(tmp_path: Path) -> None:
    async with serve_app(create_app(tmp_path / "hr.db")) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/org-units")).json() == []
        assert (await client.get("/staff/s0001")).status_code == 404


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

    async with serve_app(create_app(db, city=generate_city())) as url, httpx.AsyncClient(base_url=url) as client:
        assert len((await client.get("/org-units")).json()) == 3
        assert (await client.get(f"/postings/overtime/{posting_id}")).json()["payload"] == {"hours": 3}


async def test_fail_next_then_recover(hr: httpx.AsyncClient) -> None:
    set_faults = await hr.post("/admin/faults", json={"fail_next": 2})
    assert set_faults.json().items() >= {"delay_ms": 0, "fail_next": 2, "status": 503}.items()

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


# --- 不在 (absences) and 代決順位 (substitutes) ---------------------------------------------------------------


def _holder(org_unit: str, post: str) -> str:
    """The staff id holding ``post`` in ``org_unit`` in the demo city (the first, by id)."""
    return min(a.staff_id for a in generate_city().assignments if a.org_unit_code == org_unit and a.post_code == post)


def _holders(org_unit: str, post: str) -> list[str]:
    return sorted(
        a.staff_id for a in generate_city().assignments if a.org_unit_code == org_unit and a.post_code == post
    )


def make_absence(**overrides: str) -> dict[str, str]:
    return {
        "staff_id": "s0010",
        "kind": "leave",
        "start": "2026-06-01",
        "end": "2026-06-03",
        "note": "年次休暇",
    } | overrides


async def test_absences_are_stored_listed_and_deleted(hr: httpx.AsyncClient) -> None:
    created = await hr.post("/absences", json=make_absence())
    assert created.status_code == 201
    leave = created.json()
    assert leave == {
        "id": leave["id"],
        "staff_id": "s0010",
        "kind": "leave",
        "start": "2026-06-01",
        "end": "2026-06-03",
        "note": "年次休暇",
    }
    trip = (await hr.post("/absences", json=make_absence(kind="trip", start="2026-06-10", end="2026-06-10"))).json()
    other = (await hr.post("/absences", json=make_absence(staff_id="s0011", note=""))).json()

    assert (await hr.get(f"/absences/{leave['id']}")).json() == leave
    assert (await hr.get("/absences")).json() == [leave, other, trip]
    assert (await hr.get("/absences", params={"staff_id": "s0010"})).json() == [leave, trip]
    for day, expected in [("2026-05-31", []), ("2026-06-01", [leave]), ("2026-06-03", [leave]), ("2026-06-04", [])]:
        assert (await hr.get("/absences", params={"staff_id": "s0010", "on": day})).json() == expected, day
    assert (await hr.get("/absences", params={"on": "2026-06-02"})).json() == [leave, other]

    assert (await hr.delete(f"/absences/{leave['id']}")).status_code == 204
    assert (await hr.delete(f"/absences/{leave['id']}")).status_code == 404
    assert (await hr.get(f"/absences/{leave['id']}")).status_code == 404
    assert (await hr.get("/absences", params={"staff_id": "s0010"})).json() == [trip]


async def test_absence_idempotency_key(hr: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "absence-1"}
    first = await hr.post("/absences", json=make_absence(), headers=headers)
    again = await hr.post("/absences", json=make_absence(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert len((await hr.get("/absences")).json()) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"staff_id": "s9999"}, "unknown staff"),
        ({"end": "2026-05-31"}, "end is before start"),
        ({"kind": "sabbatical"}, "leave"),
        ({"start": "2026-13-01"}, "date"),
    ],
)
async def test_absence_refused(hr: httpx.AsyncClient, overrides: dict[str, str], message: str) -> None:
    response = await hr.post("/absences", json=make_absence(**overrides))
    assert response.status_code == 422
    assert message in str(response.json()["detail"])
    assert (await hr.get("/absences")).json() == []


async def test_staff_absent(hr: httpx.AsyncClient) -> None:
    trip = (await hr.post("/absences", json=make_absence(kind="trip", note="東京出張"))).json()
    assert (await hr.get("/staff/s0010/absent", params={"on": "2026-06-02"})).json() == {
        "absent": True,
        "absences": [trip],
    }
    assert (await hr.get("/staff/s0010/absent", params={"on": "2026-06-04"})).json() == {
        "absent": False,
        "absences": [],
    }
    assert (await hr.get("/staff/s0011/absent", params={"on": "2026-06-02"})).json()["absent"] is False
    assert (await hr.get("/staff/s9999/absent", params={"on": "2026-06-02"})).status_code == 404


async def _substitute_ids(hr: httpx.AsyncClient, org_unit: str, post: str) -> list[str]:
    response = await hr.get("/substitutes", params={"org_unit": org_unit, "post": post, "as_of": "2026-06-01"})
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()]


async def test_substitute_order(hr: httpx.AsyncClient) -> None:
    # 市長 -> 副市長; 副市長 has none.
    assert await _substitute_ids(hr, "executive", "mayor") == [_holder("executive", "deputy_mayor")]
    assert await _substitute_ids(hr, "executive", "deputy_mayor") == []

    # 総務部長 -> 総務課長 (the lead division's 課長).
    params = {"org_unit": "somu", "post": "director", "as_of": "2026-06-01"}
    (substitute,) = (await hr.get("/substitutes", params=params)).json()
    assert substitute["id"] == _holder("somu.somu", "manager")
    assert (substitute["org_unit"]["name"], substitute["post"]["name"]) == ("総務課", "課長")
    assert await _substitute_ids(hr, "kaikei", "director") == [_holder("kaikei.suito", "manager")]

    # 総務課長 -> 総務課 課長補佐, then its 係長.
    somu_order = await _substitute_ids(hr, "somu.somu", "manager")
    assert somu_order == [_holder("somu.somu", "assistant_manager"), *_holders("somu.somu", "chief")]
    assert len(somu_order) == 3
    # DX推進室 has no 課長補佐: its 係長 are first.
    assert await _substitute_ids(hr, "seisaku.dx", "manager") == _holders("seisaku.dx", "chief")

    assert await _substitute_ids(hr, "somu.somu", "staff") == []
    before = {"org_unit": "executive", "post": "mayor", "as_of": "2026-03-31"}
    assert (await hr.get("/substitutes", params=before)).json() == []  # nobody holds 副市長 yet


async def test_substitutes_not_found(hr: httpx.AsyncClient) -> None:
    assert (await hr.get("/substitutes", params={"org_unit": "nowhere", "post": "manager"})).status_code == 404
    assert (await hr.get("/substitutes", params={"org_unit": "somu", "post": "shogun"})).status_code == 404
    assert (await hr.get("/substitutes", params={"org_unit": "somu"})).status_code == 422


async def _substituting(hr: httpx.AsyncClient, staff_id: str, on: str) -> list[tuple[str, str, str, int]]:
    response = await hr.get(f"/staff/{staff_id}/substituting", params={"on": on})
    assert response.status_code == 200, response.text
    return [(s["absent"]["id"], s["org_unit"], s["post"], s["order"]) for s in response.json()]


async def test_substituting(hr: httpx.AsyncClient) -> None:
    mayor, deputy = _holder("executive", "mayor"), _holder("executive", "deputy_mayor")
    director, manager = _holder("somu", "director"), _holder("somu.somu", "manager")
    assistant, chief = _holder("somu.somu", "assistant_manager"), _holder("somu.somu", "chief")
    staff = _holder("somu.somu", "staff")

    await hr.post("/absences", json=make_absence(staff_id=manager, start="2026-06-01", end="2026-06-03"))
    await hr.post("/absences", json=make_absence(staff_id=director, kind="trip", start="2026-06-03", end="2026-06-05"))
    await hr.post("/absences", json=make_absence(staff_id=mayor, kind="trip", start="2026-06-03", end="2026-06-03"))

    assert await _substituting(hr, assistant, "2026-06-02") == [(manager, "somu.somu", "manager", 1)]
    assert await _substituting(hr, chief, "2026-06-02") == [(manager, "somu.somu", "manager", 2)]
    assert await _substituting(hr, staff, "2026-06-02") == []
    assert await _substituting(hr, manager, "2026-06-02") == []  # the director is still in
    assert await _substituting(hr, assistant, "2026-06-04") == []

    # Absent himself, the 総務課長 is still in the director's substitute order; the inbox decides what to show.
    assert await _substituting(hr, manager, "2026-06-03") == [(director, "somu", "director", 1)]
    assert await _substituting(hr, manager, "2026-06-05") == [(director, "somu", "director", 1)]
    assert await _substituting(hr, deputy, "2026-06-03") == [(mayor, "executive", "mayor", 1)]
    assert await _substituting(hr, deputy, "2026-06-04") == []

    assert await _substituting(hr, assistant, "2026-03-31") == []  # before anyone holds a post
    assert (await hr.get("/staff/s9999/substituting", params={"on": "2026-06-02"})).status_code == 404


async def test_absences_survive_restart_and_old_databases_get_substitutes(tmp_path: Path) -> None:
    db = tmp_path / "hr.db"
    async with serve_app(create_app(db, city=generate_city())) as url, httpx.AsyncClient(base_url=url) as client:
        absence = (await client.post("/absences", json=make_absence())).json()
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("DELETE FROM substitute_rules")  # as if created before 代決順位 existed

    async with serve_app(create_app(db)) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/absences")).json() == [absence]
        assert await _substitute_ids(client, "somu", "director") == [_holder("somu.somu", "manager")]
