"""Opening the new 年度's files in bulk (年度替わりの簿冊一括作成): used by ``POST /v1/files/open-year`` and
``ringi files open-year``.

From last year's list (``domain.filing.carry_over``): each active file gets its successor in the new 年度, same
section, class and title, under the new year's 文書分類表 (the version in force on April 1, or today if later),
its retention copied from the new leaf (of the 共通分類 or of the section's additions of the new year).
Idempotent: a file opened before is found by its key and not doubled
(the unique key refuses a concurrent second one).  One transaction per file, so a long list reports progress and
a failure half-way keeps what was opened.

Every run is a row (``file_openings``): its progress is written after every ``PROGRESS_BATCH`` files (its own short
transaction), then its result or its failure, so that another request — the /files page, polling — shows how far
a run of the API or of the command has come.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import FileOpeningRow, RecordFileRow
from db.repositories.classification import ClassificationRepository
from db.session import begin_write
from domain.classification import ClassNode, addition_problems, build, in_force_of, with_additions
from domain.filing import Carry, YearFile, carry_over
from domain.fiscal import fiscal_year_start
from schemas.classification import ClassificationContent, ClassificationEntry, ClassificationTable

Progress = Callable[[int, int], None]
#: Files dealt with between two writes of a run's progress.
PROGRESS_BATCH = 20


class NoTable(Exception):
    """No 文書分類表 is loaded for the new 年度."""


@dataclass
class YearOpened:
    fiscal_year: int
    classification_version: str
    created: int = 0
    existing: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (last year's file id, reason)


async def open_year(
    sessions: async_sessionmaker[AsyncSession],
    fiscal_year: int,
    *,
    by: str,
    today: date,
    progress: Progress | None = None,
    run_id: str | None = None,
) -> YearOpened:
    """Open ``fiscal_year``'s files from ``fiscal_year - 1``'s; ``progress(done, total)`` after each file.

    The run is recorded as ``run_id`` (a ``file_openings`` row made by ``start_run``; a new one when None)."""
    run = run_id or await start_run(sessions, fiscal_year, by=by)
    try:
        result = await _open_year(sessions, run, fiscal_year, by=by, today=today, progress=progress)
    except BaseException as exc:  # a refusal, a fault or a cancelled task: the run says it ended
        await record_run(sessions, run, status="failed", error=str(exc) or type(exc).__name__, finished=True)
        raise
    await record_run(sessions, run, status="done", result=result, finished=True)
    return result


async def start_run(sessions: async_sessionmaker[AsyncSession], fiscal_year: int, *, by: str) -> str:
    """A new run of ``fiscal_year`` (running, nothing planned yet); its id."""
    now = datetime.now(UTC)
    row = FileOpeningRow(
        id=str(uuid.uuid4()),
        fiscal_year=fiscal_year,
        status="running",
        done=0,
        total=0,
        created=0,
        existing=0,
        skipped=[],
        error="",
        started_by=by,
        started_at=now,
        updated_at=now,
    )
    async with sessions() as session, session.begin():
        await begin_write(session)
        session.add(row)
    return row.id


async def latest_run(session: AsyncSession) -> FileOpeningRow | None:
    """The run started last (of any 年度), as stored now."""
    stmt = select(FileOpeningRow).order_by(FileOpeningRow.started_at.desc(), FileOpeningRow.id).limit(1)
    return (await session.scalars(stmt)).first()


async def record_run(
    sessions: async_sessionmaker[AsyncSession],
    run_id: str,
    *,
    status: str = "running",
    done: int | None = None,
    total: int | None = None,
    result: YearOpened | None = None,
    error: str = "",
    finished: bool = False,
) -> None:
    """Write the run's progress (``done`` of ``total``), its counts so far or its end, in a short unit of its own."""
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        await begin_write(session)
        row = await session.get(FileOpeningRow, run_id)
        if row is None:
            return
        row.status, row.updated_at, row.error = status, now, error[:2000]
        if total is not None:
            row.total = total
        if done is not None:
            row.done = done
        if result is not None:
            row.created, row.existing = result.created, result.existing
            row.skipped = [list(s) for s in result.skipped]
            if status == "done":
                row.done = row.total
        if finished:
            row.finished_at = now


