"""Rulebook versions in the database (SQLite and PostgreSQL): the shipped YAML is synced once, every row
round-trips with its citation (決裁区分 rows by category and 文書審査 rows included), and the version in force is
found by date."""

from __future__ import annotations

from datetime import date

from db.repositories.rules import RulebookRepository
from db.rulebooks import DbRulebooks, sync_repository_rulebooks
from db.session import begin_write, create_engine, create_sessionmaker
from tests.rules.builders import DEFAULT, authority_rows, version


async def test_sync_round_trip_and_in_force(database_url: str) -> None:
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    later = version(date(2030, 4, 1), authority=[{**r, "note": "改正"} for r in authority_rows()])
    try:
        for expected in ([DEFAULT.id], []):  # the second sync finds it there already
            async with sessions() as session, session.begin():
                await begin_write(session)
                assert await sync_repository_rulebooks(session) == expected
        async with sessions() as session, session.begin():
            await begin_write(session)
            await RulebookRepository(session).add(later, source="upload", created_by="admin")
        books = DbRulebooks(sessions)
        assert await books.version(DEFAULT.id) == DEFAULT
        assert await books.version(later.id) == later
        assert await books.version("1999-04-01") is None
        assert await books.in_force(date(2021, 3, 31)) is None
        assert await books.in_force(date(2030, 3, 31)) == DEFAULT
        assert await books.in_force(date(2030, 4, 1)) == later
        async with sessions() as session:
            summaries = await RulebookRepository(session).summaries()
        assert [(s.id, s.rows) for s in summaries] == [
            (
                DEFAULT.id,
                len(DEFAULT.authority)
                + len(DEFAULT.consultations)
                + len(DEFAULT.examinations)
                + len(DEFAULT.non_delegable),
            ),
            (
                later.id,
                len(later.authority) + len(later.consultations) + len(later.examinations) + len(later.non_delegable),
            ),
        ]
    finally:
        await engine.dispose()
