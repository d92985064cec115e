"""General matters (一般事項) over HTTP: a category routes to the decider its 決裁区分 row names, an unknown or missing
category is refused with the valid keys, and an ordinance draft passes 総務課's 文書審査 before the 市長 decides."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.rules import LEVEL_NAMES, categories_of
from tests.api.support import assert_problem, document_total
from tests.rules.builders import DEFAULT
from tests.support.stack import Stack, holder

DRAFTER = holder("fukushi.kenko", "staff")  # 健康課 主事
MANAGER = holder("fukushi.kenko", "manager")  # 健康課長
DIRECTOR = holder("fukushi", "director")  # 福祉部長
VICE = holder("executive", "deputy_mayor")  # 副市長
MAYOR = holder("executive", "mayor")  # 市長
EXAMINER = holder("somu.somu", "manager")  # 総務課長: 文書審査
DECIDERS = {"manager": MANAGER, "director": DIRECTOR, "deputy_mayor": VICE, "mayor": MAYOR}

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def general(stack: Stack, category: str | None, **overrides: Any) -> dict[str, Any]:
    return await stack.draft(
        DRAFTER, 0, matter="general", category=category, title="条例の一部改正について", **overrides
    )


async def preview(stack: Stack, document_id: str) -> list[dict[str, Any]]:
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{document_id}/route-preview")
    assert r.status_code == 200, r.text
    return list(r.json()["stages"])


@pytest.mark.parametrize("category", sorted(categories_of(DEFAULT)))
async def test_the_preview_of_each_category_names_its_decider(stack: Stack, category: str) -> None:
    row = next(r for r in DEFAULT.authority if r.category == category)
    doc = await general(stack, category)
    assert doc["matter"] == "general" and doc["category"] == category
    read = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")
    assert read.json()["category"] == category  # stored and read back
    stages = await preview(stack, doc["id"])
    decision = stages[-1]
    assert decision["kind"] == "decide" and [a["id"] for a in decision["assignees"]] == [DECIDERS[row.level]]
    assert decision["rule"] == row.citation and LEVEL_NAMES[row.level] in decision["reason"]
    examined = [e for e in DEFAULT.examinations if e.category == category]
    examine = [s for s in stages if s["kind"] == "examine"]
    assert [[a["id"] for a in s["assignees"]] for s in examine] == [[EXAMINER] for _ in examined]
    assert [s["rule"] for s in examine] == [e.citation for e in examined]


async def test_an_unknown_category_is_refused_listing_the_valid_ones(stack: Stack) -> None:
    before = await document_total(stack, DRAFTER)
    body = {"title": "照会", "matter": "general", "amount_yen": 0, "category": "no_such_row"}
    r = await stack.call(DRAFTER, "POST", "/v1/documents", json=body)
    problem = assert_problem(r, 422)
    assert all(key in problem["detail"] for key in categories_of(DEFAULT)), problem
    missing = await stack.call(DRAFTER, "POST", "/v1/documents", json={**body, "category": None})
    assert "category" in assert_problem(missing, 422)["detail"]
    spending = {**body, "matter": "spending", "category": "report"}
    assert (
        "category" in assert_problem(await stack.call(DRAFTER, "POST", "/v1/documents", json=spending), 422)["detail"]
    )
    assert await document_total(stack, DRAFTER) == before  # nothing stored

    doc = await general(stack, "report")
    edit = await stack.call(DRAFTER, "PATCH", f"/v1/documents/{doc['id']}", json={"category": "no_such_row"})
    assert "inquiry_reply_routine" in assert_problem(edit, 422)["detail"]
    moved = await stack.call(DRAFTER, "PATCH", f"/v1/documents/{doc['id']}", json={"category": "council_bill"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["category"] == "council_bill" and moved.json()["version"] == doc["version"] + 1


async def test_an_ordinance_draft_is_examined_then_decided_by_the_mayor(stack: Stack) -> None:
    doc = await general(stack, "ordinance_draft")
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")
    assert r.status_code == 200, r.text
    steps = [(s["stage_kind"], s["assignee_id"]) for s in r.json()["steps"]]
    assert steps[-2:] == [("examine", EXAMINER), ("decide", MAYOR)]
    for kind, assignee in steps[:-2]:
        assert kind == "review"
        await stack.ok(assignee, doc["id"], "approve")
    consent = await stack.act(EXAMINER, doc["id"], "consent")
    assert_problem(consent, 409)  # 文書審査 approves (審査済) or sends back; it is no 合議
    examined = await stack.ok(EXAMINER, doc["id"], "approve", "法規審査済")
    assert examined["pending"] == [MAYOR]
    decided = await stack.ok(MAYOR, doc["id"], "approve")
    assert decided["status"] == "approved"
    examine = next(s for s in decided["steps"] if s["stage_kind"] == "examine")
    assert examine["state"] == "done" and examine["response"] == "approve" and examine["rule"]


async def test_the_examiner_sends_an_ordinance_draft_back(stack: Stack) -> None:
    doc = await general(stack, "ordinance_draft")
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")
    assert r.status_code == 200, r.text
    for step in r.json()["steps"]:
        if step["stage_kind"] == "review":
            await stack.ok(step["assignee_id"], doc["id"], "approve")
    back = await stack.ok(EXAMINER, doc["id"], "send_back", "第3条の引用条項が誤っています")
    assert back["status"] == "sent_back" and back["pending"] == []
    audit = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/audit")
    assert [e["action"] for e in audit.json()["events"]][-1] == "send_back"
