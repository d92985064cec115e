"""Reading a document as a person does: the read model, its attachments, and (機密性2+) a view in its audit chain."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.attachments import AttachmentService
from api.services.audit_trail import record_view
from api.services.disposal import DisposalService
from api.services.documents import DocumentService
from api.services.views import from_read_model
from db.models import DocumentRow, RouteStepRow, StaffRow
from schemas.api.models import DocumentRead


async def read_document(app: AppState, session: AsyncSession, staff: StaffRow, document_id: str) -> DocumentRead:
    """Everything is read in one transaction; the view (a write) is recorded last."""
    document, _, _ = await read_seen(app, session, staff, document_id)
    return document


async def read_seen(
    app: AppState, session: AsyncSession, staff: StaffRow, document_id: str
) -> tuple[DocumentRead, DocumentRow, list[RouteStepRow]]:
    """``read_document``, with the row and steps its visibility check passed on (for a page that draws more)."""
    row, steps, reviews = await DocumentService(app, session).read(staff, document_id)
    document = from_read_model(row, steps, reviews)
    document.attachments = await AttachmentService(app, session).of(row.id)
    if document.records_status == "disposed":  # 廃棄済: a tombstone, with its permanent 廃棄記録
        document.disposal = await DisposalService(app, session).record_of(document_id)
    await record_view(session, staff, row, what="document")
    return document, row, steps
