"""Helpers shared by the API tests: staff of the demo city, problem-details checks, data snapshots."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.support.stack import CITY, Stack, holder

DRAFTER = holder("somu.somu", "staff")  # 総務課 主事 (not the records office: that is a grant)
#: 総務課 係長 granted ``records_office`` (文書担当) in the demo city: the records office of the tests.
RECORDS_OFFICE = holder("somu.somu", "chief")
MANAGER = holder("somu.somu", "manager")  # 総務課長
FINANCE = holder("somu.zaisei", "manager")  # 財政課長
DIRECTOR = holder("somu", "director")  # 総務部長
STRANGER = holder("shimin.zeimu", "staff")  # 税務課 主事: on no route of 総務課's documents
ADMIN = next(s.id for s in CITY.staff if s.is_admin)

#: 1.5M yen from 総務課: 総務課長 (回議) -> 財政課長 (合議) -> 総務部長 (決裁).
BIG = 1_500_000
#: 300k yen from 総務課: the 総務課長 decides alone.
SMALL = 300_000

PROBLEM_JSON = "application/problem+json"


def assert_problem(response: httpx.Response, status: int | set[int]) -> dict[str, Any]:
    """An RFC 9457 problem response with the expected status and a human-readable reason."""
    expected = {status} if isinstance(status, int) else status
    assert response.status_code in expected, f"{response.status_code}: {response.text[:500]}"
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers["content-type"]
    body = response.json()
    assert isinstance(body, dict)
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == response.status_code
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"].strip(), body
    return dict(body)


async def document_total(stack: Stack, staff_id: str) -> int:
    r = await stack.call(staff_id, "GET", "/v1/documents", params={"limit": 1})
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


async def snapshot(stack: Stack, staff_id: str, document_id: str) -> dict[str, Any]:
    """Everything an action could change: the document as read, and its audit trail."""
    doc = await stack.call(staff_id, "GET", f"/v1/documents/{document_id}")
    assert doc.status_code == 200, doc.text
    audit = await stack.call(staff_id, "GET", f"/v1/documents/{document_id}/audit")
    assert audit.status_code == 200, audit.text
    assert audit.json()["verified"] is True, audit.json()
    return {"document": doc.json(), "audit": audit.json()}


async def submitted(stack: Stack, amount_yen: int = BIG, drafter: str = DRAFTER) -> dict[str, Any]:
    """A fresh document, submitted: the first stage is pending."""
    doc = await stack.draft(drafter, amount_yen=amount_yen)
    r = await stack.call(drafter, "POST", f"/v1/documents/{doc['id']}/submit")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def completed(stack: Stack, staff_id: str, document_id: str) -> None:
    """Wait for 完結: the workflow numbers and completes a decided / withdrawn document just after answering."""
    for _ in range(200):
        r = await stack.call(staff_id, "GET", f"/v1/documents/{document_id}")
        if r.json()["completed_at"] is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the document never completed: {r.json()}")


def audit_actions(snap: dict[str, Any]) -> list[str]:
    return [e["action"] for e in snap["audit"]["events"]]
