"""文書分類表 admin: list and read versions, and load one (validated whole: nothing is stored on any problem)."""

from __future__ import annotations

import re
from datetime import date

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.records_rules import require_records_office
from core.errors import Conflict, Invalid, NotFound
from db.models import StaffRow
from db.repositories.classification import ClassificationRepository
from db.session import writing
from domain.classification import build, dropped_codes, in_force_of, validate
from rules.classification import ClassificationUnreadable, parse, with_id
from schemas.api.files import ClassificationRead, ClassificationSummary, ClassRead
from schemas.classification import (
    DISPOSITION_NAMES,
    LEVEL_NAMES,
    ClassificationProblem,
    ClassificationTable,
)

log = structlog.get_logger("ringi.classification")

VERSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def _rejected(problems: list[ClassificationProblem]) -> Invalid:
    """422 naming the first bad row in ``detail`` and every problem in ``errors``."""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return Invalid(
        f"the classification table was not stored: {problems[0].describe()}{more}",
        errors=[p.model_dump() for p in problems],
    )


def read_of(table: ClassificationTable, *, in_force: bool = False) -> ClassificationRead:
    tree = build(table)
    classes = [
        ClassRead(
            code=n.code,
            name=n.entry.name,
            parent_code=n.entry.parent_code,
            level=n.level,
            level_name=LEVEL_NAMES.get(n.level, ""),
            leaf=n.is_leaf,
            retention_years=n.entry.retention_years,
            retention_permanent=n.entry.retention_permanent,
            retention_label=n.retention_label if n.is_leaf else None,
            disposition=n.entry.disposition,
            disposition_label=DISPOSITION_NAMES[n.entry.disposition] if n.entry.disposition else None,
            counting=n.entry.counting,
        )
        for n in tree.nodes.values()
    ]
    return ClassificationRead(**_summary(table, in_force).model_dump(), tree=classes)


def _summary(table: ClassificationTable, in_force: bool) -> ClassificationSummary:
    return ClassificationSummary(
        id=table.id,
        fiscal_year=table.fiscal_year,
        effective_from=table.effective_from,
        title=table.title,
        source=table.source,
        classes=len(table.entries),
        in_force=in_force,
    )


class ClassificationService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session

    async def versions(self, *, fiscal_year: int | None, today: date) -> list[ClassificationSummary]:
        tables = await ClassificationRepository(self._session).tables(fiscal_year=fiscal_year)
        current = {t.fiscal_year: in_force_of(tables, t.fiscal_year, today) for t in tables}
        return [_summary(t, current[t.fiscal_year] == t) for t in tables]

    async def version(self, version_id: str, *, today: date) -> ClassificationRead:
        repo = ClassificationRepository(self._session)
        table = await repo.get(version_id) if VERSION_ID.fullmatch(version_id) else None
        if table is None:
            raise NotFound(f"no classification version {version_id!r}")
        current = in_force_of(await repo.tables(fiscal_year=table.fiscal_year), table.fiscal_year, today)
        return read_of(table, in_force=current is not None and current.id == table.id)

    async def load(
        self,
        staff: StaffRow,
        version_id: str,
        body: bytes,
        *,
        media_type: str,
        meta: dict[str, str | None],
        today: date,
    ) -> tuple[ClassificationRead, bool]:
        """Store version ``version_id`` (YAML, JSON or CSV); True if stored now, False if it was already, the same.

        Raises:
            Invalid: an unreadable or invalid table (naming the rows), or one that drops a leaf the 年度's files use.
            Conflict: a different table is stored under ``version_id`` already (versions never change).
        """
        await require_records_office(self._app, self._session, staff)
        if not VERSION_ID.fullmatch(version_id):
            raise Invalid("a version id is 1–40 letters, digits, '.', '_' or '-' (e.g. 2026-common)")
        try:
            content = parse(body, media_type=media_type, **meta)
        except ClassificationUnreadable as exc:
            raise _rejected(exc.problems) from exc
        if problems := validate(content):
            raise _rejected(problems)
        table = with_id(version_id, content)
        async with writing(self._session) as session:
            repo = ClassificationRepository(session)
            stored = await repo.get(version_id)
            if stored is not None:
                if _same(stored, table):
                    return read_of(stored), False
                raise Conflict(f"classification version {version_id!r} exists already with other content")
            if missing := dropped_codes(build(table), await repo.codes_in_use(table.fiscal_year)):
                raise _rejected(
                    [
                        ClassificationProblem(
                            code=code,
                            message=f"files of 年度 {table.fiscal_year} are kept under {code}, a leaf this "
                            "version does not have",
                        )
                        for code in missing
                    ]
                )
            await repo.add(table, origin="upload", created_by=staff.id)
        log.info("classification.version_loaded", version=version_id, by=staff.id, classes=len(table.entries))
        return read_of(table), True


def _same(a: ClassificationTable, b: ClassificationTable) -> bool:
    def strip(t: ClassificationTable) -> object:
        return t.model_dump(exclude={"entries": {"__all__": {"row"}}})

    return strip(a) == strip(b)
