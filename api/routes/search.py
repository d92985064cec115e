"""文書検索: ``GET /v1/search`` over documents and receipts (free text and filters, only what you may see)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services.search import SearchRequest, SearchService
from core.clock import today_in_japan
from db.repositories.search import Kind, Sort
from domain.search import MAX_QUERY_CHARS
from schemas.api.paging import Page
from schemas.api.search import SearchHit

router = APIRouter(tags=["search"])

Code = Annotated[str | None, Query(max_length=64, pattern=r"^[\w.\-]*$")]


def _service(app: StateDep, session: SessionDep) -> SearchService:
    return SearchService(app, session)


Search = Annotated[SearchService, Depends(_service)]


@router.get("/v1/search")
async def search(
    staff: CurrentStaff,
    service: Search,
    page: Paging,
    q: Annotated[
        str | None, Query(max_length=MAX_QUERY_CHARS, description="words (all required) of 件名, 本文, receipt fields")
    ] = None,
    kind: Annotated[Kind, Query(description="all, document (起案文書) or receipt (収受文書)")] = "all",
    number: Annotated[str | None, Query(max_length=60, description="文書番号 or a part of it")] = None,
    receipt_number: Annotated[str | None, Query(max_length=60, description="収受番号 or a part of it")] = None,
    fiscal_year: Annotated[int | None, Query(ge=1989, le=2200, description="年度 (2026 = 令和8年度)")] = None,
    unit: Annotated[Code, Query(description="所属: an org unit and the units under it")] = None,
    classification: Annotated[Code, Query(description="分類 code (大/中/小)")] = None,
    file_id: Annotated[str | None, Query(max_length=36, pattern=r"^[\w\-]*$", description="簿冊 (file id)")] = None,
    counterparty: Annotated[
        str | None, Query(max_length=100, description="相手先 (a receipt's sender/addressee)")
    ] = None,
    drafter: Annotated[Code, Query(description="起案者 (staff id)")] = None,
    status: Annotated[Code, Query(description="状態: a document's status or a receipt's outcome")] = None,
    confidentiality: Annotated[int | None, Query(ge=1, le=3, description="機密性")] = None,
    date_from: Annotated[date | None, Query(alias="from", description="起案日 / 収受日 from (JST, inclusive)")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="起案日 / 収受日 to (JST, inclusive)")] = None,
    sort: Annotated[
        Sort | None, Query(description="relevance (default with q), newest (default without), oldest")
    ] = None,
) -> Page[SearchHit]:
    """Search the documents and receipts I may see; no body of a 機密性2+ one, nothing of what I may not see."""
    request = SearchRequest(
        q=q,
        kind=kind,
        number=number,
        receipt_number=receipt_number,
        fiscal_year=fiscal_year,
        unit=unit,
        classification=classification,
        file_id=file_id,
        counterparty=counterparty,
        drafter=drafter,
        status=status,
        confidentiality=confidentiality,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
    )
    return await service.search(staff, request, page=page, today=today_in_japan())
