"""人事異動 use cases: upload (validated, stored as a draft, its apply scheduled), read, preview, apply."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.service import RPCError

from activities.transfers import TransferApplier
from api.deps import AppState
from core.calendar import JST
from core.errors import Forbidden, Invalid, NotFound, Unavailable
from core.transfers import check_plan, day_before, named_staff
from db.models import OrgTransferRow, StaffRow
from db.repositories.transfers import TransferRepository
from db.session import release, writing
from integrations.hr import HrInvalid
from schemas.transfers import TransferApplied, TransferImpact, TransferInput, TransferPlan, TransferRead
from workflows.transfer import TransferWorkflow, transfer_workflow_id

log = structlog.get_logger("ringi.transfers")


def require_admin(staff: StaffRow) -> None:
    if not staff.is_admin:
        raise Forbidden("only an administrator may manage 人事異動 (org transfers)")


def to_read(row: OrgTransferRow) -> TransferRead:
    plan = row.plan
    return TransferRead(
        id=row.id,
        effective_on=row.effective_on,
        status=row.status,
        note=row.note,
        created_by=row.created_by,
        created_at=row.created_at,
        applied_at=row.applied_at,
        ends=len(plan.get("end", ())),
        starts=len(plan.get("start", ())),
    )


def apply_at(effective_on: date) -> datetime:
    """00:00 JST of the effective date, in UTC."""
    return datetime.combine(effective_on, time(0, 0), tzinfo=JST).astimezone(UTC)


class TransferService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session

    def _applier(self) -> TransferApplier:
        # The applier runs as an activity too, with units of work of its own (one per batch of documents).
        return TransferApplier(self._app.sessions, self._app.hr, self._app.temporal)

    async def upload(self, staff: StaffRow, plan: TransferPlan, *, today: date) -> TransferRead:
        require_admin(staff)
        async with writing(self._session) as session:
            repo = TransferRepository(session)
            named = named_staff(plan)
            check_plan(
                plan,
                today=today,
                staff=await repo.known_staff(named),
                org_units=await repo.org_unit_codes(),
                posts=await repo.post_codes(),
                held=await repo.held(named, as_of=day_before(plan)),
                occupied=await repo.occupants(
                    {*plan.abolished_org_units, *(p.org_unit for p in plan.abolished_posts)}, as_of=day_before(plan)
                ),
            )
            row = OrgTransferRow(
                id=str(uuid.uuid4()),
                effective_on=plan.effective_on,
                status="draft",
                note=plan.note,
                plan=plan.model_dump(mode="json"),
                created_by=staff.id,
                created_at=datetime.now(UTC),
            )
            repo.add(row)
        await release(self._session)  # nothing held while Temporal answers
        await self._schedule(row)
        log.info("transfer.uploaded", transfer_id=row.id, effective_on=str(row.effective_on), ends=len(plan.end))
        return to_read(row)

    async def _schedule(self, row: OrgTransferRow) -> None:
        """Start the TransferWorkflow that applies it at 00:00 JST of the effective date.  If Temporal is down
        the upload still stands; the transfer can be applied by command (logged)."""
        try:
            await self._app.temporal.start_workflow(
                TransferWorkflow.run,
                TransferInput(transfer_id=row.id, apply_at=apply_at(row.effective_on)),
                id=transfer_workflow_id(row.id),
                task_queue=self._app.settings.temporal_task_queue,
            )
        except RPCError as exc:
            log.error("transfer.schedule_failed", transfer_id=row.id, error=repr(exc))

    async def list(self, staff: StaffRow) -> list[TransferRead]:
        require_admin(staff)
        return [to_read(r) for r in await TransferRepository(self._session).all()]

    async def read(self, staff: StaffRow, transfer_id: str) -> TransferRead:
        require_admin(staff)
        row = await TransferRepository(self._session).get(transfer_id)
        if row is None:
            raise NotFound(f"no transfer {transfer_id}")
        return to_read(row)

    async def impact(self, staff: StaffRow, transfer_id: str) -> TransferImpact:
        require_admin(staff)
        return await self._applier().impact(transfer_id)

    async def apply(self, staff: StaffRow, transfer_id: str) -> TransferApplied:
        require_admin(staff)
        await release(self._session)  # nothing held while HR answers; the next read sees what the apply did
        try:
            return await self._applier().apply(transfer_id)
        except HrInvalid as exc:
            raise Invalid(f"HR refused the transfer: {exc}") from exc
        except httpx.HTTPError as exc:
            raise Unavailable("the HR system (人事給与) is not answering; retry the apply") from exc
