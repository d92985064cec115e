"""Disposal review activities (廃棄・移管の審査): open the fiscal year's review (db/disposal_opening.py), settle a
decided review, and the daily job that applies what has come due.

A decided review applies its 延長 at once; its 廃棄 and 移管 only from the day after their 満了日
(``domain.disposal.due``, by today in Japan from ``core.clock``): until then the review is ``approved`` and the
daily ``DisposalApplyWorkflow`` (a Temporal Schedule, 00:05 JST) applies each item on the first day it may.

Application is exactly once per item: each item is applied in its own transaction under the document's
row lock, and ``applied_at`` is set in that same transaction, so a retried activity skips what is done.  Each
application is an event in the document's audit hash chain.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from core import clock
from db.disposal_opening import open_review_once
from db.models import (
    DisposalRecordRow,
    DisposalReviewItemRow,
    DisposalReviewRow,
    DocumentRow,
    FileDisposalRecordRow,
    RecordFileRow,
    RetentionExtensionRow,
)
from db.repositories.attachments import AttachmentRepository
from db.repositories.audit import AuditRepository
from db.repositories.disposal import DisposalRepository
from db.repositories.documents import DocumentRepository, RouteStepRepository
from db.repositories.records import RetentionExtensionRepository
from db.session import begin_write
from domain.disposal import (
    applies_from,
    attachment_export_name,
    disposal_method,
    due,
    export_files,
    manifest,
    sha256_hex,
)
from domain.retention import extended_expiry, retention_label
from domain.statuses import DECIDED
from integrations.attachment_store import AttachmentStore
from schemas.disposal import (
    DisposalApplied,
    DisposalSettlement,
    DueApplied,
    DueDisposals,
    OpenReviewRequest,
    ReviewOpened,
)

log = structlog.get_logger("ringi.disposal")


# --- attachments hook ------------------------------------------------------------------------------------------
class DisposalActivities:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], archive_root: Path, attachments: AttachmentStore | None = None
    ) -> None:
        self._sessions = sessions
        self._archive_root = archive_root
        self._attachments = attachments  # None: documents are exported and disposed without their attachments

    @activity.defn(name="open_disposal_review")
    async def open_disposal_review(self, request: OpenReviewRequest) -> ReviewOpened:
        """The yearly trigger: open the fiscal year's review (no second one if it is already open)."""
        opened = await open_review_once(self._sessions, request)
        log.info("disposal.review_opened", review_id=opened.review_id, created=opened.created, items=opened.item_count)
        return opened

    @activity.defn(name="settle_disposal_review")
    async def settle_disposal_review(self, settlement: DisposalSettlement) -> DisposalApplied:
        """The review's 廃棄決裁 closed: if decided, apply each item that is due (once), else release the review."""
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            review = await DisposalRepository(session).by_document(settlement.document_id, for_update=True)
            if review is None:
                return DisposalApplied(review_id=None, status="none")
            if settlement.status not in DECIDED:
                if review.status == "submitted":
                    review.status = "withdrawn" if settlement.status == "withdrawn" else "rejected"
                    review.live_fiscal_year = None
                    review.decided_at = settlement.at
                return DisposalApplied(review_id=review.id, status=review.status)
            if review.approved_by is None:
                review.approved_by, review.decided_at = await self._decider(session, settlement)
            review_id = review.id
        return await self._apply_due(review_id)

    @activity.defn(name="apply_due_disposals")
    async def apply_due_disposals(self, request: DueDisposals) -> DueApplied:
        """The daily job: every decided review's items that have come due today (JST) are applied, once."""
        async with self._sessions() as session:
            waiting = [r.id for r in await DisposalRepository(session).all() if r.status == "approved"]
        applied = pending = 0
        for review_id in waiting:
            result = await self._apply_due(review_id)
            applied, pending = applied + result.applied, pending + result.waiting
        log.info("disposal.due_applied", at=request.at.isoformat(), reviews=len(waiting), applied=applied)
        return DueApplied(reviews=len(waiting), applied=applied, waiting=pending)

    async def _apply_due(self, review_id: str) -> DisposalApplied:
        """Apply the review's items that are due today; the review is ``applied`` once none waits any more."""
        today = clock.today_in_japan()
        async with self._sessions() as session:
            review = await DisposalRepository(session).get(review_id)
            assert review is not None
            if review.status == "applied":
                return DisposalApplied(review_id=review_id, status="applied")
            document_id = review.document_id
            items = [i for i in await DisposalRepository(session).items(review_id) if i.applied_at is None]
            files = [f for f in await DisposalRepository(session).files(review_id) if f.applied_at is None]
        ready = [i.document_id for i in items if due(i.disposition, i.expires_on, today)]
        later = sorted(applies_from(i.expires_on) for i in items if not due(i.disposition, i.expires_on, today))
        later += sorted(applies_from(f.expires_on) for f in files if not due(f.disposition, f.expires_on, today))
        applied = 0
        for item_document in ready:
            applied += await self._apply_item(review_id, item_document)
        for file in files:  # a file's own change follows its documents'
            if due(file.disposition, file.expires_on, today):
                await self._apply_file(review_id, file.file_id)
        if later:
            async with self._sessions() as session, session.begin():
                await begin_write(session)
                review = await DisposalRepository(session).get(review_id, for_update=True)
                assert review is not None
                if review.status == "submitted":  # decided; the daily job applies the rest when due
                    review.status = "approved"
            log.info("disposal.review_waiting", review_id=review_id, applied=applied, waiting=len(later))
            return DisposalApplied(
                review_id=review_id, status="approved", applied=applied, waiting=len(later), applies_from=later[0]
            )
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            repo = DisposalRepository(session)
            review = await repo.get(review_id, for_update=True)
            assert review is not None
            if review.status != "applied":  # the review's own chain records the application once
                review.status, review.applied_at = "applied", clock.now()
                outcomes = Counter(i.outcome or "none" for i in await repo.items(review_id))
                row = await DocumentRepository(session).get(document_id or "", for_update=True)
                assert row is not None
                await _audit(session, row, "disposal_apply", review, review.applied_at, dict(sorted(outcomes.items())))
        log.info("disposal.review_applied", review_id=review_id, applied=applied)
        return DisposalApplied(review_id=review_id, status="applied", applied=applied)

    async def _apply_file(self, review_id: str, file_id: str) -> None:
        """The file's (簿冊) own change, in one transaction with its ``applied_at``: a 延長 moves its expiry, a 移管 or
        廃棄 closes it (a 廃棄 with the file's 廃棄記録, kept permanently)."""
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            repo = DisposalRepository(session)
            review = await repo.get(review_id)
            listed = await repo.file(review_id, file_id, for_update=True)
            file = await session.get(RecordFileRow, file_id, with_for_update=True)
            assert review is not None and listed is not None and file is not None
            if listed.applied_at is not None:
                return
            now = clock.now()
            if file.records_status != "active":
                listed.outcome = "skipped"
            elif listed.disposition == "extend" and listed.extend_years is not None:
                file.extended_expires_on = extended_expiry(listed.expires_on, listed.extend_years)
                listed.outcome = "extended"
            elif listed.disposition == "transfer":
                file.records_status, listed.outcome = "transferred", "transferred"
            elif listed.disposition == "dispose":
                items = await repo.items_of_file(review_id, file_id)
                repo.add(
                    FileDisposalRecordRow(
                        file_id=file.id,
                        title=file.title,
                        org_unit_code=file.org_unit_code,
                        fiscal_year=file.fiscal_year,
                        classification_code=file.classification_code,
                        retention_label=listed.retention_label,
                        expires_on=listed.expires_on,
                        documents=sum(1 for i in items if i.outcome == "disposed"),
                        review_id=review.id,
                        review_document_id=review.document_id,
                        approved_by=review.approved_by or "unknown",
                        approved_at=review.decided_at or now,
                        disposed_at=now,
                    )
                )
                file.records_status, listed.outcome = "disposed", "disposed"
            else:
                listed.outcome = "skipped"
            listed.applied_at = now
        log.info("disposal.file_applied", review_id=review_id, file_id=file_id, outcome=listed.outcome)

    @staticmethod
    async def _decider(session: AsyncSession, settlement: DisposalSettlement) -> tuple[str, datetime]:
        """Who decided (決裁) the review's document, and when (the decide step of the read model)."""
        steps = await RouteStepRepository(session).for_document(settlement.document_id)
        done = [s for s in steps if s.stage_kind == "decide" and s.state == "done" and s.acted_by]
        if done:
            return str(done[-1].acted_by), done[-1].acted_at or settlement.at
        return "unknown", settlement.at

    async def _apply_item(self, review_id: str, document_id: str) -> int:
        """One item, in one transaction: the change, its audit event and ``applied_at`` commit together."""
        removed: list[str] = []  # SHA-256 of the attachments a disposal deleted
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            repo = DisposalRepository(session)
            review = await repo.get(review_id)
            item = await repo.item(review_id, document_id, for_update=True)
            row = await DocumentRepository(session).get(document_id, for_update=True)
            assert review is not None and item is not None and row is not None
            if item.applied_at is not None or not due(item.disposition, item.expires_on, clock.today_in_japan()):
                return 0
            now = clock.now()
            if row.records_status != "active" or row.retention_expires_on is None:
                item.outcome = "skipped"  # disposed or transferred meanwhile: nothing left to apply
            elif item.disposition == "extend":
                await self._extend(session, review, item, row, now)
            elif item.disposition == "transfer":
                await self._transfer(session, review, row, now)
                item.outcome = "transferred"
            elif item.disposition == "dispose":
                removed = await self._dispose(session, review, item, row, now)
                item.outcome = "disposed"
            else:
                item.outcome = "skipped"
            item.applied_at = now
        await self._purge(removed)
        log.info("disposal.item_applied", review_id=review_id, document_id=document_id, outcome=item.outcome)
        return 1

    async def _extend(
        self,
        session: AsyncSession,
        review: DisposalReviewRow,
        item: DisposalReviewItemRow,
        row: DocumentRow,
        at: datetime,
    ) -> None:
        assert row.retention_expires_on is not None and item.extend_years is not None
        previous = row.retention_expires_on
        # A filed document is kept as its file: extended from the file's expiry.
        row.retention_expires_on = extended_expiry(item.expires_on if item.file_id else previous, item.extend_years)
        RetentionExtensionRepository(session).add(
            RetentionExtensionRow(
                document_id=row.id,
                years=item.extend_years,
                reason=item.reason,
                previous_expires_on=previous,
                new_expires_on=row.retention_expires_on,
                extended_by=review.approved_by or "system",
                extended_at=at,
            )
        )
        item.outcome = "extended"
        await _audit(
            session,
            row,
            "retention_extend",
            review,
            at,
            {
                "years": item.extend_years,
                "reason": item.reason,
                "previous_expires_on": previous.isoformat(),
                "new_expires_on": row.retention_expires_on.isoformat(),
            },
        )

    async def _transfer(self, session: AsyncSession, review: DisposalReviewRow, row: DocumentRow, at: datetime) -> None:
        """移管: export metadata, body (and attachments) with a manifest, then mark the document transferred."""
        files = export_files(await _metadata(session, row), row.body)
        attachments, names = await self._attachment_files(session, row)
        files.update(attachments)
        manifest_bytes = manifest(row.id, files, names)
        directory = Path(str(review.fiscal_year)) / row.id
        await asyncio.to_thread(_write_all, self._archive_root, directory, {**files, "manifest.json": manifest_bytes})
        row.records_status = "transferred"
        await _audit(
            session,
            row,
            "transfer",
            review,
            at,
            {
                "archive": f"archives/{review.fiscal_year}/{row.id}",
                "manifest_sha256": sha256_hex(manifest_bytes),
                "files": sorted(files),
            },
        )

    async def _dispose(
        self,
        session: AsyncSession,
        review: DisposalReviewRow,
        item: DisposalReviewItemRow,
        row: DocumentRow,
        at: datetime,
    ) -> list[str]:
        """廃棄: the content goes, the 廃棄記録 stays (permanently); answers the SHA-256 of the removed attachments."""
        assert row.retention_expires_on is not None
        method = disposal_method(
            paper_original=row.paper_original_location is not None, confidentiality=row.confidentiality
        )
        DisposalRepository(session).add(
            DisposalRecordRow(
                document_id=row.id,
                number=row.number_display,
                title=row.title,
                org_unit_code=row.org_unit_code,
                retention_label=item.retention_label,
                expires_on=item.expires_on,
                review_id=review.id,
                review_document_id=review.document_id,
                approved_by=review.approved_by or "unknown",
                approved_at=review.decided_at or at,
                disposed_at=at,
                method=method,
            )
        )
        removed = await AttachmentRepository(session).for_document(row.id)
        for attachment in removed:  # rows stay as tombstones, so numbers are never reused
            attachment.deleted_by, attachment.deleted_at = review.approved_by or "system", at
        row.body = ""
        row.records_status = "disposed"
        await _audit(session, row, "dispose", review, at, {"method": method, "attachments_deleted": len(removed)})
        return [a.sha256 for a in removed]

    async def _attachment_files(
        self, session: AsyncSession, row: DocumentRow
    ) -> tuple[dict[str, bytes], dict[str, str]]:
        """Every live attachment's bytes, keyed by number (``attachments/<n>.pdf``), and each one's original name
        (for the manifest): a long Japanese name never makes the export fail."""
        if self._attachments is None:
            return {}, {}
        files: dict[str, bytes] = {}
        names: dict[str, str] = {}
        for attachment in await AttachmentRepository(session).for_document(row.id):
            content = b"".join([chunk async for chunk in self._attachments.chunks(attachment.sha256)])
            path = attachment_export_name(attachment.n, attachment.filename)
            files[path], names[path] = content, attachment.filename
        return files, names

    async def _purge(self, hashes: list[str]) -> None:
        """Delete the disposed attachments' bytes, once committed, unless another live attachment shares them (the
        store is content-addressed).  A crash right before this leaves the bytes behind, unreferenced."""
        if self._attachments is None or not hashes:
            return
        async with self._sessions() as session:
            repo = AttachmentRepository(session)
            orphans = [sha for sha in set(hashes) if await repo.references(sha) == 0]
        for sha in orphans:
            await self._attachments.delete(sha)


