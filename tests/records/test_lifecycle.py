"""The records lifecycle end to end: API -> Temporal dev server -> worker -> database (SQLite and PostgreSQL).

Draft -> decide -> 施行 with a 公印 -> 完結 with its retention dates; a matter without issuance completes at the
decision; 保存期間の延長; the 公印使用簿; bad input refused with the document unchanged.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest_asyncio
from temporalio.client import Client

from core.calendar import JST
from domain.fiscal import fiscal_year_label, fiscal_year_of
from domain.retention import retention_period
from tests.integration.test_finance_saga import budget_line, ledger
from tests.support.paging import every_item
from tests.support.stack import CITY, Stack, full_stack, holder

DRAFTER = holder("somu.somu", "staff")  # 総務課 主事: in the records office's division, holds no grant
RECORDS = holder("somu.somu", "chief")  # 総務課 係長 granted records_office (文書担当)
COLLEAGUE = [a.staff_id for a in CITY.assignments if (a.org_unit_code, a.post_code) == ("somu.somu", "chief")][1]
MANAGER = holder("somu.somu", "manager")
FINANCE = holder("somu.zaisei", "manager")
DIRECTOR = holder("somu", "director")
OUTSIDER = holder("somu.jinji", "staff")  # 人事課: neither the drafting division nor the records office
SEAL = {"clean_copy_on": "2026-11-26", "dispatch_method": "post", "dispatched_on": "2026-11-27"}


@pytest_asyncio.fixture(loop_scope="session")
async def stack(
    seeded_database_url: str, temporal_client: Client, hr_url: str, finance_url: str, tmp_path: Path
) -> AsyncIterator[Stack]:
    async with full_stack(
        seeded_database_url,
        temporal_client,
        hr_url=hr_url,
        finance_url=finance_url,
        data_dir=tmp_path,
    ) as stack:
        yield stack


async def until(stack: Stack, document_id: str, ready: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The document once ``ready`` (the run loop numbers and completes just after a decision's answer)."""
    for _ in range(200):
        r = await stack.call(DRAFTER, "GET", f"/v1/documents/{document_id}")
        if ready(r.json()):
            return dict(r.json())
        await asyncio.sleep(0.05)
    raise AssertionError(f"never ready: {r.json()}")


async def issue(stack: Stack, staff_id: str, document_id: str, **body: Any) -> Any:
    return await stack.call(staff_id, "POST", f"/v1/documents/{document_id}/issuance", json={**SEAL, **body})


async def audit_actions(stack: Stack, document_id: str) -> list[str]:
    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{document_id}/audit")
    assert r.json()["verified"] is True, r.json()
    return [e["action"] for e in r.json()["events"]]


async def decided(stack: Stack, **overrides: Any) -> dict[str, Any]:
    """A 150万 document approved by 課長, 財政課長 (合議) and 部長."""
    doc = await stack.submitted(DRAFTER, amount_yen=1_500_000, **overrides)
    for approver in (MANAGER, FINANCE, DIRECTOR):
        await stack.ok(approver, doc["id"], "approve")
    return doc


