"""Rules admin: list and read rulebook versions, and store a new one after validation (nothing on failure)."""

from __future__ import annotations

from datetime import date

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from core.errors import Conflict, Forbidden, Invalid, NotFound
from db.models import StaffRow
from db.repositories.rules import RulebookRepository
from db.session import writing
from domain.rulebook.validate import validate
from rules.loader import RulebookUnreadable, parse, with_id
from schemas.rules import Rulebook, RulebookSummary, RuleProblem

log = structlog.get_logger("ringi.rules")


def _rejected(problems: list[RuleProblem]) -> Invalid:
    """422 naming the first offending row in ``detail`` and every problem in ``errors``."""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return Invalid(
        f"the rulebook was not stored: {problems[0].describe()}{more}",
        errors=[p.model_dump() for p in problems],
    )


class RulesService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._session = session

    async def versions(self, *, today: date) -> list[RulebookSummary]:
        repo = RulebookRepository(self._session)
        current = await repo.in_force_id(today)
        return [s.model_copy(update={"in_force": s.id == current}) for s in await repo.summaries()]

    async def version(self, version_id: str) -> Rulebook:
        book = await self._app.rulebooks.version(version_id)
        if book is None:
            raise NotFound(f"no rulebook version {version_id!r}")
        return book

    async def upload(self, staff: StaffRow, body: bytes, *, media_type: str, today: date) -> Rulebook:
        """A new version from YAML or JSON, in force from its 適用日 (which must be after ``today``)."""
        if not staff.is_admin:
            raise Forbidden("only an administrator may add a rulebook version")
        try:
            content = parse(body, media_type=media_type)
        except RulebookUnreadable as exc:
            raise _rejected(exc.problems) from exc
        book = with_id(content)
        async with writing(self._session) as session:
            repo = RulebookRepository(session)
            problems = validate(content, today=today, org_units=await repo.org_unit_codes())
            if problems:
                raise _rejected(problems)
            if await repo.exists(book.id):
                raise Conflict(f"a rulebook version with 適用日 {book.effective_from} exists already")
            await repo.add(book, source="upload", created_by=staff.id)
        log.info("rules.version_added", version=book.id, by=staff.id, rows=len(book.authority))
        return book
