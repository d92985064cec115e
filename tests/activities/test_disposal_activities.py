"""Applying a decided review is exactly once per item, also when the activity fails half-way and is retried."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.disposal import DisposalActivities
from core import clock
from core.calendar import JST
from db.disposal_opening import open_review_once
from db.models import (
    AttachmentRow,
    AuditEventRow,
    ClassificationVersionRow,
    DisposalRecordRow,
    DocumentRow,
    RecordFileRow,
    RetentionExtensionRow,
)
from db.repositories.disposal import DisposalRepository
from db.repositories.files import FileRepository, file_period
from db.session import create_engine, create_sessionmaker
from domain.retention import retention_period
from integrations.attachment_store import FilesystemAttachmentStore
from schemas.disposal import DisposalSettlement, DueDisposals, OpenReviewRequest
from tests.support.stack import holder
from tests.workflows.test_disposal_trigger import expiring_document

EXPIRY = date(2031, 3, 31)
AFTER_EXPIRY = datetime(2031, 4, 1, 0, 5, tzinfo=JST)


def set_clock(monkeypatch: pytest.MonkeyPatch, at: datetime) -> None:
    """The processes' clock (``core.clock.now``) at ``at``: the activities read today in Japan from it."""
    monkeypatch.setattr(clock, "now", lambda: at.astimezone(UTC))


async def _count(sessions: async_sessionmaker[AsyncSession], stmt: Select[int]) -> int:
    async with sessions() as session:
        return int(await session.scalar(stmt) or 0)


LONG_NAME = "記念式典の写真目録" * 9 + "写真ab.txt"  # 255 bytes in UTF-8: the most an attachment name may hold
SVG_NAME = "図面<1>.SVG"


async def _decided_transfer(sessions: async_sessionmaker[AsyncSession], doc: DocumentRow) -> DisposalSettlement:
    """A review of one document, proposed for 移管 and decided (as the review document's workflow would)."""
    review_doc = expiring_document(date(2099, 3, 31))
    async with sessions() as session, session.begin():
        session.add_all([doc, review_doc])
    opened = await open_review_once(sessions, OpenReviewRequest(fiscal_year=2030, at=datetime.now(UTC), opened_by="t"))
    async with sessions() as session, session.begin():
        repo = DisposalRepository(session)
        review = await repo.get(opened.review_id)
        assert review is not None
        review.status, review.document_id = "submitted", review_doc.id
        item = await repo.item(review.id, doc.id)
        assert item is not None
        item.disposition = "transfer"
    return DisposalSettlement(document_id=review_doc.id, status="approved", at=datetime.now(UTC))


