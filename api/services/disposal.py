"""Disposal review use cases (廃棄・移管の審査): run the review now, propose per file (簿冊, for each of its documents)
and per unfiled document, submit the review as its own 起案文書 (matter ``disposal_review``) through
DocumentWorkflow, list the 廃棄記録 (of documents and of files).

The review's decision is an ordinary approval: the records-office member who submits it is its drafter, and the
normal route resolution sends it up their line (a 0-yen matter of 総務課: decided by 総務課長).  Once submitted the
items are frozen; when the workflow closes, ``RecordsLifecycle`` applies them (approved) or releases the review
(rejected / withdrawn).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.decisions import DecisionService
from api.services.records_rules import require_records_office
from core.audit import content_hash
from core.clock import today_in_japan
from core.errors import Conflict, Invalid, NotFound, RingiError
from db.disposal_opening import open_review
from db.models import (
    DisposalRecordRow,
    DisposalReviewFileRow,
    DisposalReviewItemRow,
    DisposalReviewRow,
    DocumentRow,
    FileDisposalRecordRow,
    StaffRow,
)
from db.repositories.audit import AuditRepository
from db.repositories.disposal import DisposalRepository
from db.repositories.documents import DocumentRepository
from db.repositories.org import OrgRepository
from db.session import writing
from domain.disposal import CatalogueLine, catalogue, review_title
from domain.era import fiscal_year_label, wareki_date
from domain.visibility import highest_level
from schemas.api.disposal import (
    DisposalFileRead,
    DisposalItemRead,
    DisposalItemUpdate,
    DisposalRecordRead,
    DisposalReviewRead,
    FileDisposalRecordRead,
)
from schemas.api.paging import Page, PageRequest
from schemas.disposal import DISPOSAL_REVIEW_MATTER, DISPOSITION_LABELS, OpenReviewRequest

log = structlog.get_logger("ringi.disposal")


def _not_found(review_id: str) -> NotFound:
    return NotFound(f"there is no disposal review {review_id}")


class DisposalService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session

    async def open(self, staff: StaffRow, fiscal_year: int | None) -> tuple[DisposalReviewRead, bool]:
        """Run the yearly review now: the fiscal year's review (a second run opens nothing new)."""
        await require_records_office(self._app, self._session, staff)
        request = OpenReviewRequest(fiscal_year=fiscal_year, at=datetime.now(UTC), opened_by=staff.id)
        for attempt in (1, 2):  # retried once when a concurrent opener won the race
            try:
                async with writing(self._session) as session:
                    opened = await open_review(session, request)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
        log.info("disposal.review_opened", review_id=opened.review_id, created=opened.created)
        return await self.get(staff, opened.review_id), opened.created

    async def all(self, staff: StaffRow, *, page: PageRequest) -> Page[DisposalReviewRead]:
        await require_records_office(self._app, self._session, staff)
        repo = DisposalRepository(self._session)
        rows, total = await repo.reviews_page(limit=page.limit, offset=page.offset)
        return page.page([_review(r, await repo.items(r.id), [], with_items=False) for r in rows], total)

    async def get(self, staff: StaffRow, review_id: str) -> DisposalReviewRead:
        await require_records_office(self._app, self._session, staff)
        repo = DisposalRepository(self._session)
        review = await repo.get(review_id) if "\x00" not in review_id else None
        if review is None:
            raise _not_found(review_id)
        return _review(review, await repo.items(review.id), await repo.files(review.id), with_items=True)

    async def propose(
        self, staff: StaffRow, review_id: str, document_id: str, body: DisposalItemUpdate
    ) -> DisposalItemRead:
        """延長 (years + reason), 移管 or 廃棄 for one listed document, while the review is open."""
        await require_records_office(self._app, self._session, staff)
        async with writing(self._session) as session:
            repo = DisposalRepository(session)
            review = await repo.get(review_id, for_update=True) if "\x00" not in review_id else None
            if review is None:
                raise _not_found(review_id)
            if review.status != "open":
                raise Conflict(f"the review is {review.status}: its items are frozen")
            item = await repo.item(review_id, document_id, for_update=True) if "\x00" not in document_id else None
            if item is None:
                raise NotFound(f"document {document_id} is not listed in this review")
            if item.file_id is not None:
                raise Conflict(
                    f"document {document_id} is listed with its file {item.file_id}: propose for the file"
                    f" (PUT …/files/{item.file_id})"
                )
            item.disposition = body.disposition
            item.extend_years = body.extend_years
            item.reason = body.reason.strip()
            item.proposed_by = staff.id
            item.proposed_at = datetime.now(UTC)
            read = _item(item)
        log.info("disposal.item_proposed", review_id=review_id, document_id=document_id, disposition=body.disposition)
        return read

    async def propose_file(
        self, staff: StaffRow, review_id: str, file_id: str, body: DisposalItemUpdate
    ) -> DisposalFileRead:
        """延長 (years + reason), 移管 or 廃棄 for one listed file and so for each of its documents, while open."""
        await require_records_office(self._app, self._session, staff)
        async with writing(self._session) as session:
            repo = DisposalRepository(session)
            review = await repo.get(review_id, for_update=True) if "\x00" not in review_id else None
            if review is None:
                raise _not_found(review_id)
            if review.status != "open":
                raise Conflict(f"the review is {review.status}: its items are frozen")
            file = await repo.file(review_id, file_id, for_update=True) if "\x00" not in file_id else None
            if file is None:
                raise NotFound(f"file {file_id} is not listed in this review")
            now = datetime.now(UTC)
            documents = await repo.items_of_file(review_id, file_id)
            file.disposition, file.extend_years, file.reason = body.disposition, body.extend_years, body.reason.strip()
            file.proposed_by, file.proposed_at = staff.id, now
            for row in documents:
                row.disposition, row.extend_years, row.reason = file.disposition, file.extend_years, file.reason
                row.proposed_by, row.proposed_at = staff.id, now
            read = _file(file, documents)
        log.info("disposal.file_proposed", review_id=review_id, file_id=file_id, disposition=body.disposition)
        return read

    async def file_records(self, staff: StaffRow, *, page: PageRequest) -> Page[FileDisposalRecordRead]:
        """廃棄記録 of the files (簿冊), oldest first (records office / admin)."""
        await require_records_office(self._app, self._session, staff)
        rows, total = await DisposalRepository(self._session).file_records(limit=page.limit, offset=page.offset)
        return page.page([_file_record(r) for r in rows], total)

    async def submit(self, staff: StaffRow, review_id: str, *, key: str) -> DisposalReviewRead:
        """Submit the review as its own 起案文書 (廃棄決裁) by ``staff``, who becomes its drafter."""
        await require_records_office(self._app, self._session, staff)
        today = today_in_japan()
        document_id = await self._prepare_document(staff, review_id, today=today)
        try:
            await DecisionService(self._app, self._session).submit(staff, document_id, key=key, today=today)
        except RingiError:
            await self._reopen(review_id, document_id)  # nothing was routed: the items may still change
            raise
        log.info("disposal.review_submitted", review_id=review_id, document_id=document_id)
        return await self.get(staff, review_id)

    async def records(self, staff: StaffRow, *, page: PageRequest) -> Page[DisposalRecordRead]:
        """廃棄記録, oldest first (records office / admin)."""
        await require_records_office(self._app, self._session, staff)
        rows, total = await DisposalRepository(self._session).records(limit=page.limit, offset=page.offset)
        return page.page([_record(r) for r in rows], total)

    async def record_of(self, document_id: str) -> DisposalRecordRead | None:
        row = await DisposalRepository(self._session).record_of(document_id)
        return _record(row) if row else None

    # --- helpers ---------------------------------------------------------------------------------------------

    async def _prepare_document(self, staff: StaffRow, review_id: str, *, today: date) -> str:
        """Freeze the review and draft (or refresh) its document with the catalogue of the proposals."""
        async with writing(self._session) as session:
            repo = DisposalRepository(session)
            review = await repo.get(review_id, for_update=True) if "\x00" not in review_id else None
            if review is None:
                raise _not_found(review_id)
            if review.status == "submitted" and review.document_id is not None:
                return review.document_id  # a retried submit: the workflow answers it once
            if review.status != "open":
                raise Conflict(f"the review is {review.status}; it cannot be submitted")
            items = await repo.items(review.id)
            if not items:
                raise Conflict("the review lists no documents: there is nothing to decide")
            undecided = [i.document_id for i in items if i.disposition is None]
            if undecided:
                raise Conflict(f"{len(undecided)} documents have no proposal yet (first: {undecided[0]})")
            me = await OrgRepository(session).staff_ref(staff.id, as_of=today)
            if me is None:
                raise Conflict("you hold no post today, so you cannot draft the review")
            files = await repo.files(review.id)
            lines = [_file_line(f, [i for i in items if i.file_id == f.file_id]) for f in files]
            body = catalogue(review.fiscal_year, lines + [_line(i) for i in items if i.file_id is None])
            level = highest_level(await DocumentRepository(session).confidentialities([i.document_id for i in items]))
            row = await self._review_document(session, review, staff, me.org_unit.code, body, level)
            review.document_id = row.id
            review.status = "submitted"
            return row.id

    async def _review_document(
        self, session: AsyncSession, review: DisposalReviewRow, staff: StaffRow, unit: str, body: str, level: int
    ) -> DocumentRow:
        """The review's 起案文書: drafted by the submitting records-office member in their own division, at the
        highest 機密性 of the documents it lists (their titles are in its body)."""
        documents = DocumentRepository(session)
        now = datetime.now(UTC)
        title = review_title(review.fiscal_year)
        if review.document_id is not None:  # submitted before, refused: refresh the draft's catalogue
            row = await documents.get(review.document_id, for_update=True)
            assert row is not None
            row.confidentiality = level
            if row.body != body or row.drafter_id != staff.id:
                row.body, row.drafter_id, row.version, row.updated_at = body, staff.id, row.version + 1, now
                row.content_hash = content_hash(title=title, body=body, amount_yen=0, matter=DISPOSAL_REVIEW_MATTER)
            return row
        row = DocumentRow(
            id=str(uuid.uuid4()),
            title=title,
            body=body,
            matter=DISPOSAL_REVIEW_MATTER,
            amount_yen=0,
            confidentiality=level,
            retention_years=30,
            retention_permanent=True,  # a 廃棄決裁 is evidence of what was destroyed: kept for good
            drafter_id=staff.id,
            org_unit_code=unit,
            status="draft",
            version=1,
            content_hash=content_hash(title=title, body=body, amount_yen=0, matter=DISPOSAL_REVIEW_MATTER),
            projected_seq=0,
            created_at=now,
            updated_at=now,
        )
        documents.add(row)
        await session.flush()
        await AuditRepository(session).append(
            document_id=row.id,
            action="create",
            actor_id=staff.id,
            at=now,
            version=row.version,
            content_hash=row.content_hash,
            detail={"title": title, "disposal_review": review.id},
        )
        return row

    async def _reopen(self, review_id: str, document_id: str) -> None:
        async with writing(self._session) as session:
            review = await DisposalRepository(session).get(review_id, for_update=True)
            doc = await DocumentRepository(session).get(document_id)
            if review is not None and review.status == "submitted" and doc is not None and doc.status == "draft":
                review.status = "open"


