"""Reading a whole list of API v1 through its pages (``Page[T]``: follow ``next`` until it is null)."""

from __future__ import annotations

from typing import Any

from tests.support.stack import Stack


async def every_item(stack: Stack, staff_id: str, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of the list at ``path`` (with ``params`` as filters), read 200 at a time."""
    items: list[dict[str, Any]] = []
    r = await stack.call(staff_id, "GET", path, params={"limit": 200, **params})
    while True:
        assert r.status_code == 200, r.text
        page = r.json()
        items += page["items"]
        if page["next"] is None:
            assert len(items) == page["total"], (len(items), page["total"])
            return items
        r = await stack.call(staff_id, "GET", page["next"])
