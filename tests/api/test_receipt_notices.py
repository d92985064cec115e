"""供覧 and 回答期限 of receipts through the API and the real worker: the workflows start with the 供覧 and the
registration, readers are asked and listed (GET /v1/me/circulations), the last confirmation ends the 供覧's
workflow, closing ends the 回答期限's; the notices name a 機密性2 receipt by its 収受番号 only.  The timers
themselves are tests/workflows/test_receipt_notices.py's (time-skipping)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError

from activities.receipts import ReceiptActivities, ReceiptTimers
from db.session import create_engine, create_sessionmaker
from integrations.hr import HttpHrClient
from schemas.receipts import PlannedNotice, ReplyDeadlineInput, ReplyDeadlineNotice
from tests.api.support import DRAFTER, MANAGER
from tests.api.test_receipts import OTHER_UNIT, TAX_CLERK, ZAISEI_CLERK, decided, registered
from tests.support.stack import Stack, holder
from workflows.receipts import circulation_workflow_id, reply_deadline_workflow_id

TAX_CHIEF = holder(OTHER_UNIT, "chief")  # 税務課 係長
TAX_MANAGER = holder(OTHER_UNIT, "manager")  # 税務課長
SECRET_TITLE = "個人番号を含む照会について"


async def notices(stack: Stack, staff_id: str, receipt_id: str, *, kind: str, wait: float = 5.0) -> list[Any]:
    """``staff_id``'s notices of ``kind`` about the receipt, waiting up to ``wait`` seconds for one."""
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        r = await stack.call(staff_id, "GET", "/v1/notifications", params={"limit": 100})
        assert r.status_code == 200, r.text
        found = [n for n in r.json()["items"] if n["receipt_id"] == receipt_id and n["kind"] == kind]
        if found or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.1)


async def status_of(stack: Stack, workflow_id: str, *, wait: float = 5.0) -> WorkflowExecutionStatus | None:
    """The workflow's status once it is not running (or still running after ``wait``); None if there is none."""
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        try:
            status = (await stack.temporal.get_workflow_handle(workflow_id).describe()).status
        except RPCError:
            return None
        if status != WorkflowExecutionStatus.RUNNING or asyncio.get_running_loop().time() > deadline:
            return status
        await asyncio.sleep(0.1)


async def to_read(stack: Stack, staff_id: str) -> list[str]:
    r = await stack.call(staff_id, "GET", "/v1/me/circulations")
    assert r.status_code == 200, r.text
    return [item["receipt_id"] for item in r.json()["items"]]


async def test_circulation_asks_the_readers_and_ends_when_all_have_read(stack: Stack) -> None:
    row = await registered(stack, assigned_unit="somu.somu", title=SECRET_TITLE, confidentiality=2)
    path = f"/v1/receipts/{row['id']}/circulation"
    r = await stack.call(DRAFTER, "POST", path, json={"readers": [MANAGER, ZAISEI_CLERK]})
    assert r.status_code == 200, r.text
    workflow_id = circulation_workflow_id(row["id"])

    asked = await notices(stack, MANAGER, row["id"], kind="circulate")
    assert len(asked) == 1 and asked[0]["document_id"] is None
    assert row["receipt_number"] in asked[0]["subject"] and SECRET_TITLE not in asked[0]["subject"]
    assert await notices(stack, ZAISEI_CLERK, row["id"], kind="circulate")
    assert row["id"] in await to_read(stack, MANAGER) and row["id"] in await to_read(stack, ZAISEI_CLERK)
    assert row["id"] not in await to_read(stack, DRAFTER)

    assert (await stack.call(MANAGER, "POST", f"{path}/read", json={"comment": "確認"})).status_code == 200
    assert row["id"] not in await to_read(stack, MANAGER)
    assert await status_of(stack, workflow_id, wait=0.5) == WorkflowExecutionStatus.RUNNING
    last = await stack.call(ZAISEI_CLERK, "POST", f"{path}/read")
    assert last.json()["outcome"] == "circulated", last.text
    assert await status_of(stack, workflow_id) == WorkflowExecutionStatus.COMPLETED
    assert row["id"] not in await to_read(stack, ZAISEI_CLERK)


