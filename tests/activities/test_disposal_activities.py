"""Applying a decided review is exactly once per item, also when the activity fails half-way and is retried."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.disposal import DisposalActivities
from db.disposal_opening import open_review_once
from db.models import AuditEventRow, DisposalRecordRow, DocumentRow, RetentionExtensionRow
from db.repositories.disposal import DisposalRepository
from db.session import create_engine, create_sessionmaker
from schemas.disposal import DisposalSettlement, OpenReviewRequest
from tests.workflows.test_disposal_trigger import expiring_document

EXPIRY = date(2031, 3, 31)


async def _count(sessions: async_sessionmaker[AsyncSession], stmt: Select[int]) -> int:
    async with sessions() as session:
        return int(await session.scalar(stmt) or 0)


async def test_a_retry_after_a_failed_export_applies_the_rest_once(seeded_database_url: str, tmp_path: Path) -> None:
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
