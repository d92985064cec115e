"""文書分類表 admin: list and read versions, and load one (validated whole: nothing is stored on any problem)."""

from __future__ import annotations

import re
from datetime import date

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.records_rules import require_records_office
from core.errors import Conflict, Invalid, NotFound
from db.models import OrgUnitRow, StaffRow
from db.repositories.classification import ClassificationRepository
from db.session import writing
from domain.classification import (
    ClassNode,
    Tree,
    addition_problems,
    build,
    dropped_codes,
    in_force_of,
    repeated_common,
    validate,
    with_additions,
)
from domain.fiscal import fiscal_year_start
from domain.retention import retention_label
from rules.classification import ClassificationUnreadable, parse, with_id
from schemas.api.files import AdditionsRead, ClassificationRead, ClassificationSummary, ClassRead
from schemas.classification import (
    DISPOSITION_NAMES,
    LEVEL_NAMES,
    ClassificationContent,
    ClassificationEntry,
    ClassificationProblem,
    ClassificationTable,
)

log = structlog.get_logger("ringi.classification")

VERSION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def _rejected(problems: list[ClassificationProblem], *, what: str = "the classification table was") -> Invalid:
    """422 naming the first bad row in ``detail`` and every problem in ``errors``."""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return Invalid(
        f"{what} not stored: {problems[0].describe()}{more}",
        errors=[p.model_dump() for p in problems],
    )


def read_of(
    table: ClassificationTable, *, in_force: bool = False, additions: list[ClassificationEntry] | None = None
) -> ClassificationRead:
    """The version as read; with ``additions``: the tree a section classifies by (its classes marked ``added``)."""
    added = {e.code for e in additions or ()}
    tree = build(with_additions(table, additions or ()))
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
            added=n.code in added,
        )
        for n in _tree_order(tree)
    ]
    return ClassificationRead(**_summary(table, in_force).model_dump(), tree=classes)


def _tree_order(tree: Tree) -> list[ClassNode]:
    """Parents before their children, each class followed by its subtree (the additions beside the common)."""
    ordered: list[ClassNode] = []

    def walk(code: str) -> None:
        node = tree.nodes[code]
        ordered.append(node)
        for child in node.children:
            walk(child)

    for root in tree.roots:
        walk(root)
    return ordered


