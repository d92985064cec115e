"""Documents (起案文書): draft, edit, copy, read, preview the route, submit, act, audit."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import structlog
from fastapi import APIRouter, Depends, Header, Query, Request, status

from api.deps import CurrentStaff, SessionDep, StateDep
from api.origin import OriginDep
from api.paging import Paging
from api.services.access_log import logged_read
from api.services.decisions import DecisionService
from api.services.documents import DocumentService
from api.services.reading import read_document
from core.clock import now_in_japan
from schemas.api.models import (
    ActionCreate,
    AllowedActions,
    AuditRead,
    DocumentCreate,
    DocumentRead,
    DocumentUpdate,
    Page,
    ResubmitCreate,
    RoutePreview,
)
from schemas.document import Status


def _bind_document_id(request: Request) -> None:
    """Every log line of a request about one document carries its id."""
    structlog.contextvars.clear_contextvars()
    if "document_id" in request.path_params:
        structlog.contextvars.bind_contextvars(document_id=request.path_params["document_id"])


router = APIRouter(prefix="/v1/documents", tags=["documents"], dependencies=[Depends(_bind_document_id)])

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def _documents(app: StateDep, session: SessionDep) -> DocumentService:
    return DocumentService(app, session)


def _decisions(app: StateDep, session: SessionDep) -> DecisionService:
    return DecisionService(app, session)


Documents = Annotated[DocumentService, Depends(_documents)]
Decisions = Annotated[DecisionService, Depends(_decisions)]


def _now() -> datetime:
    return now_in_japan()


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_document(body: DocumentCreate, staff: CurrentStaff, documents: Documents) -> DocumentRead:
    """起案: create a draft in the drafter's own org unit."""
    return await documents.create(staff, body, today=_now().date())


@router.get("")
async def list_documents(
    staff: CurrentStaff,
    documents: Documents,
    page: Paging,
    scope: Annotated[
        Literal["mine", "visible"], Query(description="mine: my drafts; visible: every document I may see")
    ] = "mine",
    status: Annotated[list[Status] | None, Query(description="only documents in these statuses")] = None,
) -> Page[DocumentRead]:
    """My drafts and submitted documents (or every document I may see), newest first."""
    if scope == "visible":
        return await documents.visible_to(staff, statuses=status or (), page=page)
    return await documents.mine(staff, page=page, statuses=status or ())


@router.get("/{document_id}")
async def get_document(
    document_id: str, staff: CurrentStaff, app: StateDep, session: SessionDep, origin: OriginDep
) -> DocumentRead:
    """One document with its route steps (who acted, in which capacity, when), 後閲 and attachments."""
    read = read_document(app, session, staff, document_id)
    return await logged_read(session, read, "document_read", staff, document_id, origin)


@router.patch("/{document_id}")
async def edit_document(
    document_id: str, body: DocumentUpdate, staff: CurrentStaff, documents: Documents
) -> DocumentRead:
    """Edit a draft or a sent-back document; the version goes up."""
    return await documents.edit(staff, document_id, body)


@router.post("/{document_id}/copy", status_code=status.HTTP_201_CREATED)
async def copy_document(document_id: str, staff: CurrentStaff, documents: Documents) -> DocumentRead:
    """引用起案: a new draft copied from this document (e.g. after 却下)."""
    return await documents.copy(staff, document_id, today=_now().date())


@router.post("/{document_id}/route-preview")
async def preview_route(
    document_id: str, staff: CurrentStaff, documents: Documents, as_of: date | None = None
) -> RoutePreview:
    """The stages and assignees the rules give this document today (or ``as_of``), with the rule behind each."""
    return await documents.preview(staff, document_id, as_of=as_of)


@router.post("/{document_id}/submit")
async def submit_document(
    document_id: str, staff: CurrentStaff, decisions: Decisions, idempotency_key: IdempotencyKey = None
) -> DocumentRead:
    """提出: start the approval workflow; answers with the first pending assignees."""
    key = idempotency_key or str(uuid.uuid4())
    return await decisions.submit(staff, document_id, key=key, today=_now().date())


@router.post("/{document_id}/actions")
async def act_on_document(
    document_id: str,
    body: ActionCreate,
    staff: CurrentStaff,
    decisions: Decisions,
    idempotency_key: IdempotencyKey = None,
) -> DocumentRead:
    """承認, 合議 (consent/object), 差戻し, 引戻し, 取下げ, 却下, 引上げ承認, 代決, 供覧, 後閲, comment, 再提出.

    The Idempotency-Key makes a retried request apply once and answer the same.
    """
    return await decisions.act(staff, document_id, body, key=idempotency_key or "", today=_now().date())


@router.post("/{document_id}/resubmit")
async def resubmit_document(
    document_id: str,
    staff: CurrentStaff,
    decisions: Decisions,
    body: ResubmitCreate | None = None,
    idempotency_key: IdempotencyKey = None,
) -> DocumentRead:
    """再提出 after a send-back or recall: routing resumes where the rules say."""
    action = ActionCreate(action="resubmit", comment=body.comment if body else "")
    key = idempotency_key or str(uuid.uuid4())
    return await decisions.act(staff, document_id, action, key=key, today=_now().date())


@router.get("/{document_id}/audit")
async def audit_trail(
    document_id: str, staff: CurrentStaff, documents: Documents, session: SessionDep, origin: OriginDep
) -> AuditRead:
    """The document's audit events and the verification of their hash chain."""
    return await logged_read(session, documents.audit(staff, document_id), "audit_read", staff, document_id, origin)


@router.get("/{document_id}/actions/allowed")
async def allowed_actions(document_id: str, staff: CurrentStaff, decisions: Decisions) -> AllowedActions:
    """The actions I may take on this document now (the chain's own checks), e.g. to draw buttons."""
    return await decisions.allowed(staff, document_id, today=_now().date())
