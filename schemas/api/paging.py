"""Pagination: every list of API v1 answers one envelope, ``Page[T]``, and takes the same ``limit`` and ``offset``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import parse_qsl, urlencode

from pydantic import BaseModel, Field

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    """One page of a list: at most ``limit`` items from ``offset`` (0-based) of ``total``, in a stable order.

    ``next`` is the path and query of the following page (the same filters, the next offset), null on the last
    page: a client follows it until it is null.
    """

    items: list[T]
    total: int = Field(ge=0, description="how many items the whole list holds (with the same filters)")
    limit: int = Field(ge=1, le=MAX_LIMIT)
    offset: int = Field(ge=0)
    next: str | None = Field(default=None, examples=["/v1/notifications?limit=50&offset=50"])


@dataclass(frozen=True)
class PageRequest:
    """Which page a list route was asked for: ``limit`` items from ``offset``; ``path`` and ``query`` of the request
    build ``next``."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    path: str = ""
    query: str = ""

    def page(self, items: Sequence[T], total: int) -> Page[T]:
        """The page of ``items`` (already limited and offset, e.g. by SQL) out of ``total``."""
        following = self.offset + len(items)
        return Page(
            items=list(items),
            total=total,
            limit=self.limit,
            offset=self.offset,
            next=self._link(following) if items and following < total else None,
        )

    def slice(self, items: Sequence[T]) -> Page[T]:
        """The page out of a whole list held in memory (short lists, or one merged from several sources)."""
        return self.page(items[self.offset : self.offset + self.limit], len(items))

    def _link(self, offset: int) -> str:
        kept = [(k, v) for k, v in parse_qsl(self.query, keep_blank_values=True) if k not in ("limit", "offset")]
        return f"{self.path}?{urlencode([*kept, ('limit', str(self.limit)), ('offset', str(offset))])}"
