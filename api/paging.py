"""The ``limit`` and ``offset`` query parameters every list route takes (one definition, so they cannot drift)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from schemas.api.paging import DEFAULT_LIMIT, MAX_LIMIT, PageRequest

#: The largest offset: SQL's 32-bit integer (a larger one overflowed SQLite's driver: a 500 found by fuzzing).
MAX_OFFSET = 2**31 - 1


def _page_request(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"items per page (1–{MAX_LIMIT})")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="how many items to skip (0 for the first page)")] = 0,
) -> PageRequest:
    return PageRequest(limit=limit, offset=offset, path=request.url.path, query=request.url.query)


#: A list route's page: ``limit`` (default 50, at most 200) items from ``offset``; out of range answers 422.
Paging = Annotated[PageRequest, Depends(_page_request)]
