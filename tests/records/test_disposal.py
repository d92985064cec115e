"""The disposal review (廃棄・移管の審査) end to end: API -> Temporal dev server -> worker -> database (SQLite and
PostgreSQL) -> archive directory.

Documents are really drafted, decided and completed (完結) through the workflow; then their completion and
retention columns are moved into the past directly in the database (``backdate``), because a document completed
today expires years from now and the review of fiscal year N only lists those expiring on March 31 of N+1.
Completed in FY2021 with 5 years' retention, they expire on 2027-03-31: the review of FY2026 lists them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import func, select, update
from temporalio.client import Client

from activities.disposal import DisposalActivities
from core import clock
from core.calendar import JST
from db.models import ClassificationVersionRow, DisposalRecordRow, DocumentRow, RecordFileRow, RetentionExtensionRow
from db.session import create_engine, create_sessionmaker
from domain.fiscal import fiscal_year_of
from domain.retention import retention_period
from integrations.attachment_store import attachment_store
from schemas.disposal import DisposalSettlement, DueApplied, DueDisposals
from tests.api.support import RECORDS_OFFICE, assert_problem
from tests.records.test_lifecycle import audit_actions, until
from tests.support.documents import document_row
from tests.support.paging import every_item
from tests.support.stack import Stack, full_stack, holder
from tests.support.waiting import insert

RECORDS_CLERK = RECORDS_OFFICE  # 総務課 係長 granted records_office (文書担当)
MANAGER = holder("somu.somu", "manager")  # 総務課長: decides the 廃棄決裁 (and the test documents)
OUTSIDER = holder("somu.jinji", "staff")  # 人事課
REVIEWS = "/v1/records/disposal-reviews"
FY = 2026  # ends 2027-03-31


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


async def backdate(stack: Stack, document_id: str, *, completed_on: date, years: int = 5) -> None:
    """Pretend the document was completed on ``completed_on`` (see the module docstring)."""
    period = retention_period(completed_on, years)
    engine = create_engine(stack.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await session.execute(
                update(DocumentRow)
                .where(DocumentRow.id == document_id)
                .values(
                    completed_at=datetime.combine(completed_on, time(10), JST),
                    completion_fiscal_year=fiscal_year_of(completed_on),
                    retention_years=years,
                    retention_starts_on=period.starts_on,
                    retention_expires_on=period.expires_on,
                )
            )
    finally:
        await engine.dispose()


async def completed(
    stack: Stack, title: str, *, completed_on: date, attachment: bytes | None = None, **overrides: Any
) -> dict[str, Any]:
    """A decided, numbered and completed document, completed (as far as the records know) on ``completed_on``."""
    doc = await stack.submitted(RECORDS_CLERK, amount_yen=300_000, title=title, body=f"{title}の本文", **overrides)
    if attachment is not None:
        files = {"file": ("添付資料.txt", attachment, "text/plain")}
        r = await stack.call(RECORDS_CLERK, "POST", f"/v1/documents/{doc['id']}/attachments", files=files)
        assert r.status_code == 201, r.text
    await stack.ok(MANAGER, doc["id"], "approve")
    await until(stack, doc["id"], lambda d: d["completed_at"] is not None)
    await backdate(stack, doc["id"], completed_on=completed_on)
    return await until(stack, doc["id"], lambda d: True)


async def review_when(stack: Stack, review_id: str, status: str) -> dict[str, Any]:
    for _ in range(300):
        r = await stack.call(RECORDS_CLERK, "GET", f"{REVIEWS}/{review_id}")
        assert r.status_code == 200, r.text
        if r.json()["status"] == status:
            return dict(r.json())
        await asyncio.sleep(0.05)
    raise AssertionError(f"the review never became {status}: {r.json()}")


async def daily_job(stack: Stack) -> DueApplied:
    """One run of the daily ``DisposalApplyWorkflow``'s activity, at the processes' clock."""
    engine = create_engine(stack.settings.database_url)
    try:
        archive, store = stack.settings.data_dir / "archives", attachment_store(stack.settings.attachment_root())
        activities = DisposalActivities(create_sessionmaker(engine), archive, store)
        return await activities.apply_due_disposals(DueDisposals(at=datetime.now(UTC)))
    finally:
        await engine.dispose()


async def propose(stack: Stack, review_id: str, document_id: str, staff: str = RECORDS_CLERK, **body: Any) -> Any:
    return await stack.call(staff, "PUT", f"{REVIEWS}/{review_id}/items/{document_id}", json=body)


async def submit(stack: Stack, review_id: str, staff: str = RECORDS_CLERK) -> Any:
    return await stack.call(staff, "POST", f"{REVIEWS}/{review_id}/submit", headers={"Idempotency-Key": review_id})


async def count(stack: Stack, model: type[Any], document_id: str) -> int:
    engine = create_engine(stack.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            stmt = select(func.count()).select_from(model).where(model.document_id == document_id)
            return int(await session.scalar(stmt) or 0)
    finally:
        await engine.dispose()


ARCHIVED_FILE = "記念式典の写真目録".encode()
DISPOSED_FILE = "消耗品の見積書".encode()


async def test_yearly_review_extend_transfer_dispose_applied_once(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    fy2021 = date(2021, 9, 10)
    keep = await completed(stack, "訴訟関係書類", completed_on=fy2021)
    archive = await completed(stack, "市制記念事業の記録", completed_on=fy2021, attachment=ARCHIVED_FILE)
    destroy = await completed(stack, "消耗品購入", completed_on=fy2021, attachment=DISPOSED_FILE)
    paper = await completed(
        stack, "契約書原本", completed_on=fy2021, paper_original={"reason": "相手方押印", "kept_at": "書庫B-2"}
    )
    later = await completed(stack, "翌年度満了", completed_on=date(2022, 9, 10))  # expires 2028-03-31
    listed = {keep["id"], archive["id"], destroy["id"], paper["id"]}
    assert {d["retention_expires_on"] for d in (keep, archive, destroy, paper)} == {"2027-03-31"}

    r = await stack.call(OUTSIDER, "POST", REVIEWS, json={"fiscal_year": FY})
    assert r.status_code == 403, r.text
    r = await stack.call(RECORDS_CLERK, "POST", REVIEWS, json={"fiscal_year": FY})
    assert r.status_code == 201, r.text
    review = r.json()
    assert (review["status"], review["expires_on"], review["fiscal_year_label"]) == ("open", "2027-03-31", "令和8年度")
    assert {i["document_id"] for i in review["items"]} == listed and later["id"] not in listed
    by_id = {i["document_id"]: i for i in review["items"]}
    assert by_id[destroy["id"]]["number"] == destroy["number_display"] and by_id[destroy["id"]]["title"] == "消耗品購入"
    assert by_id[destroy["id"]]["retention_label"] == "5年" and by_id[destroy["id"]]["org_unit"] == "somu.somu"
    assert by_id[paper["id"]]["paper_original_location"] == "書庫B-2"
    again = await stack.call(RECORDS_CLERK, "POST", REVIEWS, json={"fiscal_year": FY})
    assert again.status_code == 200 and again.json()["id"] == review["id"]  # one review per fiscal year
    rid = review["id"]

    # Bad proposals change nothing.
    assert (await propose(stack, rid, later["id"], disposition="dispose")).status_code == 404  # not listed
    assert (await propose(stack, rid, keep["id"], disposition="burn")).status_code == 422
    assert (await propose(stack, rid, keep["id"], disposition="extend", extend_years=3)).status_code == 422
    assert (await propose(stack, rid, keep["id"], disposition="extend", reason="訴訟")).status_code == 422
    assert (await propose(stack, rid, keep["id"], OUTSIDER, disposition="dispose")).status_code == 403
    assert (await propose(stack, "no-such-review", keep["id"], disposition="dispose")).status_code == 404
    assert (await submit(stack, rid)).status_code == 409  # not every document has a proposal yet

    r = await propose(stack, rid, keep["id"], disposition="extend", extend_years=3, reason="訴訟係属中")
    assert r.status_code == 200 and r.json()["disposition_label"] == "延長", r.text
    assert (await propose(stack, rid, archive["id"], disposition="transfer")).status_code == 200
    assert (await propose(stack, rid, destroy["id"], disposition="dispose")).status_code == 200
    assert (await propose(stack, rid, paper["id"], disposition="dispose")).status_code == 200
    assert (await submit(stack, rid, OUTSIDER)).status_code == 403
    r = await submit(stack, rid)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "submitted" and r.json()["document_id"]
    review_doc = r.json()["document_id"]
    assert (await submit(stack, rid)).json()["document_id"] == review_doc  # a retried submit: the same
    r = await propose(stack, rid, keep["id"], disposition="dispose")
    assert r.status_code == 409 and "frozen" in r.json()["detail"], r.text

    # The review is an ordinary approval: 総務課長 decides it from the inbox.
    r = await stack.call(RECORDS_CLERK, "GET", f"/v1/documents/{review_doc}")
    assert r.json()["matter"] == "disposal_review" and r.json()["pending"] == [MANAGER], r.text
    assert "消耗品購入" in r.json()["body"] and "廃棄" in r.json()["body"]
    await stack.ok(MANAGER, review_doc, "approve")
    # Decided before the 満了日 (2027-03-31): the 延長 applies at once, the 廃棄 and 移管 wait for April 1.
    waiting = await review_when(stack, rid, "approved")
    assert {i["document_id"]: i["outcome"] for i in waiting["items"]} == {
        keep["id"]: "extended",
        archive["id"]: None,
        destroy["id"]: None,
        paper["id"]: None,
    }
    early = (await stack.call(RECORDS_CLERK, "GET", f"/v1/documents/{destroy['id']}")).json()
    assert early["records_status"] == "active" and early["body"]
    with monkeypatch.context() as m:  # the daily job's run on April 1 (JST) applies them
        m.setattr(clock, "now", lambda: datetime(2027, 4, 1, 0, 5, tzinfo=JST).astimezone(UTC))
        due = await daily_job(stack)
    assert (due.applied, due.waiting) == (3, 0)
    applied = await review_when(stack, rid, "applied")
    assert applied["approved_by"] == MANAGER
    outcomes = {i["document_id"]: i["outcome"] for i in applied["items"]}
    assert outcomes == {
        keep["id"]: "extended",
        archive["id"]: "transferred",
        destroy["id"]: "disposed",
        paper["id"]: "disposed",
    }

    # 延長: a new expiry and its history.
    kept = (await stack.call(RECORDS_CLERK, "GET", f"/v1/documents/{keep['id']}")).json()
    assert kept["retention_expires_on"] == "2030-03-31" and kept["records_status"] == "active"
    r = await stack.call(RECORDS_CLERK, "GET", f"/v1/documents/{keep['id']}/retention-extensions")
    assert [(e["years"], e["reason"], e["extended_by"]) for e in r.json()["items"]] == [(3, "訴訟係属中", MANAGER)]

    # 移管: exported with a manifest whose hashes match the files.
    moved = (await stack.call(RECORDS_CLERK, "GET", f"/v1/documents/{archive['id']}")).json()
    assert moved["records_status"] == "transferred" and moved["body"] == "市制記念事業の記録の本文"
    folder = stack.settings.data_dir / "archives" / str(FY) / archive["id"]
    manifest = json.loads((folder / "manifest.json").read_bytes())
    assert {f["name"] for f in manifest["files"]} == {"metadata.json", "body.txt", "attachments/1.txt"}
    assert [f.get("original_name") for f in manifest["files"] if f["name"] == "attachments/1.txt"] == ["添付資料.txt"]
    assert (folder / "attachments" / "1.txt").read_bytes() == ARCHIVED_FILE
    for entry in manifest["files"]:
        data = (folder / entry["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]
    assert (folder / "body.txt").read_text() == "市制記念事業の記録の本文"
    metadata = json.loads((folder / "metadata.json").read_text())
    assert metadata["number"] == archive["number_display"] and metadata["retention_expires_on"] == "2027-03-31"

    # 廃棄: a tombstone with its permanent 廃棄記録.
    gone = (await stack.call(RECORDS_CLERK, "GET", f"/v1/documents/{destroy['id']}")).json()
    assert gone["records_status"] == "disposed" and gone["body"] == "" and gone["title"] == "消耗品購入"
    assert gone["disposal"]["method"] == "電子データ消去" and gone["disposal"]["approved_by"] == MANAGER
    assert gone["attachments"] == []  # the attachment went with the content, its bytes too
    blob = hashlib.sha256(DISPOSED_FILE).hexdigest()
    assert not any(p.name == blob for p in stack.settings.attachment_root().rglob("*"))
    records = {d["document_id"]: d for d in await every_item(stack, RECORDS_CLERK, "/v1/records/disposals")}
    assert set(records) == {destroy["id"], paper["id"]}
    assert records[paper["id"]]["method"] == "電子データ消去・紙原本溶解"
    assert records[destroy["id"]]["number"] == destroy["number_display"]
    assert records[destroy["id"]]["expires_on"] == "2027-03-31" and records[destroy["id"]]["retention_label"] == "5年"
    assert records[destroy["id"]]["review_id"] == rid and records[destroy["id"]]["review_document_id"] == review_doc
    assert (await stack.call(OUTSIDER, "GET", "/v1/records/disposals")).status_code == 403

    # Each application is one event in the document's (intact) hash chain.
    assert (await audit_actions(stack, keep["id"]))[-1] == "retention_extend"
    assert (await audit_actions(stack, archive["id"]))[-1] == "transfer"
    assert (await audit_actions(stack, destroy["id"]))[-1] == "dispose"
    review_events = (await stack.call(RECORDS_CLERK, "GET", f"/v1/documents/{review_doc}/audit")).json()
    assert review_events["verified"] is True
    applied_event = next(e for e in review_events["events"] if e["action"] == "disposal_apply")
    assert applied_event["detail"]["disposed"] == 2 and applied_event["detail"]["extended"] == 1

    # A retried settlement applies nothing twice.
    engine = create_engine(stack.settings.database_url)
    try:
        activities = DisposalActivities(create_sessionmaker(engine), stack.settings.data_dir / "archives")
        rerun = await activities.settle_disposal_review(
            DisposalSettlement(document_id=review_doc, status="approved", at=datetime.now(JST))
        )
    finally:
        await engine.dispose()
    assert rerun.applied == 0
    assert await count(stack, RetentionExtensionRow, keep["id"]) == 1
    assert await count(stack, DisposalRecordRow, destroy["id"]) == 1
    assert (await audit_actions(stack, destroy["id"])).count("dispose") == 1

    # Running the review again for the same fiscal year opens nothing new.
    again = await stack.call(RECORDS_CLERK, "POST", REVIEWS, json={"fiscal_year": FY})
    assert again.status_code == 200 and again.json()["id"] == rid and again.json()["status"] == "applied"
    listing = (await stack.call(RECORDS_CLERK, "GET", REVIEWS)).json()["items"]
    assert [x["id"] for x in listing if x["fiscal_year"] == FY] == [rid]
    assert (await stack.call(OUTSIDER, "GET", REVIEWS)).status_code == 403
    # A 廃棄決裁 is drafted only through the review, never directly.
    body = {"title": "廃棄", "matter": "disposal_review", "amount_yen": 0}
    assert (await stack.call(RECORDS_CLERK, "POST", "/v1/documents", json=body)).status_code == 422


async def test_a_rejected_review_applies_nothing_and_a_new_one_may_open(stack: Stack) -> None:
    doc = await completed(stack, "保存文書", completed_on=date(2022, 9, 10))  # expires 2028-03-31: FY2027
    r = await stack.call(RECORDS_CLERK, "POST", REVIEWS, json={"fiscal_year": FY + 1})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert [i["document_id"] for i in r.json()["items"]] == [doc["id"]]
    # A document that comes to expire while the review is open joins it when the review is run again.
    late = await completed(stack, "遅れて完結", completed_on=date(2022, 11, 1))
    r = await stack.call(RECORDS_CLERK, "POST", REVIEWS, json={"fiscal_year": FY + 1})
    assert r.status_code == 200 and r.json()["id"] == rid, r.text
    assert {i["document_id"] for i in r.json()["items"]} == {doc["id"], late["id"]}
    assert (await propose(stack, rid, late["id"], disposition="transfer")).status_code == 200
    assert (await propose(stack, rid, doc["id"], disposition="dispose")).status_code == 200
    review_doc = (await submit(stack, rid)).json()["document_id"]
    await stack.ok(MANAGER, review_doc, "reject", comment="選別をやり直すこと")
    rejected = await review_when(stack, rid, "rejected")
    assert [i["applied_at"] for i in rejected["items"]] == [None, None]
    assert not (stack.settings.data_dir / "archives" / str(FY + 1)).exists()  # nothing transferred
    kept = (await stack.call(RECORDS_CLERK, "GET", f"/v1/documents/{doc['id']}")).json()
    assert kept["records_status"] == "active" and kept["body"] == "保存文書の本文" and kept["disposal"] is None
    assert await count(stack, DisposalRecordRow, doc["id"]) == 0
    r = await stack.call(RECORDS_CLERK, "POST", REVIEWS, json={"fiscal_year": FY + 1})
    assert r.status_code == 201 and r.json()["id"] != rid, r.text  # the rejected one no longer counts
    carried = {i["document_id"]: i["disposition"] for i in r.json()["items"]}
    assert carried == {doc["id"]: "dispose", late["id"]: "transfer"}  # revised from the rejected proposals


async def test_the_review_document_takes_the_highest_confidentiality_it_lists(stack: Stack) -> None:
    """The 廃棄決裁 lists the titles of what it decides: a 機密性3 title makes it a 機密性3 document."""
    fy = FY + 2  # completed in 年度 2023 with 5 years: expires 2029-03-31
    plain = await completed(stack, "備品台帳", completed_on=date(2023, 6, 10))
    secret = await completed(stack, "懲戒処分の記録", completed_on=date(2023, 7, 10), confidentiality=3)
    r = await stack.call(RECORDS_CLERK, "POST", REVIEWS, json={"fiscal_year": fy})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert {i["document_id"] for i in r.json()["items"]} == {plain["id"], secret["id"]}
    for document_id in (plain["id"], secret["id"]):
        assert (await propose(stack, rid, document_id, disposition="dispose")).status_code == 200
    submitted = await submit(stack, rid)
    assert submitted.status_code == 200, submitted.text
    review_doc = (await stack.call(RECORDS_CLERK, "GET", f"/v1/documents/{submitted.json()['document_id']}")).json()
    assert "懲戒処分の記録" in review_doc["body"]
    assert review_doc["confidentiality"] == 3
    assert_problem(await stack.call(OUTSIDER, "GET", f"/v1/documents/{review_doc['id']}"), 404)


async def test_the_review_lists_files_with_their_documents_and_takes_proposals_per_file(stack: Stack) -> None:
    """A file (簿冊) completed in 年度 2024 with 5 years expires 2030-03-31: the FY2029 review lists it with its
    documents; a proposal is per file (its documents take it), never per document of a file."""
    fy = 2029
    file_id = str(uuid.uuid4())
    engine = create_engine(stack.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            version = await session.scalar(select(ClassificationVersionRow.id).limit(1))
    finally:
        await engine.dispose()
    assert version is not None
    file = RecordFileRow(
        id=file_id,
        fiscal_year=2024,
        org_unit_code="somu.somu",
        classification_version=version,
        classification_code="01-02-01",
        classification_path="/01/01-02/01-02-01/",
        classification_names=["総務", "財務", "予算"],
        title="補助金交付綴",
        storage_location="書庫A",
        medium="paper",
        retention_years=5,
        retention_permanent=False,
        disposition="dispose",
        counting="fiscal_year",
        created_by=holder("somu.somu", "staff"),
        created_at=datetime.now(UTC),
    )
    docs = [
        document_row(
            title=f"補助金交付 {n}",
            status="approved",
            completed_at=datetime.combine(completed_on, time(10), JST),
            retention_expires_on=date(2030, 3, 31),
            file_id=file_id,
        )
        for n, completed_on in enumerate((date(2024, 6, 1), date(2025, 2, 10)), start=1)
    ]
    await insert(stack, file, *docs)
    r = await stack.call(RECORDS_CLERK, "POST", REVIEWS, json={"fiscal_year": fy})
    assert r.status_code == 201, r.text
    review = r.json()
    (listed,) = [f for f in review["files"] if f["file_id"] == file_id]
    assert (listed["title"], listed["expires_on"], listed["retention_label"]) == ("補助金交付綴", "2030-03-31", "5年")
    assert {d["document_id"] for d in listed["documents"]} == {d.id for d in docs}
    rid = review["id"]
    r = await propose(stack, rid, docs[0].id, disposition="dispose")
    assert r.status_code == 409 and "file" in r.json()["detail"], r.text  # decided per file
    url = f"{REVIEWS}/{rid}/files/{file_id}"
    r = await stack.call(RECORDS_CLERK, "PUT", url, json={"disposition": "extend", "extend_years": 2})
    assert r.status_code == 422, r.text  # an extension needs a reason
    assert (await stack.call(OUTSIDER, "PUT", url, json={"disposition": "dispose"})).status_code == 403
    missing = f"{REVIEWS}/{rid}/files/{uuid.uuid4()}"
    assert (await stack.call(RECORDS_CLERK, "PUT", missing, json={"disposition": "dispose"})).status_code == 404
    r = await stack.call(RECORDS_CLERK, "PUT", url, json={"disposition": "transfer", "reason": "歴史資料"})
    assert r.status_code == 200 and r.json()["disposition_label"] == "移管", r.text
    assert {d["disposition"] for d in r.json()["documents"]} == {"transfer"}
    again = (await stack.call(RECORDS_CLERK, "GET", f"{REVIEWS}/{rid}")).json()
    assert {i["disposition"] for i in again["items"] if i["file_id"] == file_id} == {"transfer"}
    assert (await stack.call(OUTSIDER, "GET", "/v1/records/file-disposals")).status_code == 403
    assert (await stack.call(RECORDS_CLERK, "GET", "/v1/records/file-disposals")).status_code == 200
