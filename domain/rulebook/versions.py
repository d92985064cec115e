"""Which rulebook version applies: the one whose 適用日 is the latest on or before the day (versions by 適用日)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from schemas.rules import Rulebook


def in_force_of(books: Iterable[Rulebook], on: date) -> Rulebook | None:
    """The version in force on ``on`` (None if every version takes effect later)."""
    eligible = [b for b in books if b.effective_from <= on]
    return max(eligible, key=lambda b: b.effective_from, default=None)
