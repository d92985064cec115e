"""Documents (起案文書): draft, edit, copy, read, preview the route, submit, act, audit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Header, Query, Request, status

from api.deps import CurrentStaff, SessionDep, StateDep
from api.services.decisions import DecisionService
from api.services.disposal import DisposalService
from api.services.documents import DocumentService
from api.services.views import from_read_model
from core.calendar import JST
from db.repositories.audit import AuditRepository, verify_chain
from db.repositories.documents import DocumentRepository
from schemas.api.models import (
    ActionCreate,
    AuditEventRead,
    AuditRead,
    DocumentCreate,
    DocumentRead,
    DocumentUpdate,
    Page,
    ResubmitCreate,
    RoutePreview,
)


def _bind_document_id(request: Request) -> None:
    """Every log line of a request about one document carries its id."""
    structlog.contextvars.clear_contextvars()
    if "document_id" in request.path_params:
        structlog.contextvars.bind_contextvars(document_id=request.path_params["document_id"])


router = APIRouter(prefix="/v1/documents", tags=["documents"], dependencies=[Depends(_bind_document_id)])

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def _documents(app: StateDep) -> DocumentService:
    return DocumentService(app)


def _decisions(app: StateDep) -> DecisionService:
    return DecisionService(app)


Documents = Annotated[DocumentService, Depends(_documents)]
Decisions = Annotated[DecisionService, Depends(_decisions)]


def _now() -> datetime:
    return datetime.now(JST)


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_document(body: DocumentCreate, staff: CurrentStaff, documents: Documents) -> DocumentRead:
    """起案: create a draft in the drafter's own org unit."""
    return await documents.create(staff, body, today=_now().date())


@router.get("")
async def list_documents(
    session: SessionDep,
    staff: CurrentStaff,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[DocumentRead]:
    """My drafts and submitted documents, newest first."""
    rows, total = await DocumentRepository(session).list_by_drafter(staff.id, limit=limit, offset=offset)
    return Page(items=[from_read_model(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{document_id}")
async def get_document(document_id: str, staff: CurrentStaff, documents: Documents, app: StateDep) -> DocumentRead:
    """One document with its route steps (who acted, in which capacity, when) and 後閲; a disposed one (廃棄済) is a
    tombstone: metadata and its 廃棄記録, no body."""
    document = from_read_model(*await documents.read(staff, document_id))
    if document.records_status == "disposed":
        document.disposal = await DisposalService(app).record_of(document_id)
    return document


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
async def preview_route(document_id: str, staff: CurrentStaff, documents: Documents) -> RoutePreview:
    """The stages and assignees the rules give this document today, with the rule behind each."""
    return await documents.preview(staff, document_id)


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
async def audit_trail(document_id: str, staff: CurrentStaff, documents: Documents, session: SessionDep) -> AuditRead:
    """The document's audit events and the verification of their hash chain."""
    await documents.visible(staff, document_id)
    rows = await AuditRepository(session).list(document_id)
    check = verify_chain(rows)
    events = [AuditEventRead.model_validate(r, from_attributes=True) for r in rows]
    return AuditRead(events=events, verified=check.verified, problem=check.problem)
