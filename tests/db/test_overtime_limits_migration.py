"""The 時間外勤務 caps reach a database migrated before they existed: the data step gives the stored demo version
the caps and the corrected 月20時間 words its YAML now has (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import importlib.util
from datetime import UTC, datetime
from types import ModuleType

import sqlalchemy as sa

from db.migrate import MIGRATIONS_DIR, downgrade, upgrade
from db.repositories.rules import RulebookRepository
from db.session import create_engine, create_sessionmaker
from rules.loader import repository_rulebooks

SHIPPED = repository_rulebooks()[0]


def _migration() -> ModuleType:
    path = next((MIGRATIONS_DIR / "versions").glob("*_shomu.py"))
    spec = importlib.util.spec_from_file_location("shomu_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_data_step_writes_what_the_yaml_says() -> None:
    migration = _migration()
    assert SHIPPED.overtime_limits is not None
    assert SHIPPED.overtime_limits.model_dump(mode="json") == migration.OVERTIME_LIMITS
    notes = {r.citation: r.note for r in SHIPPED.authority if r.matter == "overtime"}
    assert dict(migration.OVERTIME_BAND_NOTES) == notes
    assert SHIPPED.id == migration.DEMO_VERSION


async def test_an_existing_demo_version_gets_the_caps(database_url: str) -> None:
    migration = _migration()
    await asyncio.to_thread(downgrade, database_url, migration.down_revision)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:  # the version as an earlier `ringi migrate` stored it
            await conn.execute(
                sa.text(
                    "INSERT INTO rulebook_versions (id, effective_from, title, review_citation, escalation_flags,"
                    " escalation_consult_failed, escalation_levels, escalation_citation, source, created_at)"
                    " VALUES (:id, :on, '', '', '[]', true, 1, '第5条', 'repository', :at)"
                ),
                {"id": SHIPPED.id, "on": SHIPPED.effective_from, "at": datetime.now(UTC)},
            )
            for position, (citation, lower, upper) in enumerate(
                (("別表第1 第7項(1)", 0, 21), ("別表第1 第7項(2)", 21, None))
            ):
                await conn.execute(
                    sa.text(
                        "INSERT INTO rulebook_rows (version_id, section, position, matter, quantity, at_least,"
                        " below, level, citation, note, category_name)"
                        " VALUES (:v, 'authority', :p, 'overtime', 'monthly_overtime_hours', :lo, :hi, 'manager',"
                        " :c, '例示', '')"
                    ),
                    {"v": SHIPPED.id, "p": position, "lo": lower, "hi": upper, "c": citation},
                )
        await asyncio.to_thread(upgrade, database_url)
        async with create_sessionmaker(engine)() as session:
            stored = await RulebookRepository(session).get(SHIPPED.id)
        assert stored is not None
        assert stored.overtime_limits == SHIPPED.overtime_limits
        assert [r.note for r in stored.authority] == [r.note for r in SHIPPED.authority if r.matter == "overtime"]
    finally:
        await engine.dispose()
