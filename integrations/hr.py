"""HR (人事給与システム): who holds which post (職位) in which unit on a date.

``HrClient`` is what activities and the API depend on; ``HttpHrClient`` is the real one (httpx), used
against the HR stub in dev and tests.  A 404 becomes ``HrNotFound``; every other failure (5xx, timeouts,
refused connections) propagates as ``httpx.HTTPStatusError`` / ``httpx.TransportError`` so that Temporal
retries the activity.
"""

from __future__ import annotations

from datetime import date
from types import TracebackType
from typing import Any, Protocol, Self
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter

from schemas.org import OrgUnit, StaffRef

_STAFF_LIST = TypeAdapter(list[StaffRef])


class HrNotFound(LookupError):
    """HR does not know the staff member, org unit or post (or the person holds no post on that date)."""


class HrClient(Protocol):
    """Read-only look-ups in HR.  ``as_of`` None means today (in Japan, as HR sees it)."""

    async def get_staff(self, staff_id: str, *, as_of: date | None = None) -> StaffRef:
        """The person in the post they hold on ``as_of``; ``HrNotFound`` if unknown or without a post."""
        ...

    async def get_org_unit(self, code: str) -> OrgUnit:
        """One org unit (部・課); ``HrNotFound`` if unknown."""
        ...

    async def holders(self, org_unit: str, post: str, *, as_of: date | None = None) -> list[StaffRef]:
        """Who holds ``post`` in ``org_unit`` on ``as_of`` (maybe nobody); ``HrNotFound`` if unknown."""
        ...


class HttpHrClient:
    """``HrClient`` over HTTP.  Use as ``async with HttpHrClient(url) as hr:`` or call ``aclose()``."""

    def __init__(
        self, base_url: str, *, timeout: float = 5.0, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get_staff(self, staff_id: str, *, as_of: date | None = None) -> StaffRef:
        data = await self._get(f"/staff/{quote(staff_id, safe='')}", _as_of(as_of))
        return StaffRef.model_validate(data)

    async def get_org_unit(self, code: str) -> OrgUnit:
        return OrgUnit.model_validate(await self._get(f"/org-units/{quote(code, safe='')}"))

    async def holders(self, org_unit: str, post: str, *, as_of: date | None = None) -> list[StaffRef]:
        data = await self._get("/holders", {"org_unit": org_unit, "post": post, **_as_of(as_of)})
        return _STAFF_LIST.validate_python(data)

    async def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        response = await self._http.get(path, params=params)
        if response.status_code == httpx.codes.NOT_FOUND:
            raise HrNotFound(_detail(response))
        response.raise_for_status()
        return response.json()


def _as_of(as_of: date | None) -> dict[str, str]:
    return {} if as_of is None else {"as_of": as_of.isoformat()}


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) else None
    return str(detail) if detail else f"{response.request.method} {response.request.url.path}: 404"
