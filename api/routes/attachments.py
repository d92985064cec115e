"""添付ファイル (attachments) of a document: upload (multipart/form-data, field ``file``), list, download, delete."""

from __future__ import annotations

import base64
import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Path, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services.attachments import AttachmentService, Download, served_type
from schemas.api.attachments import AttachmentRead
from schemas.api.paging import Page

router = APIRouter(prefix="/v1/documents", tags=["attachments"])

#: The upload route, for the body-size middleware (its limit is the attachment limit, not the JSON one).
UPLOAD_PATH = re.compile(r"^(/v1)?/documents/[^/]+/attachments/?$")  # the JSON route and the page's form
#: Room for the multipart framing around the file itself.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def _attachments(app: StateDep, session: SessionDep) -> AttachmentService:
    return AttachmentService(app, session)


Attachments = Annotated[AttachmentService, Depends(_attachments)]
Number = Annotated[int, Path(description="The attachment's number on the document (1, 2, …).")]


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the real one as RFC 5987 ``filename*`` (e.g. 見積書.pdf)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.post("/{document_id}/attachments", status_code=status.HTTP_201_CREATED)
async def upload_attachment(
    document_id: str, file: Annotated[UploadFile, File()], staff: CurrentStaff, attachments: Attachments
) -> AttachmentRead:
    """添付: upload a file (multipart field ``file``); it gets the document's next number and its SHA-256."""
    return await attachments.upload(staff, document_id, file)


@router.get("/{document_id}/attachments")
async def list_attachments(
    document_id: str, staff: CurrentStaff, attachments: Attachments, page: Paging
) -> Page[AttachmentRead]:
    """The document's attachments, by number."""
    return page.slice(await attachments.listing(staff, document_id))


@router.get(
    "/{document_id}/attachments/{n}",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file's bytes."}},
)
async def download_attachment(
    document_id: str, n: Number, staff: CurrentStaff, attachments: Attachments
) -> StreamingResponse:
    """The file, with its type, its name (RFC 5987) and its SHA-256 (ETag and Repr-Digest)."""
    return served(await attachments.download(staff, document_id, n))


def served(download: Download) -> StreamingResponse:
    """The download as sent (the API's and the web UI's alike): always ``attachment``, ``nosniff``, active content
    as octet-stream, the SHA-256 as ETag and Repr-Digest, never cached."""
    row = download.attachment
    digest = base64.b64encode(bytes.fromhex(row.sha256)).decode()
    headers = {
        "Content-Disposition": content_disposition(row.filename),
        "Content-Length": str(row.size_bytes),
        "ETag": f'"{row.sha256}"',
        "Repr-Digest": f"sha-256=:{digest}:",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
    return StreamingResponse(download.chunks, media_type=served_type(row.content_type), headers=headers)


@router.delete("/{document_id}/attachments/{n}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_attachment(document_id: str, n: Number, staff: CurrentStaff, attachments: Attachments) -> Response:
    """Delete an attachment: only before anyone approved the document (409 afterwards, with the reason)."""
    await attachments.delete(staff, document_id, n)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
