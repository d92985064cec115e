"""人事異動 (org transfers): upload the next org chart, preview its impact, apply it (administrators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services.transfers import TransferService
from core.clock import today_in_japan
from schemas.api.paging import Page
from schemas.transfers import TransferApplied, TransferImpact, TransferPlan, TransferRead

router = APIRouter(prefix="/v1/org/transfers", tags=["org"])


def _service(app: StateDep, session: SessionDep) -> TransferService:
    return TransferService(app, session)


Transfers = Annotated[TransferService, Depends(_service)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def upload_transfer(body: TransferPlan, staff: CurrentStaff, transfers: Transfers) -> TransferRead:
    """Upload the next org chart with its effective date (異動日); applied at 00:00 JST that day, or on demand."""
    return await transfers.upload(staff, body, today=today_in_japan())


@router.get("")
async def list_transfers(staff: CurrentStaff, transfers: Transfers, page: Paging) -> Page[TransferRead]:
    """Uploaded transfers, latest effective date first (a few a year: paged after reading them all)."""
    return page.slice(await transfers.list(staff))


@router.get("/{transfer_id}")
async def read_transfer(transfer_id: str, staff: CurrentStaff, transfers: Transfers) -> TransferRead:
    """One transfer and its status (draft, applying, applied)."""
    return await transfers.read(staff, transfer_id)


@router.get("/{transfer_id}/impact")
async def transfer_impact(transfer_id: str, staff: CurrentStaff, transfers: Transfers) -> TransferImpact:
    """Every unanswered step of a document in flight that the transfer moves, and where to (or: needs a decision)."""
    return await transfers.impact(staff, transfer_id)


@router.post("/{transfer_id}/apply")
async def apply_transfer(transfer_id: str, staff: CurrentStaff, transfers: Transfers) -> TransferApplied:
    """Apply now (idempotent): new assignments into HR and ringi, pending steps to the new holders."""
    return await transfers.apply(staff, transfer_id)
