"""アクセスログ: document reads recorded as they happen, and the admins' view of the whole log."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.origin import Origin
from core.errors import Forbidden
from db.models import AccessLogRow, StaffRow
from db.repositories.signin import AccessLogFilter, AccessLogRepository
from db.session import begin_write
from schemas.api.models import Page
from schemas.api.signin import AccessKind, AccessLogEntry


async def record_read(
    sessions: async_sessionmaker[AsyncSession],
    *,
    kind: AccessKind,
    staff_id: str,
    document_id: str,
    origin: Origin,
    refusal: str = "",
) -> None:
    """One read of a document (or its audit trail), allowed or refused, in a transaction of its own."""
    async with sessions() as session, session.begin():
        await begin_write(session)
        AccessLogRepository(session).add(
            AccessLogRow(
                at=datetime.now(UTC),
                kind=kind,
                outcome="failure" if refusal else "success",
                reason=refusal[:200],
                staff_id=staff_id,
                document_id=document_id[:64],
                client_ip=origin.client_ip[:45],
                user_agent=origin.user_agent[:400],
            )
        )


async def search(
    session: AsyncSession, staff: StaffRow, where: AccessLogFilter, *, limit: int, offset: int
) -> Page[AccessLogEntry]:
    if not staff.is_admin:
        raise Forbidden("only administrators may read the access log")
    rows, total = await AccessLogRepository(session).search(where, limit=limit, offset=offset)
    return Page(
        items=[AccessLogEntry.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )
