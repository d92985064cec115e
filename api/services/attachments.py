"""Attachments (添付ファイル): upload, list, download and (before the first approval only) delete.

Rules: the drafter — and, while the document is a draft or sent back, the drafter's division — may attach
files; after the first approval the drafter may still add, but nothing is ever replaced or deleted
(改ざん防止).  Each upload and deletion is an event in the document's audit chain; a download of a 機密性2+
document is one too.
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import re
import unicodedata
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.audit_trail import record_view
from api.services.documents import DocumentService
from api.services.temporal_calls import not_found
from core.clock import today_in_japan
from core.errors import Conflict, Forbidden, Invalid, NotFound, RingiError
from db.models import AttachmentRow, DocumentRow, StaffRow
from db.repositories.attachments import AttachmentRepository
from db.repositories.audit import AuditRepository
from db.repositories.documents import DocumentRepository
from db.repositories.org import OrgRepository
from db.session import release, writing
from domain.attachments import may_add
from domain.statuses import ATTACHMENTS_CLOSED, EDITABLE
from integrations.attachment_store import CHUNK_BYTES, AttachmentStore, attachment_store
from schemas.api.attachments import AttachmentRead
from schemas.text import MAX_FILENAME_BYTES, control_character

log = structlog.get_logger("ringi.attachments")

#: Audit actions that count as an approval: once one happened, attachments are immutable.
APPROVALS = ("approve", "consent", "pull_up", "substitute")
OCTET_STREAM = "application/octet-stream"
#: Types a browser renders as a document that may run scripts (with ``+xml``, ``/xml`` and any *script).
ACTIVE_TYPES = frozenset({"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"})
_CONTENT_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")


class TooLarge(RingiError):
    status = 413
    title = "Request too large"


class Upload(Protocol):
    """What the route hands over: FastAPI's or Starlette's ``UploadFile`` (a spooled file, read in chunks)."""

    @property
    def filename(self) -> str | None: ...

    @property
    def content_type(self) -> str | None: ...

    async def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class Download:
    attachment: AttachmentRow
    chunks: AsyncIterator[bytes]


def clean_filename(raw: str | None) -> str:
    """The name as given (NFC), or 422 for one that is empty, too long, or holds a path separator or control."""
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if not name:
        raise Invalid("the file needs a name")
    if len(name.encode()) > MAX_FILENAME_BYTES:
        raise Invalid(f"file: names are limited to {MAX_FILENAME_BYTES} bytes in UTF-8 (about 85 kanji)")
    if any(c in "/\\" for c in name) or control_character(name) is not None or name in (".", ".."):
        raise Invalid("the file name must not contain path separators (/ \\) or control characters (e.g. NUL)")
    return name


def content_type_of(filename: str, declared: str | None) -> str:
    """From the name's extension (what the server knows), else what the client declared, else octet-stream;
    active content (a page, an image with scripts, a script) is always octet-stream (see ``served_type``)."""
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    if guessed:
        return served_type(guessed)
    if declared and _CONTENT_TYPE.match(declared.split(";")[0].strip()):
        return served_type(declared.split(";")[0].strip().lower())
    return OCTET_STREAM


def served_type(content_type: str) -> str:
    """The type a browser gets: anything it would run or render with scripts in ringi's origin (HTML, SVG,
    XHTML, XML, JavaScript) is served as ``application/octet-stream`` — a download, never a page (stored XSS)."""
    media = content_type.split(";")[0].strip().lower()
    if media in ACTIVE_TYPES or media.endswith(("+xml", "/xml")) or "javascript" in media or "ecmascript" in media:
        return OCTET_STREAM
    return content_type


def attachment_read(row: AttachmentRow) -> AttachmentRead:
    return AttachmentRead.model_validate(row, from_attributes=True)


class AttachmentService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session
        self._documents = DocumentService(app, session)
        self._store: AttachmentStore = attachment_store(app.settings.attachment_root())
        self._staging = app.settings.attachment_root() / "tmp"

    async def upload(self, staff: StaffRow, document_id: str, upload: Upload) -> AttachmentRead:
        """Stream the file to a staging file while hashing it, then record it and hand it to the store."""
        document = await self._documents.visible(staff, document_id)
        filename = clean_filename(upload.filename)
        await self._check_may_add(self._session, staff, document)  # fail fast, before copying the bytes
        await release(self._session)  # no connection held while the bytes are copied
        staged, sha256, size = await self._stage(upload)
        try:
            async with writing(self._session) as session:
                document = await self._locked(session, document_id)
                await self._check_may_add(session, staff, document)
                now = datetime.now(UTC)
                row = await AttachmentRepository(session).add(
                    document_id=document_id,
                    filename=filename,
                    content_type=content_type_of(filename, upload.content_type),
                    size_bytes=size,
                    sha256=sha256,
                    uploaded_by=staff.id,
                    uploaded_at=now,
                )
                await self._store.put(staged, sha256=sha256)
                await AuditRepository(session).append_for(document, "attach", staff.id, now, _describe(row))
        finally:
            staged.unlink(missing_ok=True)
        log.info("attachment.uploaded", document_id=document_id, n=row.n, size_bytes=size, sha256=sha256)
        return attachment_read(row)

    async def listing(self, staff: StaffRow, document_id: str) -> list[AttachmentRead]:
        await self._documents.visible(staff, document_id)
        return await self.of(document_id)

    async def of(self, document_id: str) -> list[AttachmentRead]:
        """The document's attachments (no authorisation: the caller has checked it)."""
        return [attachment_read(r) for r in await AttachmentRepository(self._session).for_document(document_id)]

    async def download(self, staff: StaffRow, document_id: str, n: int) -> Download:
        document = await self._documents.visible(staff, document_id)
        row = await AttachmentRepository(self._session).get(document_id, n)
        if row is None:
            raise NotFound(f"document {document_id} has no attachment {n}")
        if not await self._store.exists(row.sha256):
            log.error("attachment.content_missing", document_id=document_id, n=n, sha256=row.sha256)
            raise NotFound(f"the content of attachment {n} is missing from the attachment store")
        await record_view(self._session, staff, document, what="attachment", attachment_n=n)
        async with writing(self._session):  # 一括承認 asks whether this approver has opened every attachment
            await AttachmentRepository(self._session).record_open(
                staff_id=staff.id, document_id=document_id, n=n, at=datetime.now(UTC)
            )
        return Download(attachment=row, chunks=self._store.chunks(row.sha256))

    async def delete(self, staff: StaffRow, document_id: str, n: int) -> None:
        """Only before the first approval, and only while the document is a draft or sent back."""
        await self._documents.visible(staff, document_id)
        async with writing(self._session) as session:
            document = await self._locked(session, document_id)
            attachments = AttachmentRepository(session)
            row = await attachments.get(document_id, n)
            if row is None:
                raise NotFound(f"document {document_id} has no attachment {n}")
            if not await self._drafter_or_division(session, staff, document):
                raise Forbidden("only the drafter or the drafter's division may delete an attachment")
            if await AuditRepository(session).has_any(document_id, APPROVALS):
                raise Conflict(
                    "attachments cannot be deleted or replaced once anyone has approved the document;"
                    " add a corrected file as a new attachment instead"
                )
            if document.status not in EDITABLE:
                raise Conflict(f"attachments of a {document.status} document cannot be deleted")
            row.deleted_at = datetime.now(UTC)
            row.deleted_by = staff.id
            await session.flush()
            await AuditRepository(session).append_for(document, "detach", staff.id, row.deleted_at, _describe(row))
            orphaned = await attachments.references(row.sha256) == 0
        if orphaned:  # after the commit: a crash in between leaves an unreferenced file, never a dangling row
            await self._store.delete(row.sha256)
        log.info("attachment.deleted", document_id=document_id, n=n)

    async def _stage(self, upload: Upload) -> tuple[Path, str, int]:
        """Copy the upload to a staging file in chunks, hashing as it goes; 413 over the limit, 422 when empty."""
        limit = self._app.settings.attachment_max_bytes
        await asyncio.to_thread(self._staging.mkdir, parents=True, exist_ok=True)
        staged = self._staging / f"{uuid.uuid4().hex}.part"
        digest = hashlib.sha256()
        size = 0
        handle: BinaryIO = await asyncio.to_thread(staged.open, "wb")
        try:
            while chunk := await upload.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"attachments are limited to {limit} bytes")
                digest.update(chunk)
                await asyncio.to_thread(handle.write, chunk)
        except BaseException:
            handle.close()
            staged.unlink(missing_ok=True)
            raise
        handle.close()
        if size == 0:
            staged.unlink(missing_ok=True)
            raise Invalid("the file is empty")
        return staged, digest.hexdigest(), size

    @staticmethod
    async def _locked(session: AsyncSession, document_id: str) -> DocumentRow:
        document = await DocumentRepository(session).get(document_id, for_update=True)
        if document is None:
            raise not_found(document_id)
        return document

    async def _check_may_add(self, session: AsyncSession, staff: StaffRow, document: DocumentRow) -> None:
        if document.status in ATTACHMENTS_CLOSED:
            raise Conflict(f"a {document.status} document takes no more attachments")
        is_drafter = staff.id == document.drafter_id
        in_division = not is_drafter and await self._drafter_or_division(session, staff, document)
        if may_add(status=document.status, is_drafter=is_drafter, in_division=in_division):
            return
        raise Forbidden(
            "only the drafter may attach files (the drafter's division too while the document is a draft or sent back)"
        )

    @staticmethod
    async def _drafter_or_division(session: AsyncSession, staff: StaffRow, document: DocumentRow) -> bool:
        if staff.id == document.drafter_id:
            return True
        today = today_in_japan()
        division = await OrgRepository(session).find_staff(as_of=today, org_unit=document.org_unit_code)
        return any(member.id == staff.id for member in division)


def _describe(row: AttachmentRow) -> dict[str, object]:
    return {"n": row.n, "filename": row.filename, "size_bytes": row.size_bytes, "sha256": row.sha256}
