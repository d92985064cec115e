"""文書検索 on a million documents (PostgreSQL): p50/p95 of a two-word query with a 年度 filter (target p95 ≤ 200 ms).

Creates a throw-away database on the server of ``--database-url``, migrates it, loads N documents and their index
entries with COPY (the GIN index is rebuilt once after the load), then times the API's own query code —
``api.services.search.search_query`` and ``db.repositories.search.SearchRepository.search``: the count and the
first page, with the visibility rule of a member of one division and of the records office.  It prints; it never
asserts.

    python -m bench.search                                  # 1,000,000 documents
    python -m bench.search --docs 200 --queries 20          # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from api.services.search import SearchRequest, search_query
from bench.stack import _asyncpg_dsn, throwaway_database
from db.migrate import upgrade
from db.models import DocumentRow
from db.repositories.search import SearchRepository
from db.search_index import GIN_INDEX
from db.session import create_engine, create_sessionmaker
from domain.search import document_entry
from domain.visibility import Viewer

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
UNITS = [f"bench.u{i:02d}" for i in range(30)]
YEARS = list(range(2017, 2027))
#: 例示: words of municipal 件名 (about 40), two in each title and three in each body.
WORDS = [
    "予算",
    "道路",
    "補助",
    "河川",
    "橋梁",
    "下水道",
    "上水道",
    "公園",
    "学校",
    "保育",
    "児童",
    "高齢者",
    "介護",
    "福祉",
    "税務",
    "住民",
    "戸籍",
    "選挙",
    "防災",
    "消防",
    "観光",
    "商工",
    "農業",
    "漁業",
    "林業",
    "環境",
    "ごみ",
    "清掃",
    "交通",
    "バス",
    "図書館",
    "体育",
    "文化",
    "財産",
    "契約",
    "工事",
    "委託",
    "備品",
    "人事",
    "研修",
]
KINDS = ("について", "の件", "に係る支出", "の実施", "の報告", "の回答", "の依頼", "の変更")
BATCH = 20_000


def _document_columns() -> list[str]:
    return [c.name for c in DocumentRow.__table__.columns]


def _defaults() -> dict[str, Any]:
    """A value for every NOT NULL column (the model's scalar defaults), so COPY can fill the whole row."""
    values: dict[str, Any] = {}
    for c in DocumentRow.__table__.columns:
        default = getattr(c.default, "arg", None)
        if default is not None and not callable(default):
            values[c.name] = default
        elif c.name in ("flags", "consult_units", "readers"):
            values[c.name] = "[]"
    return values


def _rows(n: int, seed: int) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    rng = random.Random(seed)
    columns = _document_columns()
    fixed = _defaults() | {
        "matter": "general",
        "amount_yen": 0,
        "retention_years": 5,
        "status": "decided",
        "version": 1,
        "content_hash": "0" * 64,
        "projected_seq": 0,
        "records_status": "active",
    }
    template = [fixed.get(c) for c in columns]
    varying = ("id", "title", "body", "confidentiality", "drafter_id", "org_unit_code", "created_at", "updated_at")
    at = [columns.index(c) for c in (*varying, "number_fiscal_year", "number_display")]
    starts = {year: datetime(year, 4, 1, tzinfo=UTC) for year in YEARS}
    for i in range(n):
        year = rng.choice(YEARS)
        created = starts[year] + timedelta(seconds=rng.randrange(364 * 86400))
        a, b = rng.sample(WORDS, 2)
        title = f"{a}{b}{rng.choice(KINDS)}（第{i % 97}回）"
        body = f"{'、'.join(rng.sample(WORDS, 3))}に関して下記のとおり伺います。"
        unit = rng.choice(UNITS)
        doc_id = str(uuid.UUID(int=rng.getrandbits(128)))
        number = f"萩{unit[-2:]}第{i}号"
        row = list(template)
        values = (doc_id, title, body, 1 if i % 10 else 2, f"bench-{unit[-2:]}", unit, created, created, year, number)
        for position, value in zip(at, values, strict=True):
            row[position] = value
        entry = document_entry(id=doc_id, title=title, body=body, number_display=number, fiscal_year=year)
        yield tuple(row), (i + 1, "document", doc_id, entry.title, entry.text, "", entry.tokens)


async def _prepare(url: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute("INSERT INTO org_units (code, name, kind) VALUES ('bench', 'ベンチ市', 'department')")
        for unit in UNITS:
            await conn.execute(
                "INSERT INTO org_units (code, name, kind, parent_code) VALUES ($1, $2, 'division', 'bench')",
                unit,
                f"課{unit[-2:]}",
            )
            await conn.execute(
                "INSERT INTO staff (id, name, password_hash, is_admin, must_change_password) "
                "VALUES ($1, $2, '', false, false)",
                f"bench-{unit[-2:]}",
                f"職員{unit[-2:]}",
            )
    finally:
        await conn.close()


async def _load(url: str, n: int, seed: int) -> float:
    import asyncpg

    started = time.perf_counter()
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    columns = _document_columns()
    try:
        await conn.execute(f"DROP INDEX {GIN_INDEX}")
        docs: list[tuple[Any, ...]] = []
        entries: list[tuple[Any, ...]] = []
        for done, (doc, entry) in enumerate(_rows(n, seed), start=1):
            docs.append(doc)
            entries.append(entry)
            if len(docs) >= BATCH or done == n:
                await conn.copy_records_to_table("documents", records=docs, columns=columns)
                await conn.copy_records_to_table(
                    "search_entries",
                    records=entries,
                    columns=["id", "kind", "ref_id", "title", "text", "counterparty", "tokens"],
                )
                docs, entries = [], []
                if done % 100_000 == 0:
                    print(f"  loaded {done:,} documents ({time.perf_counter() - started:.0f} s)", flush=True)
        await conn.execute("SELECT setval(pg_get_serial_sequence('search_entries', 'id'), $1)", n + 1)
        t = time.perf_counter()
        await conn.execute("SET maintenance_work_mem = '512MB'")
        await conn.execute(f"CREATE INDEX {GIN_INDEX} ON search_entries USING gin (string_to_array(tokens, ' '))")
        print(f"  GIN index built in {time.perf_counter() - t:.0f} s", flush=True)
        await conn.execute("ANALYZE documents")
        await conn.execute("ANALYZE search_entries")
    finally:
        await conn.close()
    return time.perf_counter() - started


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _time(url: str, viewer: Viewer, queries: int, seed: int) -> tuple[list[float], int]:
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    rng = random.Random(seed)
    times: list[float] = []
    hits = 0
    try:
        for i in range(queries + 5):
            a, b = rng.sample(WORDS, 2)
            query = search_query(SearchRequest(q=f"{a} {b}", fiscal_year=rng.choice(YEARS), kind="document"))
            async with sessions() as session:
                t = time.perf_counter()
                _found, total = await SearchRepository(session).search(viewer, query, limit=50, offset=0)
                elapsed = time.perf_counter() - t
            if i >= 5:  # the first few warm the caches
                times.append(elapsed * 1000)
                hits += total
    finally:
        await engine.dispose()
    return times, hits // max(1, queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="any database on the PostgreSQL server")
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    with throwaway_database(args.database_url, keep=args.keep) as url:
        upgrade(url)
        asyncio.run(_prepare(url))
        print(f"loading {args.docs:,} documents …", flush=True)
        seconds = asyncio.run(_load(url, args.docs, args.seed))
        print(f"loaded in {seconds:.0f} s ({args.docs / seconds:,.0f} documents/s)")
        division = Viewer(staff_id="bench-00", units=frozenset({UNITS[0]}))
        office = Viewer(staff_id="bench-01", records_office=True)
        for label, viewer in (("a division's member", division), ("the records office", office)):
            times, hits = asyncio.run(_time(url, viewer, args.queries, args.seed))
            p50, p95 = statistics.median(times), _percentile(times, 95)
            verdict = "PASS" if p95 <= 200 else "MISS"
            print(
                f"two words + 年度, as {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms "
                f"({len(times)} queries, {hits:,} hits each on average) — target p95 ≤ 200 ms: {verdict}"
            )


if __name__ == "__main__":
    main()
