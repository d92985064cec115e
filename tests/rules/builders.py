"""Builders for rulebook tests: the shipped version and edited copies of it."""

from __future__ import annotations

from datetime import date
from typing import Any

from rules.loader import repository_rulebooks, with_id
from schemas.rules import Rulebook, RulebookContent

DEFAULT = repository_rulebooks()[0]


def content(**changes: Any) -> RulebookContent:
    """The shipped version's content with some sections or fields replaced."""
    data = DEFAULT.model_dump(exclude={"id"})
    data.update(changes)
    return RulebookContent.model_validate(data)


def authority_rows() -> list[dict[str, Any]]:
    return [r.model_dump() for r in DEFAULT.authority]


def version(effective_from: date, **changes: Any) -> Rulebook:
    return with_id(content(effective_from=effective_from, **changes))
