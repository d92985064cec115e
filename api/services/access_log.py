"""アクセスログ: document reads recorded as they happen, and the admins' view of the whole log."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from api.origin import Origin
from core.errors import Forbidden, NotFound
from db.models import AccessLogRow, StaffRow
from db.repositories.signin import AccessLogFilter, AccessLogRepository
from db.session import writing
from schemas.api.paging import Page, PageRequest
from schemas.api.signin import AccessKind, AccessLogEntry

T = TypeVar("T")


async def record_read(
    session: AsyncSession,
    *,
    kind: AccessKind,
    staff_id: str,
    document_id: str,
    origin: Origin,
    refusal: str = "",
) -> None:
    """One read of a document (or its audit trail), allowed or refused, in a transaction of its own."""
    async with writing(session):
        AccessLogRepository(session).add(
            AccessLogRow(
                at=datetime.now(UTC),
                kind=kind,
                outcome="failure" if refusal else "success",
                reason=refusal,
                staff_id=staff_id,
                document_id=document_id,
                client_ip=origin.client_ip,
                user_agent=origin.user_agent,
            )
        )


async def search(
    session: AsyncSession, staff: StaffRow, where: AccessLogFilter, *, page: PageRequest
) -> Page[AccessLogEntry]:
    if not staff.is_admin:
        raise Forbidden("only administrators may read the access log")
    rows, total = await AccessLogRepository(session).search(where, limit=page.limit, offset=page.offset)
    return page.page([AccessLogEntry.model_validate(r) for r in rows], total)


async def logged_read(
    session: AsyncSession,
    read: Awaitable[T],
    kind: AccessKind,
    staff: StaffRow,
    document_id: str,
    origin: Origin,
) -> T:
    """``read`` (a document or its audit trail), with its access-log entry: allowed, or refused with the reason."""
    try:
        result = await read
    except (NotFound, Forbidden) as exc:
        await record_read(
            session, kind=kind, staff_id=staff.id, document_id=document_id, origin=origin, refusal=exc.detail
        )
        raise
    await record_read(session, kind=kind, staff_id=staff.id, document_id=document_id, origin=origin)
    return result
