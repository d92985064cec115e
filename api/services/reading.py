"""Reading a document as a person does: the read model, its attachments, and (機密性2+) a view in its audit chain."""

from __future__ import annotations

from api.deps import AppState
from api.services.attachments import AttachmentService
from api.services.audit_trail import record_view
from api.services.disposal import DisposalService
from api.services.documents import DocumentService
from api.services.views import from_read_model
from db.models import StaffRow
from schemas.api.models import DocumentRead


async def read_document(app: AppState, staff: StaffRow, document_id: str) -> DocumentRead:
    row, steps, reviews = await DocumentService(app).read(staff, document_id)
    await record_view(app.sessions, staff, row, what="document")
    document = from_read_model(row, steps, reviews)
    document.attachments = await AttachmentService(app).of(row.id)
    if document.records_status == "disposed":  # 廃棄済: a tombstone, with its permanent 廃棄記録
        document.disposal = await DisposalService(app).record_of(document_id)
    return document