def _line(item: DisposalReviewItemRow) -> CatalogueLine:
    if item.disposition is None:
        raise Invalid(f"document {item.document_id} has no proposal")
    return CatalogueLine(
        number=item.number,
        title=item.title,
        org_unit=item.org_unit_code,
        retention_label=item.retention_label,
        expires_on=item.expires_on,
        disposition=item.disposition,
        extend_years=item.extend_years,
        reason=item.reason,
        paper_original_location=item.paper_original_location,
    )


def _file_line(file: DisposalReviewFileRow, documents: list[DisposalReviewItemRow]) -> CatalogueLine:
    """A file's line of the catalogue: its classification code as the number, its title and how many documents."""
    if file.disposition is None:
        raise Invalid(f"file {file.file_id} has no proposal")
    return CatalogueLine(
        number=file.classification_code,
        title=f"{file.title}（簿冊・{len(documents)}件）",
        org_unit=file.org_unit_code,
        retention_label=file.retention_label,
        expires_on=file.expires_on,
        disposition=file.disposition,
        extend_years=file.extend_years,
        reason=file.reason,
        paper_original_location=None,
    )


def _file(file: DisposalReviewFileRow, documents: list[DisposalReviewItemRow]) -> DisposalFileRead:
    return DisposalFileRead(
        file_id=file.file_id,
        title=file.title,
        org_unit=file.org_unit_code,
        fiscal_year=file.fiscal_year,
        classification_code=file.classification_code,
        retention_label=file.retention_label,
        expires_on=file.expires_on,
        expires_on_label=wareki_date(file.expires_on),
        disposition=file.disposition,
        disposition_label=DISPOSITION_LABELS.get(file.disposition) if file.disposition else None,
        extend_years=file.extend_years,
        reason=file.reason,
        proposed_by=file.proposed_by,
        applied_at=file.applied_at,
        outcome=file.outcome,
        documents=[_item(i) for i in documents],
    )


