"""Documents (起案文書): create, read, preview the route, submit, act, audit."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Header, Query, Request, status

from api.deps import CurrentStaff, SessionDep, StateDep
from api.services.documents import DocumentService, document_read
from db.repositories.audit import AuditRepository, verify_chain
from db.repositories.documents import DocumentRepository
from schemas.api.models import (
    ActionCreate,
    AuditEventRead,
    AuditRead,
    DocumentCreate,
    DocumentRead,
    Page,
    RoutePreview,
)


def _bind_document_id(request: Request) -> None:
    """Every log line of a request about one document carries its id."""
    structlog.contextvars.clear_contextvars()
    if "document_id" in request.path_params:
        structlog.contextvars.bind_contextvars(document_id=request.path_params["document_id"])


router = APIRouter(prefix="/v1/documents", tags=["documents"], dependencies=[Depends(_bind_document_id)])

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def _service(app: StateDep) -> DocumentService:
    return DocumentService(app)


Service = Annotated[DocumentService, Depends(_service)]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_document(body: DocumentCreate, staff: CurrentStaff, service: Service) -> DocumentRead:
    """起案: create a draft in the drafter's own org unit."""
    return await service.create(staff, body, today=date.today())


@router.get("")
async def list_documents(
    session: SessionDep,
    staff: CurrentStaff,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[DocumentRead]:
    """My drafts and submitted documents, newest first."""
    rows, total = await DocumentRepository(session).list_by_drafter(staff.id, limit=limit, offset=offset)
    return Page(items=[document_read(r, []) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{document_id}")
async def get_document(document_id: str, staff: CurrentStaff, service: Service) -> DocumentRead:
    """One document with its route steps."""
    row, steps = await service.visible(staff, document_id)
    return document_read(row, steps)


@router.post("/{document_id}/route-preview")
async def preview_route(document_id: str, staff: CurrentStaff, service: Service) -> RoutePreview:
    """The stages and assignees the rules give this document today."""
    return await service.preview(staff, document_id)


@router.post("/{document_id}/submit")
async def submit_document(
    document_id: str, staff: CurrentStaff, service: Service, idempotency_key: IdempotencyKey = None
) -> DocumentRead:
    """提出: start the approval workflow; answers with the first pending assignees."""
    return await service.submit(staff, document_id, key=idempotency_key or str(uuid.uuid4()))


@router.post("/{document_id}/actions")
async def act_on_document(
    document_id: str,
    body: ActionCreate,
    staff: CurrentStaff,
    service: Service,
    idempotency_key: IdempotencyKey = None,
) -> DocumentRead:
    """承認 / 差戻し / 取下げ / 再提出.  The Idempotency-Key makes a retried request apply once."""
    return await service.act(staff, document_id, body.action, body.comment, key=idempotency_key or "")


@router.get("/{document_id}/audit")
async def audit_trail(document_id: str, staff: CurrentStaff, service: Service, session: SessionDep) -> AuditRead:
    """The document's audit events and the verification of their hash chain."""
    await service.visible(staff, document_id)
    rows = await AuditRepository(session).list(document_id)
    check = verify_chain(rows)
    events = [AuditEventRead.model_validate(r, from_attributes=True) for r in rows]
    return AuditRead(events=events, verified=check.verified, problem=check.problem)
