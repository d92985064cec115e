"""Records use cases (文書管理): 施行 (issuance, through the workflow), 保存期間の延長, the 公印使用簿."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.documents import DocumentService
from api.services.idempotency import idempotent
from api.services.records_rules import require_records_office
from api.services.temporal_calls import WorkflowGone, bounded, not_found
from api.services.views import from_read_model
from core.clock import today_in_japan
from core.errors import Conflict, Forbidden, Invalid
from db.models import DocumentRow, RetentionExtensionRow, StaffRow
from db.repositories.audit import AuditRepository
from db.repositories.documents import DocumentRepository, PostReviewRepository, RouteStepRepository
from db.repositories.org import OrgRepository
from db.repositories.records import RetentionExtensionRepository, SealLogRepository
from db.session import release, writing
from domain.era import wareki_date
from domain.records import may_issue
from domain.retention import extended_expiry
from schemas.api.models import (
    DocumentRead,
    IssuanceCreate,
    RetentionExtensionCreate,
    RetentionExtensionRead,
    SealUseRead,
)
from schemas.api.paging import Page, PageRequest
from schemas.records import IssuanceInput, RecordsState, SealUse
from workflows.document import DocumentWorkflow, workflow_id

log = structlog.get_logger("ringi.records")


class RecordsService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session

    async def issue(self, staff: StaffRow, document_id: str, body: IssuanceCreate, *, key: str) -> DocumentRead:
        """施行 by the drafter or their division: the workflow checks it is decided and not yet issued."""
        today = today_in_japan()
        # Visibility first: a hidden 機密性2+ document answers 404 like a missing one, not the division's 403.
        row = await DocumentService(self._app, self._session).visible(staff, document_id)
        await self._require_drafting_division(staff, row, today=today)
        async with idempotent(self._session, staff, key, scope=f"document:{row.id}", operation="issue", body=body):
            return await self._issue(staff, row, body, key=key)

    async def _issue(self, staff: StaffRow, row: DocumentRow, body: IssuanceCreate, *, key: str) -> DocumentRead:
        seal = await self._seal(staff, body)
        if row.submitted_at is None:
            raise Conflict("issuance (施行) comes after the decision; the document is a draft")
        await release(self._session)  # nothing held while the workflow answers
        issuance = IssuanceInput(
            actor_id=staff.id,
            clean_copy_on=body.clean_copy_on,
            seal=seal,
            dispatch_method=body.dispatch_method,
            dispatched_on=body.dispatched_on,
        )
        handle = self._app.temporal.get_workflow_handle(workflow_id(row.id))
        timeout = self._app.settings.action_timeout_seconds
        update_id = f"{staff.id}:issue:{key or uuid.uuid4()}"
        try:
            await bounded(
                handle.execute_update(
                    DocumentWorkflow.issue, issuance, id=update_id, rpc_timeout=timedelta(seconds=timeout)
                ),
                within_seconds=timeout,
            )
        except WorkflowGone:
            # The lifecycle has closed (issuance completes it): a retry with the same key gets its recorded answer.
            try:
                await bounded(
                    handle.get_update_handle(update_id, result_type=RecordsState).result(
                        rpc_timeout=timedelta(seconds=timeout)
                    ),
                    within_seconds=timeout,
                )
            except WorkflowGone as exc:
                done = "has already been issued (施行済)" if row.issued_at else f"is {row.status} and complete"
                raise Conflict(f"the document {done}; it cannot be issued now") from exc
        log.info("document.issuance_recorded", document_id=row.id, seal=seal.name if seal else None)
        return await self._read(row.id)

    async def extend_retention(self, staff: StaffRow, document_id: str, body: RetentionExtensionCreate) -> DocumentRead:
        """延長: a new expiry, kept in the extension history and the audit chain."""
        await require_records_office(self._app, self._session, staff)
        now = datetime.now(UTC)
        async with writing(self._session) as session:
            row = await DocumentRepository(session).get(document_id, for_update=True)
            if row is None:
                raise not_found(document_id)
            if row.retention_permanent:
                raise Conflict("the document is kept permanently (永年); there is nothing to extend")
            if row.completed_at is None or row.retention_expires_on is None:
                raise Conflict("retention starts at completion (完結); the document is not complete yet")
            if row.records_status != "active":
                raise Conflict(f"the document has been {row.records_status}; its retention cannot be extended")
            previous = row.retention_expires_on
            row.retention_expires_on = extended_expiry(previous, body.years)
            RetentionExtensionRepository(session).add(
                RetentionExtensionRow(
                    document_id=row.id,
                    years=body.years,
                    reason=body.reason,
                    previous_expires_on=previous,
                    new_expires_on=row.retention_expires_on,
                    extended_by=staff.id,
                    extended_at=now,
                )
            )
            await AuditRepository(session).append(
                document_id=row.id,
                action="retention_extend",
                actor_id=staff.id,
                at=now,
                version=row.version,
                content_hash=row.content_hash,
                detail={
                    "years": body.years,
                    "reason": body.reason,
                    "previous_expires_on": previous.isoformat(),
                    "new_expires_on": row.retention_expires_on.isoformat(),
                },
            )
        log.info("document.retention_extended", document_id=document_id, years=body.years)
        return await self._read(document_id)

    async def extensions(self, staff: StaffRow, document_id: str) -> list[RetentionExtensionRead]:
        await DocumentService(self._app, self._session).visible(staff, document_id)
        rows = await RetentionExtensionRepository(self._session).for_document(document_id)
        return [RetentionExtensionRead.model_validate(r, from_attributes=True) for r in rows]

    async def seal_log(
        self, staff: StaffRow, *, start: date | None, end: date | None, page: PageRequest
    ) -> Page[SealUseRead]:
        """公印使用簿 for the records office, oldest first."""
        await require_records_office(self._app, self._session, staff)
        if start is not None and end is not None and start > end:
            raise Invalid("from must not be after to")
        rows, total = await SealLogRepository(self._session).between(
            start=start, end=end, limit=page.limit, offset=page.offset
        )
        uses = [
            SealUseRead(
                id=r.id,
                document_id=r.document_id,
                seal_name=r.seal_name,
                used_by=r.used_by,
                used_on=r.used_on,
                used_on_label=wareki_date(r.used_on),
                document_number=r.document_number,
                title=r.title,
                recorded_by=r.recorded_by,
                recorded_at=r.recorded_at,
            )
            for r in rows
        ]
        return page.page(uses, total)

    # --- helpers ---------------------------------------------------------------------------------------------

    async def _read(self, document_id: str) -> DocumentRead:
        """The document as stored now (a new transaction: the workflow may have written since the first read)."""
        session = self._session
        await release(session)
        row = await DocumentRepository(session).get(document_id)
        if row is None:
            raise not_found(document_id)
        steps = await RouteStepRepository(session).for_document(document_id)
        reviews = await PostReviewRepository(session).for_document(document_id)
        return from_read_model(row, steps, reviews)

    async def _require_drafting_division(self, staff: StaffRow, row: DocumentRow, *, today: date) -> None:
        if staff.is_admin or staff.id == row.drafter_id:
            return
        me = await OrgRepository(self._session).staff_ref(staff.id, as_of=today)
        unit = me.org_unit.code if me is not None else None
        if not may_issue(
            staff.id, row.drafter_id, is_admin=staff.is_admin, actor_unit=unit, document_unit=row.org_unit_code
        ):
            raise Forbidden("only the drafter or the drafting division may issue (施行) the document")

    async def _seal(self, staff: StaffRow, body: IssuanceCreate) -> SealUse | None:
        if body.seal is None:
            return None  # 公印省略
        seals = self._app.settings.seals
        if body.seal.name not in seals:
            raise Invalid(f"seal: unknown 公印 {body.seal.name!r}; the city keeps {', '.join(seals)}")
        used_by = body.seal.used_by or staff.id
        if used_by != staff.id and await OrgRepository(self._session).get_staff(used_by) is None:
            raise Invalid(f"seal.used_by: there is no staff member {used_by}")
        return SealUse(name=body.seal.name, used_by=used_by)
