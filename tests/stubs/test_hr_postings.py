"""The HR stub's postings (休暇, 時間外勤務, 出張): once per key, the annual leave balance, a lost answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.demo_city import generate_city
from integrations.hr import HrRefused, HttpHrClient
from stubs.hr.app import create_app
from stubs.hr.store import ANNUAL_LEAVE_DAYS
from tests.support.serve import serve_app


@pytest.fixture
async def hr_url(tmp_path: Path) -> AsyncIterator[str]:
    async with serve_app(create_app(tmp_path / "hr.db", city=generate_city())) as url:
        yield url


def annual(
    days: float, *, staff_id: str = "s0010", start: str = "2027-04-05", document_id: str = "d1"
) -> dict[str, Any]:
    return {"document_id": document_id, "staff_id": staff_id, "kind": "annual", "start": start, "days": days}


async def test_a_key_stores_one_posting_and_answers_its_id(hr_url: str) -> None:
    async with httpx.AsyncClient(base_url=hr_url) as hr:
        headers = {"Idempotency-Key": "d1:hr-posting"}
        first = await hr.post("/postings/leave", json=annual(1), headers=headers)
        again = await hr.post("/postings/leave", json=annual(1), headers=headers)
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json() == again.json()
        other = await hr.post("/postings/leave", json=annual(2), headers=headers)
        assert other.status_code == 422, other.text
        assert other.json()["type"] == "idempotency_key_reused"
        listed = (await hr.get("/postings", params={"document_id": "d1"})).json()
        assert [p["id"] for p in listed] == [first.json()["id"]]
        assert (await hr.get("/postings", params={"document_id": "nobody"})).json() == []


async def test_annual_leave_beyond_the_balance_is_refused(hr_url: str) -> None:
    async with HttpHrClient(hr_url) as hr:
        taken = await hr.post_record("leave", annual(ANNUAL_LEAVE_DAYS - 1, document_id="a"), key="a")
        # A retry of a stored posting is answered even though the balance now counts it.
        assert await hr.post_record("leave", annual(ANNUAL_LEAVE_DAYS - 1, document_id="a"), key="a") == taken
        with pytest.raises(HrRefused) as refused:
            await hr.post_record("leave", annual(1.5, document_id="b"), key="b")
        assert refused.value.type == "leave_balance_insufficient"
        assert "残 1日" in refused.value.detail
        assert await hr.post_record("leave", annual(1, document_id="c"), key="c") > taken  # exactly the rest
        # Other staff, other years and other kinds of leave are not counted against it.
        await hr.post_record("leave", annual(2, staff_id="s0011", document_id="d"), key="d")
        await hr.post_record("leave", annual(2, start="2028-01-05", document_id="e"), key="e")
        await hr.post_record("leave", {**annual(5, document_id="f"), "kind": "special"}, key="f")
        async with httpx.AsyncClient(base_url=hr_url) as raw:
            assert len((await raw.get("/postings", params={"staff_id": "s0010", "kind": "leave"})).json()) == 4


async def test_a_withheld_answer_then_a_retry_stores_one_posting(hr_url: str) -> None:
    async with httpx.AsyncClient(base_url=hr_url) as admin, HttpHrClient(hr_url, timeout=0.5) as hr:
        r = await admin.post("/admin/faults", json={"timeout_after_write": 1, "withhold_ms": 5_000})
        r.raise_for_status()
        payload = {"document_id": "t1", "staff_id": "s0010", "destination": "山口市", "days": 1}
        with pytest.raises(httpx.ReadTimeout):
            await hr.post_record("trip", payload, key="t1:hr-posting")
        posting_id = await hr.post_record("trip", payload, key="t1:hr-posting")
        stored = (await admin.get("/postings", params={"document_id": "t1"})).json()
        assert [p["id"] for p in stored] == [posting_id]
