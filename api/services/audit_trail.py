"""Audit events the API itself appends to a document's hash chain: views of classified documents (閲覧記録)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DocumentRow, StaffRow
from db.repositories.audit import AuditRepository
from db.session import writing

log = structlog.get_logger("ringi.audit")

#: 機密性2 and above: every view is recorded (who, when, what).
AUDITED_VIEW_FROM = 2

ViewKind = Literal["document", "attachment", "print"]


async def record_view(
    session: AsyncSession,
    staff: StaffRow,
    document: DocumentRow,
    *,
    what: ViewKind,
    attachment_n: int | None = None,
) -> None:
    """Append a ``view`` event when ``document`` is classified 機密性2+ (its own short write transaction)."""
    if document.confidentiality < AUDITED_VIEW_FROM:
        return
    detail: dict[str, object] = {"what": what}
    if attachment_n is not None:
        detail["n"] = attachment_n
    async with writing(session):
        await AuditRepository(session).append(
            document_id=document.id,
            action="view",
            actor_id=staff.id,
            at=datetime.now(UTC),
            version=document.version,
            content_hash=document.content_hash,
            detail=detail,
        )
    log.info("document.viewed", document_id=document.id, staff_id=staff.id, what=what)
