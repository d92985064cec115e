"""一括承認 through the API (SQLite and PostgreSQL): 20 items, two of them not bulk-eligible and one changed since it
was shown, apply 17 and explain 3 — once, across a retry with the same Idempotency-Key; each approval is its own
audit event marked ``bulk``; more than 50 items are refused whole (422)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from tests.api.support import assert_problem
from tests.api.test_general_affairs import drafted, leave, submit, submitted, trip
from tests.support.stack import CITY, Stack, holder

UNIT = "kyoiku.somu"
STAFF = [a.staff_id for a in CITY.assignments if a.org_unit_code == UNIT and a.post_code == "staff"]
MANAGER = holder(UNIT, "manager")


async def bulk(stack: Stack, items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    r = await stack.call(
        MANAGER, "POST", "/v1/inbox/bulk-approve", json={"items": items}, headers={"Idempotency-Key": key}
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_twenty_items_apply_seventeen_and_explain_three_once_across_a_retry(stack: Stack) -> None:
    docs = [
        await submitted(stack, STAFF[i % len(STAFF)], leave(0.5, start=date(2031, 9, 1) + timedelta(days=i)))
        for i in range(17)
    ]
    long_leave = await submitted(stack, STAFF[0], leave(2.5, start=date(2031, 11, 1)))
    far_trip = await submitted(stack, STAFF[1], trip(1))  # 東京都: not within the prefecture
    changed = await drafted(stack, STAFF[2], leave(0.5, start=date(2031, 12, 1)))
    edit = await stack.call(STAFF[2], "PATCH", f"/v1/documents/{changed['id']}", json={"details": leave(1)})
    assert edit.status_code == 200, edit.text
    assert (await submit(stack, STAFF[2], changed["id"])).status_code == 200
    shown = [*docs, long_leave, far_trip, changed]  # as the approver was shown them: the changed one at 第1版
    items = [{"document_id": d["id"], "version": d["version"]} for d in shown]
    assert items[-1]["version"] == 1

    key = str(uuid.uuid4())
    first = await bulk(stack, items, key)
    assert (first["approved"], first["refused"]) == (17, 3), first["items"][:2]
    outcome = {o["document_id"]: o for o in first["items"]}
    assert all(outcome[d["id"]]["outcome"] == "approved" for d in docs)
    assert "一括承認の対象 (2日以内) を超えます" in outcome[long_leave["id"]]["reason"]
    assert "県外への出張" in outcome[far_trip["id"]]["reason"]
    assert "表示後に文書が変更されています" in outcome[changed["id"]]["reason"]

    again = await bulk(stack, items, key)
    assert again == first
    for d in docs[:3]:
        audit = (await stack.call(MANAGER, "GET", f"/v1/documents/{d['id']}/audit")).json()
        approvals = [e for e in audit["events"] if e["action"] == "approve"]
        assert len(approvals) == 1 and approvals[0]["detail"].get("bulk") is True, approvals
        after = (await stack.call(STAFF[0], "GET", f"/v1/documents/{d['id']}")).json()
        assert after["status"] == "approved"
    for d in (long_leave, far_trip, changed):
        after = (await stack.call(MANAGER, "GET", f"/v1/documents/{d['id']}")).json()
        assert after["status"] == "in_review"


async def test_more_than_fifty_items_or_no_key_are_refused_whole(stack: Stack) -> None:
    items = [{"document_id": str(uuid.uuid4()), "version": 1} for _ in range(51)]
    r = await stack.call(
        MANAGER, "POST", "/v1/inbox/bulk-approve", json={"items": items}, headers={"Idempotency-Key": "k"}
    )
    assert "50件まで" in assert_problem(r, 422)["detail"]
    r = await stack.call(MANAGER, "POST", "/v1/inbox/bulk-approve", json={"items": items[:1]})
    assert "Idempotency-Key" in assert_problem(r, 422)["detail"]
    hidden = await bulk(stack, items[:2], str(uuid.uuid4()))
    assert [o["reason"] for o in hidden["items"]] == ["文書が見つかりません"] * 2
