"""Document use cases that need no workflow: draft (起案), edit, copy (引用起案), read, preview the route."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, cast

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.clerks import check_may_draft_for
from api.services.file_choice import FilingKind, file_for
from api.services.general_affairs import affair_changes, affair_facts
from api.services.records_rules import check_follow_up, check_retention, issuance_default, paper_columns
from api.services.temporal_calls import not_found
from api.services.views import details_of, facts_of, from_read_model, listed, matter_of
from api.services.visibility import audience, may_see, refusal, substitutes_on, viewer
from core.audit import content_hash
from core.clock import now_in_japan, today_in_japan
from core.errors import Conflict, Forbidden, Invalid, NotFound
from db.models import DocumentRow, PostReviewRow, RouteStepRow, StaffRow
from db.repositories.audit import AuditRepository, verify_with_head
from db.repositories.documents import DocumentRepository, PostReviewRepository, RouteStepRepository
from db.repositories.org import OrgRepository
from db.repositories.visibility import visible_page
from db.session import release, writing
from domain import acting
from domain.fiscal import fiscal_year_at, spending_fiscal_year
from domain.routes import RouteUnresolvable
from domain.rulebook.evaluate import category_problem
from domain.statuses import EDITABLE
from domain.visibility import is_secret, may_copy
from integrations.org_snapshot import resolve_route
from schemas.api.models import (
    AuditEventRead,
    AuditRead,
    DocumentCreate,
    DocumentRead,
    DocumentUpdate,
    Page,
    RoutePreview,
    StageRead,
)
from schemas.api.paging import PageRequest
from schemas.document import DocumentFacts, ExpenseClass, RouteRequest
from schemas.org import StaffRef

log = structlog.get_logger("ringi.documents")


def _check_fiscal_year(row: DocumentRow, today: date) -> None:
    """A drafter names a 年度 only for the previous one, during 出納整理期間 (April 1 – May 31)."""
    if row.fiscal_year is not None:
        try:
            spending_fiscal_year(today, row.fiscal_year)
        except ValueError as exc:
            raise Invalid(str(exc)) from exc


def _row_of(draft: DocumentCreate, **columns: Any) -> DocumentRow:
    """The document row a draft describes (plus ``columns``): details as JSON, 施行 by the matter's default."""
    return DocumentRow(
        **draft.model_dump(
            exclude={"details", "paper_original", "needs_issuance", "on_behalf_of", "file_id", "filing"}
        ),
        details=draft.details.model_dump(mode="json") if draft.details else None,
        needs_issuance=issuance_default(draft.matter) if draft.needs_issuance is None else draft.needs_issuance,
        **paper_columns(draft.paper_original),
        **columns,
    )


def _hash(row: DocumentRow) -> str:
    return content_hash(
        title=row.title, body=row.body, amount_yen=row.amount_yen, matter=row.matter, details=row.details
    )