def _file_record(row: FileDisposalRecordRow) -> FileDisposalRecordRead:
    return FileDisposalRecordRead(
        id=row.id,
        file_id=row.file_id,
        title=row.title,
        org_unit=row.org_unit_code,
        fiscal_year=row.fiscal_year,
        classification_code=row.classification_code,
        retention_label=row.retention_label,
        expires_on=row.expires_on,
        documents=row.documents,
        review_id=row.review_id,
        review_document_id=row.review_document_id,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
        disposed_at=row.disposed_at,
    )


def _item(item: DisposalReviewItemRow) -> DisposalItemRead:
    return DisposalItemRead(
        document_id=item.document_id,
        number=item.number,
        title=item.title,
        org_unit=item.org_unit_code,
        retention_label=item.retention_label,
        expires_on=item.expires_on,
        expires_on_label=wareki_date(item.expires_on),
        paper_original_location=item.paper_original_location,
        disposition=item.disposition,
        disposition_label=DISPOSITION_LABELS.get(item.disposition) if item.disposition else None,
        extend_years=item.extend_years,
        reason=item.reason,
        proposed_by=item.proposed_by,
        applied_at=item.applied_at,
        outcome=item.outcome,
        file_id=item.file_id,
    )


def _review(
    review: DisposalReviewRow,
    items: list[DisposalReviewItemRow],
    files: list[DisposalReviewFileRow],
    *,
    with_items: bool,
) -> DisposalReviewRead:
    return DisposalReviewRead(
        id=review.id,
        fiscal_year=review.fiscal_year,
        fiscal_year_label=fiscal_year_label(review.fiscal_year),
        expires_on=review.expires_on,
        status=review.status,
        opened_at=review.opened_at,
        opened_by=review.opened_by,
        document_id=review.document_id,
        approved_by=review.approved_by,
        decided_at=review.decided_at,
        applied_at=review.applied_at,
        item_count=len(items),
        items=[_item(i) for i in items] if with_items else [],
        files=[_file(f, [i for i in items if i.file_id == f.file_id]) for f in files] if with_items else [],
    )


def _record(row: DisposalRecordRow) -> DisposalRecordRead:
    return DisposalRecordRead(
        id=row.id,
        document_id=row.document_id,
        number=row.number,
        title=row.title,
        org_unit=row.org_unit_code,
        retention_label=row.retention_label,
        expires_on=row.expires_on,
        review_id=row.review_id,
        review_document_id=row.review_document_id,
        approved_by=row.approved_by,
        approved_at=row.approved_at,
        disposed_at=row.disposed_at,
        method=row.method,
    )