async def _open_year(
    sessions: async_sessionmaker[AsyncSession],
    run: str,
    fiscal_year: int,
    *,
    by: str,
    today: date,
    progress: Progress | None,
) -> YearOpened:
    async with sessions() as session:
        tables = await ClassificationRepository(session).tables(fiscal_year=fiscal_year)
        table = in_force_of(tables, fiscal_year, max(today, fiscal_year_start(fiscal_year)))
        if table is None:
            raise NoTable(f"no 文書分類表 is loaded for 年度 {fiscal_year}")
        additions = await _additions(sessions, session, table, by=by)
        stmt = select(RecordFileRow).order_by(
            RecordFileRow.org_unit_code, RecordFileRow.classification_code, RecordFileRow.title, RecordFileRow.id
        )
        previous = list((await session.scalars(stmt.where(RecordFileRow.fiscal_year == fiscal_year - 1))).all())
        current = (await session.scalars(select(RecordFileRow).where(RecordFileRow.fiscal_year == fiscal_year))).all()
        existing = {(f.org_unit_code, f.classification_code, f.title) for f in current}
    by_id = {f.id: f for f in previous}
    plan: list[Carry] = []
    leaves: dict[str, dict[str, ClassNode]] = {}  # by section: the common leaves and the section's additions
    for unit, files in groupby(previous, key=lambda f: f.org_unit_code):
        tree = build(with_additions(table, additions.get(unit, ())))
        leaves[unit] = {leaf.code: leaf for leaf in tree.leaves()}
        facts = [YearFile(f.id, f.org_unit_code, f.classification_code, f.title, f.records_status) for f in files]
        plan.extend(carry_over(facts, existing=existing, leaves=set(leaves[unit])))
    result = YearOpened(fiscal_year=fiscal_year, classification_version=table.id)
    await record_run(sessions, run, done=0, total=len(plan))
    for n, step in enumerate(plan, start=1):
        source = by_id[step.source.file_id]
        await _carry(sessions, step, source, fiscal_year, table.id, leaves[source.org_unit_code], by, result)
        if progress is not None:
            progress(n, len(plan))
        if n % PROGRESS_BATCH == 0 and n < len(plan):
            await record_run(sessions, run, done=n, result=result)
    return result


async def _additions(
    sessions: async_sessionmaker[AsyncSession], session: AsyncSession, table: ClassificationTable, *, by: str
) -> dict[str, list[ClassificationEntry]]:
    """The sections' additions of the new 年度; a section that has none yet keeps last year's, when they still fit
    the new 共通分類 (stored for the new year; those that do not fit are left to the records office)."""
    repo = ClassificationRepository(session)
    current = await repo.additions_by_unit(table.fiscal_year)
    carried: dict[str, list[ClassificationEntry]] = {}
    for unit, entries in (await repo.additions_by_unit(table.fiscal_year - 1)).items():
        content = ClassificationContent(
            fiscal_year=table.fiscal_year, effective_from=table.effective_from, entries=tuple(entries)
        )
        if unit not in current and not addition_problems(table, content):
            carried[unit] = entries
    if carried:
        async with sessions() as writer, writer.begin():
            await begin_write(writer)
            for unit, entries in carried.items():
                await ClassificationRepository(writer).replace_additions(
                    table.fiscal_year, unit, entries, created_by=by
                )
    return {**current, **carried}


async def _carry(
    sessions: async_sessionmaker[AsyncSession],
    step: Carry,
    source: RecordFileRow,
    fiscal_year: int,
    version: str,
    leaves: dict[str, ClassNode],
    by: str,
    result: YearOpened,
) -> None:
    if step.action == "exists":
        result.existing += 1
        return
    if step.action == "skip":
        result.skipped.append((step.source.file_id, step.reason))
        return
    leaf = leaves[source.classification_code]
    entry = leaf.entry
    row = RecordFileRow(
        id=str(uuid.uuid4()),
        fiscal_year=fiscal_year,
        org_unit_code=source.org_unit_code,
        classification_version=version,
        classification_code=source.classification_code,
        classification_path="/" + "/".join(leaf.path) + "/",
        classification_names=list(leaf.names),
        title=source.title,
        public_title=source.public_title,
        storage_location=source.storage_location,
        medium=source.medium,
        retention_years=entry.retention_years or 0,
        retention_permanent=entry.retention_permanent,
        disposition=entry.disposition or "dispose",
        counting=entry.counting,
        created_by=by,
        created_at=datetime.now(UTC),
    )
    try:
        async with sessions() as session, session.begin():
            await begin_write(session)
            session.add(row)
    except IntegrityError:  # a concurrent opener won: the file is there
        result.existing += 1
        return
    result.created += 1
