"""The rulebook versions in ringi's database as a ``RulebookSource`` (for the route activity and the API), and the
sync of the versions shipped in ``rules/rulebook/`` into it (``ringi migrate`` / ``ringi seed``).

Versions never change once stored, so they are cached by id.  Which version is in force on a day is cached only
for days up to today: an upload must take effect after the day it is made, so the answer for a day that has come
cannot change any more (one for a future day can, and is looked up each time).
"""

from __future__ import annotations

from datetime import date

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import today_in_japan
from db.repositories.rules import RulebookRepository
from rules.loader import repository_rulebooks
from schemas.rules import Rulebook

log = structlog.get_logger("ringi.rules")


class DbRulebooks:
    """``RulebookSource`` over the database, cached (see the module docstring)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._books: dict[str, Rulebook] = {}
        self._in_force: dict[date, str | None] = {}

    async def in_force(self, on: date) -> Rulebook | None:
        if on in self._in_force:
            version_id = self._in_force[on]
        else:
            async with self._sessions() as session:
                version_id = await RulebookRepository(session).in_force_id(on)
            if on <= today_in_japan():
                self._in_force[on] = version_id
        return None if version_id is None else await self.version(version_id)

    async def version(self, version_id: str) -> Rulebook | None:
        if version_id not in self._books:
            async with self._sessions() as session:
                book = await RulebookRepository(session).get(version_id)
            if book is None:
                return None
            self._books[version_id] = book
        return self._books[version_id]


async def sync_repository_rulebooks(session: AsyncSession) -> list[str]:
    """Store the shipped versions the database lacks (by id); the ids added.  The caller commits."""
    repo = RulebookRepository(session)
    added = []
    for book in repository_rulebooks():
        if not await repo.exists(book.id):
            await repo.add(book, source="repository")
            added.append(book.id)
    if added:
        log.info("rules.synced", versions=added)
    return added
