"""Records activities (文書管理): take the 文書番号, record the 施行 with its 公印 use, complete (完結) the document.

Each is one short unit of work under the document's row lock, idempotent by document id: a retried activity
finds the number / issuance / completion already written and returns it unchanged.  Every step is an event in
the document's audit hash chain.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from db.models import DocumentRow, SealUseRow
from db.repositories.audit import AuditRepository
from db.repositories.documents import DocumentRepository
from db.repositories.receipts import ReceiptRepository
from db.repositories.records import NumberRepository, SealLogRepository
from db.session import begin_write
from domain.fiscal import fiscal_year_at
from domain.numbering import render_number
from domain.receipts import reply_completes, reply_shares_receipt_number
from domain.records import completion
from domain.statuses import DECIDED
from schemas.records import CompletionRequest, DocumentNumber, IssuanceRecord, NumberRequest

log = structlog.get_logger("ringi.records")


def number_of(row: DocumentRow) -> DocumentNumber | None:
    if row.number_symbol is None or row.number_fiscal_year is None or row.number_serial is None:
        return None
    return DocumentNumber(
        symbol=row.number_symbol,
        fiscal_year=row.number_fiscal_year,
        serial=row.number_serial,
        sub=row.number_sub,
        display=row.number_display or render_number(row.number_symbol, row.number_serial, row.number_sub),
    )


async def complete_replied_receipt(session: AsyncSession, row: DocumentRow, at: datetime) -> None:
    """回答済: a decided, numbered reply completes the receipt it answers (``in_reply_to``), with the reply's
    文書番号, once (a replayed activity finds it completed).  Called where the decision or the number is written,
    in that transaction; the rule is domain/receipts.py's."""
    if row.in_reply_to is None:
        return
    repo = ReceiptRepository(session)
    receipt = await repo.get(row.in_reply_to, for_update=True)
    if receipt is None or receipt.reply_document_id != row.id:
        return
    decided = row.status in DECIDED
    if not reply_completes(
        branch=receipt.branch, outcome=receipt.outcome, decided=decided, reply_number=row.number_display
    ):
        return
    receipt.outcome, receipt.reply_number, receipt.completed_at = "replied", row.number_display, at
    detail: dict[str, object] = {"document_id": row.id, "number": row.number_display}
    await repo.append(receipt_id=receipt.id, action="completed", actor_id="system", at=at, detail=detail)
    log.info("receipt.completed", receipt_id=receipt.id, document_id=row.id, number=row.number_display)


async def _locked(session: AsyncSession, document_id: str) -> DocumentRow:
    await begin_write(session)
    row = await DocumentRepository(session).get(document_id, for_update=True)
    if row is None:
        raise ApplicationError(f"document {document_id} is not in the database", non_retryable=True)
    return row


async def take_number(
    session: AsyncSession, document_id: str, at: datetime, *, reply_takes_receipt_number: bool = False
) -> DocumentNumber:
    """The document's 文書番号, taken now if it has none (the caller's transaction makes it all or nothing)."""
    row = await _locked(session, document_id)
    return await _number(session, row, at, reply_takes_receipt_number=reply_takes_receipt_number)


async def _number(
    session: AsyncSession, row: DocumentRow, at: datetime, *, reply_takes_receipt_number: bool = False
) -> DocumentNumber:
    existing = number_of(row)
    if existing is not None:
        return existing
    numbers = NumberRepository(session)
    parent = await DocumentRepository(session).get(row.follow_up_of) if row.follow_up_of else None
    parent_number = number_of(parent) if parent is not None else None
    shares = reply_shares_receipt_number(
        city_numbers_replies_so=reply_takes_receipt_number, in_reply_to=row.in_reply_to, follow_up=parent is not None
    )
    receipt = await ReceiptRepository(session).get(row.in_reply_to) if shares and row.in_reply_to else None
    if receipt is not None:  # 収受番号＝文書番号: the serial was taken from the same counter at 収受
        number = DocumentNumber(
            symbol=receipt.number_symbol,
            fiscal_year=receipt.fiscal_year,
            serial=receipt.receipt_serial,
            display=receipt.receipt_number,
        )
    elif parent is not None and parent_number is not None:  # a follow-up: 第123号の2
        # The sub-numbers of 第123号 are counted on 第123号 itself, also for a follow-up of a follow-up.
        root = parent.follow_up_of if parent.number_sub is not None and parent.follow_up_of else parent.id
        sub = await numbers.next_sub(root)
        number = parent_number.model_copy(
            update={"sub": sub, "display": render_number(parent_number.symbol, parent_number.serial, sub)}
        )
    else:
        symbol = await numbers.symbol_of(row.org_unit_code)
        fiscal_year = fiscal_year_at(at)
        serial = await numbers.next_serial(symbol=symbol, fiscal_year=fiscal_year)
        number = DocumentNumber(
            symbol=symbol, fiscal_year=fiscal_year, serial=serial, display=render_number(symbol, serial)
        )
    # The chain's head first, the number after: a number is a key update of the document row (its unique index),
    # which would block a concurrent view's append (its foreign-key check) that holds the head we then wait for.
    await AuditRepository(session).append_for(
        row, "number", "system", at, {"number": number.display, "fiscal_year": number.fiscal_year}
    )
    row.number_symbol = number.symbol
    row.number_fiscal_year = number.fiscal_year
    row.number_serial = number.serial
    row.number_sub = number.sub
    row.number_display = number.display
    row.numbered_at = at
    await complete_replied_receipt(session, row, at)  # 決裁時採番: the decision came first, without a number
    return number


class RecordsActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, reply_takes_receipt_number: bool = False) -> None:
        self._sessions = sessions
        self._reply_takes_receipt_number = reply_takes_receipt_number  # RINGI_REPLY_TAKES_RECEIPT_NUMBER

    @activity.defn(name="assign_number")
    async def assign_number(self, request: NumberRequest) -> DocumentNumber:
        """文書番号: exactly once per document; a retry answers the number already taken."""
        async with self._sessions() as session, session.begin():
            number = await take_number(
                session, request.document_id, request.at, reply_takes_receipt_number=self._reply_takes_receipt_number
            )
        log.info("document.numbered", document_id=request.document_id, number=number.display)
        return number

    @activity.defn(name="record_issuance")
    async def record_issuance(self, record: IssuanceRecord) -> None:
        """施行: the clean-copy date, the dispatch, and the seal use in the 公印使用簿 (or 公印省略)."""
        issuance = record.issuance
        async with self._sessions() as session, session.begin():
            row = await _locked(session, record.document_id)
            if row.issued_at is not None:
                return  # already recorded (a retried activity)
            row.issued_at = record.at
            row.issued_by = issuance.actor_id
            row.clean_copy_on = issuance.clean_copy_on
            row.seal_name = issuance.seal.name if issuance.seal else None
            row.seal_omitted = issuance.seal is None
            row.dispatch_method = issuance.dispatch_method
            row.dispatched_on = issuance.dispatched_on
            number = record.number.display if record.number else row.number_display
            if issuance.seal is not None:
                SealLogRepository(session).add(
                    SealUseRow(
                        document_id=row.id,
                        seal_name=issuance.seal.name,
                        used_by=issuance.seal.used_by,
                        used_on=issuance.clean_copy_on,
                        document_number=number,
                        title=row.title,
                        recorded_by=issuance.actor_id,
                        recorded_at=record.at,
                    )
                )
                seal_detail: dict[str, object] = {
                    "seal": issuance.seal.name,
                    "used_by": issuance.seal.used_by,
                    "number": number,
                }
                await AuditRepository(session).append_for(row, "seal_use", issuance.actor_id, record.at, seal_detail)
            detail: dict[str, object] = {
                "number": number,
                "clean_copy_on": issuance.clean_copy_on.isoformat(),
                "seal": issuance.seal.name if issuance.seal else None,
                "seal_omitted": issuance.seal is None,
                "dispatch_method": issuance.dispatch_method,
                "dispatched_on": issuance.dispatched_on.isoformat(),
            }
            await AuditRepository(session).append_for(row, "issue", issuance.actor_id, record.at, detail)
        log.info("document.issued", document_id=record.document_id, seal=row.seal_name)

    @activity.defn(name="complete_document")
    async def complete_document(self, request: CompletionRequest) -> DocumentNumber | None:
        """完結: fixes the completion fiscal year (JST) and the retention period that follows from it.

        A document decided this moment takes its number first, in the same transaction (``number_at``).
        """
        async with self._sessions() as session, session.begin():
            row = await _locked(session, request.document_id)
            shares = self._reply_takes_receipt_number
            number: DocumentNumber | None
            if request.number_at:
                number = await _number(session, row, request.number_at, reply_takes_receipt_number=shares)
            else:
                number = number_of(row)
            if row.completed_at is not None:
                return number
            done = completion(request.completed_at, row.retention_years, permanent=row.retention_permanent)
            row.completed_at = request.completed_at
            row.completion_fiscal_year = done.fiscal_year
            row.retention_starts_on = done.retention_starts_on
            row.retention_expires_on = done.retention_expires_on
            detail: dict[str, object] = {
                "cause": request.cause,
                "completion_fiscal_year": done.fiscal_year,
                "retention_starts_on": done.retention_starts_on.isoformat(),
                "retention_expires_on": done.retention_expires_on.isoformat() if done.retention_expires_on else None,
            }
            await AuditRepository(session).append_for(row, "complete", request.actor_id, request.completed_at, detail)
        log.info("document.completed", document_id=request.document_id, cause=request.cause)
        return number
