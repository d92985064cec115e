"""Downloads of the web UI through the cookie session: a document's attachments (numbered 1, 2, … like the API)
and its 原議 PDF.  GET only and without side effects beyond the view record, so they need no CSRF token; the
cookie is SameSite, and the answers are the API's (``attachment``, ``nosniff``, never cached).  A hidden document
answers as a missing one (the error page, 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep, StateDep
from api.routes.attachments import served
from api.routes.printing import original_pdf
from api.services.attachments import AttachmentService
from api.services.printing import PrintService
from api.web.deps import CurrentViewer, page
from api.web.render import REFUSAL
from core.errors import RingiError

router = APIRouter(include_in_schema=False)

Number = Annotated[int, Path(ge=1, le=100_000)]


def _refused(request: Request, viewer: CurrentViewer, exc: RingiError) -> HTMLResponse:
    title = REFUSAL.get(exc.status, exc.title)
    return page(request, "error.html", viewer, status_code=exc.status, title=title, detail=exc.detail)


@router.get("/documents/{document_id}/attachments/{n}")
async def attachment(
    request: Request, document_id: str, n: Number, viewer: CurrentViewer, app: StateDep, session: SessionDep
) -> Response:
    """添付ファイル n of the document (1-based), as the API sends it."""
    try:
        download = await AttachmentService(app, session).download(viewer.staff, document_id, n)
    except RingiError as exc:
        return _refused(request, viewer, exc)
    return served(download)


@router.get("/documents/{document_id}/print")
async def original(
    request: Request, document_id: str, viewer: CurrentViewer, app: StateDep, session: SessionDep
) -> Response:
    """原議 PDF of the document, as the API sends it."""
    try:
        pdf = await PrintService(app, session).original(viewer.staff, document_id)
    except RingiError as exc:
        return _refused(request, viewer, exc)
    return original_pdf(document_id, pdf)
