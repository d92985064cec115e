"""Every approval action through API -> Temporal -> worker -> database (SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest_asyncio
from temporalio.client import Client

from core.calendar import JST
from integrations.hr import HttpHrClient
from tests.api.support import completed
from tests.support.paging import every_item
from tests.support.stack import Stack, api_stack, holder, in_process_worker, settings_for

DRAFTER = holder("somu.somu", "staff")  # 総務課 主事
MANAGER = holder("somu.somu", "manager")  # 総務課長
DEPUTY = holder("somu.somu", "assistant_manager")  # 総務課長補佐: 総務課長's 代決者
FINANCE = holder("somu.zaisei", "manager")  # 財政課長
DIRECTOR = holder("somu", "director")  # 総務部長
VICE = holder("executive", "deputy_mayor")  # 副市長
JINJI = holder("somu.jinji", "manager")  # 人事課長
KEIYAKU = holder("somu.keiyaku", "manager")  # 契約監理課長
KIKAKU = holder("seisaku.kikaku", "manager")  # 企画政策課長
READER = holder("somu.somu", "chief")  # 総務課 係長


@pytest_asyncio.fixture(loop_scope="session")
async def stack(seeded_database_url: str, temporal_client: Client, hr_url: str, tmp_path: Path) -> AsyncIterator[Stack]:
    settings = settings_for(
        database_url=seeded_database_url, temporal=temporal_client, hr_url=hr_url, data_dir=tmp_path
    )
    async with in_process_worker(settings, temporal_client), api_stack(settings, temporal_client) as stack:
        yield stack


@contextlib.asynccontextmanager
async def absent(hr_url: str, staff_id: str) -> AsyncIterator[None]:
    """The staff member is on leave today (HR's record), for the length of the block."""
    today = datetime.now(JST).date()
    async with HttpHrClient(hr_url) as hr:
        record = await hr.add_absence(staff_id, kind="leave", start=today, end=today, note="年次休暇")
        try:
            yield
        finally:
            await hr.delete_absence(record.id)


async def inbox(stack: Stack, staff_id: str) -> list[dict[str, Any]]:
    return await every_item(stack, staff_id, "/v1/inbox")


async def audit(stack: Stack, document_id: str) -> list[str]:
    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{document_id}/audit")
    assert r.json()["verified"] is True
    return [e["action"] for e in r.json()["events"]]


async def test_substitute_decision_with_post_review(stack: Stack, hr_url: str) -> None:
    """代決: the 課長 is on leave, the 課長補佐 decides; the 課長 then owes and gives a 後閲."""
    doc = await stack.submitted(DRAFTER, amount_yen=300_000)  # < 100万: 総務課長 decides
    assert doc["pending"] == [MANAGER]
    r = await stack.act(DEPUTY, doc["id"], "substitute", on_behalf_of=MANAGER)
    # The deputy sees the document (the drafter's division), but may not decide it while the 課長 is at work.
    assert r.status_code == 409 and "not absent today" in r.json()["detail"], r.text

    async with absent(hr_url, MANAGER):
        mine = [i for i in await inbox(stack, DEPUTY) if i["document_id"] == doc["id"]]
        assert [(i["kind"], i["on_behalf_of"]) for i in mine] == [("substitute", MANAGER)]
        # The 係長 substitutes for the 課長 too, but second in line: the inbox offers them nothing the chain refuses.
        assert not [i for i in await inbox(stack, READER) if i["document_id"] == doc["id"]]
        r = await stack.act(READER, doc["id"], "substitute", on_behalf_of=MANAGER)
        assert r.status_code == 403 and "first in line" in r.json()["detail"]  # the 係長 comes after the 課長補佐
        decided = await stack.ok(DEPUTY, doc["id"], "substitute", on_behalf_of=MANAGER)

    assert decided["status"] == "approved"
    step = decided["steps"][-1]
    assert (step["acted_by"], step["capacity"], step["assignee_id"]) == (DEPUTY, "substitute", MANAGER)
    assert [p["staff_id"] for p in decided["post_reviews"]] == [MANAGER]
    assert [i["kind"] for i in await inbox(stack, MANAGER) if i["document_id"] == doc["id"]] == ["post_review"]

    reviewed = await stack.ok(MANAGER, doc["id"], "post_review", comment="確認しました")
    assert reviewed["post_reviews"][0]["acknowledged_at"] is not None
    assert not [i for i in await inbox(stack, MANAGER) if i["document_id"] == doc["id"]]
    await completed(stack, DRAFTER, doc["id"])  # 完結 at the decision: the 後閲 does not hold it up
    assert await audit(stack, doc["id"]) == ["create", "submit", "substitute", "number", "complete", "post_review"]
    result = await stack.temporal.get_workflow_handle(f"document:{doc['id']}").result()
    assert result["status"] == "approved"


async def test_substitute_refused_for_important_matter_unless_urgent(stack: Stack, hr_url: str) -> None:
    important = await stack.submitted(DRAFTER, amount_yen=300_000, flags=["important"])
    # 重要: one level up, so the 総務部長 decides after the 課長 reviews.
    assert [s["stage_kind"] for s in important["steps"]] == ["review", "decide"]
    await stack.ok(MANAGER, important["id"], "approve")
    urgent = await stack.submitted(DRAFTER, amount_yen=300_000, flags=["important"], urgent_reason="災害対応のため至急")
    await stack.ok(MANAGER, urgent["id"], "approve")
    async with absent(hr_url, DIRECTOR):
        offered = {i["document_id"] for i in await inbox(stack, MANAGER) if i["kind"] == "substitute"}
        assert urgent["id"] in offered and important["id"] not in offered  # the inbox follows the chain's rule
        r = await stack.act(MANAGER, important["id"], "substitute", on_behalf_of=DIRECTOR)
        assert r.status_code == 409 and "important" in r.json()["detail"]
        decided = await stack.ok(MANAGER, urgent["id"], "substitute", on_behalf_of=DIRECTOR)
    assert decided["status"] == "approved"


async def test_pull_up_past_an_absent_reviewer(stack: Stack, hr_url: str) -> None:
    """引上げ承認: the 部長 approves past the absent 課長, who owes a 後閲."""
    doc = await stack.submitted(DRAFTER, amount_yen=1_500_000)
    r = await stack.act(DIRECTOR, doc["id"], "pull_up")
    assert r.status_code == 409  # the 課長 is at work
    async with absent(hr_url, MANAGER):
        r = await stack.act(DIRECTOR, doc["id"], "pull_up")
        assert r.status_code == 409 and "consult" in r.json()["detail"]  # a 合議 cannot be passed over
        r = await stack.act(FINANCE, doc["id"], "pull_up")
        pulled = r.json()
        assert r.status_code == 200, r.text
    assert pulled["pending"] == [DIRECTOR]
    assert [(s["assignee_id"], s["state"]) for s in pulled["steps"][:2]] == [(MANAGER, "skipped"), (FINANCE, "done")]
    assert pulled["steps"][1]["capacity"] == "pull_up"
    assert [p["staff_id"] for p in pulled["post_reviews"]] == [MANAGER]
    decided = await stack.ok(DIRECTOR, doc["id"], "approve")
    assert decided["status"] == "approved"
    await stack.ok(MANAGER, doc["id"], "post_review")


async def test_quorum_objection_escalates_the_decision(stack: Stack) -> None:
    """合議 2 of 3: an objection marks it 不調 and the decision goes one level up (部長 -> 副市長)."""
    doc = await stack.submitted(
        DRAFTER, amount_yen=300_000, consult_units=["somu.jinji", "somu.keiyaku", "seisaku.kikaku"], consult_quorum=2
    )
    r = await stack.act(JINJI, doc["id"], "object")
    assert r.status_code == 422  # an objection needs a reason
    objected = await stack.ok(JINJI, doc["id"], "object", comment="人員配置の見直しが先")
    assert objected["consult_failed"] is True
    after = await stack.ok(KEIYAKU, doc["id"], "consent")
    consult = [s for s in after["steps"] if s["stage_kind"] == "consult"]
    assert sorted(s["state"] for s in consult) == ["closed", "done", "done"]  # the third is no longer needed
    rest = [(s["stage_kind"], s["assignee_id"]) for s in after["steps"] if s["stage_kind"] != "consult"]
    assert rest == [("review", MANAGER), ("decide", DIRECTOR)]  # 課長専決 went one level up
    assert after["pending"] == [MANAGER]
    assert "reroute" in await audit(stack, doc["id"])


async def test_send_back_to_a_step_edit_and_resubmit(stack: Stack) -> None:
    doc = await stack.submitted(DRAFTER, amount_yen=1_500_000)
    await stack.ok(MANAGER, doc["id"], "approve")
    await stack.ok(FINANCE, doc["id"], "approve")
    r = await stack.act(DIRECTOR, doc["id"], "send_back", comment="財政課と再調整を", target_step=1)
    assert r.json()["status"] == "sent_back" and r.json()["sent_back_to"] == 1
    # Without an edit, routing resumes at the 財政課 合議; the 課長's approval stands.
    resumed = await stack.ok(DRAFTER, doc["id"], "resubmit")
    assert resumed["pending"] == [FINANCE]
    await stack.ok(FINANCE, doc["id"], "send_back", comment="金額を見直してください")
    r = await stack.call(DRAFTER, "PATCH", f"/v1/documents/{doc['id']}", json={"amount_yen": 1_200_000})
    assert r.status_code == 200 and r.json()["version"] == 2
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/resubmit")
    assert r.status_code == 200, r.text
    assert r.json()["pending"] == [MANAGER]  # an edit voids every approval of version 1
    for approver in (MANAGER, FINANCE, DIRECTOR):
        final = await stack.ok(approver, doc["id"], "approve")
    assert final["status"] == "approved"
    assert {s["version"] for s in final["steps"]} == {2}


async def test_recall_by_drafter_and_by_last_approver(stack: Stack) -> None:
    doc = await stack.submitted(DRAFTER, amount_yen=1_500_000)
    recalled = await stack.ok(DRAFTER, doc["id"], "recall")
    assert recalled["status"] == "draft"
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")
    assert r.status_code == 200 and r.json()["pending"] == [MANAGER]
    await stack.ok(MANAGER, doc["id"], "approve")
    r = await stack.act(DRAFTER, doc["id"], "recall")
    assert r.status_code == 409  # an approver has acted: only they may take it back now
    taken_back = await stack.ok(MANAGER, doc["id"], "recall")
    assert taken_back["pending"] == [MANAGER]
    await stack.ok(MANAGER, doc["id"], "approve")
    await stack.ok(FINANCE, doc["id"], "approve")
    r = await stack.act(MANAGER, doc["id"], "recall")
    assert r.status_code == 409 and "too late" in r.json()["detail"]  # the next approver has acted


async def test_reject_then_copy_and_circulation(stack: Stack) -> None:
    doc = await stack.submitted(DRAFTER, amount_yen=300_000, readers=[READER])
    r = await stack.act(MANAGER, doc["id"], "reject")
    assert r.status_code == 422  # a rejection needs its reason
    rejected = await stack.ok(MANAGER, doc["id"], "reject", comment="今年度は見送り")
    assert rejected["status"] == "rejected"
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/copy")
    assert r.status_code == 201 and r.json()["copied_from"] == doc["id"] and r.json()["status"] == "draft"
    copy = r.json()
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{copy['id']}/submit")
    decided = await stack.ok(MANAGER, copy["id"], "approve")
    assert decided["status"] == "circulating" and decided["pending"] == [READER]
    done = await stack.ok(READER, copy["id"], "acknowledge")
    assert done["status"] == "completed"
    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{copy['id']}")
    assert r.json()["decided_at"] is not None


async def test_comment_and_withdraw_keep_history(stack: Stack) -> None:
    doc = await stack.submitted(DRAFTER, amount_yen=300_000)
    await stack.ok(MANAGER, doc["id"], "comment", comment="見積は2社以上で")
    r = await stack.act(holder("shimin.zeimu", "staff"), doc["id"], "comment", comment="部外者")
    assert r.status_code == 403
    withdrawn = await stack.ok(DRAFTER, doc["id"], "withdraw", comment="取下げます")
    assert withdrawn["status"] == "withdrawn"
    await completed(stack, DRAFTER, doc["id"])  # a withdrawn document is a record too
    assert await audit(stack, doc["id"]) == ["create", "submit", "comment", "withdraw", "complete"]