async def test_a_refused_circulation_starts_no_workflow(stack: Stack) -> None:
    row = await registered(stack, assigned_unit="somu.somu")
    path = f"/v1/receipts/{row['id']}/circulation"
    r = await stack.call(DRAFTER, "POST", path, json={"readers": ["nobody"]})
    assert r.status_code == 422, r.text
    assert await status_of(stack, circulation_workflow_id(row["id"]), wait=0) is None


async def test_reply_deadline_timers_run_from_registration_until_closed(stack: Stack) -> None:
    without = await registered(stack)
    assert await status_of(stack, reply_deadline_workflow_id(without["id"]), wait=0) is None
    row = await registered(stack, reply_by="2031-06-30")
    workflow_id = reply_deadline_workflow_id(row["id"])
    assert await status_of(stack, workflow_id, wait=0.5) == WorkflowExecutionStatus.RUNNING
    r = await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{row['id']}/close", json={"reason": "回答不要"})
    assert r.status_code == 200, r.text
    assert await status_of(stack, workflow_id) == WorkflowExecutionStatus.COMPLETED


async def test_a_deadline_set_by_correction_starts_its_timers(stack: Stack) -> None:
    row = await registered(stack)
    body = {"field": "reply_by", "value": "2031-07-15", "reason": "回答期限の記載漏れ"}
    r = await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{row['id']}/corrections", json=body)
    assert r.status_code == 200, r.text
    assert await status_of(stack, reply_deadline_workflow_id(row["id"]), wait=0.5) == WorkflowExecutionStatus.RUNNING


@pytest_asyncio.fixture(loop_scope="session")
async def receipt_activities(stack: Stack) -> AsyncIterator[ReceiptActivities]:
    engine = create_engine(stack.settings.database_url)
    try:
        async with HttpHrClient(stack.settings.hr_url) as hr:
            yield ReceiptActivities(create_sessionmaker(engine), hr, ReceiptTimers())
    finally:
        await engine.dispose()


def deadline_notice(row: dict[str, Any], kind: Any, key: str = "test") -> ReplyDeadlineNotice:
    notice = PlannedNotice(kind=kind, at=datetime.now(UTC), key=f"{kind}:{key}")
    return ReplyDeadlineNotice(receipt_id=row["id"], notice=notice, reply_by=date.fromisoformat(row["reply_by"]))


@pytest.mark.parametrize(("kind", "recipient"), [("reply_remind", TAX_CHIEF), ("reply_overdue", TAX_MANAGER)])
async def test_reply_deadline_notices_reach_the_unit_and_its_manager(
    stack: Stack, receipt_activities: ReceiptActivities, kind: str, recipient: str
) -> None:
    row = await registered(stack, title=SECRET_TITLE, reply_by="2031-08-29")
    notice = deadline_notice(row, kind)
    assert await receipt_activities.notify_reply_deadline(notice) is True
    assert await receipt_activities.notify_reply_deadline(notice) is True  # a retry writes nothing twice
    sent = await notices(stack, recipient, row["id"], kind=kind, wait=0)
    assert len(sent) == 1 and "2031-08-29" in sent[0]["subject"]
    assert row["receipt_number"] in sent[0]["subject"] and SECRET_TITLE not in sent[0]["subject"]
    await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{row['id']}/close", json={"reason": "取りやめ"})
    assert (
        await receipt_activities.notify_reply_deadline(
            notice.model_copy(update={"notice": notice.notice.model_copy(update={"key": "again"})})
        )
        is False
    )
    plan = await receipt_activities.plan_reply_deadline(ReplyDeadlineInput(receipt_id=row["id"]))
    assert plan.open is False


async def test_a_decided_reply_stops_the_deadline(stack: Stack, receipt_activities: ReceiptActivities) -> None:
    row = await registered(stack, reply_by="2031-09-30")
    plan = await receipt_activities.plan_reply_deadline(ReplyDeadlineInput(receipt_id=row["id"]))
    assert plan.open and [n.kind for n in plan.notices] == ["reply_remind", "reply_remind", "reply_overdue"]
    draft = (await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{row['id']}/reply")).json()
    await decided(stack, TAX_CLERK, draft["id"])
    plan = await receipt_activities.plan_reply_deadline(ReplyDeadlineInput(receipt_id=row["id"]))
    assert plan.open is False
    assert await receipt_activities.notify_reply_deadline(deadline_notice(row, "reply_overdue")) is False
