"""収受 (receipts): register with a 収受番号, the 収受簿, corrections and 配布 as events, one branch per receipt.

``register_receipt`` is the one entry point for a new receipt: the API calls it, and so will intake from online
applications.  Rules (one branch, what a correction may change, who confirms a 供覧) live in domain/receipts.py.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services import receipt_workflows
from api.services.documents import DocumentService
from api.services.file_choice import FilingKind, file_for
from core.calendar import JST
from core.errors import Conflict, Forbidden, Invalid, NotFound, RingiError
from db.models import CirculationReaderRow, DocumentRow, OrgUnitRow, ReceiptRow, StaffRow
from db.repositories.files import FileRepository
from db.repositories.intake import IntakeRepository
from db.repositories.org import OrgRepository
from db.repositories.receipts import ReceiptRepository
from db.repositories.records import NumberRepository
from db.repositories.visibility import viewer_on
from db.session import begin_write, release, start_writing
from domain.errors import ChainError
from domain.filing import DocumentFacts as FilingFacts
from domain.filing import FileFacts, filing_problem
from domain.fiscal import fiscal_year_of
from domain.numbering import render_number
from domain.receipts import (
    CORRECTABLE,
    REPLY_CATEGORY,
    Reading,
    choose_branch,
    circulation_complete,
    confirm_reading,
    reply_title,
)
from domain.visibility import Audience, Viewer, content_listed, sees
from schemas.api.models import DocumentCreate, DocumentRead
from schemas.api.paging import Page, PageRequest
from schemas.api.receipts import (
    CirculationItem,
    CirculationStart,
    HandOn,
    ReaderRead,
    ReadingCreate,
    ReceiptClose,
    ReceiptCorrection,
    ReceiptCreate,
    ReceiptEventRead,
    ReceiptRead,
)

IMMUTABLE = "receipts are immutable; record a correction (POST /v1/receipts/{id}/corrections)"


def _refusal(exc: ChainError) -> RingiError:
    return {"forbidden": Forbidden, "invalid": Invalid}.get(exc.kind, Conflict)(exc.reason)


def _read(row: ReceiptRow) -> ReceiptRead:
    return ReceiptRead.model_validate(row, from_attributes=True)


def _listed(row: ReceiptRow) -> ReceiptRead:
    """A receipt as the 収受簿 list shows it: no summary of a 機密性2+ one."""
    read = _read(row)
    if content_listed(row.confidentiality):
        return read
    return read.model_copy(update={"summary": "", "content_omitted": True})


async def register_receipt(
    session: AsyncSession, *, body: ReceiptCreate, registered_by: str, now: datetime
) -> ReceiptRow:
    """収受: number the receipt (gapless per 文書記号 per 年度, the 文書番号 counters) and record its first event.

    The caller has authorised ``registered_by``; nothing is stored when the assigned unit is unknown
    or the file named (``file_id``) cannot take it.  Without one the receipt goes into the proposed file, if any.
    """
    await begin_write(session)  # a no-op when the caller began the unit as a writer
    if await session.get(OrgUnitRow, body.assigned_unit) is None:
        raise Invalid(f"assigned_unit: there is no org unit {body.assigned_unit}")
    fiscal_year = fiscal_year_of(body.received_on)
    kind = FilingKind(
        org_unit_code=body.assigned_unit,
        fiscal_year=fiscal_year,
        matter="receipt",
        title=body.title,
        sender=body.sender,
    )
    file = (  # before a number is taken; 未整理 when asked for (filing "none")
        None if body.filing == "none" else await file_for(session, kind, body.file_id, today=now.astimezone(JST).date())
    )
    numbers = NumberRepository(session)
    symbol = await numbers.symbol_of(body.assigned_unit)
    serial = await numbers.next_serial(symbol=symbol, fiscal_year=fiscal_year)
    row = ReceiptRow(
        id=str(uuid.uuid4()),
        number_symbol=symbol,
        fiscal_year=fiscal_year,
        receipt_serial=serial,
        receipt_number=render_number(symbol, serial),
        registered_by=registered_by,
        registered_at=now,
        branch="none",
        outcome="none",
        outcome_reason="",
        **body.model_dump(exclude={"file_id", "filing"}),
    )
    repo = ReceiptRepository(session)
    repo.add(row)
    await session.flush()
    await repo.append(
        receipt_id=row.id, action="registered", actor_id=registered_by, at=now, detail={"number": row.receipt_number}
    )
    if file is not None:  # 整理 at registration: into the file named, else the proposed one
        row.file_id = file.id
        detail: dict[str, Any] = {"file_id": file.id, "previous_file_id": None, "proposed": body.file_id is None}
        await repo.append(receipt_id=row.id, action="filed", actor_id=registered_by, at=now, detail=detail)
    return row


class ReceiptService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session
        self._repo = ReceiptRepository(session)

    async def register(self, staff: StaffRow, body: ReceiptCreate) -> ReceiptRead:
        """The records office (central receipt) or the assigned unit's staff may register; others 403."""
        await start_writing(self._session)
        viewer = await self._viewer(staff)
        if not (viewer.sees_all or body.assigned_unit in viewer.units):
            raise Forbidden("only the records office (総務課) or the assigned unit's staff may register a receipt")
        row = await register_receipt(self._session, body=body, registered_by=staff.id, now=_now())
        if row.reply_by is not None:  # 回答期限: its timers start with the registration (503 rolls it back)
            await receipt_workflows.watch_reply_deadline(self._app, row.id)
        return _read(row)

    async def register_book(
        self, staff: StaffRow, *, fiscal_year: int | None, unit: str | None, page: PageRequest
    ) -> Page[ReceiptRead]:
        """The 収受簿: the records office sees every unit's; others only their own units' receipts."""
        viewer = await self._viewer(staff)
        if not viewer.sees_all:
            if unit is None and len(viewer.units) == 1:
                unit = next(iter(viewer.units))
            if unit is None or unit not in viewer.units:
                raise Forbidden("the 収受簿 of another unit is kept by that unit and the records office")
        rows, total = await self._repo.register_page(
            fiscal_year=fiscal_year, unit=unit, limit=page.limit, offset=page.offset
        )
        return page.page([_listed(r) for r in rows], total)

    async def get(self, staff: StaffRow, receipt_id: str) -> ReceiptRead:
        return _read(await self._visible(staff, receipt_id))

    async def events(self, staff: StaffRow, receipt_id: str) -> list[ReceiptEventRead]:
        row = await self._visible(staff, receipt_id)
        return [ReceiptEventRead.model_validate(e, from_attributes=True) for e in await self._repo.events(row.id)]

    async def correct(self, staff: StaffRow, receipt_id: str, body: ReceiptCorrection) -> ReceiptRead:
        """訂正: an event naming the field, its old and new value and the reason; the 収受簿 shows the new value."""
        row = await self._writable(staff, receipt_id)
        if body.field not in CORRECTABLE:
            raise Invalid(f"field: {body.field!r} cannot be corrected; one of {', '.join(sorted(CORRECTABLE))}")
        value = _parsed(body.field, body.value)
        old = getattr(row, body.field)
        setattr(row, body.field, value)
        await self._repo.append(
            receipt_id=row.id,
            action="corrected",
            actor_id=staff.id,
            at=_now(),
            detail={"field": body.field, "old": _text(old), "new": _text(value), "reason": body.reason},
        )
        if body.field == "reply_by" and value != old:  # the timers read the corrected 回答期限 once it is committed
            await receipt_workflows.watch_reply_deadline(self._app, row.id)
        return _read(row)

    async def hand_on(self, staff: StaffRow, receipt_id: str, body: HandOn) -> ReceiptRead:
        """配布: the receipt moves to another unit, recorded with its reason."""
        row = await self._writable(staff, receipt_id)
        if await self._session.get(OrgUnitRow, body.unit) is None:
            raise Invalid(f"unit: there is no org unit {body.unit}")
        if body.unit == row.assigned_unit:
            raise Conflict("the receipt is already assigned to that unit")
        previous, row.assigned_unit = row.assigned_unit, body.unit
        await self._repo.append(
            receipt_id=row.id,
            action="handed_on",
            actor_id=staff.id,
            at=_now(),
            detail={"from": previous, "to": body.unit, "reason": body.reason},
        )
        return _read(row)

    async def close(self, staff: StaffRow, receipt_id: str, body: ReceiptClose) -> ReceiptRead:
        """Filed with no further processing."""
        row = await self._writable(staff, receipt_id)
        await self._branch(row, "closed")
        now = _now()
        row.outcome, row.outcome_reason, row.completed_at = "closed", body.reason, now
        await self._repo.append(
            receipt_id=row.id, action="closed", actor_id=staff.id, at=now, detail={"reason": body.reason}
        )
        if row.reply_by is not None:
            await release(self._session)  # committed: the 回答期限 reminders stop
            await receipt_workflows.settle_reply_deadline(self._app, row.id)
        return _read(row)

    async def file(self, staff: StaffRow, receipt_id: str, file_id: str) -> ReceiptRead:
        """整理: put the receipt into a file of its assigned unit and its 年度 (or move it there), as an event."""
        row = await self._writable(staff, receipt_id)
        file = await FileRepository(self._session).get(file_id)
        if file is None:
            raise NotFound(f"no file {file_id}")
        facts = FileFacts(org_unit_code=file.org_unit_code, fiscal_year=file.fiscal_year, title=file.title)
        if problem := filing_problem(facts, FilingFacts(org_unit_code=row.assigned_unit, fiscal_year=row.fiscal_year)):
            raise Conflict(f"the receipt cannot go into this file: {problem}")
        if row.file_id != file.id:
            previous, row.file_id = row.file_id, file.id
            action = "filed" if previous is None else "refiled"
            detail: dict[str, Any] = {"file_id": file.id, "previous_file_id": previous}
            await self._repo.append(receipt_id=row.id, action=action, actor_id=staff.id, at=_now(), detail=detail)
        return _read(row)

    async def reply(self, staff: StaffRow, receipt_id: str, draft: DocumentCreate | None) -> DocumentRead:
        """回答の起案: a normal draft linked to the receipt (``in_reply_to``), which the drafter completes and
        submits; its decision completes the receipt.  Without a body the draft takes the receipt's title."""
        row = await self._writable(staff, receipt_id)
        try:  # refused before the draft when the receipt already went one way; checked again under the lock
            choose_branch(row.branch, "reply")
        except ChainError as exc:
            raise _refusal(exc) from exc
        if draft is None:  # a general matter: the online form's 決裁区分, else 定例的な照会・回答
            category = await IntakeRepository(self._session).category_of_receipt(row.id)
            draft = DocumentCreate.model_validate(
                {
                    "title": reply_title(row.title)[:200],
                    "matter": "general",
                    "category": category or REPLY_CATEGORY,
                    "confidentiality": row.confidentiality,
                }
            )

        async def link(session: AsyncSession, document: DocumentRow) -> None:
            receipt = await ReceiptRepository(session).get(receipt_id, for_update=True)  # afresh, in the draft's unit
            if receipt is None:
                raise NotFound(f"there is no receipt {receipt_id}")
            await self._branch(receipt, "reply")
            receipt.outcome, receipt.reply_document_id = "replying", document.id
            await ReceiptRepository(session).append(
                receipt_id=receipt.id,
                action="reply_drafted",
                actor_id=staff.id,
                at=_now(),
                detail={"document_id": document.id},
            )

        documents = DocumentService(self._app, self._session)
        return await documents.create(staff, draft, today=datetime.now(JST).date(), in_reply_to=receipt_id, also=link)

    async def start_circulation(self, staff: StaffRow, receipt_id: str, body: CirculationStart) -> ReceiptRead:
        """供覧: the named readers each confirm reading; no decision."""
        row = await self._writable(staff, receipt_id)
        readers = list(dict.fromkeys(body.readers))
        org = OrgRepository(self._session)
        for n, reader in enumerate(readers):
            if await org.get_staff(reader) is None:
                raise Invalid(f"readers[{n}]: there is no staff member {reader}")
        await self._branch(row, "circulation")
        now = _now()
        row.outcome = "circulating"
        for reader in readers:
            self._repo.add_reader(CirculationReaderRow(receipt_id=row.id, reader_id=reader, since=now, comment=""))
        await self._repo.append(
            receipt_id=row.id, action="circulation_started", actor_id=staff.id, at=now, detail={"readers": readers}
        )
        await self._session.flush()
        # Started before the commit (503 rolls the 供覧 back); its first notice waits for the receipt's row lock.
        await receipt_workflows.start_circulation(self._app, row.id, readers, now)
        return _read(row)

    async def confirm_read(self, staff: StaffRow, receipt_id: str, body: ReadingCreate) -> ReceiptRead:
        """A listed reader confirms once (with a comment); the 供覧 completes when all have read."""
        await start_writing(self._session)
        row = await self._visible(staff, receipt_id, for_update=True)
        rows = {r.reader_id: r for r in await self._repo.readers(row.id)}
        readings = {k: Reading(k, r.read_at, r.comment) for k, r in rows.items()}
        now = _now()
        try:
            reading = confirm_reading(readings, staff.id, comment=body.comment, now=now)
        except ChainError as exc:
            raise _refusal(exc) from exc
        rows[staff.id].read_at, rows[staff.id].comment = reading.read_at, reading.comment
        readings[staff.id] = reading
        await self._repo.append(
            receipt_id=row.id, action="read", actor_id=staff.id, at=now, detail={"comment": body.comment}
        )
        if circulation_complete(readings):
            row.outcome, row.completed_at = "circulated", now
            await self._repo.append(receipt_id=row.id, action="circulated", actor_id=staff.id, at=now, detail={})
        answer = _read(row)
        await release(self._session)  # committed: then the workflow hears of it (its reminders skip this reader)
        await receipt_workflows.reading_confirmed(self._app, receipt_id, staff.id)
        return answer

    async def to_read(self, staff: StaffRow) -> list[CirculationItem]:
        """供覧 waiting for me: receipts in circulation I am a reader of and have not confirmed, oldest first (a
        reader may see the receipt, so it is listed with its title, as the inbox lists documents)."""
        return [
            CirculationItem(
                receipt_id=receipt.id,
                receipt_number=receipt.receipt_number,
                title=receipt.title,
                confidentiality=receipt.confidentiality,
                assigned_unit=receipt.assigned_unit,
                since=reader.since,
            )
            for receipt, reader in await self._repo.circulating_for(staff.id)
        ]

    async def readers(self, staff: StaffRow, receipt_id: str) -> list[ReaderRead]:
        row = await self._visible(staff, receipt_id)
        return [ReaderRead.model_validate(r, from_attributes=True) for r in await self._repo.readers(row.id)]

    # --- helpers ---------------------------------------------------------------------------------------------

    async def _branch(self, row: ReceiptRow, wanted: str) -> None:
        try:
            row.branch = choose_branch(row.branch, wanted)  # type: ignore[arg-type]
        except ChainError as exc:
            raise _refusal(exc) from exc

    async def _viewer(self, staff: StaffRow) -> Viewer:
        return await viewer_on(self._session, staff, as_of=datetime.now(JST).date())

    async def _visible(self, staff: StaffRow, receipt_id: str, *, for_update: bool = False) -> ReceiptRow:
        """The receipt if ``staff`` may see it; 404 otherwise, the same answer as for one that does not exist."""
        row = await self._repo.get(receipt_id, for_update=for_update)
        if row is not None:
            readers = frozenset(r.reader_id for r in await self._repo.readers(row.id))
            audience = Audience(drafter_id=row.registered_by, org_unit_code=row.assigned_unit, route=readers)
            if sees(await self._viewer(staff), audience):
                return row
        raise NotFound(f"there is no receipt {receipt_id}")

    async def _writable(self, staff: StaffRow, receipt_id: str) -> ReceiptRow:
        """Corrections, 配布 and branches: the records office or the assigned unit's staff (a reader only reads)."""
        await start_writing(self._session)
        row = await self._visible(staff, receipt_id, for_update=True)
        viewer = await self._viewer(staff)
        if not (viewer.sees_all or row.assigned_unit in viewer.units):
            raise Forbidden("only the records office or the assigned unit's staff may change a receipt's course")
        return row


def _now() -> datetime:
    return datetime.now(JST)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _parsed(field: str, value: str | None) -> object:
    if field in ("sender_dated_on", "reply_by"):
        if value is None:
            return None
        try:
            return date.fromisoformat(value or "")
        except ValueError as exc:
            raise Invalid(f"value: {field} takes an ISO date (YYYY-MM-DD)") from exc
    if field in ("sender", "addressee", "title") and not (value or "").strip():
        raise Invalid(f"value: {field} may not be empty")
    return value or ""
