"""電子申請の収受 (intake of online applications): signed applications, the intake queue, CSV batches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from starlette.datastructures import UploadFile

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services.intake import IntakeService, Received
from core.errors import Invalid
from schemas.api.intake import BatchResult, IntakeRead, QueueItem, RouteByHand
from schemas.api.paging import Page
from schemas.intake import CODE_PATTERN

router = APIRouter(prefix="/v1/intake", tags=["intake"])


def _intake(app: StateDep, session: SessionDep) -> IntakeService:
    return IntakeService(app, session)


Intake = Annotated[IntakeService, Depends(_intake)]


def _status(received: Received) -> int:
    if received.resent:
        return status.HTTP_200_OK
    return status.HTTP_202_ACCEPTED if received.row.state == "queued" else status.HTTP_201_CREATED


@router.post(
    "/applications",
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": IntakeRead, "description": "a resend: what the first one became"},
        202: {"model": IntakeRead, "description": "unroutable: kept in the intake queue"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/IntakeApplication"}}},
        },
        "security": [{"RingiSignature": []}],
    },
)
async def receive_application(
    request: Request,
    response: Response,
    intake: Intake,
    signature: Annotated[str | None, Header(alias="X-Ringi-Signature", description="sha256=<hex HMAC>")] = None,
    timestamp: Annotated[str | None, Header(alias="X-Ringi-Timestamp", description="Unix seconds")] = None,
) -> IntakeRead:
    """電子申請: an application (schemas.intake.IntakeApplication) signed with HMAC-SHA256 of ``timestamp.body``
    under its source's secret; 201 registered as a receipt, 202 kept in the intake queue, 200 for a resend."""
    body = await request.body()
    client = request.client.host if request.client else ""
    received = await intake.receive_signed(body=body, signature=signature, timestamp=timestamp, client=client)
    response.status_code = _status(received)
    return await intake.read(received)


@router.get("/queue")
async def intake_queue(staff: CurrentStaff, intake: Intake, page: Paging) -> Page[QueueItem]:
    """The intake queue: applications no form mapping routed, oldest first (records office)."""
    return await intake.queue(staff, page)


@router.post("/queue/{intake_id}/route", status_code=status.HTTP_201_CREATED)
async def route_by_hand(intake_id: str, body: RouteByHand, staff: CurrentStaff, intake: Intake) -> IntakeRead:
    """Register a queued application as a receipt of the unit named (records office)."""
    return await intake.read(await intake.route(staff, intake_id, body))


@router.post(
    "/batch",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
                },
            },
        }
    },
)
async def import_batch(
    request: Request,
    staff: CurrentStaff,
    intake: Intake,
    source: Annotated[str, Query(min_length=1, max_length=64, pattern=CODE_PATTERN, description="the form service")],
) -> BatchResult:
    """CSV export of a form service (UTF-8 with or without BOM, or Shift_JIS), imported row by row: every row's
    outcome (registered, queued, duplicate, or invalid with its line number and reason)."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid("file: a multipart import needs the CSV in the field 'file'")
        data = await upload.read()
        charset = _charset(upload.content_type or "")
    else:
        data = await request.body()
        charset = _charset(content_type)
    return await intake.batch(staff, data=data, charset=charset, source=source)


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value
    return None