async def test_issuance_with_a_seal_completes_the_document(stack: Stack, temporal_client: Client) -> None:
    doc = await stack.submitted(DRAFTER, amount_yen=1_500_000, needs_issuance=True, retention_years=10)
    r = await issue(stack, DRAFTER, doc["id"], seal={"name": "市長印"})
    assert r.status_code == 409 and "after the decision" in r.json()["detail"], r.text  # before the decision
    for approver in (MANAGER, FINANCE, DIRECTOR):
        await stack.ok(approver, doc["id"], "approve")
    waiting = await until(stack, doc["id"], lambda d: d["number_display"] is not None)
    assert waiting["number_display"].startswith("萩総第") and waiting["number_display"].endswith("号")
    assert waiting["number"]["fiscal_year_label"] == fiscal_year_label(waiting["number"]["fiscal_year"])
    assert waiting["completed_at"] is None and waiting["issuance"] is None  # 施行待ち

    r = await issue(stack, OUTSIDER, doc["id"], seal={"name": "市長印"})
    assert r.status_code == 403, r.text
    r = await issue(stack, COLLEAGUE, doc["id"], seal={"name": "市長印"})  # the drafting division may issue
    assert r.status_code == 200, r.text
    issued = r.json()
    assert issued["issuance"]["seal_name"] == "市長印" and issued["issuance"]["seal_omitted"] is False
    assert issued["issuance"]["clean_copy_on_label"] == "令和8年11月26日"
    assert issued["issuance"]["dispatch_method_label"] == "郵送"
    completed_on = datetime.fromisoformat(issued["completed_at"]).astimezone(JST).date()
    period = retention_period(completed_on, 10)
    assert issued["completion_fiscal_year"] == fiscal_year_of(completed_on)
    assert issued["completion_fiscal_year_label"] == fiscal_year_label(fiscal_year_of(completed_on))
    assert (issued["retention_starts_on"], issued["retention_expires_on"]) == (
        period.starts_on.isoformat(),
        period.expires_on.isoformat() if period.expires_on else None,
    )
    assert issued["retention_label"] == "10年" and issued["records_status"] == "active"

    r = await issue(stack, DRAFTER, doc["id"], seal_omitted=True)
    assert r.status_code == 409, r.text  # only once
    actions = await audit_actions(stack, doc["id"])
    assert actions[-4:] == ["number", "seal_use", "issue", "complete"]
    result = await temporal_client.get_workflow_handle(f"document:{doc['id']}").result()
    assert result["status"] == "approved"  # the workflow ran on until the completion, then ended

    used = await every_item(stack, RECORDS, "/v1/seal-log", **{"from": "2026-11-26", "to": "2026-11-26"})
    mine = [u for u in used if u["document_id"] == doc["id"]]
    assert [(u["seal_name"], u["used_by"], u["document_number"]) for u in mine] == [
        ("市長印", COLLEAGUE, issued["number_display"])
    ]
    assert mine[0]["used_on_label"] == "令和8年11月26日"
    later = await every_item(stack, RECORDS, "/v1/seal-log", **{"from": "2026-11-27"})
    assert doc["id"] not in {u["document_id"] for u in later}
    r = await stack.call(OUTSIDER, "GET", "/v1/seal-log")
    assert r.status_code == 403, r.text


async def test_seal_omitted_is_issuance_without_a_seal_log_line(stack: Stack) -> None:
    doc = await decided(stack, needs_issuance=True)
    r = await issue(stack, DRAFTER, doc["id"], seal_omitted=True, dispatch_method="email")
    assert r.status_code == 200, r.text
    assert r.json()["issuance"]["seal_name"] is None and r.json()["issuance"]["seal_omitted"] is True
    assert r.json()["completed_at"] is not None
    assert "seal_use" not in await audit_actions(stack, doc["id"])
    log = await every_item(stack, RECORDS, "/v1/seal-log")
    assert doc["id"] not in {u["document_id"] for u in log}


