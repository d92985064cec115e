"""The finance stub over real HTTP: budgets, reservations, commitments, idempotency keys, races and faults."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from stubs.finance.app import create_app
from stubs.finance.seed import DEMO_BUDGET_LINES, DEMO_FISCAL_YEARS
from stubs.finance.store import Allocation, FinanceStore, Refused
from tests.support.serve import serve_app

SUPPLIES = "0201-01-10-001"  # 需用費 (庁用消耗品), 2,000,000 yen
ROADS = "0802-02-14-001"  # 工事請負費 (市道改良), 100,000,000 yen
LINE = "9999-99-99-001"  # a test line, allocated per test through the admin endpoint


@pytest.fixture
async def finance(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(create_app(tmp_path / "finance.db")) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


def make_reservation(**overrides: Any) -> dict[str, Any]:
    return {"document_id": "doc-1", "fiscal_year": 2026, "budget_code": SUPPLIES, "amount_yen": 300_000} | overrides


def make_commitment(reservation_id: str, **overrides: Any) -> dict[str, Any]:
    body = {"document_number": "萩総第123号", "decision_date": "2026-07-01", "amount_yen": 300_000}
    return {"reservation_id": reservation_id, **body} | overrides


def key(name: str) -> dict[str, str]:
    return {"Idempotency-Key": name}


async def allocate(finance: httpx.AsyncClient, amount: int, *, code: str = LINE, fiscal_year: int = 2026) -> None:
    response = await finance.put(f"/admin/budgets/{fiscal_year}/{code}", json={"name": "試験", "allocated_yen": amount})
    assert response.status_code == 200, response.text


async def budget(finance: httpx.AsyncClient, code: str = LINE, fiscal_year: int = 2026) -> dict[str, Any]:
    response = await finance.get(f"/budgets/{code}", params={"fiscal_year": fiscal_year})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def reserve(finance: httpx.AsyncClient, name: str, **overrides: Any) -> dict[str, Any]:
    response = await finance.post("/reservations", json=make_reservation(**overrides), headers=key(name))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_refused(response: httpx.Response, status: int, type_: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["type"] == type_
    assert body["detail"]
    return body


# --- budgets ------------------------------------------------------------------------------------------------------


async def test_health(finance: httpx.AsyncClient) -> None:
    assert (await finance.get("/health")).json() == {"status": "ok"}


async def test_seeded_budgets(finance: httpx.AsyncClient) -> None:
    for year in DEMO_FISCAL_YEARS:
        lines = (await finance.get("/budgets", params={"fiscal_year": year})).json()
        assert [b["code"] for b in lines] == sorted(code for code, _, _ in DEMO_BUDGET_LINES)
    assert len(DEMO_BUDGET_LINES) >= 12
    assert await budget(finance, SUPPLIES) == {
        "code": SUPPLIES,
        "name": "総務管理費 一般管理費 需用費 (庁用消耗品)",
        "fiscal_year": 2026,
        "allocated_yen": 2_000_000,
        "reserved_yen": 0,
        "committed_yen": 0,
        "available_yen": 2_000_000,
        "closed": False,
    }
    assert (await budget(finance, ROADS, 2027))["allocated_yen"] == 100_000_000
    assert (await finance.get("/budgets", params={"fiscal_year": 2030})).json() == []


async def test_unknown_budget_and_bad_queries(finance: httpx.AsyncClient) -> None:
    assert_refused(await finance.get(f"/budgets/{SUPPLIES}", params={"fiscal_year": 2030}), 404, "unknown_budget_code")
    assert_refused(
        await finance.get("/budgets/0000-00-00-000", params={"fiscal_year": 2026}), 404, "unknown_budget_code"
    )
    invalid = assert_refused(await finance.get(f"/budgets/{SUPPLIES}"), 422, "invalid_request")
    assert "fiscal_year" in invalid["detail"]


async def test_check(finance: httpx.AsyncClient) -> None:
    await allocate(finance, 1_000)
    await reserve(finance, "k1", budget_code=LINE, amount_yen=400)
    body = {"fiscal_year": 2026, "budget_code": LINE, "amount_yen": 600}
    assert (await finance.post("/budgets/check", json=body)).json() == {
        **body,
        "available_yen": 600,
        "sufficient": True,
        "closed": False,
    }
    assert (await finance.post("/budgets/check", json={**body, "amount_yen": 601})).json()["sufficient"] is False
    await finance.post("/admin/fiscal-years/2026/close")
    closed = (await finance.post("/budgets/check", json=body)).json()
    assert (closed["sufficient"], closed["closed"]) == (False, True)
    unknown = await finance.post("/budgets/check", json={**body, "budget_code": "0000-00-00-000"})
    assert_refused(unknown, 404, "unknown_budget_code")
    assert (await finance.get("/ledger")).json()["reservations"][0]["amount_yen"] == 400  # nothing held by checks


# --- reservations (仮押さえ) ----------------------------------------------------------------------------------------


async def test_reserve(finance: httpx.AsyncClient) -> None:
    response = await finance.post("/reservations", json=make_reservation(), headers=key("doc-1:reserve"))
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert response.json() == {
        "reservation_id": "R2026-000001",
        "document_id": "doc-1",
        "fiscal_year": 2026,
        "budget_code": SUPPLIES,
        "amount_yen": 300_000,
        "state": "reserved",
    }
    line = await budget(finance, SUPPLIES)
    assert (line["reserved_yen"], line["committed_yen"], line["available_yen"]) == (300_000, 0, 1_700_000)
    assert (await finance.get("/reservations/R2026-000001")).json() == response.json()
    second = await reserve(finance, "doc-2:reserve", document_id="doc-2", fiscal_year=2027)
    assert second["reservation_id"] == "R2027-000001"
    assert_refused(await finance.get("/reservations/R2026-999999"), 404, "unknown_reservation")


async def test_reserve_is_idempotent(finance: httpx.AsyncClient) -> None:
    first = await finance.post("/reservations", json=make_reservation(), headers=key("k"))
    again = await finance.post("/reservations", json=make_reservation(), headers=key("k"))
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len((await finance.get("/ledger")).json()["reservations"]) == 1
    assert (await budget(finance, SUPPLIES))["reserved_yen"] == 300_000


async def test_idempotency_key_reused_for_another_request(finance: httpx.AsyncClient) -> None:
    await reserve(finance, "k")
    other = await finance.post("/reservations", json=make_reservation(amount_yen=1), headers=key("k"))
    assert_refused(other, 422, "idempotency_key_reused")
    release = await finance.post("/reservations/R2026-000001/release", headers=key("k"))
    assert_refused(release, 422, "idempotency_key_reused")
    assert len((await finance.get("/ledger")).json()["reservations"]) == 1
    assert (await budget(finance, SUPPLIES))["reserved_yen"] == 300_000


async def test_writes_need_an_idempotency_key(finance: httpx.AsyncClient) -> None:
    assert_refused(await finance.post("/reservations", json=make_reservation()), 400, "idempotency_key_required")
    reservation = await reserve(finance, "k")
    path = f"/reservations/{reservation['reservation_id']}"
    assert_refused(await finance.put(path, json={"amount_yen": 1}), 400, "idempotency_key_required")
    assert_refused(await finance.post(f"{path}/release"), 400, "idempotency_key_required")
    commit = await finance.post("/commitments", json=make_commitment(reservation["reservation_id"]))
    assert_refused(commit, 400, "idempotency_key_required")
    assert_refused(await finance.post("/commitments/V2026-000001/cancel"), 400, "idempotency_key_required")


async def test_insufficient_budget(finance: httpx.AsyncClient) -> None:
    await allocate(finance, 1_000)
    await reserve(finance, "k1", budget_code=LINE, amount_yen=700)
    refused = await finance.post(
        "/reservations", json=make_reservation(budget_code=LINE, amount_yen=301), headers=key("k2")
    )
    body = assert_refused(refused, 409, "insufficient_budget")
    assert body["available_yen"] == 300
    # A refusal writes nothing and is not stored: once there is room, the same key succeeds.
    await allocate(finance, 1_001)
    again = await finance.post(
        "/reservations", json=make_reservation(budget_code=LINE, amount_yen=301), headers=key("k2")
    )
    assert again.status_code == 201
    assert (await budget(finance))["available_yen"] == 0


@pytest.mark.parametrize(
    ("overrides", "status", "type_"),
    [
        ({"budget_code": "0000-00-00-000"}, 404, "unknown_budget_code"),
        ({"fiscal_year": 2030}, 404, "unknown_budget_code"),
        ({"amount_yen": 0}, 422, "invalid_request"),
        ({"amount_yen": "many"}, 422, "invalid_request"),
        ({"document_id": ""}, 422, "invalid_request"),
    ],
)
async def test_reserve_refused(finance: httpx.AsyncClient, overrides: dict[str, Any], status: int, type_: str) -> None:
    response = await finance.post("/reservations", json=make_reservation(**overrides), headers=key("k"))
    assert_refused(response, status, type_)
    assert (await finance.get("/ledger")).json() == {"reservations": [], "commitments": []}


async def test_closed_fiscal_year(finance: httpx.AsyncClient) -> None:
    held = await reserve(finance, "k1")
    committed = await reserve(finance, "k2")
    voucher = (
        await finance.post("/commitments", json=make_commitment(committed["reservation_id"]), headers=key("k3"))
    ).json()["voucher_id"]

    assert (await finance.post("/admin/fiscal-years/2026/close")).json() == {"fiscal_year": 2026, "closed": True}
    assert (await budget(finance, SUPPLIES))["closed"] is True
    assert_refused(
        await finance.post("/reservations", json=make_reservation(), headers=key("k4")), 409, "fiscal_year_closed"
    )
    path = f"/reservations/{held['reservation_id']}"
    assert_refused(await finance.put(path, json={"amount_yen": 1}, headers=key("k5")), 409, "fiscal_year_closed")
    commit = await finance.post("/commitments", json=make_commitment(held["reservation_id"]), headers=key("k6"))
    assert_refused(commit, 409, "fiscal_year_closed")
    assert_refused(await finance.post(f"/commitments/{voucher}/cancel", headers=key("k7")), 409, "fiscal_year_closed")
    # Other years are open; releasing only frees budget and stays allowed.
    assert (
        await finance.post("/reservations", json=make_reservation(fiscal_year=2027), headers=key("k8"))
    ).status_code == 201
    assert (await finance.post(f"{path}/release", headers=key("k9"))).json()["state"] == "released"

    await finance.post("/admin/fiscal-years/2026/reopen")
    assert (await finance.post("/reservations", json=make_reservation(), headers=key("k4"))).status_code == 201


# --- adjust (re-reserve) -----------------------------------------------------------------------------------------


async def test_adjust_up_and_down(finance: httpx.AsyncClient) -> None:
    await allocate(finance, 1_000)
    reservation = await reserve(finance, "r", budget_code=LINE, amount_yen=600)
    path = f"/reservations/{reservation['reservation_id']}"

    up = await finance.put(path, json={"amount_yen": 1_000}, headers=key("up"))  # only the 400 more must be there
    assert up.status_code == 200
    assert up.json() == {**reservation, "amount_yen": 1_000}
    assert (await budget(finance))["available_yen"] == 0

    again = await finance.put(path, json={"amount_yen": 1_000}, headers=key("up"))
    assert (again.json(), again.headers["Idempotent-Replayed"]) == (up.json(), "true")

    too_much = await finance.put(path, json={"amount_yen": 1_001}, headers=key("up2"))
    assert assert_refused(too_much, 409, "insufficient_budget")["available_yen"] == 0

    down = await finance.put(path, json={"amount_yen": 250}, headers=key("down"))
    assert down.json()["amount_yen"] == 250
    line = await budget(finance)
    assert (line["reserved_yen"], line["available_yen"]) == (250, 750)
    assert_refused(await finance.put(path, json={"amount_yen": 250}, headers=key("up")), 422, "idempotency_key_reused")
    assert_refused(await finance.put(path, json={"amount_yen": 0}, headers=key("zero")), 422, "invalid_request")
    unknown = await finance.put("/reservations/R2026-999999", json={"amount_yen": 1}, headers=key("x"))
    assert_refused(unknown, 404, "unknown_reservation")


async def test_adjust_after_release_or_commit(finance: httpx.AsyncClient) -> None:
    released = await reserve(finance, "r1")
    await finance.post(f"/reservations/{released['reservation_id']}/release", headers=key("rel"))
    response = await finance.put(
        f"/reservations/{released['reservation_id']}", json={"amount_yen": 1}, headers=key("a1")
    )
    assert_refused(response, 409, "already_released")

    committed = await reserve(finance, "r2")
    await finance.post("/commitments", json=make_commitment(committed["reservation_id"]), headers=key("c"))
    response = await finance.put(
        f"/reservations/{committed['reservation_id']}", json={"amount_yen": 1}, headers=key("a2")
    )
    assert_refused(response, 409, "already_committed")


# --- release ------------------------------------------------------------------------------------------------------


async def test_release(finance: httpx.AsyncClient) -> None:
    reservation = await reserve(finance, "r")
    path = f"/reservations/{reservation['reservation_id']}/release"
    released = await finance.post(path, headers=key("rel"))
    assert released.status_code == 200
    assert released.json() == {**reservation, "state": "released"}
    assert (await budget(finance, SUPPLIES))["available_yen"] == 2_000_000

    repeated = await finance.post(path, headers=key("rel"))
    assert (repeated.json(), repeated.headers["Idempotent-Replayed"]) == (released.json(), "true")
    other_key = await finance.post(path, headers=key("rel-again"))  # releasing twice is harmless
    assert (other_key.status_code, other_key.json()) == (200, released.json())
    assert_refused(
        await finance.post("/reservations/R2026-999999/release", headers=key("x")), 404, "unknown_reservation"
    )


async def test_release_after_commit_is_refused(finance: httpx.AsyncClient) -> None:
    reservation = await reserve(finance, "r")
    await finance.post("/commitments", json=make_commitment(reservation["reservation_id"]), headers=key("c"))
    response = await finance.post(f"/reservations/{reservation['reservation_id']}/release", headers=key("rel"))
    assert_refused(response, 409, "already_committed")
    assert (await budget(finance, SUPPLIES))["committed_yen"] == 300_000


# --- commitments (支出負担行為) --------------------------------------------------------------------------------------


async def test_commit_consumes_the_reservation(finance: httpx.AsyncClient) -> None:
    reservation = await reserve(finance, "r")
    body = make_commitment(reservation["reservation_id"], amount_yen=280_000)  # the contract came in cheaper
    response = await finance.post("/commitments", json=body, headers=key("doc-1:commit"))
    assert response.status_code == 201
    assert response.json() == {
        "voucher_id": "V2026-000001",
        "document_id": "doc-1",
        "document_number": "萩総第123号",
        "decision_date": "2026-07-01",
        "fiscal_year": 2026,
        "budget_code": SUPPLIES,
        "amount_yen": 280_000,
        "state": "committed",
        "reservation_id": reservation["reservation_id"],
    }
    line = await budget(finance, SUPPLIES)
    assert (line["reserved_yen"], line["committed_yen"], line["available_yen"]) == (0, 280_000, 1_720_000)
    assert (await finance.get(f"/reservations/{reservation['reservation_id']}")).json()["state"] == "committed"
    assert (await finance.get("/commitments/V2026-000001")).json() == response.json()

    repeated = await finance.post("/commitments", json=body, headers=key("doc-1:commit"))
    assert (repeated.status_code, repeated.json()) == (201, response.json())
    assert_refused(await finance.post("/commitments", json=body, headers=key("other")), 409, "already_committed")
    assert len((await finance.get("/ledger")).json()["commitments"]) == 1

    second = await reserve(finance, "r2", document_id="doc-2")
    next_voucher = await finance.post("/commitments", json=make_commitment(second["reservation_id"]), headers=key("c2"))
    assert next_voucher.json()["voucher_id"] == "V2026-000002"


@pytest.mark.parametrize(
    ("overrides", "status", "type_"),
    [
        ({"amount_yen": 300_001}, 409, "exceeds_reservation"),
        ({"decision_date": "2027-06-01"}, 409, "decision_date_outside_fiscal_year"),
        ({"decision_date": "2026-03-31"}, 409, "decision_date_outside_fiscal_year"),
        ({"reservation_id": "R2026-999999"}, 404, "unknown_reservation"),
        ({"decision_date": "someday"}, 422, "invalid_request"),
        ({"document_number": ""}, 422, "invalid_request"),
    ],
)
async def test_commit_refused(finance: httpx.AsyncClient, overrides: dict[str, Any], status: int, type_: str) -> None:
    reservation = await reserve(finance, "r")
    response = await finance.post(
        "/commitments", json=make_commitment(reservation["reservation_id"]) | overrides, headers=key("c")
    )
    assert_refused(response, status, type_)
    assert (await finance.get("/ledger")).json()["commitments"] == []
    assert (await budget(finance, SUPPLIES))["reserved_yen"] == 300_000


async def test_commit_released_reservation_is_refused(finance: httpx.AsyncClient) -> None:
    reservation = await reserve(finance, "r")
    await finance.post(f"/reservations/{reservation['reservation_id']}/release", headers=key("rel"))
    response = await finance.post("/commitments", json=make_commitment(reservation["reservation_id"]), headers=key("c"))
    assert_refused(response, 409, "already_released")


@pytest.mark.parametrize(("decided", "status"), [("2026-05-31", 201), ("2026-06-01", 409)])
async def test_commit_previous_year_in_closing_period(finance: httpx.AsyncClient, decided: str, status: int) -> None:
    reservation = await reserve(finance, "r", fiscal_year=2025)
    body = make_commitment(reservation["reservation_id"], decision_date=decided)
    response = await finance.post("/commitments", json=body, headers=key("c"))
    assert response.status_code == status, response.text
    if status == 409:
        assert "出納閉鎖" in assert_refused(response, 409, "decision_date_outside_fiscal_year")["detail"]
    else:
        assert response.json()["voucher_id"] == "V2025-000001"


async def test_cancel_commitment(finance: httpx.AsyncClient) -> None:
    reservation = await reserve(finance, "r")
    commitment = (
        await finance.post("/commitments", json=make_commitment(reservation["reservation_id"]), headers=key("c"))
    ).json()
    path = f"/commitments/{commitment['voucher_id']}/cancel"
    cancelled = await finance.post(path, headers=key("cancel"))
    assert cancelled.status_code == 200
    assert cancelled.json() == {**commitment, "state": "cancelled"}
    line = await budget(finance, SUPPLIES)
    assert (line["reserved_yen"], line["committed_yen"], line["available_yen"]) == (0, 0, 2_000_000)

    repeated = await finance.post(path, headers=key("cancel"))
    assert (repeated.json(), repeated.headers["Idempotent-Replayed"]) == (cancelled.json(), "true")
    assert (await finance.post(path, headers=key("cancel-2"))).json() == cancelled.json()
    assert_refused(await finance.post("/commitments/V2026-999999/cancel", headers=key("x")), 404, "unknown_commitment")
    assert_refused(await finance.get("/commitments/V2026-999999"), 404, "unknown_commitment")


async def test_ledger_filters(finance: httpx.AsyncClient) -> None:
    await reserve(finance, "a", document_id="doc-a")
    b = await reserve(finance, "b", document_id="doc-b", fiscal_year=2027)
    await finance.post(
        "/commitments", json=make_commitment(b["reservation_id"], decision_date="2027-06-01"), headers=key("c")
    )
    everything = (await finance.get("/ledger")).json()
    assert [r["document_id"] for r in everything["reservations"]] == ["doc-a", "doc-b"]
    only_b = (await finance.get("/ledger", params={"document_id": "doc-b"})).json()
    assert [c["voucher_id"] for c in only_b["commitments"]] == ["V2027-000001"]
    assert len(only_b["reservations"]) == 1
    fy2026 = (await finance.get("/ledger", params={"fiscal_year": 2026})).json()
    assert ([r["document_id"] for r in fy2026["reservations"]], fy2026["commitments"]) == (["doc-a"], [])


# --- administration -----------------------------------------------------------------------------------------------


async def test_allocations_are_added_and_replaced(finance: httpx.AsyncClient) -> None:
    await allocate(finance, 5_000, fiscal_year=2028)
    assert (await budget(finance, fiscal_year=2028))["available_yen"] == 5_000
    await reserve(finance, "r", budget_code=LINE, fiscal_year=2028, amount_yen=3_000)

    replaced = await finance.put("/admin/budgets/2028/" + LINE, json={"name": "補正後", "allocated_yen": 3_000})
    assert (replaced.json()["name"], replaced.json()["available_yen"]) == ("補正後", 0)
    below = await finance.put("/admin/budgets/2028/" + LINE, json={"name": "減額", "allocated_yen": 2_999})
    assert_refused(below, 409, "allocation_below_encumbered")
    invalid = await finance.put("/admin/budgets/2028/" + LINE, json={"name": "負", "allocated_yen": -1})
    assert_refused(invalid, 422, "invalid_request")


async def test_state_survives_restart_and_is_not_reseeded(tmp_path: Path) -> None:
    db = tmp_path / "finance" / "finance.db"
    async with serve_app(create_app(db)) as url, httpx.AsyncClient(base_url=url) as client:
        await allocate(client, 0, code=SUPPLIES)  # not replaced by the seed on the next start
        await reserve(client, "r", fiscal_year=2027)

    async with serve_app(create_app(db)) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await budget(client, SUPPLIES))["allocated_yen"] == 0
        assert len((await client.get("/ledger")).json()["reservations"]) == 1
        again = await client.post("/reservations", json=make_reservation(fiscal_year=2027), headers=key("r"))
        assert (again.status_code, again.headers["Idempotent-Replayed"]) == (201, "true")


# --- races ----------------------------------------------------------------------------------------------------------


async def test_race_for_the_last_of_a_line(finance: httpx.AsyncClient) -> None:
    await allocate(finance, 1_000)
    responses = await asyncio.gather(
        *[
            finance.post(
                "/reservations",
                json=make_reservation(document_id=f"doc-{i}", budget_code=LINE, amount_yen=1_000),
                headers=key(f"race-{i}"),
            )
            for i in range(20)
        ]
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19
    assert {r.json()["type"] for r in responses if r.status_code == 409} == {"insufficient_budget"}
    line = await budget(finance)
    assert (line["reserved_yen"], line["available_yen"]) == (1_000, 0)
    assert len((await finance.get("/ledger", params={"fiscal_year": 2026})).json()["reservations"]) == 1


def test_race_between_processes(tmp_path: Path) -> None:
    """Two stores on one file (as two stub processes would be): BEGIN IMMEDIATE alone keeps the line whole."""
    db = tmp_path / "finance.db"
    FinanceStore(db).initialise(lambda: [Allocation(fiscal_year=2026, code=LINE, name="試験", allocated_yen=1_000)])
    stores = [FinanceStore(db) for _ in range(4)]

    def attempt(i: int) -> int:
        try:
            stores[i % 4].reserve(
                key=f"k{i}", document_id=f"doc-{i}", fiscal_year=2026, budget_code=LINE, amount_yen=300
            )
        except Refused as exc:
            assert exc.type == "insufficient_budget"
            return 0
        return 1

    with ThreadPoolExecutor(max_workers=12) as pool:
        assert sum(pool.map(attempt, range(24))) == 3
    assert stores[0].budget(2026, LINE).available_yen == 100


# --- faults -------------------------------------------------------------------------------------------------------


async def test_timeout_after_write(finance: httpx.AsyncClient) -> None:
    faults = await finance.post("/admin/faults", json={"timeout_after_write": 1, "withhold_ms": 20_000})
    assert faults.json()["timeout_after_write"] == 1
    assert (await finance.get(f"/budgets/{SUPPLIES}", params={"fiscal_year": 2026})).status_code == 200  # reads pass

    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        await finance.post("/reservations", json=make_reservation(), headers=key("k"), timeout=0.5)
    assert time.monotonic() - started < 5
    assert (await finance.get("/admin/faults")).json()["timeout_after_write"] == 0

    retried = await finance.post("/reservations", json=make_reservation(), headers=key("k"))
    assert (retried.status_code, retried.headers["Idempotent-Replayed"]) == (201, "true")
    assert retried.json()["reservation_id"] == "R2026-000001"
    assert len((await finance.get("/ledger")).json()["reservations"]) == 1
    assert (await budget(finance, SUPPLIES))["reserved_yen"] == 300_000


async def test_withheld_answer_arrives_late(finance: httpx.AsyncClient) -> None:
    await finance.post("/admin/faults", json={"timeout_after_write": 1, "withhold_ms": 300})
    started = time.monotonic()
    response = await finance.post("/reservations", json=make_reservation(), headers=key("k"))
    assert time.monotonic() - started >= 0.3
    assert (response.status_code, response.json()["reservation_id"]) == (201, "R2026-000001")


async def test_refuse_next(finance: httpx.AsyncClient) -> None:
    await finance.post("/admin/faults", json={"refuse_next": 1})
    refused = await finance.post("/reservations", json=make_reservation(), headers=key("k"))
    assert assert_refused(refused, 409, "insufficient_budget")["detail"] == "injected refusal"
    assert (await finance.get("/ledger")).json()["reservations"] == []
    assert (await finance.post("/reservations", json=make_reservation(), headers=key("k"))).status_code == 201


async def test_fail_next_writes_nothing(finance: httpx.AsyncClient) -> None:
    await finance.post("/admin/faults", json={"fail_next": 1, "status": 500})
    failed = await finance.post("/reservations", json=make_reservation(), headers=key("k"))
    assert failed.status_code == 500
    assert (await finance.get("/ledger")).json()["reservations"] == []
    assert (await finance.post("/reservations", json=make_reservation(), headers=key("k"))).status_code == 201


async def test_fault_config(finance: httpx.AsyncClient) -> None:
    assert (await finance.get("/admin/faults")).json() == {
        "delay_ms": 0,
        "fail_next": 0,
        "status": 503,
        "refuse_next": 0,
        "timeout_after_write": 0,
        "withhold_ms": 30_000,
    }
    assert (await finance.post("/admin/faults", json={"refuse_next": -1})).status_code == 422
    await finance.post("/admin/faults", json={"delay_ms": 200, "refuse_next": 3})
    started = time.monotonic()
    assert (await finance.get(f"/budgets/{SUPPLIES}", params={"fiscal_year": 2026})).status_code == 200
    assert time.monotonic() - started >= 0.2
    assert (await finance.delete("/admin/faults")).status_code == 204
    assert (await finance.get("/admin/faults")).json()["refuse_next"] == 0
