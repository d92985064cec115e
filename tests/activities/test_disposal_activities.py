"""Applying a decided review is exactly once per item, also when the activity fails half-way and is retried."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.disposal import DisposalActivities
from core import clock
from core.calendar import JST
from db.disposal_opening import open_review_once
from db.models import AttachmentRow, AuditEventRow, DisposalRecordRow, DocumentRow, RetentionExtensionRow
from db.repositories.disposal import DisposalRepository
from db.session import create_engine, create_sessionmaker
from integrations.attachment_store import FilesystemAttachmentStore
from schemas.disposal import DisposalSettlement, DueDisposals, OpenReviewRequest
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
