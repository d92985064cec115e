"""原議 PDF: a document printed in the 起案用紙 shape with its 決裁欄."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import CurrentStaff, SessionDep, StateDep
from api.routes.attachments import content_disposition
from api.services.printing import PrintService

router = APIRouter(prefix="/v1/documents", tags=["documents"])


@router.get(
    "/{document_id}/print",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The 原議 as PDF."}},
)
async def print_original(document_id: str, staff: CurrentStaff, app: StateDep, session: SessionDep) -> Response:
    """原議 PDF: header (文書番号, 起案日, 決裁日, 起案者, 保存期間), 決裁欄 of seals, body, attachments."""
    return original_pdf(document_id, await PrintService(app, session).original(staff, document_id))


def original_pdf(document_id: str, pdf: bytes) -> Response:
    """The 原議 PDF as sent (the API's and the web UI's alike): inline, never cached."""
    disposition = content_disposition(f"原議_{document_id}.pdf").replace("attachment;", "inline;", 1)
    headers = {"Content-Disposition": disposition, "Cache-Control": "private, no-store"}
    return Response(pdf, media_type="application/pdf", headers=headers)
