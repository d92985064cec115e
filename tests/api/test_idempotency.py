"""Idempotency-Key on actions: a retried request is applied once and answered the same."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from api.services.idempotency import REUSED
from db.models import DocumentRow
from db.session import create_engine, create_sessionmaker
from tests.api.support import (
    BIG,
    DIRECTOR,
    DRAFTER,
    FINANCE,
    MANAGER,
    SMALL,
    assert_problem,
    audit_actions,
    completed,
    snapshot,
    submitted,
)
from tests.support.stack import Stack


def _answer(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in ("status", "pending", "version", "steps")}


@pytest.mark.parametrize("amount", [pytest.param(BIG, id="mid-route"), pytest.param(SMALL, id="deciding")])
async def test_same_key_twice_is_applied_once_and_answered_the_same(stack: Stack, amount: int) -> None:
    doc = await submitted(stack, amount)
    key = str(uuid.uuid4())

    first = await stack.act(MANAGER, doc["id"], "approve", comment="確認しました", key=key)
    assert first.status_code == 200, first.text
    if amount == SMALL:
        await completed(stack, DRAFTER, doc["id"])  # 文書番号 and 完結 follow the decision
    after_first = await snapshot(stack, DRAFTER, doc["id"])

    second = await stack.act(MANAGER, doc["id"], "approve", comment="確認しました", key=key)
    assert second.status_code == 200, second.text
    assert _answer(second.json()) == _answer(first.json())
    assert second.json()["pending"] == ([FINANCE] if amount == BIG else [])

    after_second = await snapshot(stack, DRAFTER, doc["id"])
    assert after_second == after_first
    records = ["number", "complete"] if amount == SMALL else []
    assert audit_actions(after_second) == ["create", "submit", "approve", *records]


async def test_concurrent_retries_are_applied_once(stack: Stack) -> None:
    doc = await submitted(stack, BIG)
    key = str(uuid.uuid4())
    responses = await asyncio.gather(*(stack.act(MANAGER, doc["id"], "approve", key=key) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5, [r.text for r in responses]
    assert all(_answer(r.json()) == _answer(responses[0].json()) for r in responses)
    assert responses[0].json()["pending"] == [FINANCE]
    assert audit_actions(await snapshot(stack, DRAFTER, doc["id"])) == ["create", "submit", "approve"]


async def test_a_different_key_for_an_applied_decision_is_409(stack: Stack) -> None:
    doc = await submitted(stack, SMALL)  # the 総務課長 decides alone: the document closes
    r = await stack.act(MANAGER, doc["id"], "approve", key=str(uuid.uuid4()))
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    await completed(stack, DRAFTER, doc["id"])
    before = await snapshot(stack, DRAFTER, doc["id"])

    r = await stack.act(MANAGER, doc["id"], "approve", key=str(uuid.uuid4()))
    assert "approved" in assert_problem(r, 409)["detail"]
    assert await snapshot(stack, DRAFTER, doc["id"]) == before


async def test_a_different_key_for_an_applied_approval_mid_route_is_403(stack: Stack) -> None:
    """A second approval under a new key is a new request by one who is no longer the current assignee: 403."""
    doc = await submitted(stack, BIG)
    r = await stack.act(MANAGER, doc["id"], "approve", key=str(uuid.uuid4()))
    assert r.status_code == 200 and r.json()["pending"] == [FINANCE], r.text
    before = await snapshot(stack, DRAFTER, doc["id"])

    r = await stack.act(MANAGER, doc["id"], "approve", key=str(uuid.uuid4()))
    assert await snapshot(stack, DRAFTER, doc["id"]) == before
    assert "already answered" in assert_problem(r, 403)["detail"]


async def test_retry_after_the_document_closed_gets_the_recorded_answer(stack: Stack) -> None:
    doc = await submitted(stack, BIG)
    keys = {approver: str(uuid.uuid4()) for approver in (MANAGER, FINANCE, DIRECTOR)}
    answers = {}
    for approver, key in keys.items():
        r = await stack.act(approver, doc["id"], "approve", key=key)
        assert r.status_code == 200, r.text
        answers[approver] = _answer(r.json())
    assert answers[DIRECTOR]["status"] == "approved"
    await stack.temporal.get_workflow_handle(f"document:{doc['id']}").result()  # the workflow has closed
    before = await snapshot(stack, DRAFTER, doc["id"])

    for approver, key in keys.items():  # every retry, even of an earlier stage, gets its own answer back
        r = await stack.act(approver, doc["id"], "approve", key=key)
        assert r.status_code == 200, r.text
        assert _answer(r.json()) == answers[approver]

    after = await snapshot(stack, DRAFTER, doc["id"])
    assert after == before
    assert audit_actions(after) == ["create", "submit", "approve", "approve", "approve", "number", "complete"]


async def test_keys_are_scoped_to_the_caller(stack: Stack) -> None:
    doc = await submitted(stack, BIG)
    key = str(uuid.uuid4())
    r = await stack.act(MANAGER, doc["id"], "approve", key=key)
    assert r.status_code == 200 and r.json()["pending"] == [FINANCE], r.text

    r = await stack.act(FINANCE, doc["id"], "approve", key=key)  # the same key from someone else
    assert r.status_code == 200, r.text
    assert r.json()["pending"] == [DIRECTOR]
    assert audit_actions(await snapshot(stack, DRAFTER, doc["id"])) == ["create", "submit", "approve", "approve"]


async def test_keys_are_scoped_to_the_document(stack: Stack) -> None:
    first, second = await submitted(stack, BIG), await submitted(stack, BIG)
    key = str(uuid.uuid4())
    for doc in (first, second):
        r = await stack.act(MANAGER, doc["id"], "approve", key=key)
        assert r.status_code == 200 and r.json()["pending"] == [FINANCE], r.text
        assert audit_actions(await snapshot(stack, DRAFTER, doc["id"])) == ["create", "submit", "approve"]


async def test_a_reused_key_never_applies_a_different_action(stack: Stack) -> None:
    doc = await submitted(stack, BIG)
    key = str(uuid.uuid4())
    first = await stack.act(MANAGER, doc["id"], "approve", key=key)
    assert first.status_code == 200, first.text
    before = await snapshot(stack, DRAFTER, doc["id"])

    r = await stack.act(MANAGER, doc["id"], "send_back", comment="やはり差し戻します", key=key)
    assert assert_problem(r, 422)["title"] == REUSED
    after = await snapshot(stack, DRAFTER, doc["id"])
    assert after == before
    assert audit_actions(after) == ["create", "submit", "approve"]


async def test_a_reused_key_with_another_comment_is_422_not_the_first_answer(stack: Stack) -> None:
    """The same action with another body (a changed comment) is a different request: refused, never answered
    with the first one's outcome as if it had been applied."""
    doc = await submitted(stack, BIG)
    key = str(uuid.uuid4())
    first = await stack.act(MANAGER, doc["id"], "approve", comment="確認しました", key=key)
    assert first.status_code == 200, first.text
    before = await snapshot(stack, DRAFTER, doc["id"])

    r = await stack.act(MANAGER, doc["id"], "approve", comment="金額を確認のうえ承認", key=key)
    problem = assert_problem(r, 422)
    assert problem["title"] == REUSED and "new key" in problem["detail"]
    same = await stack.act(MANAGER, doc["id"], "approve", comment="  確認しました", key=key)  # the same request
    assert same.status_code == 200 and _answer(same.json()) == _answer(first.json()), same.text
    assert await snapshot(stack, DRAFTER, doc["id"]) == before


