"""Receipts (収受): register, the 収受簿, read, correct, hand on (配布), and the three branches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services.receipts import IMMUTABLE, ReceiptService
from core.errors import RingiError
from schemas.api.models import DocumentCreate, DocumentRead
from schemas.api.paging import Page
from schemas.api.receipts import (
    CirculationItem,
    CirculationStart,
    HandOn,
    ReaderRead,
    ReadingCreate,
    ReceiptClose,
    ReceiptCorrection,
    ReceiptCreate,
    ReceiptEventRead,
    ReceiptRead,
)

router = APIRouter(prefix="/v1/receipts", tags=["receipts"])
#: What waits for me among receipts: the 供覧 I have to confirm.
my_router = APIRouter(prefix="/v1/me", tags=["receipts"])


def _receipts(app: StateDep, session: SessionDep) -> ReceiptService:
    return ReceiptService(app, session)


Receipts = Annotated[ReceiptService, Depends(_receipts)]


class NotAllowed(RingiError):
    status = 405
    title = "Method not allowed"


@router.post("", status_code=status.HTTP_201_CREATED)
async def register_receipt(body: ReceiptCreate, staff: CurrentStaff, receipts: Receipts) -> ReceiptRead:
    """収受: register a received document; it takes the next 収受番号 of its unit's 文書記号 and 年度."""
    return await receipts.register(staff, body)


@router.get("")
async def receipt_book(
    staff: CurrentStaff,
    receipts: Receipts,
    page: Paging,
    fiscal_year: Annotated[int | None, Query(ge=1900, le=2999, description="年度")] = None,
    unit: Annotated[str | None, Query(max_length=64, description="担当課")] = None,
) -> Page[ReceiptRead]:
    """収受簿: the receipts of a 年度 and unit, in number order."""
    return await receipts.register_book(staff, fiscal_year=fiscal_year, unit=unit, page=page)


@router.get("/{receipt_id}")
async def read_receipt(receipt_id: str, staff: CurrentStaff, receipts: Receipts) -> ReceiptRead:
    """One receipt (404 if it does not exist or is not visible to you)."""
    return await receipts.get(staff, receipt_id)


@router.patch("/{receipt_id}", include_in_schema=False)
@router.put("/{receipt_id}", include_in_schema=False)
async def edit_receipt(receipt_id: str) -> None:
    """Receipts are never edited in place."""
    raise NotAllowed(IMMUTABLE, headers={"Allow": "GET"})


@router.get("/{receipt_id}/events")
async def receipt_events(
    receipt_id: str, staff: CurrentStaff, receipts: Receipts, page: Paging
) -> Page[ReceiptEventRead]:
    """The receipt's events (registration, corrections, 配布, branch), oldest first, hash-chained."""
    return page.slice(await receipts.events(staff, receipt_id))


@router.post("/{receipt_id}/corrections")
async def correct_receipt(
    receipt_id: str, body: ReceiptCorrection, staff: CurrentStaff, receipts: Receipts
) -> ReceiptRead:
    """訂正: a new value for one field with its reason, recorded as an event."""
    return await receipts.correct(staff, receipt_id, body)


@router.post("/{receipt_id}/hand-on")
async def hand_on_receipt(receipt_id: str, body: HandOn, staff: CurrentStaff, receipts: Receipts) -> ReceiptRead:
    """配布: hand the receipt on to another unit, with the reason."""
    return await receipts.hand_on(staff, receipt_id, body)


@router.post("/{receipt_id}/close")
async def close_receipt(receipt_id: str, body: ReceiptClose, staff: CurrentStaff, receipts: Receipts) -> ReceiptRead:
    """File the receipt with no further processing."""
    return await receipts.close(staff, receipt_id, body)


@router.post("/{receipt_id}/reply", status_code=status.HTTP_201_CREATED)
async def reply_to_receipt(
    receipt_id: str, staff: CurrentStaff, receipts: Receipts, body: DocumentCreate | None = None
) -> DocumentRead:
    """回答の起案: a draft linked to the receipt (``in_reply_to``); its decision completes the receipt."""
    return await receipts.reply(staff, receipt_id, body)


@router.post("/{receipt_id}/circulation")
async def start_circulation(
    receipt_id: str, body: CirculationStart, staff: CurrentStaff, receipts: Receipts
) -> ReceiptRead:
    """供覧: name the readers who must confirm reading."""
    return await receipts.start_circulation(staff, receipt_id, body)


@router.post("/{receipt_id}/circulation/read")
async def confirm_reading(
    receipt_id: str, staff: CurrentStaff, receipts: Receipts, body: ReadingCreate | None = None
) -> ReceiptRead:
    """A listed reader confirms reading (once), with an optional comment."""
    return await receipts.confirm_read(staff, receipt_id, body or ReadingCreate())


@router.get("/{receipt_id}/circulation")
async def circulation_readers(
    receipt_id: str, staff: CurrentStaff, receipts: Receipts, page: Paging
) -> Page[ReaderRead]:
    """The 供覧's readers and who has read."""
    return page.slice(await receipts.readers(staff, receipt_id))


@my_router.get("/circulations")
async def my_circulations(staff: CurrentStaff, receipts: Receipts, page: Paging) -> Page[CirculationItem]:
    """供覧 waiting for my confirmation, oldest first."""
    return page.slice(await receipts.to_read(staff))