async def _audit(
    session: AsyncSession,
    row: DocumentRow,
    action: str,
    review: DisposalReviewRow,
    at: datetime,
    detail: dict[str, Any],
) -> None:
    await AuditRepository(session).append(
        document_id=row.id,
        action=action,
        actor_id=review.approved_by or "system",
        at=at,
        version=row.version,
        content_hash=row.content_hash,
        detail={**detail, "disposal_review": review.id, "review_document": review.document_id},
    )


async def _metadata(session: AsyncSession, row: DocumentRow) -> dict[str, Any]:
    """What an archive needs to understand the record: its identity, dates, retention, route and audit chain."""
    steps = await RouteStepRepository(session).for_document(row.id)
    events = await AuditRepository(session).list(row.id)
    return {
        "id": row.id,
        "number": row.number_display,
        "title": row.title,
        "matter": row.matter,
        "amount_yen": row.amount_yen,
        "confidentiality": row.confidentiality,
        "drafter_id": row.drafter_id,
        "org_unit": row.org_unit_code,
        "created_at": row.created_at.isoformat(),
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "completed_at": row.completed_at.isoformat() if row.completed_at else None,
        "completion_fiscal_year": row.completion_fiscal_year,
        "retention": retention_label(row.retention_years, permanent=row.retention_permanent),
        "retention_starts_on": row.retention_starts_on,
        "retention_expires_on": row.retention_expires_on,
        "content_hash": row.content_hash,
        "paper_original": {"reason": row.paper_original_reason, "kept_at": row.paper_original_location}
        if row.paper_original_location
        else None,
        "route": [
            {
                "stage": s.stage_index,
                "kind": s.stage_kind,
                "assignee": s.assignee_id,
                "acted_by": s.acted_by,
                "response": s.response,
                "acted_at": s.acted_at.isoformat() if s.acted_at else None,
            }
            for s in steps
        ],
        "audit": [{"seq": e.seq, "action": e.action, "actor": e.actor_id, "hash": e.hash} for e in events],
    }


#: Archived records are for the service account and its group (the archive's transfer job), nobody else.
ARCHIVE_FILE_MODE = 0o640
ARCHIVE_DIRECTORY_MODE = 0o750


def _write_all(root: Path, directory: Path, files: dict[str, bytes]) -> None:
    """Write each file under ``root / directory`` atomically (temp file + rename), files 0640 and every directory
    from ``root`` down 0750 whatever the umask: a retried export rewrites the same bytes."""
    for name, data in files.items():
        path = root / directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        folder = path.parent
        while True:
            os.chmod(folder, ARCHIVE_DIRECTORY_MODE)
            if folder == root or root not in folder.parents:
                break
            folder = folder.parent
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, ARCHIVE_FILE_MODE)
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), ARCHIVE_FILE_MODE)
            out.write(data)
        os.replace(tmp, path)