async def test_a_submit_key_reused_for_an_action_is_422(stack: Stack) -> None:
    draft = await stack.draft(DRAFTER, amount_yen=BIG)
    key = str(uuid.uuid4())
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{draft['id']}/submit", headers={"Idempotency-Key": key})
    assert r.status_code == 200, r.text
    before = await snapshot(stack, DRAFTER, draft["id"])
    r = await stack.act(DRAFTER, draft["id"], "recall", comment="修正します", key=key)
    assert "submit" in assert_problem(r, 422)["detail"]
    assert await snapshot(stack, DRAFTER, draft["id"]) == before


async def test_concurrent_requests_with_one_key_and_two_bodies_apply_one(stack: Stack) -> None:
    doc = await submitted(stack, BIG)
    key = str(uuid.uuid4())
    approve = stack.act(MANAGER, doc["id"], "approve", comment="承認", key=key)
    send_back = stack.act(MANAGER, doc["id"], "send_back", comment="差し戻します", key=key)
    responses = await asyncio.gather(approve, send_back)
    assert sorted(r.status_code for r in responses) == [200, 422], [r.text for r in responses]
    applied = next(r for r in responses if r.status_code == 200).json()
    assert audit_actions(await snapshot(stack, DRAFTER, doc["id"]))[-1] == (
        "approve" if applied["status"] == "in_review" else "send_back"
    )


async def test_a_refused_action_leaves_its_key_unused(stack: Stack) -> None:
    """Refusals never reach the workflow's history, so the corrected request may reuse the key."""
    doc = await submitted(stack, BIG)
    key = str(uuid.uuid4())
    r = await stack.act(MANAGER, doc["id"], "send_back", comment="", key=key)
    assert "reason" in assert_problem(r, 422)["detail"]

    r = await stack.act(MANAGER, doc["id"], "send_back", comment="見積書を添付してください", key=key)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "sent_back"
    assert audit_actions(await snapshot(stack, DRAFTER, doc["id"])) == ["create", "submit", "send_back"]


async def test_a_submit_lost_with_its_workflow_task_is_sent_again_on_retry(stack: Stack) -> None:
    """Found by bench/chaos.py: Temporal stopped after the submit handler's local activities had projected the
    submit (the read model says 回議中) but before the workflow task was acknowledged, so the engine holds no
    submit.  The client's retry (same key) must reach the engine, not get 409 "already submitted" for good."""
    doc = await stack.draft(DRAFTER, amount_yen=BIG)
    await _project_a_lost_submit(stack, doc["id"])
    key = str(uuid.uuid4())
    retry = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit", headers={"Idempotency-Key": key})
    assert retry.status_code == 200, retry.text
    assert retry.json()["status"] == "in_review" and retry.json()["pending"], retry.json()
    approved = await stack.act(MANAGER, doc["id"], "approve")  # the chain runs on from there
    assert approved.status_code == 200, approved.text
    other = await stack.call(
        DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit", headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert (
        "already been submitted" in assert_problem(other, 409)["detail"]
    )  # a second submit (the engine holds one) is still refused


async def _project_a_lost_submit(stack: Stack, document_id: str) -> None:
    engine = create_engine(stack.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            row = await session.get(DocumentRow, document_id)
            assert row is not None
            row.status, row.submitted_at = "in_review", datetime.now(UTC)
    finally:
        await engine.dispose()