def _additions_misfit(
    table: ClassificationContent, unit: str, entries: list[ClassificationEntry]
) -> list[ClassificationProblem]:
    """The problems of a section's stored additions under ``table`` (a new common version must keep them valid)."""
    additions = ClassificationContent(
        fiscal_year=table.fiscal_year, effective_from=table.effective_from, entries=tuple(entries)
    )
    return [
        p.model_copy(update={"message": f"{unit}'s additions (課独自の分類): {p.message}"})
        for p in addition_problems(table, additions)
    ]


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

    async def version(self, version_id: str, *, today: date, unit: str | None = None) -> ClassificationRead:
        """The version; with ``unit``: with that section's additions (the tree its files are classified by)."""
        repo = ClassificationRepository(self._session)
        table = await repo.get(version_id) if VERSION_ID.fullmatch(version_id) else None
        if table is None:
            raise NotFound(f"no classification version {version_id!r}")
        current = in_force_of(await repo.tables(fiscal_year=table.fiscal_year), table.fiscal_year, today)
        additions = await repo.additions(table.fiscal_year, unit) if unit else None
        return read_of(table, in_force=current is not None and current.id == table.id, additions=additions)

    async def in_force(self, fiscal_year: int, *, today: date) -> ClassificationTable | None:
        """The 年度's common version in force today (before the 年度 starts: on its first day)."""
        tables = await ClassificationRepository(self._session).tables(fiscal_year=fiscal_year)
        return in_force_of(tables, fiscal_year, max(today, fiscal_year_start(fiscal_year)))

    async def additions(self, fiscal_year: int, unit: str) -> AdditionsRead:
        """A section's additions (課独自の分類) of the 年度."""
        if await self._session.get(OrgUnitRow, unit) is None:
            raise NotFound(f"there is no org unit {unit!r}")
        entries = await ClassificationRepository(self._session).additions(fiscal_year, unit)
        return _additions_read(fiscal_year, unit, entries)

    async def load_additions(
        self,
        staff: StaffRow,
        fiscal_year: int,
        unit: str,
        body: bytes,
        *,
        media_type: str,
        meta: dict[str, str | None],
        today: date,
    ) -> AdditionsRead:
        """Replace the section's additions (課独自の分類) of the 年度 with the uploaded ones (YAML, JSON or CSV like
        the common table: the common 大分類/中分類 they hang under may be named again beside them).

        Raises:
            Invalid: unreadable; a bad row (named); they do not fit a common version of the 年度; they drop a leaf
                the section's files of the 年度 are kept under.  Nothing is stored then.
            Conflict: no common table (共通分類) is loaded for the 年度.
            NotFound: no such org unit.
        """
        await require_records_office(self._app, self._session, staff)
        if await self._session.get(OrgUnitRow, unit) is None:
            raise NotFound(f"there is no org unit {unit!r}")
        header = {**meta, "fiscal_year": str(fiscal_year)}
        header["effective_from"] = header.get("effective_from") or fiscal_year_start(fiscal_year).isoformat()
        try:
            content = parse(body, media_type=media_type, **header)
        except ClassificationUnreadable as exc:
            raise _rejected(exc.problems, what="the additions were") from exc
        async with writing(self._session) as session:
            repo = ClassificationRepository(session)
            tables = await repo.tables(fiscal_year=fiscal_year)
            if not tables:
                raise Conflict(
                    f"no 共通分類 is loaded for 年度 {fiscal_year}: load it first (PUT /v1/admin/classification/…)"
                )
            entries: list[ClassificationEntry] = []
            for table in tables:
                own = repeated_common(table, content)
                if problems := addition_problems(table, own):
                    raise _rejected(problems, what="the additions were")
                entries = list(own.entries)
            used = (await repo.codes_in_use_by_unit(fiscal_year)).get(unit, set())
            for table in tables:
                if missing := dropped_codes(build(with_additions(table, entries)), used):
                    raise _rejected(
                        [
                            ClassificationProblem(
                                code=code,
                                message=f"files of {unit} in 年度 {fiscal_year} are kept under {code}, a leaf "
                                "neither the common table nor these additions have",
                            )
                            for code in missing
                        ],
                        what="the additions were",
                    )
            await repo.replace_additions(fiscal_year, unit, entries, created_by=staff.id)
        log.info(
            "classification.additions_loaded", fiscal_year=fiscal_year, unit=unit, classes=len(entries), by=staff.id
        )
        return _additions_read(fiscal_year, unit, entries)

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
            additions = await repo.additions_by_unit(table.fiscal_year)
            misfits = [p for unit, entries in additions.items() for p in _additions_misfit(table, unit, entries)]
            if misfits:
                raise _rejected(misfits)
            dropped = [
                ClassificationProblem(
                    code=code,
                    message=f"files of 年度 {table.fiscal_year} ({unit}) are kept under {code}, a leaf this "
                    "version does not have",
                )
                for unit, used in sorted((await repo.codes_in_use_by_unit(table.fiscal_year)).items())
                for code in dropped_codes(build(with_additions(table, additions.get(unit, ()))), used)
            ]
            if dropped:
                raise _rejected(dropped)
            await repo.add(table, origin="upload", created_by=staff.id)
        log.info("classification.version_loaded", version=version_id, by=staff.id, classes=len(table.entries))
        return read_of(table), True


def _same(a: ClassificationTable, b: ClassificationTable) -> bool:
    def strip(t: ClassificationTable) -> object:
        return t.model_dump(exclude={"entries": {"__all__": {"row"}}})

    return strip(a) == strip(b)


def _additions_read(fiscal_year: int, unit: str, entries: list[ClassificationEntry]) -> AdditionsRead:
    return AdditionsRead(
        fiscal_year=fiscal_year,
        org_unit=unit,
        classes=[
            ClassRead(
                code=e.code,
                name=e.name,
                parent_code=e.parent_code,
                level=0,
                level_name="",
                leaf=e.has_retention,
                retention_years=e.retention_years,
                retention_permanent=e.retention_permanent,
                retention_label=retention_label(e.retention_years or 0, permanent=e.retention_permanent)
                if e.has_retention
                else None,
                disposition=e.disposition,
                disposition_label=DISPOSITION_NAMES[e.disposition] if e.disposition else None,
                counting=e.counting,
                added=True,
            )
            for e in entries
        ],
    )
