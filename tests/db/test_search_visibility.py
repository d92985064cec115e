"""The search's SQL filter for receipts (``receipt_visible_to``) agrees with the visibility rule as a receipt's
read asks it (``ReceiptService._visible``: the registrar, the assigned unit, the 供覧 readers), and the index entry
of a row is written in the flush that writes the row (on SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy import select

from db.models import CirculationReaderRow, ReceiptRow, SearchEntryRow
from db.repositories.visibility import receipt_visible_to
from db.session import create_engine, create_sessionmaker
from domain.visibility import Audience, Viewer, sees
from tests.db.test_visibility_filter import UNITS, _people
from tests.support.waiting import receipt_row


async def test_the_receipt_filter_and_the_rule_agree(seeded_database_url: str) -> None:
    rng = random.Random(20261203)
    people = _people(rng, 10)
    audiences: dict[str, Audience] = {}
    engine = create_engine(seeded_database_url)
    try:
        sessions = create_sessionmaker(engine)
        async with sessions() as session, session.begin():
            for _ in range(30):
                row = receipt_row(rng.choice(UNITS), reply_by=None, registered_by=rng.choice(people))
                session.add(row)
                await session.flush()
                readers = rng.sample(people, rng.choice([0, 0, 1, 2]))
                now = datetime.now(UTC)
                session.add_all(CirculationReaderRow(receipt_id=row.id, reader_id=r, since=now) for r in readers)
                audiences[row.id] = Audience(
                    drafter_id=row.registered_by, org_unit_code=row.assigned_unit, route=frozenset(readers)
                )
        async with sessions() as session:
            entries = await session.scalars(select(SearchEntryRow.ref_id).where(SearchEntryRow.kind == "receipt"))
            assert set(audiences) <= set(entries.all()), "each receipt was indexed in the flush that wrote it"
            seen = []
            for person in people:
                viewer = Viewer(
                    staff_id=person,
                    units=frozenset(rng.sample(UNITS, rng.choice([0, 1, 1, 2]))),
                    records_office=rng.random() < 0.1,
                )
                stmt = select(ReceiptRow.id).where(ReceiptRow.id.in_(audiences), receipt_visible_to(viewer))
                listed = set((await session.scalars(stmt)).all())
                assert listed == {r for r, a in audiences.items() if sees(viewer, a)}, viewer
                seen.append(len(listed))
            assert any(0 < n < len(audiences) for n in seen), seen
    finally:
        await engine.dispose()
