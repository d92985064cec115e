"""Where the resolver finds rulebook versions: a Protocol, and an in-memory source for tests and tools."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from domain.rulebook.versions import in_force_of
from schemas.rules import Rulebook


class RulebookSource(Protocol):
    async def in_force(self, on: date) -> Rulebook | None:
        """The version whose 適用日 is the latest on or before ``on`` (None if none is)."""
        ...

    async def version(self, version_id: str) -> Rulebook | None:
        """One version by id (None if unknown)."""
        ...


class StaticRulebooks:
    """``RulebookSource`` over a fixed list (e.g. ``repository_rulebooks()``)."""

    def __init__(self, books: Iterable[Rulebook]) -> None:
        self._books = {b.id: b for b in books}

    async def in_force(self, on: date) -> Rulebook | None:
        return in_force_of(self._books.values(), on)

    async def version(self, version_id: str) -> Rulebook | None:
        return self._books.get(version_id)