class DocumentService:
    """Documents through the request's one session (``session``): services never open their own."""

    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session

    async def create(
        self,
        staff: StaffRow,
        draft: DocumentCreate,
        *,
        today: date,
        copied_from: str | None = None,
        in_reply_to: str | None = None,
        also: Callable[[AsyncSession, DocumentRow], Awaitable[None]] | None = None,
    ) -> DocumentRead:
        """起案: a new draft; ``in_reply_to`` links it to the receipt it answers, and ``also`` writes in the same
        unit of work (the receipt's reply branch), so that both are stored or neither."""
        await self._check_category(draft.matter, draft.category, rulebook_version=None, on=today)
        if draft.follow_up_of is not None:
            await self._check_follow_up_seen(staff, draft.follow_up_of)
        async with writing(self._session) as session:
            me: StaffRef | None
            if draft.on_behalf_of is not None:  # 代理申請: the person is the drafter, the clerk drafted it
                me = await check_may_draft_for(session, staff.id, draft.on_behalf_of, matter=draft.matter, on=today)
            else:
                me = await OrgRepository(session).staff_ref(staff.id, as_of=today)
            if me is None:
                raise Conflict("you hold no post today, so you cannot draft a document")
            now = datetime.now(UTC)
            row = _row_of(
                draft,
                id=str(uuid.uuid4()),
                drafter_id=me.id,
                drafted_by=staff.id if draft.on_behalf_of is not None else None,
                org_unit_code=me.org_unit.code,
                status="draft",
                version=1,
                content_hash="",
                projected_seq=0,
                created_at=now,
                updated_at=now,
                copied_from=copied_from,
                in_reply_to=in_reply_to,
            )
            row.content_hash = _hash(row)
            _check_fiscal_year(row, today)
            check_retention(row, self._app.settings)
            await check_follow_up(session, row)
            DocumentRepository(session).add(row)
            await session.flush()
            detail: dict[str, object] = {"title": row.title, "amount_yen": row.amount_yen}
            if copied_from:
                detail["copied_from"] = copied_from
            if in_reply_to:
                detail["in_reply_to"] = in_reply_to
            if row.details is not None:
                detail["details"] = row.details
            if row.drafted_by is not None:
                detail["on_behalf_of"] = row.drafter_id  # 代理申請: the clerk acts for the person
            await AuditRepository(session).append_for(row, "create", staff.id, now, detail)
            await self._file_at_drafting(session, row, draft, staff.id, today=today)
            if also is not None:
                await also(session, row)
        log.info("document.created", document_id=row.id, drafter_id=staff.id, amount_yen=row.amount_yen)
        return from_read_model(row)

    @staticmethod
    async def _file_at_drafting(
        session: AsyncSession, row: DocumentRow, draft: DocumentCreate, actor_id: str, *, today: date
    ) -> None:
        """整理 at drafting: into the file named (checked: 422 naming ``file_id``), else the proposed one; an audit
        event either way; none when the drafter asks for 未整理 (``filing: "none"``).  It stays there (a move is a
        ``refile``, POST /v1/documents/{id}/filing)."""
        if draft.filing == "none":  # 未整理, asked for: no file yet (filed later, POST /v1/documents/{id}/filing)
            return
        kind = FilingKind(
            org_unit_code=row.org_unit_code,
            fiscal_year=fiscal_year_at(row.created_at),
            matter=row.matter,
            category=row.category,
            expense_class=row.expense_class,
            title=row.title,
        )
        file = await file_for(session, kind, draft.file_id, today=today)
        if file is None:
            return
        row.file_id = file.id
        detail: dict[str, object] = {"file_id": file.id, "previous_file_id": None, "proposed": draft.file_id is None}
        await AuditRepository(session).append_for(row, "file", actor_id, row.created_at, detail)

    async def copy(self, staff: StaffRow, document_id: str, *, today: date) -> DocumentRead:
        """引用起案: a new draft from an earlier document (typically a rejected one), linked to it.

        A 機密性2+ source may be copied only by its drafting division (``domain.visibility.may_copy``): the copy
        lands in the copier's division, whose staff would otherwise read the source's content.  The copy is an
        event (``copied``, naming the new draft) in the source's audit chain, written with the new draft."""
        source, steps, _ = await self.read(staff, document_id, with_reviews=False)
        if is_secret(source.confidentiality):
            me = await viewer(self._app, self._session, staff, today=today)
            if not may_copy(me, audience(source, steps), source.confidentiality):
                raise Forbidden(
                    f"a 機密性{source.confidentiality} document may be copied (引用起案) only by its drafting division"
                    f" ({source.org_unit_code}) or the records office"
                )
        draft = DocumentCreate(
            title=source.title,
            body=source.body,
            matter=matter_of(source),
            expense_class=cast(ExpenseClass | None, source.expense_class),
            category=source.category,
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
            details=details_of(source),
            retention_permanent=source.retention_permanent,
            needs_issuance=source.needs_issuance,
        )

        async def record_on_source(session: AsyncSession, copy: DocumentRow) -> None:
            detail: dict[str, object] = {"copy": copy.id, "org_unit": copy.org_unit_code}
            await AuditRepository(session).append_for(source, "copied", staff.id, copy.created_at, detail)

        return await self.create(staff, draft, today=today, copied_from=source.id, also=record_on_source)

    async def edit(self, staff: StaffRow, document_id: str, changes: DocumentUpdate) -> DocumentRead:
        """Edit a draft or a sent-back document: a new version, so earlier approvals no longer cover it."""
        seen = await self.visible(staff, document_id)  # who may not see it learns nothing more (404 for 機密性2+)
        if "category" in changes.model_fields_set:
            on = today_in_japan()
            await self._check_category(seen.matter, changes.category, rulebook_version=seen.rulebook_version, on=on)
        async with writing(self._session) as session:
            row = await DocumentRepository(session).get(document_id, for_update=True)
            if row is None:
                raise not_found(document_id)
            if not acting.may_edit(
                drafter_id=row.drafter_id, actor_id=staff.id, status="draft", drafted_by=row.drafted_by
            ):
                raise Forbidden("only the drafter may edit the document")
            if row.status not in EDITABLE:
                raise Conflict(f"a {row.status} document cannot be edited; it must be sent back or recalled first")
            edits = affair_changes(row, changes)
            if "paper_original" in edits:
                edits.pop("paper_original")
                edits.update(paper_columns(changes.paper_original))
            changed = []
            for field, value in edits.items():
                if getattr(row, field) != value:
                    setattr(row, field, value)
                    changed.append(field)
            if row.consult_quorum is not None and row.consult_quorum > len(row.consult_units):
                raise Invalid("consult_quorum cannot exceed the number of consult_units")
            if row.expense_class is not None and row.matter not in ("spending", "contract"):
                raise Invalid(f"a {row.matter} document has no expense_class")
            if row.category is not None and row.matter != "general":
                raise Invalid(f"a {row.matter} document has no category")
            _check_fiscal_year(row, today_in_japan())
            check_retention(row, self._app.settings)
            if changed:
                row.version += 1
                row.content_hash = _hash(row)
                row.updated_at = datetime.now(UTC)
                await AuditRepository(session).append_for(row, "edit", staff.id, row.updated_at, {"changed": changed})
            steps, reviews = await self._read_model(session, row.id)
        log.info("document.edited", document_id=row.id, version=row.version)
        return from_read_model(row, steps, reviews)

    async def mine(self, staff: StaffRow, *, page: PageRequest, statuses: Sequence[str] = ()) -> Page[DocumentRead]:
        """My drafts and submitted documents (only those in ``statuses`` when given), newest first."""
        repo = DocumentRepository(self._session)
        rows, total = await repo.list_by_drafter(staff.id, limit=page.limit, offset=page.offset, statuses=statuses)
        return page.page([listed(r) for r in rows], total)

    async def visible_to(self, staff: StaffRow, *, statuses: Sequence[str], page: PageRequest) -> Page[DocumentRead]:
        """Every document ``staff`` may see (see api/services/visibility.py), newest first."""
        me = await viewer(self._app, self._session, staff, today=today_in_japan())
        rows, total = await visible_page(self._session, me, statuses=statuses, limit=page.limit, offset=page.offset)
        return page.page([listed(r) for r in rows], total)

    async def audit(self, staff: StaffRow, document_id: str) -> AuditRead:
        """The document's audit events and the verification of their hash chain."""
        await self.visible(staff, document_id)
        return await self.audit_of(document_id)

    async def audit_of(self, document_id: str) -> AuditRead:
        """The audit trail of a document the caller has already checked ``staff`` may see (one check a request)."""
        audit = AuditRepository(self._session)
        rows = await audit.list(document_id)
        check = verify_with_head(rows, await audit.head(document_id))
        events = [AuditEventRead.model_validate(r, from_attributes=True) for r in rows]
        return AuditRead(events=events, verified=check.verified, problem=check.problem)

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
        session = self._session
        row = await DocumentRepository(session).get(document_id)
        if row is None:
            raise not_found(document_id)
        steps, reviews = await self._read_model(session, document_id, with_reviews=with_reviews)
        if not await may_see(self._app, session, staff, row, steps):
            await release(session)  # HR is asked with no connection held
            if not await substitutes_on(self._app, staff, steps):
                raise refusal(row)
        return row, steps, reviews

    async def preview(self, staff: StaffRow, document_id: str, *, as_of: date | None = None) -> RoutePreview:
        """The route the rules give as of ``as_of`` (default today): the rulebook in force then (a submitted
        document keeps the version it was submitted under) and the post holders of that day."""
        row = await self.visible(staff, document_id)
        return await self._preview(row, on=as_of or today_in_japan())

    async def preview_draft(self, staff: StaffRow, draft: DocumentCreate, *, today: date) -> RoutePreview:
        """The route a draft would take if ``staff`` saved and submitted it today (the drafting form's preview); a
        代理申請 (``on_behalf_of``) routes as the person's own request (their post, their month's overtime)."""
        await self._check_category(draft.matter, draft.category, rulebook_version=None, on=today)
        if draft.on_behalf_of is not None:
            me = await check_may_draft_for(self._session, staff.id, draft.on_behalf_of, matter=draft.matter, on=today)
        else:
            mine = await OrgRepository(self._session).staff_ref(staff.id, as_of=today)
            if mine is None:
                raise Conflict("you hold no post today, so you cannot draft a document")
            me = mine
        row = _row_of(draft, id="preview", drafter_id=me.id, org_unit_code=me.org_unit.code, version=1)
        row.content_hash = ""
        return await self._preview(row, on=today)

    async def _check_follow_up_seen(self, staff: StaffRow, parent_id: str) -> None:
        """A follow-up (の2) names a document its drafter may see: one they may not is answered exactly like one
        that does not exist (422), whatever its state — its 文書番号 included."""
        try:
            await self.visible(staff, parent_id)
        except (NotFound, Forbidden) as exc:
            raise Invalid(f"follow_up_of: there is no document {parent_id}") from exc

    async def _check_category(
        self, matter: str, category: str | None, *, rulebook_version: str | None, on: date
    ) -> None:
        """A general matter's 決裁区分 must be one the rulebook has (the pinned version, else the one in force):
        422 listing the valid keys.  Without a rulebook the route says so later (at preview or submit)."""
        if matter != "general" and category is None:
            return
        rulebooks = self._app.rulebooks
        book = await (rulebooks.version(rulebook_version) if rulebook_version else rulebooks.in_force(on))
        if book is not None and (problem := category_problem(book, matter=matter, category=category)):
            raise Invalid(problem)

    async def _preview(self, row: DocumentRow, *, on: date) -> RoutePreview:
        facts = await affair_facts(self._session, row, facts_of(row, today=on), now=now_in_japan(), at_submit=False)
        await release(self._session)  # the route resolver asks HR
        return await self._resolve(RouteRequest(document_id=row.id, drafter_id=row.drafter_id, facts=facts, as_of=on))

    async def _resolve(self, request: RouteRequest) -> RoutePreview:
        try:
            route = await resolve_route(
                self._app.hr, self._app.rulebooks, request, on=request.as_of or today_in_japan()
            )
        except RouteUnresolvable as exc:
            raise Conflict(f"no route can be resolved for this document: {exc}") from exc
        return RoutePreview(
            stages=[
                StageRead(
                    kind=s.kind,
                    assignees=list(s.assignees),
                    reason=s.reason,
                    rule=s.rule,
                    substitute_allowed=s.substitute_allowed,
                )
                for s in route.stages
            ],
            as_of=request.as_of,
            rulebook_version=route.rulebook_version,
        )

    async def pinned_facts(self, row: DocumentRow, *, today: date) -> DocumentFacts:
        """The facts of a submit: the rulebook version is the one already pinned, else the one in force today."""
        facts = facts_of(row, today=today)
        if facts.rulebook_version:
            return facts
        book = await self._app.rulebooks.in_force(today)
        if book is None:
            raise Conflict(f"no rulebook version is in force on {today}: run `ringi migrate` or `ringi seed`")
        return facts.model_copy(update={"rulebook_version": book.id})

    @staticmethod
    async def _read_model(
        session: AsyncSession, document_id: str, *, with_reviews: bool = True
    ) -> tuple[list[RouteStepRow], list[PostReviewRow]]:
        steps = await RouteStepRepository(session).for_document(document_id)
        reviews = await PostReviewRepository(session).for_document(document_id) if with_reviews else []
        return steps, reviews
