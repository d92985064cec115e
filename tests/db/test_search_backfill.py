"""Migration 0014 indexes the documents and receipts already there (backfill), so they are found at once."""

from __future__ import annotations

import asyncio

from sqlalchemy import insert

from db.migrate import downgrade, upgrade
from db.models import DocumentRow, ReceiptRow
from db.repositories.search import SearchQuery, SearchRepository
from db.session import create_engine, create_sessionmaker
from domain.search import parse_query
from domain.visibility import Viewer
from tests.support.documents import document_row
from tests.support.waiting import receipt_row


def _values(row: object, table: str) -> dict[str, object]:
    columns = (DocumentRow if table == "documents" else ReceiptRow).__table__.columns
    return {c.name: getattr(row, c.name) for c in columns if getattr(row, c.name, None) is not None}


async def test_existing_rows_are_indexed_by_the_migration(seeded_database_url: str) -> None:
    await asyncio.to_thread(downgrade, seeded_database_url, "0013")
    doc = document_row(title="髙橋氏からの道路占用の件", body="占用料の予算")
    receipt = receipt_row("somu.somu", reply_by=None, title="補助金の交付について", sender="山口県")
    engine = create_engine(seeded_database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():  # Core: no flush, no index yet
            await session.execute(insert(DocumentRow.__table__).values(_values(doc, "documents")))
            await session.execute(insert(ReceiptRow.__table__).values(_values(receipt, "receipts")))
    finally:
        await engine.dispose()
    await asyncio.to_thread(upgrade, seeded_database_url)
    engine = create_engine(seeded_database_url)
    office = Viewer(staff_id="x", records_office=True)
    try:
        async with create_sessionmaker(engine)() as session:
            repo = SearchRepository(session)
            found, total = await repo.search(office, SearchQuery(terms=parse_query("高橋 予算")), limit=10, offset=0)
            assert [(f.kind, f.id) for f in found] == [("document", doc.id)] and total == 1
            found, _ = await repo.search(office, SearchQuery(terms=parse_query("山口 補助")), limit=10, offset=0)
            assert [(f.kind, f.id) for f in found] == [("receipt", receipt.id)]
    finally:
        await engine.dispose()
