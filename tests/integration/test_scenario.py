"""The walking skeleton end to end: API -> Temporal -> worker -> database, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from temporalio.client import Client

from tests.api.support import completed
from tests.support.paging import every_item
from tests.support.stack import Stack, api_stack, holder, in_process_worker, settings_for

DRAFTER = holder("somu.somu", "staff")
MANAGER = holder("somu.somu", "manager")  # 総務課長
FINANCE = holder("somu.zaisei", "manager")  # 財政課長
DIRECTOR = holder("somu", "director")  # 総務部長


@pytest_asyncio.fixture(loop_scope="session")
async def stack(seeded_database_url: str, temporal_client: Client, hr_url: str, tmp_path: Path) -> AsyncIterator[Stack]:
    settings = settings_for(
        database_url=seeded_database_url, temporal=temporal_client, hr_url=hr_url, data_dir=tmp_path
    )
    async with in_process_worker(settings, temporal_client), api_stack(settings, temporal_client) as stack:
        yield stack


async def inbox_ids(stack: Stack, staff_id: str) -> list[str]:
    return [item["document_id"] for item in await every_item(stack, staff_id, "/v1/inbox")]


async def test_spending_document_from_draft_to_decision(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER, amount_yen=1_500_000)
    assert doc["status"] == "draft"

    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/route-preview")
    assert r.status_code == 200, r.text
    stages = [(s["kind"], [a["id"] for a in s["assignees"]]) for s in r.json()["stages"]]
    assert stages == [("review", [MANAGER]), ("consult", [FINANCE]), ("decide", [DIRECTOR])]

    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_review"
    assert r.json()["pending"] == [MANAGER]

    route = [MANAGER, FINANCE, DIRECTOR]
    for position, approver in enumerate(route):
        for other in route:  # each assignee sees it only while it is theirs
            assert (doc["id"] in await inbox_ids(stack, other)) == (other == approver)
        r = await stack.act(approver, doc["id"], "approve")
        assert r.status_code == 200, r.text
        expected_pending = route[position + 1 : position + 2]
        assert r.json()["pending"] == expected_pending
        assert doc["id"] not in await inbox_ids(stack, approver)

    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")
    assert r.json()["status"] == "approved"
    assert r.json()["decided_at"] is not None
    assert all(s["state"] == "done" for s in r.json()["steps"])

    await completed(stack, DRAFTER, doc["id"])  # numbered (文書番号) and complete (完結) just after the decision
    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/audit")
    audit = r.json()
    assert audit["verified"] is True
    assert [(e["action"], e["actor_id"]) for e in audit["events"]] == [
        ("create", DRAFTER),
        ("submit", DRAFTER),
        ("approve", MANAGER),
        ("approve", FINANCE),
        ("approve", DIRECTOR),
        ("number", "system"),
        ("complete", "system"),
    ]
    assert [e["seq"] for e in audit["events"]] == [1, 2, 3, 4, 5, 6, 7]
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(audit["events"], audit["events"][1:], strict=False))

    result = await stack.temporal.get_workflow_handle(f"document:{doc['id']}").result()
    assert result["status"] == "approved"


async def test_send_back_resubmit_and_withdraw(stack: Stack) -> None:
    doc = await stack.draft(DRAFTER, amount_yen=300_000)  # < 100万: 課長 decides, no 合議
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")
    assert r.json()["pending"] == [MANAGER]

    r = await stack.act(MANAGER, doc["id"], "send_back", comment="")
    assert r.status_code == 422, r.text
    assert "reason" in r.json()["detail"]

    r = await stack.act(MANAGER, doc["id"], "send_back", comment="見積書を添付してください")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "sent_back"
    assert doc["id"] not in await inbox_ids(stack, MANAGER)

    r = await stack.act(DRAFTER, doc["id"], "resubmit")
    assert r.json()["status"] == "in_review"
    assert doc["id"] in await inbox_ids(stack, MANAGER)

    r = await stack.act(DRAFTER, doc["id"], "withdraw", comment="予算措置を見直すため")
    assert r.json()["status"] == "withdrawn"
    assert doc["id"] not in await inbox_ids(stack, MANAGER)

    r = await stack.act(MANAGER, doc["id"], "approve")
    assert r.status_code == 409, r.text

    await completed(stack, DRAFTER, doc["id"])
    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/audit")
    actions = [e["action"] for e in r.json()["events"]]
    assert actions == ["create", "submit", "send_back", "resubmit", "withdraw", "complete"]
    assert r.json()["verified"] is True
