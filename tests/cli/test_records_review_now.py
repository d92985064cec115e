"""`ringi records review-now`: opens the fiscal year's disposal review once; a second run opens nothing new."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from cli.main import app
from core.settings import Settings
from db.migrate import upgrade
from db.seed import seed_demo
from db.session import create_engine, create_sessionmaker
from tests.workflows.test_disposal_trigger import expiring_document


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The command configures logging onto CliRunner's stderr, which closes afterwards: undo it for later tests."""
    handlers = list(logging.getLogger().handlers)
    yield
    structlog.reset_defaults()
    for handler in logging.getLogger().handlers[:]:
        if handler not in handlers:
            logging.getLogger().removeHandler(handler)


async def _with_expiring(url: str, *expiries: date) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            session.add_all([expiring_document(e) for e in expiries])
    finally:
        await engine.dispose()


def test_review_now_opens_the_fiscal_years_review_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ringi.db'}"
    upgrade(url)
    asyncio.run(seed_demo(Settings(database_url=url, data_dir=tmp_path)))
    asyncio.run(_with_expiring(url, date(2031, 3, 31), date(2031, 3, 31), date(2032, 3, 31)))
    monkeypatch.setenv("RINGI_DATABASE_URL", url)

    first = CliRunner().invoke(app, ["records", "review-now", "--fiscal-year", "2030"])
    assert first.exit_code == 0, first.output
    assert "of FY2030: opened, 2 documents" in first.output
    second = CliRunner().invoke(app, ["records", "review-now", "--fiscal-year", "2030"])
    assert second.exit_code == 0, second.output
    assert "of FY2030: already open, 2 documents" in second.output
    assert first.output.split()[2] == second.output.split()[2]  # the same review id
