"""一括承認 (bulk approval): several pending items approved in one request, each as its own decision.

Each item is judged by ``domain.bulk.refusal`` (the rulebook's bulk-eligible matters, never 機密性2+, never a
代決, never with an attachment this approver has not opened, never changed since shown) and then applied through
the very path of a single 承認 (``DecisionService.act``: its own Idempotency-Key and update id, derived from the
request's key and the document, the audit event marked ``bulk``).  The same request again (same key) applies
each item once: an item whose key was already used replays its recorded answer instead of being judged again.
"""

from __future__ import annotations

import hashlib
from datetime import date

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.decisions import DecisionService
from api.services.documents import DocumentService
from api.services.idempotency import idempotent
from core.errors import Invalid, NotFound, RingiError
from db.models import DocumentRow, IdempotencyKeyRow, StaffRow
from db.repositories.attachments import AttachmentRepository
from db.repositories.documents import RouteStepRepository
from db.session import release
from domain import bulk
from integrations.hr import HrNotFound
from schemas.api.models import ActionCreate, BulkApproveCreate, BulkApproveItem, BulkApproveRead, BulkOutcome, InboxItem
from schemas.rules import BulkApproval

log = structlog.get_logger("ringi.bulk")

#: What a hidden or missing document answers (the same words for both: never a hint).
NOT_FOUND = "文書が見つかりません"
APPROVE = ActionCreate(action="approve")


class BulkApprovalService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session
        self._decisions = DecisionService(app, session)
        self._documents = DocumentService(app, session)

    async def approve(self, staff: StaffRow, body: BulkApproveCreate, *, key: str, today: date) -> BulkApproveRead:
        if not key or len(key) > 200 or not key.isprintable():
            raise Invalid("an Idempotency-Key header (1–200 printable characters) is required")
        book = await self._app.rulebooks.in_force(today)
        rules = book.bulk_approval if book is not None else None
        if (reason := bulk.too_many(len(body.items), rules)) is not None:
            raise Invalid(reason)
        ids = [i.document_id for i in body.items]
        if len(set(ids)) != len(ids):
            raise Invalid("一括承認の対象に同じ文書が重複しています")
        async with idempotent(self._session, staff, key, scope="inbox:bulk", operation="bulk_approve", body=body):
            outcomes = [await self._one(staff, item, key=key, today=today) for item in body.items]
        approved = sum(1 for o in outcomes if o.outcome == "approved")
        log.info("inbox.bulk_approved", approved=approved, refused=len(outcomes) - approved)
        return BulkApproveRead(items=outcomes, approved=approved, refused=len(outcomes) - approved)

    async def eligibility(self, staff: StaffRow, items: list[InboxItem], *, today: date) -> dict[str, str | None]:
        """For the page that offers the items: each listed item's reason it may not be approved in bulk (None:
        it may), judged by the same rule as the request."""
        found: dict[str, str | None] = {}
        for item in items:
            shown = BulkApproveItem(document_id=item.document_id, version=item.version or 0)
            try:
                found[item.document_id] = await self._refusal(staff, shown, today=today)
            except NotFound:
                found[item.document_id] = NOT_FOUND
        return found

    async def _one(self, staff: StaffRow, item: BulkApproveItem, *, key: str, today: date) -> BulkOutcome:
        item_key = f"bulk:{hashlib.sha256(key.encode()).hexdigest()[:32]}:{item.document_id}"
        try:
            if not await self._already_applied(staff, item.document_id, item_key):
                reason = await self._refusal(staff, item, today=today)
                if reason is not None:
                    return BulkOutcome(document_id=item.document_id, outcome="refused", reason=reason)
            read = await self._decisions.act(staff, item.document_id, APPROVE, key=item_key, today=today, bulk=True)
        except NotFound:
            return BulkOutcome(document_id=item.document_id, outcome="refused", reason=NOT_FOUND)
        except RingiError as exc:  # the chain's own refusal (its reason), or HR / the engine
            await self._session.rollback()
            reason = f"承認できませんでした: {exc.detail}"
            return BulkOutcome(document_id=item.document_id, outcome="refused", reason=reason)
        return BulkOutcome(document_id=item.document_id, outcome="approved", status=read.status)

    async def _already_applied(self, staff: StaffRow, document_id: str, item_key: str) -> bool:
        """Whether this item's key was used (a retry): then the engine's recorded answer is the outcome."""
        await release(self._session)
        row = await self._session.get(IdempotencyKeyRow, (staff.id, f"document:{document_id}"[:80], item_key))
        return row is not None

    async def _refusal(self, staff: StaffRow, item: BulkApproveItem, *, today: date) -> str | None:
        await release(self._session)
        row, _steps, _ = await self._documents.read(staff, item.document_id, with_reviews=False)
        mine = {
            doc.id
            for step, doc in await RouteStepRepository(self._session).inbox(staff.id, kinds=("review", "decide"))
            if doc.id == row.id
        }
        attachments = AttachmentRepository(self._session)
        numbers = (await attachments.live_numbers([row.id]))[row.id]
        opened = (await attachments.opened_by(staff.id, [row.id]))[row.id]
        rules = await self._rules_of(row)
        substitute = not mine and await self._would_substitute(staff, row, today=today)
        candidate = bulk.BulkCandidate(
            matter=row.matter,
            details=row.details,
            confidentiality=row.confidentiality,
            version=row.version,
            shown_version=item.version,
            attachments=numbers,
            opened=opened,
            substitute=substitute,
            pending_for_me=bool(mine),
        )
        return bulk.refusal(candidate, rules)

    async def _rules_of(self, row: DocumentRow) -> BulkApproval | None:
        """The 一括承認 rows of the rulebook version pinned on the document (at its first submit)."""
        if row.rulebook_version is None:
            return None
        book = await self._app.rulebooks.version(row.rulebook_version)
        return book.bulk_approval if book is not None else None

    async def _would_substitute(self, staff: StaffRow, row: DocumentRow, *, today: date) -> bool:
        """Whether the approver would take the item as 代決者 for an absent decider (never in bulk)."""
        try:
            absent = {a.id for a in await self._app.hr.substituting(staff.id, on=today)}
        except (httpx.HTTPError, HrNotFound):
            return False
        if not absent:
            return False
        pending = await RouteStepRepository(self._session).inbox(*absent, kinds=("decide",))
        return any(doc.id == row.id for _, doc in pending)
