"""データ移行: how fast ``ringi import`` writes a city (documents and receipts with their search index).

Builds a source ringi (migrated, the demo city seeded, N documents and N/2 receipts written straight to the
database, 例示), exports it with ``ringi export``'s own code, then times ``ringi import``'s own code
(``cli.migration.import_directory``: every row checked, then one transaction) into a new, migrated ringi.  SQLite
by default (files in a temporary directory); ``--database-url`` names a PostgreSQL server to make throw-away
databases on.  It prints; it never asserts.

    python -m bench.import_speed --docs 5000             # --per-row: the index row by row, as before
    python -m bench.import_speed --docs 5000 --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bench.stack import throwaway_database
from cli.migration import export_directory, import_directory
from core.audit import content_hash
from core.settings import Settings
from db import search_index
from db.migrate import upgrade
from db.models import DocumentRow, PostAssignmentRow, ReceiptRow
from db.seed import seed_demo, sync_rulebooks
from db.session import create_engine, create_sessionmaker
from domain.search import Entry

UNIT = "somu.somu"
#: 例示: words of municipal 件名.
WORDS = ["予算", "道路", "補助", "契約", "照会", "回答", "通知", "報告", "許可", "工事", "備品", "委託"]


def _documents(n: int, drafter: str) -> Iterator[DocumentRow]:
    start = datetime(2025, 5, 1, 1, tzinfo=UTC)
    for i in range(n):
        title = f"{WORDS[i % len(WORDS)]}{WORDS[(i * 7) % len(WORDS)]}について（例示 {i}）"
        body = f"{title}、下記のとおり伺います。" * 3
        at = start + timedelta(minutes=i)
        yield DocumentRow(
            id=str(uuid.uuid4()),
            title=title,
            body=body,
            matter="spending",
            amount_yen=1000 + i,
            confidentiality=1,
            retention_years=5,
            drafter_id=drafter,
            org_unit_code=UNIT,
            status="withdrawn",
            submitted_at=at,
            completed_at=at,
            version=1,
            content_hash=content_hash(title=title, body=body, amount_yen=1000 + i, matter="spending"),
            projected_seq=0,
            created_at=at,
            updated_at=at,
        )


def _receipts(n: int, clerk: str) -> Iterator[ReceiptRow]:
    for i in range(n):
        yield ReceiptRow(
            id=str(uuid.uuid4()),
            number_symbol="萩総",
            fiscal_year=2025,
            receipt_serial=i + 1,
            receipt_number=f"萩総第{i + 1}号",
            received_on=date(2025, 6, 2),
            channel="paper",
            sender="山口県土木建築部",
            addressee="萩市長",
            title=f"{WORDS[i % len(WORDS)]}の件（例示 {i}）",
            assigned_unit=UNIT,
            confidentiality=1,
            registered_by=clerk,
            registered_at=datetime(2025, 6, 2, 1, tzinfo=UTC),
            outcome="none",
            branch="none",
        )


async def _fill(settings: Settings, docs: int) -> None:
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            staff = await session.scalar(
                select(PostAssignmentRow.staff_id).where(PostAssignmentRow.org_unit_code == UNIT).limit(1)
            )
            assert staff is not None
            for i, row in enumerate(_documents(docs, staff)):
                session.add(row)
                if i % 1000 == 999:
                    await session.flush()
                    session.expunge_all()
            for receipt in _receipts(docs // 2, staff):
                session.add(receipt)
    finally:
        await engine.dispose()


def _per_row(connection: Connection, entries: Sequence[Entry]) -> None:
    """The index as it was written before the batches: a lookup and an insert per row."""
    for entry in entries:
        search_index.write_entry(connection, entry)


@contextlib.contextmanager
def _databases(server: str | None, tmp: Path) -> Iterator[tuple[str, str]]:
    if server is None:
        yield f"sqlite+aiosqlite:///{tmp / 'source.db'}", f"sqlite+aiosqlite:///{tmp / 'target.db'}"
        return
    with throwaway_database(server) as source, throwaway_database(server) as target:
        yield source, target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000, help="documents (and half as many receipts)")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server (default: SQLite files)")
    parser.add_argument("--per-row", action="store_true", help="index row by row, as before the batches (to compare)")
    args = parser.parse_args()
    if args.per_row:
        search_index.write_entries = _per_row
    with tempfile.TemporaryDirectory() as name, _databases(args.database_url, Path(name)) as (source, target):
        tmp = Path(name)
        source_settings = Settings(database_url=source, data_dir=tmp / "source")
        target_settings = Settings(database_url=target, data_dir=tmp / "target")
        upgrade(source)
        upgrade(target)
        asyncio.run(seed_demo(source_settings))
        asyncio.run(sync_rulebooks(target_settings))
        asyncio.run(_fill(source_settings, args.docs))
        asyncio.run(export_directory(source_settings, tmp / "export", fiscal_year=None))
        began = time.perf_counter()
        imported = asyncio.run(import_directory(target_settings, tmp / "export", now=datetime.now(UTC)))
        seconds = time.perf_counter() - began
        assert not imported.problems, imported.problems[:3]
        rows = sum(imported.written.values())
        backend = "postgresql" if args.database_url else "sqlite"
        how = "row by row" if args.per_row else "batched"
        print(
            f"ringi import ({backend}, index {how}): {args.docs} documents + {args.docs // 2} receipts,"
            f" {rows} rows in all:"
            f" {seconds:.2f} s ({args.docs / seconds:.0f} documents/s, {rows / seconds:.0f} rows/s)"
        )


if __name__ == "__main__":
    main()
