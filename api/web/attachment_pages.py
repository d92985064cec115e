"""添付ファイル from the browser: upload (a file button, or a file dropped on the area: static/attachments.js) and
delete, on the document page, through the same AttachmentService as ``/v1/documents/{id}/attachments`` (the same
rules and the same size limit; the body-size middleware gives this path the attachment limit too).  A refusal is
shown beside the file field in Japanese; downloads are in api/web/downloads.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from api.deps import SessionDep, StateDep
from api.services.attachments import AttachmentService
from api.web.deps import FormData, PostingViewer, Viewer
from api.web.messages import japanese
from api.web.pages import _document, _logged, _refused
from core.errors import Invalid, RingiError
from db.session import release

router = APIRouter(include_in_schema=False)

Number = Annotated[int, Path(ge=1, le=100_000)]


async def _with_error(
    request: Request, viewer: Viewer, app: StateDep, session: SessionDep, document_id: str, exc: RingiError
) -> HTMLResponse:
    """The document page again, the reason beside the file field (the status the API would answer)."""
    try:
        await release(session)
        seen = await _logged(request, viewer, app, session, document_id)
    except RingiError as unreadable:
        return _refused(request, viewer, unreadable)
    reason = japanese(exc.detail)
    return await _document(request, viewer, app, session, seen, status_code=exc.status, field_errors={"file": reason})


@router.post("/documents/{document_id}/attachments")
async def upload(
    request: Request, document_id: str, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """添付: the file of the form's ``file`` field (the same call as ``POST /v1/documents/{id}/attachments``)."""
    file = form.get("file")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise Invalid("choose a file to attach")
        await AttachmentService(app, session).upload(viewer.staff, document_id, file)
    except RingiError as exc:
        return await _with_error(request, viewer, app, session, document_id, exc)
    return RedirectResponse(f"/documents/{document_id}?done=attach#attachments", status_code=303)


@router.post("/documents/{document_id}/attachments/{n}/delete")
async def delete(
    request: Request, document_id: str, n: Number, viewer: PostingViewer, app: StateDep, session: SessionDep
) -> Response:
    """添付ファイルの削除 (before anyone approved only): the same call as ``DELETE …/attachments/{n}``."""
    try:
        await AttachmentService(app, session).delete(viewer.staff, document_id, n)
    except RingiError as exc:
        return await _with_error(request, viewer, app, session, document_id, exc)
    return RedirectResponse(f"/documents/{document_id}?done=detach#attachments", status_code=303)
