"""`ringi files open-year`: opens the new 年度's files from last year's list with a progress bar, once."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app
from core.settings import Settings
from db.migrate import upgrade
from db.models import ClassificationVersionRow, FileOpeningRow, RecordFileRow
from db.seed import seed_demo
from db.session import create_engine, create_sessionmaker
from tests.support.stack import holder

CLERK = holder("somu.somu", "staff")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    handlers = list(logging.getLogger().handlers)
    yield
    structlog.reset_defaults()
    for handler in logging.getLogger().handlers[:]:
        if handler not in handlers:
            logging.getLogger().removeHandler(handler)


async def _last_years_files(url: str) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            version = await session.scalar(select(ClassificationVersionRow.id).limit(1))
            assert version is not None
            for code, title in (("01-01-02", "文書収受簿"), ("99-99", "廃止された分類の綴")):
                session.add(
                    RecordFileRow(
                        id=str(uuid.uuid4()),
                        fiscal_year=2025,
                        org_unit_code="somu.somu",
                        classification_version=version,
                        classification_code=code,
                        classification_path=f"/{code}/",
                        classification_names=["総務"],
                        title=title,
                        storage_location="書庫A",
                        medium="paper",
                        retention_years=1,
                        retention_permanent=False,
                        disposition="dispose",
                        counting="fiscal_year",
                        created_by=CLERK,
                        created_at=datetime.now(UTC),
                    )
                )
    finally:
        await engine.dispose()


async def _count(url: str) -> int:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            stmt = select(func.count()).select_from(RecordFileRow).where(RecordFileRow.fiscal_year == 2026)
            return int(await session.scalar(stmt) or 0)
    finally:
        await engine.dispose()


async def _runs(url: str) -> list[tuple[int, str, int, int, int, int, int]]:
    """The recorded runs (file_openings), oldest first: 年度, status, done, total, created, existing, skipped."""
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = (await session.scalars(select(FileOpeningRow).order_by(FileOpeningRow.started_at))).all()
            return [(r.fiscal_year, r.status, r.done, r.total, r.created, r.existing, len(r.skipped)) for r in rows]
    finally:
        await engine.dispose()


def test_open_year_opens_last_years_files_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ringi.db'}"
    upgrade(url)
    asyncio.run(seed_demo(Settings(database_url=url, data_dir=tmp_path)))
    asyncio.run(_last_years_files(url))
    monkeypatch.setenv("RINGI_DATABASE_URL", url)
    monkeypatch.setattr("db.file_opening.PROGRESS_BATCH", 1)  # progress written after each file

    first = CliRunner().invoke(app, ["files", "open-year", "--fiscal-year", "2026", "--by", CLERK])
    assert first.exit_code == 0, first.output
    assert "opening files" in first.output  # the progress bar
    assert "1 files opened, 0 opened before, 1 skipped" in first.output and "99-99" in first.output
    second = CliRunner().invoke(app, ["files", "open-year", "--fiscal-year", "2026", "--by", CLERK])
    assert second.exit_code == 0, second.output
    assert "0 files opened, 1 opened before, 1 skipped" in second.output
    assert asyncio.run(_count(url)) == 1
    unknown = CliRunner().invoke(app, ["files", "open-year", "--fiscal-year", "2026", "--by", "nobody"])
    assert unknown.exit_code == 1
    no_table = CliRunner().invoke(app, ["files", "open-year", "--fiscal-year", "2150", "--by", CLERK])
    assert no_table.exit_code == 1
    # each run is recorded with its result, as the /files page shows it (an unknown staff member starts none)
    assert asyncio.run(_runs(url)) == [
        (2026, "done", 2, 2, 1, 0, 1),
        (2026, "done", 2, 2, 0, 1, 1),
        (2150, "failed", 0, 0, 0, 0, 0),
    ]
