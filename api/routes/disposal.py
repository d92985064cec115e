"""Disposal review (廃棄・移管の審査) and the 廃棄記録: records office (文書担当) and administrators."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Response, status

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services.disposal import DisposalService
from schemas.api.disposal import (
    DisposalFileRead,
    DisposalItemRead,
    DisposalItemUpdate,
    DisposalRecordRead,
    DisposalReviewCreate,
    DisposalReviewRead,
    FileDisposalRecordRead,
)
from schemas.api.paging import Page

router = APIRouter(prefix="/v1/records", tags=["records"])


def _disposal(app: StateDep, session: SessionDep) -> DisposalService:
    return DisposalService(app, session)


Disposal = Annotated[DisposalService, Depends(_disposal)]


@router.post(
    "/disposal-reviews",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": DisposalReviewRead, "description": "The fiscal year's review, already open."}},
)
async def run_disposal_review(
    staff: CurrentStaff, disposal: Disposal, response: Response, body: DisposalReviewCreate | None = None
) -> DisposalReviewRead:
    """Run the yearly review now: 201 with a new review, 200 with the fiscal year's review already open."""
    review, created = await disposal.open(staff, body.fiscal_year if body else None)
    if not created:
        response.status_code = status.HTTP_200_OK
    return review


@router.get("/disposal-reviews")
async def list_disposal_reviews(staff: CurrentStaff, disposal: Disposal, page: Paging) -> Page[DisposalReviewRead]:
    """Every review, newest fiscal year first (without their items)."""
    return await disposal.all(staff, page=page)


@router.get("/disposal-reviews/{review_id}")
async def get_disposal_review(review_id: str, staff: CurrentStaff, disposal: Disposal) -> DisposalReviewRead:
    """One review with each listed document and the proposal for it."""
    return await disposal.get(staff, review_id)


@router.put("/disposal-reviews/{review_id}/items/{document_id}")
async def propose_disposition(
    review_id: str, document_id: str, body: DisposalItemUpdate, staff: CurrentStaff, disposal: Disposal
) -> DisposalItemRead:
    """延長 (years + reason), 移管 or 廃棄 for one document, while the review is open."""
    return await disposal.propose(staff, review_id, document_id, body)


@router.put("/disposal-reviews/{review_id}/files/{file_id}")
async def propose_file_disposition(
    review_id: str, file_id: str, body: DisposalItemUpdate, staff: CurrentStaff, disposal: Disposal
) -> DisposalFileRead:
    """延長 (years + reason), 移管 or 廃棄 for one file (簿冊) and each of its documents, while the review is open."""
    return await disposal.propose_file(staff, review_id, file_id, body)


@router.post("/disposal-reviews/{review_id}/submit")
async def submit_disposal_review(
    review_id: str,
    staff: CurrentStaff,
    disposal: Disposal,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> DisposalReviewRead:
    """Submit the review as its own 起案文書 (廃棄決裁): routed for approval; the items are frozen."""
    return await disposal.submit(staff, review_id, key=idempotency_key or str(uuid.uuid4()))


@router.get("/disposals")
async def list_disposals(staff: CurrentStaff, disposal: Disposal, page: Paging) -> Page[DisposalRecordRead]:
    """廃棄記録: every disposed document, kept permanently, oldest first."""
    return await disposal.records(staff, page=page)


@router.get("/file-disposals")
async def list_file_disposals(staff: CurrentStaff, disposal: Disposal, page: Paging) -> Page[FileDisposalRecordRead]:
    """廃棄記録 of the files (簿冊): every disposed file, kept permanently, oldest first."""
    return await disposal.file_records(staff, page=page)
