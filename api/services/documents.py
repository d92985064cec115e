"""Document use cases that need no workflow: draft (起案), edit, copy (引用起案), read, preview the route."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from activities.routing import RouteResolver, RouteUnresolvable
from api.deps import AppState
from api.services.temporal_calls import not_found
from api.services.views import facts_of, from_read_model
from api.services.visibility import may_see, refusal, substitutes_on
from core.audit import content_hash
from core.calendar import JST
from core.errors import Conflict, Forbidden, Invalid
from core.fiscal import spending_fiscal_year
from db.models import DocumentRow, PostReviewRow, RouteStepRow, StaffRow
from db.repositories.audit import AuditRepository
from db.repositories.documents import DocumentRepository, PostReviewRepository, RouteStepRepository
from db.repositories.org import OrgRepository
from db.session import begin_write
from schemas.api.models import DocumentCreate, DocumentRead, DocumentUpdate, RoutePreview, StageRead
from schemas.document import RouteRequest

log = structlog.get_logger("ringi.documents")

EDITABLE = ("draft", "sent_back")


def _check_fiscal_year(row: DocumentRow, today: date) -> None:
    """A drafter names a 年度 only for the previous one, during 出納整理期間 (April 1 – May 31)."""
    if row.fiscal_year is not None:
        try:
            spending_fiscal_year(today, row.fiscal_year)
        except ValueError as exc:
            raise Invalid(str(exc)) from exc


def _hash(row: DocumentRow) -> str:
    return content_hash(title=row.title, body=row.body, amount_yen=row.amount_yen, matter=row.matter)


class DocumentService:
    def __init__(self, app: AppState) -> None:
        self._app = app

    async def create(
        self, staff: StaffRow, draft: DocumentCreate, *, today: date, copied_from: str | None = None
    ) -> DocumentRead:
        async with self._app.sessions() as session, session.begin():
            await begin_write(session)
            me = await OrgRepository(session).staff_ref(staff.id, as_of=today)
            if me is None:
                raise Conflict("you hold no post today, so you cannot draft a document")
            now = datetime.now(UTC)
            row = DocumentRow(
                id=str(uuid.uuid4()),
                **draft.model_dump(),
                drafter_id=staff.id,
                org_unit_code=me.org_unit.code,
                status="draft",
                version=1,
                content_hash="",
                projected_seq=0,
                created_at=now,
                updated_at=now,
                copied_from=copied_from,
            )
            row.content_hash = _hash(row)
            _check_fiscal_year(row, today)
            DocumentRepository(session).add(row)
            await session.flush()
            detail: dict[str, object] = {"title": row.title, "amount_yen": row.amount_yen}
            if copied_from:
                detail["copied_from"] = copied_from
            await self._audit(session, row, "create", staff.id, now, detail)
        log.info("document.created", document_id=row.id, drafter_id=staff.id, amount_yen=row.amount_yen)
        return from_read_model(row)

    async def copy(self, staff: StaffRow, document_id: str, *, today: date) -> DocumentRead:
        """引用起案: a new draft from an earlier document (typically a rejected one), linked to it."""
        source = await self.visible(staff, document_id)
        draft = DocumentCreate(
            title=source.title,
            body=source.body,
            matter="spending",
            amount_yen=source.amount_yen,
            confidentiality=source.confidentiality,
            retention_years=source.retention_years,
            flags=list(source.flags),
            pre_instructed=source.pre_instructed,
            urgent_reason=source.urgent_reason,
            desired_by=source.desired_by,
            consult_units=list(source.consult_units),
            consult_quorum=source.consult_quorum,
            readers=list(source.readers),
            budget_code=source.budget_code,
        )
        return await self.create(staff, draft, today=today, copied_from=source.id)

    async def edit(self, staff: StaffRow, document_id: str, changes: DocumentUpdate) -> DocumentRead:
        """Edit a draft or a sent-back document: a new version, so earlier approvals no longer cover it."""
        await self.visible(staff, document_id)  # who may not see it learns nothing more (404 for 機密性2+)
        async with self._app.sessions() as session, session.begin():
            await begin_write(session)
            row = await DocumentRepository(session).get(document_id, for_update=True)
            if row is None:
                raise not_found(document_id)
            if row.drafter_id != staff.id:
                raise Forbidden("only the drafter may edit the document")
            if row.status not in EDITABLE:
                raise Conflict(f"a {row.status} document cannot be edited; it must be sent back or recalled first")
            changed = []
            for field, value in changes.model_dump(exclude_unset=True).items():
                if getattr(row, field) != value:
                    setattr(row, field, value)
                    changed.append(field)
            if row.consult_quorum is not None and row.consult_quorum > len(row.consult_units):
                raise Invalid("consult_quorum cannot exceed the number of consult_units")
            _check_fiscal_year(row, datetime.now(JST).date())
            if changed:
                row.version += 1
                row.content_hash = _hash(row)
                row.updated_at = datetime.now(UTC)
                await self._audit(session, row, "edit", staff.id, row.updated_at, {"changed": changed})
            steps, reviews = await self._read_model(session, row.id)
        log.info("document.edited", document_id=row.id, version=row.version)
        return from_read_model(row, steps, reviews)

    async def visible(self, staff: StaffRow, document_id: str) -> DocumentRow:
        """The document, if ``staff`` may see it (see api/services/visibility.py)."""
        row, _, _ = await self.read(staff, document_id, with_reviews=False)
        return row

    async def read(
        self, staff: StaffRow, document_id: str, *, with_reviews: bool = True
    ) -> tuple[DocumentRow, list[RouteStepRow], list[PostReviewRow]]:
        """The document, its steps and (unless not wanted) its 後閲, if ``staff`` may see it."""
        if "\x00" in document_id:  # no id holds NUL, and PostgreSQL refuses it in a query
            raise not_found(document_id)
        async with self._app.sessions() as session:
            row = await DocumentRepository(session).get(document_id)
            if row is None:
                raise not_found(document_id)
            steps, reviews = await self._read_model(session, document_id, with_reviews=with_reviews)
            seen = await may_see(self._app, session, staff, row, steps)
        if not (seen or await substitutes_on(self._app, staff, steps)):  # HR is asked with no connection held
            raise refusal(row)
        return row, steps, reviews

    async def preview(self, staff: StaffRow, document_id: str) -> RoutePreview:
        row = await self.visible(staff, document_id)
        request = RouteRequest(
            document_id=row.id, drafter_id=row.drafter_id, facts=facts_of(row, today=datetime.now(JST).date())
        )
        try:
            route = await RouteResolver(self._app.hr).resolve(request)
        except RouteUnresolvable as exc:
            raise Conflict(f"no route can be resolved for this document: {exc}") from exc
        return RoutePreview(
            stages=[StageRead(kind=s.kind, assignees=list(s.assignees), reason=s.reason) for s in route.stages]
        )

    @staticmethod
    async def _read_model(
        session: AsyncSession, document_id: str, *, with_reviews: bool = True
    ) -> tuple[list[RouteStepRow], list[PostReviewRow]]:
        steps = await RouteStepRepository(session).for_document(document_id)
        reviews = await PostReviewRepository(session).for_document(document_id) if with_reviews else []
        return steps, reviews

    @staticmethod
    async def _audit(
        session: AsyncSession, row: DocumentRow, action: str, actor_id: str, at: datetime, detail: dict[str, object]
    ) -> None:
        await AuditRepository(session).append(
            document_id=row.id,
            action=action,
            actor_id=actor_id,
            at=at,
            version=row.version,
            content_hash=row.content_hash,
            detail=detail,
        )
