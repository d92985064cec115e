"""文書番号 under concurrency, on SQLite and PostgreSQL: gapless 1..n, no duplicates, once per document.

The activity is called directly (it is a plain coroutine): many takers race for the same counter row.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.records import RecordsActivities
from db.models import AuditEventRow, DocumentNumberCounterRow, DocumentRow
from db.session import create_engine, create_sessionmaker
from schemas.records import NumberRequest
from tests.support.documents import document_row

SOMU = "somu.somu"  # 総務課: 文書記号 萩総
JINJI = "somu.jinji"
AT = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


@pytest_asyncio.fixture(loop_scope="session")
async def sessions(seeded_database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    # On PostgreSQL, enough connections that the takers really race (SQLite serialises writers itself).
    pool = {"pool_size": 10, "max_overflow": 40} if seeded_database_url.startswith("postgresql") else {}
    engine = create_engine(seeded_database_url, **pool)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


async def documents(
    sessions: async_sessionmaker[AsyncSession], n: int, *, unit: str = SOMU, follow_up_of: str | None = None
) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(n)]
    async with sessions() as session, session.begin():
        for document_id in ids:
            session.add(
                document_row(
                    id=document_id,
                    title="番号テスト",
                    body="",
                    status="approved",
                    org_unit=unit,
                    content_hash="0" * 64,
                    created_at=AT,
                    updated_at=AT,
                    follow_up_of=follow_up_of,
                )
            )
    return ids


async def test_fifty_concurrent_assignments_are_gapless_and_unique(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ids = await documents(sessions, 50)
    records = RecordsActivities(sessions)
    numbers = await asyncio.gather(*(records.assign_number(NumberRequest(document_id=d, at=AT)) for d in ids))
    assert sorted(n.serial for n in numbers) == list(range(1, 51))
    assert {n.symbol for n in numbers} == {"萩総"}
    assert {n.fiscal_year for n in numbers} == {2026}
    assert len({n.display for n in numbers}) == 50
    async with sessions() as session:
        rows = (await session.scalars(select(DocumentRow).where(DocumentRow.id.in_(ids)))).all()
        counter = await session.get(DocumentNumberCounterRow, ("萩総", 2026))
    assert {r.id: r.number_display for r in rows} == {n_id: n.display for n_id, n in zip(ids, numbers, strict=True)}
    assert counter is not None and counter.last_serial == 50


async def test_a_retried_assignment_returns_the_same_number(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Ten concurrent retries for one document and a later one: one number, the counter advanced once."""
    (document_id,) = await documents(sessions, 1, unit=JINJI)
    records = RecordsActivities(sessions)
    request = NumberRequest(document_id=document_id, at=AT)
    first = await asyncio.gather(*(records.assign_number(request) for _ in range(10)))
    again = await records.assign_number(request)
    assert {n.display for n in first} == {again.display}
    assert again.serial == 1
    (other,) = await documents(sessions, 1, unit=JINJI)
    assert (await records.assign_number(NumberRequest(document_id=other, at=AT))).serial == 2
    async with sessions() as session:
        numbered = await session.scalars(
            select(AuditEventRow).where(AuditEventRow.document_id == document_id, AuditEventRow.action == "number")
        )
        assert len(numbered.all()) == 1


async def test_serials_restart_at_one_on_april_first_jst(sessions: async_sessionmaker[AsyncSession]) -> None:
    records = RecordsActivities(sessions)
    march, april, later = await documents(sessions, 3, unit="somu.zaisei")
    before = datetime(2027, 3, 31, 14, 59, 59, tzinfo=UTC)  # 23:59:59 JST on March 31
    after = datetime(2027, 3, 31, 15, 0, tzinfo=UTC)  # 00:00 JST on April 1
    last_of_2026 = await records.assign_number(NumberRequest(document_id=march, at=before))
    first_of_2027 = await records.assign_number(NumberRequest(document_id=april, at=after))
    second_of_2027 = await records.assign_number(NumberRequest(document_id=later, at=after))
    assert (last_of_2026.fiscal_year, first_of_2027.fiscal_year) == (2026, 2027)
    assert (first_of_2027.serial, second_of_2027.serial) == (1, 2)
    assert first_of_2027.display == "萩財第1号"


async def test_follow_ups_take_concurrent_sub_numbers(sessions: async_sessionmaker[AsyncSession]) -> None:
    records = RecordsActivities(sessions)
    (original,) = await documents(sessions, 1, unit="somu.keiyaku")
    parent = await records.assign_number(NumberRequest(document_id=original, at=AT))
    follow_ups = await documents(sessions, 10, unit="somu.keiyaku", follow_up_of=original)
    subs = await asyncio.gather(*(records.assign_number(NumberRequest(document_id=d, at=AT)) for d in follow_ups))
    assert sorted(n.sub or 0 for n in subs) == list(range(2, 12))
    assert {n.serial for n in subs} == {parent.serial}
    assert f"{parent.display}の2" in {n.display for n in subs}
    # A follow-up of a follow-up counts on the original: no duplicate の2.
    (deeper,) = await documents(sessions, 1, unit="somu.keiyaku", follow_up_of=follow_ups[0])
    assert (await records.assign_number(NumberRequest(document_id=deeper, at=AT))).sub == 12
