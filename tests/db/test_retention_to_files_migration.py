"""Per-document retention becomes the file's (migration 0020) on a seeded database: the completed documents no file
holds are filed by section, 年度, retention class and 満了日; a file's retention computed from them is theirs, an
extended 満了日 stays as the file's 延長; a filed or open document is left alone; the 年度's real 文書分類表 still
loads (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import importlib.util
import uuid
from datetime import UTC, date, datetime
from types import ModuleType

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from db.migrate import MIGRATIONS_DIR, downgrade, upgrade
from db.models import DocumentRow, RecordFileRow
from db.repositories.classification import ClassificationRepository
from db.repositories.files import FileRepository, file_period
from db.session import create_engine, create_sessionmaker
from tests.api.support import DRAFTER


def _migration() -> ModuleType:
    path = next((MIGRATIONS_DIR / "versions").glob("*_doc_retention_to_files.py"))
    spec = importlib.util.spec_from_file_location("retention_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _document(conn: AsyncConnection, drafter: str, unit: str, **over: object) -> str:
    doc_id = str(uuid.uuid4())
    values: dict[str, object] = {
        "id": doc_id,
        "title": "移行前の文書",
        "body": "",
        "matter": "general",
        "amount_yen": 0,
        "confidentiality": 1,
        "retention_years": 5,
        "drafter_id": drafter,
        "org_unit_code": unit,
        "status": "approved",
        "version": 1,
        "content_hash": "0" * 64,
        "projected_seq": 0,
        "created_at": datetime(2025, 5, 1, 1, tzinfo=UTC),
        "updated_at": datetime(2025, 5, 1, 1, tzinfo=UTC),
        "flags": [],
        "pre_instructed": False,
        "urgent_reason": "",
        "consult_failed": False,
        "consult_units": [],
        "readers": [],
        "finance_state": "none",
        "reserved_yen": 0,
        "finance_error": "",
        "hr_state": "none",
        "hr_error": "",
        "needs_issuance": False,
        "last_sub_number": 1,
        "seal_omitted": False,
        "retention_permanent": False,
        "records_status": "active",
        **over,
    }
    await conn.execute(sa.insert(DocumentRow.__table__).values(**values))  # type: ignore[arg-type]
    return doc_id


async def test_completed_unfiled_documents_are_filed_keeping_their_retention(seeded_database_url: str) -> None:
    migration = _migration()
    url = seeded_database_url
    await asyncio.to_thread(downgrade, url, migration.down_revision)
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            drafter, unit = DRAFTER, "somu.somu"
            done = {"completed_at": datetime(2025, 6, 1, 3, tzinfo=UTC), "retention_expires_on": date(2031, 3, 31)}
            later = {"completed_at": datetime(2026, 2, 10, 3, tzinfo=UTC), "retention_expires_on": date(2031, 3, 31)}
            first = await _document(conn, drafter, unit, **done)
            second = await _document(conn, drafter, unit, **later)
            extended = await _document(
                conn,
                drafter,
                unit,
                completed_at=datetime(2025, 7, 1, tzinfo=UTC),
                retention_expires_on=date(2033, 3, 31),
            )
            permanent = await _document(
                conn, drafter, unit, retention_permanent=True, completed_at=datetime(2025, 8, 1, tzinfo=UTC)
            )
            still_open = await _document(conn, drafter, unit, status="in_review")
            disposed = await _document(conn, drafter, unit, records_status="disposed", **done)
        await asyncio.to_thread(upgrade, url)

        async with create_sessionmaker(engine)() as session:
            docs = {d.id: d for d in (await session.scalars(sa.select(DocumentRow))).all()}
            assert docs[first].file_id is not None and docs[first].file_id == docs[second].file_id
            assert docs[still_open].file_id is None and docs[disposed].file_id is None
            assert len({docs[i].file_id for i in (first, extended, permanent)}) == 3
            repo = FileRepository(session)
            file = await session.get(RecordFileRow, docs[first].file_id)
            assert file is not None
            assert (file.fiscal_year, file.org_unit_code, file.classification_code) == (2025, unit, "99-05")
            assert file.classification_version == "migrated-2025" and file.extended_expires_on is None
            done_ = (await repo.completions([file.id]))[file.id]
            period = file_period(file, done_)
            assert period is not None and (period.starts_on, period.expires_on) == (date(2026, 4, 1), date(2031, 3, 31))
            kept = await session.get(RecordFileRow, docs[extended].file_id)
            assert kept is not None and kept.extended_expires_on == date(2033, 3, 31)
            period = file_period(kept, (await repo.completions([kept.id]))[kept.id])
            assert period is not None and period.expires_on == date(2033, 3, 31)  # the document's 延長 kept
            forever = await session.get(RecordFileRow, docs[permanent].file_id)
            assert forever is not None and forever.retention_permanent and forever.classification_code == "99-P"
            # the migration's classes never stand in the way of the 年度's real table
            assert "99-05" not in await ClassificationRepository(session).codes_in_use(2025)

        await asyncio.to_thread(downgrade, url, migration.down_revision)
        async with create_sessionmaker(engine)() as session:
            assert (await session.get(DocumentRow, first)).file_id is None  # type: ignore[union-attr]
            assert await session.scalar(sa.select(sa.func.count()).select_from(RecordFileRow)) == 0
        await asyncio.to_thread(upgrade, url)
    finally:
        await engine.dispose()
