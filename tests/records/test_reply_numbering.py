"""A reply's number and the receipt it completes, on SQLite and PostgreSQL: with RINGI_REPLY_TAKES_RECEIPT_NUMBER
the reply takes the receipt's 収受番号 (the counter does not move), else a number of its own; the receipt is
completed with that number once, however often the activity runs.

The activities are called directly (plain coroutines).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.records import RecordsActivities, complete_replied_receipt
from api.services.receipts import register_receipt
from db.models import DocumentNumberCounterRow, DocumentRow, ReceiptEventRow, ReceiptRow
from db.session import create_engine, create_sessionmaker
from schemas.api.receipts import ReceiptCreate
from schemas.records import CompletionRequest, NumberRequest
from tests.support.documents import document_row
from tests.support.stack import holder

UNIT = "somu.jinji"  # 人事課
AT = datetime(2027, 1, 12, 3, 0, tzinfo=UTC)  # 令和8年度


@pytest_asyncio.fixture(loop_scope="session")
async def sessions(seeded_database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(seeded_database_url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


async def reply_to_a_receipt(sessions: async_sessionmaker[AsyncSession], *, status: str = "approved") -> ReceiptRow:
    """A receipt of 人事課 gone down the reply branch, and its reply (decided unless ``status`` says otherwise)."""
    body = ReceiptCreate(
        received_on=date(2027, 1, 8),
        channel="paper",
        sender="山口県",
        addressee="萩市長",
        title="照会",
        assigned_unit=UNIT,
    )
    async with sessions() as session, session.begin():
        receipt = await register_receipt(session, body=body, registered_by=holder(UNIT, "staff"), now=AT)
        reply = document_row(title="照会について(回答)", status=status, org_unit=UNIT, in_reply_to=receipt.id)
        session.add(reply)
        receipt.branch, receipt.outcome, receipt.reply_document_id = "reply", "replying", reply.id
    return receipt


async def counter(sessions: async_sessionmaker[AsyncSession], symbol: str) -> int:
    async with sessions() as session:
        row = await session.get(DocumentNumberCounterRow, (symbol, 2026))
        return row.last_serial if row else 0


async def completion_events(sessions: async_sessionmaker[AsyncSession], receipt_id: str) -> list[ReceiptEventRow]:
    async with sessions() as session:
        stmt = select(ReceiptEventRow).where(
            ReceiptEventRow.receipt_id == receipt_id, ReceiptEventRow.action == "completed"
        )
        return list((await session.scalars(stmt)).all())


@pytest.mark.parametrize("takes_receipt_number", [True, False])
async def test_the_reply_number_completes_the_receipt_once(
    sessions: async_sessionmaker[AsyncSession], takes_receipt_number: bool
) -> None:
    receipt = await reply_to_a_receipt(sessions)
    before = await counter(sessions, receipt.number_symbol)
    records = RecordsActivities(sessions, reply_takes_receipt_number=takes_receipt_number)
    number = await records.assign_number(NumberRequest(document_id=receipt.reply_document_id or "", at=AT))
    again = await records.complete_document(
        CompletionRequest(
            document_id=receipt.reply_document_id or "",
            completed_at=AT,
            cause="decision",
            actor_id="system",
            number_at=AT,
        )
    )
    assert again == number  # a retried numbering keeps the number
    if takes_receipt_number:
        assert number.display == receipt.receipt_number and number.serial == receipt.receipt_serial
        assert await counter(sessions, receipt.number_symbol) == before
    else:
        assert number.display != receipt.receipt_number
        assert await counter(sessions, receipt.number_symbol) == before + 1
    async with sessions() as session:
        done = await session.get(ReceiptRow, receipt.id)
        assert done is not None
        assert (done.outcome, done.reply_number) == ("replied", number.display)
        reply = await session.get(DocumentRow, receipt.reply_document_id)
        assert reply is not None
    async with sessions() as session, session.begin():  # a replayed projection of the decision
        await complete_replied_receipt(session, reply, AT)
    events = await completion_events(sessions, receipt.id)
    assert [e.detail for e in events] == [{"document_id": reply.id, "number": number.display}]


async def test_an_undecided_reply_leaves_the_receipt_open(sessions: async_sessionmaker[AsyncSession]) -> None:
    """起案時採番: the number comes with the submit; the receipt waits for the decision."""
    receipt = await reply_to_a_receipt(sessions, status="reviewing")
    await RecordsActivities(sessions).assign_number(NumberRequest(document_id=receipt.reply_document_id or "", at=AT))
    async with sessions() as session:
        still = await session.get(ReceiptRow, receipt.id)
        assert still is not None and (still.outcome, still.reply_number) == ("replying", None)
    assert await completion_events(sessions, receipt.id) == []
