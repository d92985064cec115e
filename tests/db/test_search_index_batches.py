"""The search index written a flush at a time (``db.search_index.write_entries``): many new rows in one flush (an
import's) are each indexed once — on SQLite with their FTS5 row —, and a row changed in a later flush is rewritten,
not added again (on SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import func, select, text

from db.models import SearchEntryRow
from db.search_index import CHUNK, FTS_TABLE
from db.session import create_engine, create_sessionmaker
from tests.support.waiting import receipt_row


async def test_a_flush_of_many_rows_indexes_each_once(seeded_database_url: str) -> None:
    engine = create_engine(seeded_database_url)
    try:
        sessions = create_sessionmaker(engine)
        async with sessions() as session, session.begin():
            rows = [receipt_row("somu.somu", reply_by=None) for _ in range(CHUNK + 3)]  # more than one chunk
            for i, row in enumerate(rows):
                row.title = f"索引{i:04d} 道路占用"
            session.add_all(rows)
            await session.flush()
            rows[0].title = "書き換えた件名"
            await session.flush()
        ids = [r.id for r in rows]
        async with sessions() as session:
            stmt = select(SearchEntryRow.ref_id, SearchEntryRow.title, SearchEntryRow.id).where(
                SearchEntryRow.kind == "receipt", SearchEntryRow.ref_id.in_(ids)
            )
            entries = {ref: (title, id_) for ref, title, id_ in (await session.execute(stmt)).all()}
            assert set(entries) == set(ids)
            assert "書き換えた件名" in entries[ids[0]][0] and "索引0001" in entries[ids[1]][0]
            total = await session.scalar(
                select(func.count()).select_from(SearchEntryRow).where(SearchEntryRow.ref_id.in_(ids))
            )
            assert total == len(ids), "one entry per row"
            if seeded_database_url.startswith("sqlite"):
                rowids = ",".join(str(id_) for _, id_ in entries.values())
                fts = await session.execute(text(f"SELECT count(*) FROM {FTS_TABLE} WHERE rowid IN ({rowids})"))
                assert fts.scalar() == len(ids), "each entry has its FTS5 row"
    finally:
        await engine.dispose()
