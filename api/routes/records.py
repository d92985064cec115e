"""Records (文書管理): 施行 (issuance) with its 公印, 保存期間の延長, the 公印使用簿."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services.records import RecordsService
from schemas.api.models import (
    DocumentRead,
    IssuanceCreate,
    RetentionExtensionCreate,
    RetentionExtensionRead,
    SealUseRead,
)
from schemas.api.paging import Page

router = APIRouter(prefix="/v1", tags=["records"])


def _records(app: StateDep, session: SessionDep) -> RecordsService:
    return RecordsService(app, session)


Records = Annotated[RecordsService, Depends(_records)]


@router.post("/documents/{document_id}/issuance")
async def issue_document(
    document_id: str,
    body: IssuanceCreate,
    staff: CurrentStaff,
    records: Records,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> DocumentRead:
    """施行: clean-copy date, 公印 (or 公印省略), dispatch — once, after the decision; completes the document."""
    return await records.issue(staff, document_id, body, key=idempotency_key or "")


@router.post("/documents/{document_id}/retention-extension")
async def extend_retention(
    document_id: str, body: RetentionExtensionCreate, staff: CurrentStaff, records: Records
) -> DocumentRead:
    """保存期間の延長 by the records office: a new expiry, with its reason kept."""
    return await records.extend_retention(staff, document_id, body)


@router.get("/documents/{document_id}/retention-extensions")
async def retention_extensions(
    document_id: str, staff: CurrentStaff, records: Records, page: Paging
) -> Page[RetentionExtensionRead]:
    """The document's retention extensions, oldest first."""
    return page.slice(await records.extensions(staff, document_id))


@router.get("/seal-log")
async def seal_log(
    staff: CurrentStaff,
    records: Records,
    page: Paging,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> Page[SealUseRead]:
    """公印使用簿: seal uses between two dates (records office / admin), oldest first."""
    return await records.seal_log(staff, start=start, end=end, page=page)