async def test_the_export_names_attachments_by_number_and_keeps_archives_private(
    seeded_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """移管 of attachments named with 255 bytes of Japanese (no room for a ``1-`` prefix) and with characters an
    archive's file system refuses: written as ``attachments/<n>.<ext>``, the names in the manifest; files 0640,
    directories 0750 whatever the umask."""
    set_clock(monkeypatch, AFTER_EXPIRY)
    engine = create_engine(seeded_database_url)
    sessions = create_sessionmaker(engine)
    store = FilesystemAttachmentStore(tmp_path / "store")
    old_umask = os.umask(0o002)
    try:
        doc = expiring_document(EXPIRY)
        contents = {LONG_NAME: "写真目録".encode(), SVG_NAME: b"<svg/>", "README": b"readme"}
        async with sessions() as session, session.begin():
            session.add(doc)
            await session.flush()
            for n, (name, data) in enumerate(contents.items(), start=1):
                staged = tmp_path / f"staged-{n}"
                staged.write_bytes(data)
                sha = hashlib.sha256(data).hexdigest()
                await store.put(staged, sha256=sha)
                session.add(
                    AttachmentRow(
                        document_id=doc.id,
                        n=n,
                        filename=name,
                        content_type="application/octet-stream",
                        size_bytes=len(data),
                        sha256=sha,
                        uploaded_by=doc.drafter_id,
                        uploaded_at=datetime.now(UTC),
                    )
                )
        assert len(LONG_NAME.encode()) == 255
        settlement = await _decided_transfer(sessions, doc)
        archive = tmp_path / "archives"

        applied = await DisposalActivities(sessions, archive, store).settle_disposal_review(settlement)

        assert (applied.status, applied.applied) == ("applied", 1)
        folder = archive / "2030" / doc.id
        listed = json.loads((folder / "manifest.json").read_bytes())["files"]
        by_name = {entry["name"]: entry for entry in listed}
        assert {k: by_name[k].get("original_name") for k in by_name if k.startswith("attachments/")} == {
            "attachments/1.txt": LONG_NAME,
            "attachments/2.svg": SVG_NAME,
            "attachments/3": "README",
        }
        for entry in listed:
            data = (folder / entry["name"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert (folder / "attachments" / "1.txt").read_bytes() == contents[LONG_NAME]
        for path in [archive, *archive.rglob("*")]:
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (0o750 if path.is_dir() else 0o640), (path, oct(mode))
    finally:
        os.umask(old_umask)
        await engine.dispose()


async def test_a_retry_after_a_failed_export_applies_the_rest_once(
    seeded_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_clock(monkeypatch, AFTER_EXPIRY)
    engine = create_engine(seeded_database_url)
    sessions = create_sessionmaker(engine)
    try:
        dispose, transfer, extend = (expiring_document(EXPIRY) for _ in range(3))
        # The items are applied in number order: 廃棄 first, then the 移管 that fails, then the 延長.
        for n, doc in enumerate((dispose, transfer, extend), start=1):
            doc.number_display = f"萩総第{n}号"
        review_doc = expiring_document(date(2099, 3, 31))
        async with sessions() as session, session.begin():
            session.add_all([dispose, transfer, extend, review_doc])
        opened = await open_review_once(
            sessions, OpenReviewRequest(fiscal_year=2030, at=datetime.now(UTC), opened_by="test")
        )
        assert opened.item_count == 3
        async with sessions() as session, session.begin():
            repo = DisposalRepository(session)
            review = await repo.get(opened.review_id)
            assert review is not None
            review.status, review.document_id = "submitted", review_doc.id
            for doc, disposition in ((dispose, "dispose"), (transfer, "transfer"), (extend, "extend")):
                item = await repo.item(review.id, doc.id)
                assert item is not None
                item.disposition = disposition
                item.extend_years, item.reason = (1, "監査対応") if disposition == "extend" else (None, "")

        archive = tmp_path / "archives"
        archive.write_text("not a directory")  # the export cannot be written
        settlement = DisposalSettlement(document_id=review_doc.id, status="approved", at=datetime.now(UTC))
        activities = DisposalActivities(sessions, archive)
        with pytest.raises(OSError):
            await activities.settle_disposal_review(settlement)
        async with sessions() as session:
            items = {i.document_id: i for i in await DisposalRepository(session).items(opened.review_id)}
            assert items[dispose.id].outcome == "disposed" and items[transfer.id].applied_at is None
            still = await session.get(DocumentRow, transfer.id)
            assert still is not None and still.records_status == "active"

        archive.unlink()  # the retry (as Temporal would) succeeds and applies only what is left
        retried = await activities.settle_disposal_review(settlement)
        assert (retried.status, retried.applied) == ("applied", 2)
        again = await activities.settle_disposal_review(settlement)
        assert (again.status, again.applied) == ("applied", 0)

        records = select(func.count()).select_from(DisposalRecordRow).where(DisposalRecordRow.document_id == dispose.id)
        assert await _count(sessions, records) == 1
        extensions = select(func.count()).select_from(RetentionExtensionRow)
        assert await _count(sessions, extensions.where(RetentionExtensionRow.document_id == extend.id)) == 1
        for doc, action in ((dispose, "dispose"), (transfer, "transfer"), (extend, "retention_extend")):
            events = select(func.count()).select_from(AuditEventRow)
            events = events.where(AuditEventRow.document_id == doc.id, AuditEventRow.action == action)
            assert await _count(sessions, events) == 1, action
        assert (archive / "2030" / transfer.id / "manifest.json").exists()
    finally:
        await engine.dispose()


async def test_an_approval_before_the_expiry_applies_nothing_until_the_day_after(
    seeded_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review approved in February: the 延長 applies at once; the 廃棄 and the 移管 wait, through the daily job's
    runs on March 31 (the 満了日 itself), and are applied on April 1, once."""
    engine = create_engine(seeded_database_url)
    sessions = create_sessionmaker(engine)
    try:
        dispose, transfer, extend = (expiring_document(EXPIRY) for _ in range(3))
        review_doc = expiring_document(date(2099, 3, 31))
        async with sessions() as session, session.begin():
            session.add_all([dispose, transfer, extend, review_doc])
        opened = await open_review_once(sessions, OpenReviewRequest(fiscal_year=2030, at=datetime.now(UTC)))
        async with sessions() as session, session.begin():
            repo = DisposalRepository(session)
            review = await repo.get(opened.review_id)
            assert review is not None
            review.status, review.document_id = "submitted", review_doc.id
            for doc, disposition in ((dispose, "dispose"), (transfer, "transfer"), (extend, "extend")):
                item = await repo.item(review.id, doc.id)
                assert item is not None
                item.disposition = disposition
                item.extend_years, item.reason = (1, "監査対応") if disposition == "extend" else (None, "")
        activities = DisposalActivities(sessions, tmp_path / "archives")
        settlement = DisposalSettlement(document_id=review_doc.id, status="approved", at=datetime.now(UTC))

        set_clock(monkeypatch, datetime(2031, 2, 14, 10, tzinfo=JST))  # decided in February
        settled = await activities.settle_disposal_review(settlement)
        assert (settled.status, settled.applied, settled.waiting) == ("approved", 1, 2)
        assert settled.applies_from == date(2031, 4, 1)

        async def state() -> tuple[str, dict[str, str | None], dict[str, str]]:
            async with sessions() as session:
                repo = DisposalRepository(session)
                review = await repo.get(opened.review_id)
                assert review is not None
                outcomes = {i.document_id: i.outcome for i in await repo.items(review.id)}
                statuses = {}
                for doc in (dispose, transfer, extend):
                    row = await session.get(DocumentRow, doc.id)
                    assert row is not None
                    statuses[doc.id] = row.records_status
                return review.status, outcomes, statuses

        status, outcomes, statuses = await state()
        assert status == "approved" and outcomes == {dispose.id: None, transfer.id: None, extend.id: "extended"}
        assert set(statuses.values()) == {"active"}
        assert not (tmp_path / "archives" / "2030" / transfer.id).exists()

        set_clock(monkeypatch, datetime(2031, 3, 31, 23, 59, tzinfo=JST))  # the 満了日: still kept
        early = await activities.apply_due_disposals(DueDisposals(at=datetime.now(UTC)))
        assert (early.applied, early.waiting) == (0, 2)
        retried = await activities.settle_disposal_review(settlement)  # a retried settlement applies nothing
        assert (retried.status, retried.applied) == ("approved", 0)
        assert (await state())[0] == "approved"

        set_clock(monkeypatch, AFTER_EXPIRY)  # April 1, 00:05 JST: the daily job applies them
        done = await activities.apply_due_disposals(DueDisposals(at=datetime.now(UTC)))
        assert (done.applied, done.waiting) == (2, 0)
        status, outcomes, statuses = await state()
        assert status == "applied"
        assert outcomes == {dispose.id: "disposed", transfer.id: "transferred", extend.id: "extended"}
        assert statuses == {dispose.id: "disposed", transfer.id: "transferred", extend.id: "active"}
        again = await activities.apply_due_disposals(DueDisposals(at=datetime.now(UTC)))
        assert again.applied == 0
        records = select(func.count()).select_from(DisposalRecordRow).where(DisposalRecordRow.document_id == dispose.id)
        assert await _count(sessions, records) == 1
        events = select(func.count()).select_from(AuditEventRow).where(AuditEventRow.document_id == review_doc.id)
        assert await _count(sessions, events.where(AuditEventRow.action == "disposal_apply")) == 1
    finally:
        await engine.dispose()


async def test_a_file_is_listed_with_its_documents_by_the_latest_completion_and_disposed_as_one(
    seeded_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 5-year file holding documents completed 2025-06-01 and 2026-02-10 starts 2026-04-01 and expires 2031-03-31:
    the FY2029 review does not list a document alone by a per-document retention of its own (the file's counts),
    the FY2030 review lists the file with both, and its
    廃棄, decided in February, is applied on April 1 with the file's 廃棄記録."""
    engine = create_engine(seeded_database_url)
    sessions = create_sessionmaker(engine)
    try:
        async with sessions() as session, session.begin():
            version = await session.scalar(select(ClassificationVersionRow.id).limit(1))
            assert version is not None
            file = RecordFileRow(
                id=str(uuid.uuid4()),
                fiscal_year=2025,
                org_unit_code="somu.somu",
                classification_version=version,
                classification_code="01-02-01",
                classification_path="/01/01-02/01-02-01/",
                classification_names=["総務", "財務", "予算"],
                title="予算編成綴",
                storage_location="書庫A",
                medium="electronic",
                retention_years=5,
                retention_permanent=False,
                disposition="dispose",
                counting="fiscal_year",
                created_by=holder("somu.somu", "staff"),
                created_at=datetime.now(UTC),
            )
            session.add(file)
            await session.flush()
            docs = []
            for completed_on in (date(2025, 6, 1), date(2026, 2, 10)):
                period = retention_period(completed_on, 5)
                doc = expiring_document(period.expires_on or EXPIRY)
                doc.completed_at = datetime.combine(completed_on, time(10), JST)
                doc.file_id = file.id
                docs.append(doc)
            docs[0].retention_expires_on = date(2030, 3, 31)  # a per-document retention of its own (4 years)
            review_doc = expiring_document(date(2099, 3, 31))
            session.add_all([*docs, review_doc])
        assert [d.retention_expires_on for d in docs] == [date(2030, 3, 31), date(2031, 3, 31)]
        async with sessions() as session:
            (done,) = (await FileRepository(session).completions([file.id])).values()
            period = file_period(file, done)
        assert period is not None and (period.starts_on, period.expires_on) == (date(2026, 4, 1), date(2031, 3, 31))

        earlier = await open_review_once(sessions, OpenReviewRequest(fiscal_year=2029, at=datetime.now(UTC)))
        assert earlier.item_count == 0  # the older document is kept as its file: not listed alone
        opened = await open_review_once(sessions, OpenReviewRequest(fiscal_year=2030, at=datetime.now(UTC)))
        assert opened.item_count == 2
        async with sessions() as session, session.begin():
            repo = DisposalRepository(session)
            (listed,) = await repo.files(opened.review_id)
            assert (listed.file_id, listed.expires_on, listed.retention_label) == (file.id, EXPIRY, "5年")
            items = await repo.items(opened.review_id)
            assert {i.document_id for i in items} == {d.id for d in docs} and {i.file_id for i in items} == {file.id}
            review = await repo.get(opened.review_id)
            assert review is not None
            review.status, review.document_id = "submitted", review_doc.id
            for row in (listed, *items):  # as PUT …/files/{file_id} proposes
                row.disposition = "dispose"
        activities = DisposalActivities(sessions, tmp_path / "archives")
        settlement = DisposalSettlement(document_id=review_doc.id, status="approved", at=datetime.now(UTC))

        set_clock(monkeypatch, datetime(2031, 2, 20, 10, tzinfo=JST))
        settled = await activities.settle_disposal_review(settlement)
        assert (settled.status, settled.applied, settled.waiting) == ("approved", 0, 3)  # two documents + the file
        set_clock(monkeypatch, AFTER_EXPIRY)
        done_now = await activities.apply_due_disposals(DueDisposals(at=datetime.now(UTC)))
        assert done_now.applied == 2
        async with sessions() as session:
            kept = await session.get(RecordFileRow, file.id)
            assert kept is not None and kept.records_status == "disposed"
            record = await DisposalRepository(session).record_of_file(file.id)
            assert record is not None and (record.documents, record.expires_on, record.title) == (
                2,
                EXPIRY,
                "予算編成綴",
            )
            for doc in docs:
                row = await session.get(DocumentRow, doc.id)
                assert row is not None and row.records_status == "disposed"
            review = await DisposalRepository(session).get(opened.review_id)
            assert review is not None and review.status == "applied"
    finally:
        await engine.dispose()