async def test_bad_issuance_is_refused_and_changes_nothing(stack: Stack) -> None:
    doc = await decided(stack, needs_issuance=True)
    await until(stack, doc["id"], lambda d: d["number_display"] is not None)
    before = (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")).json()
    for body, field in [
        ({"seal": {"name": "偽造印"}}, "seal"),
        ({"seal": {"name": "市長印"}, "seal_omitted": True}, "seal_omitted"),
        ({}, "seal_omitted"),
        ({"seal": {"name": "市長印"}, "dispatch_method": "pigeon"}, "dispatch_method"),
        ({"seal": {"name": "市長印", "used_by": "nobody"}}, "used_by"),
    ]:
        r = await issue(stack, DRAFTER, doc["id"], **body)
        assert r.status_code == 422, (body, r.text)
        assert field in r.text, (body, r.text)
    after = (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")).json()
    assert after == before


async def test_a_matter_without_issuance_completes_at_the_decision(
    stack: Stack, temporal_client: Client, finance_url: str
) -> None:
    code = await budget_line(finance_url, 2_000_000)
    doc = await decided(stack, budget_code=code, retention_years=0)
    done = await until(stack, doc["id"], lambda d: d["completed_at"] is not None)
    assert done["number_display"] is not None
    completed_on = datetime.fromisoformat(done["completed_at"]).astimezone(JST).date()
    assert done["completed_at"] == done["decided_at"]
    period = retention_period(completed_on, 0)
    assert (done["retention_starts_on"], done["retention_expires_on"]) == (
        completed_on.isoformat(),
        period.expires_on.isoformat() if period.expires_on else None,
    )
    assert done["retention_label"] == "1年未満"
    r = await issue(stack, DRAFTER, doc["id"], seal={"name": "市長印"})
    assert r.status_code == 409, r.text  # 施行不要 (and the workflow has ended)
    await temporal_client.get_workflow_handle(f"document:{doc['id']}").result()
    # 支出負担行為 names the 文書番号, not the document id.
    committed = await until(stack, doc["id"], lambda d: d["finance"]["state"] == "committed")
    book = await ledger(finance_url, doc["id"])
    assert [c.document_number for c in book.commitments] == [committed["number_display"]]


async def test_withdrawn_and_rejected_documents_complete_unnumbered(stack: Stack) -> None:
    withdrawn = await stack.submitted(DRAFTER, amount_yen=300_000, needs_issuance=True)
    await stack.ok(DRAFTER, withdrawn["id"], "withdraw")
    rejected = await stack.submitted(DRAFTER, amount_yen=300_000, retention_permanent=True)
    await stack.ok(MANAGER, rejected["id"], "reject", comment="見送り")
    for doc in (withdrawn, rejected):
        done = await until(stack, doc["id"], lambda d: d["completed_at"] is not None)
        assert done["number"] is None  # numbered at the decision: these were never decided
    done = await until(stack, rejected["id"], lambda d: d["completed_at"] is not None)
    assert done["retention_label"] == "永年" and done["retention_expires_on"] is None


async def test_retention_extension_by_the_records_office(stack: Stack) -> None:
    doc = await stack.submitted(DRAFTER, amount_yen=300_000, retention_years=5)
    path = f"/v1/documents/{doc['id']}/retention-extension"
    r = await stack.call(RECORDS, "POST", path, json={"years": 5, "reason": "訴訟対応のため"})
    assert r.status_code == 409, r.text  # not complete yet: no retention to extend
    await stack.ok(MANAGER, doc["id"], "approve")
    done = await until(stack, doc["id"], lambda d: d["completed_at"] is not None)

    r = await stack.call(OUTSIDER, "POST", path, json={"years": 5, "reason": "訴訟対応のため"})
    assert r.status_code == 403, r.text
    for bad in ({"years": 0, "reason": "x"}, {"years": 5, "reason": ""}, {"years": 5}):
        assert (await stack.call(RECORDS, "POST", path, json=bad)).status_code == 422
    r = await stack.call(RECORDS, "POST", path, json={"years": 5, "reason": "訴訟対応のため"})
    assert r.status_code == 200, r.text
    expires = date.fromisoformat(done["retention_expires_on"])
    assert r.json()["retention_expires_on"] == date(expires.year + 5, 3, 31).isoformat()
    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/retention-extensions")
    assert [(e["years"], e["previous_expires_on"], e["extended_by"]) for e in r.json()["items"]] == [
        (5, done["retention_expires_on"], RECORDS)
    ]
    assert (await audit_actions(stack, doc["id"]))[-1] == "retention_extend"


async def test_paper_original_and_retention_class_on_create_and_patch(stack: Stack) -> None:
    paper = {"reason": "相手方の押印原本", "kept_at": "総務課 書庫A-3"}
    doc = await stack.draft(DRAFTER, paper_original=paper, retention_years=30)
    assert doc["paper_original"] == paper and doc["retention_label"] == "30年"
    path = f"/v1/documents/{doc['id']}"
    r = await stack.call(DRAFTER, "PATCH", path, json={"paper_original": None, "retention_permanent": True})
    assert r.status_code == 200, r.text
    assert r.json()["paper_original"] is None and r.json()["retention_label"] == "永年"
    for bad in (
        {"retention_years": 7, "retention_permanent": False},
        {"paper_original": {"reason": ""}},
        {"retention_permanent": None},
        {"needs_issuance": None},
    ):
        r = await stack.call(DRAFTER, "PATCH", path, json=bad)
        assert r.status_code == 422, r.text
    r = await stack.call(DRAFTER, "POST", "/v1/documents", json={**doc_body(), "retention_years": 2})
    assert r.status_code == 422 and "retention_years" in r.json()["detail"]


async def test_follow_up_takes_a_sub_number(stack: Stack) -> None:
    original = await stack.submitted(DRAFTER, amount_yen=300_000)
    r = await stack.call(DRAFTER, "POST", "/v1/documents", json={**doc_body(), "follow_up_of": original["id"]})
    assert r.status_code == 409, r.text  # not numbered yet
    r = await stack.call(DRAFTER, "POST", "/v1/documents", json={**doc_body(), "follow_up_of": str(uuid.uuid4())})
    assert r.status_code == 422, r.text
    await stack.ok(MANAGER, original["id"], "approve")
    numbered = await until(stack, original["id"], lambda d: d["number_display"] is not None)
    follow_up = await stack.submitted(DRAFTER, amount_yen=300_000, follow_up_of=original["id"])
    await stack.ok(MANAGER, follow_up["id"], "approve")
    done = await until(stack, follow_up["id"], lambda d: d["number_display"] is not None)
    assert done["number_display"] == f"{numbered['number_display']}の2"
    assert done["number"]["sub"] == 2 and done["follow_up_of"] == original["id"]


def doc_body() -> dict[str, Any]:
    return {"title": "後続文書", "body": "", "matter": "spending", "amount_yen": 300_000}


async def test_a_retried_issuance_is_applied_once(stack: Stack, temporal_client: Client) -> None:
    """The same Idempotency-Key after the workflow has closed: the recorded answer, one seal-log line."""
    doc = await decided(stack, needs_issuance=True)
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {**SEAL, "seal": {"name": "副市長印"}}
    path = f"/v1/documents/{doc['id']}/issuance"
    first = await stack.call(DRAFTER, "POST", path, json=body, headers=key)
    assert first.status_code == 200, first.text
    await temporal_client.get_workflow_handle(f"document:{doc['id']}").result()
    again = await stack.call(DRAFTER, "POST", path, json=body, headers=key)
    assert again.status_code == 200, again.text
    assert again.json()["issuance"] == first.json()["issuance"]
    log = await every_item(stack, RECORDS, "/v1/seal-log")
    assert [u["seal_name"] for u in log if u["document_id"] == doc["id"]] == ["副市長印"]


async def test_circulation_completes_when_every_reader_has_read(stack: Stack) -> None:
    doc = await stack.submitted(DRAFTER, amount_yen=300_000, readers=[COLLEAGUE])
    circulating = await stack.ok(MANAGER, doc["id"], "approve")
    assert circulating["status"] == "circulating"
    numbered = await until(stack, doc["id"], lambda d: d["number_display"] is not None)
    assert numbered["completed_at"] is None  # 供覧 still open
    read = await stack.ok(COLLEAGUE, doc["id"], "acknowledge")
    assert read["status"] == "completed"
    done = await until(stack, doc["id"], lambda d: d["completed_at"] is not None)
    assert done["completed_at"] == read["updated_at"]
    r = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/audit")
    assert [e["detail"].get("cause") for e in r.json()["events"] if e["action"] == "complete"] == ["circulation"]
