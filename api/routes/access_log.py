"""アクセスログ: sign-ins and document reads, for administrators."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentStaff, SessionDep
from api.paging import Paging
from api.services.access_log import search
from db.repositories.signin import AccessLogFilter
from schemas.api.paging import Page
from schemas.api.signin import AccessKind, AccessLogEntry, AccessOutcome

router = APIRouter(prefix="/v1/access-log", tags=["access log"])


@router.get("")
async def read_access_log(
    session: SessionDep,
    staff: CurrentStaff,
    page: Paging,
    staff_id: Annotated[str | None, Query(max_length=40)] = None,
    kind: AccessKind | None = None,
    outcome: AccessOutcome | None = None,
    document_id: Annotated[str | None, Query(max_length=64)] = None,
    client_ip: Annotated[str | None, Query(max_length=45)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[AccessLogEntry]:
    """Sign-ins (success or failure, with the reason) and document reads, newest first (admins only)."""
    where = AccessLogFilter(
        staff_id=staff_id,
        kind=kind,
        outcome=outcome,
        document_id=document_id,
        client_ip=client_ip,
        since=_utc(since),
        until=_utc(until),
    )
    return await search(session, staff, where, page=page)


def _utc(moment: datetime | None) -> datetime | None:
    """A time without an offset is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
