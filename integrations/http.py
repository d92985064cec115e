"""What every HTTP client of another system shares: one httpx.AsyncClient, usable as an async context manager."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import httpx


class HttpServiceClient:
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

    async def ping(self, *, within: float) -> None:
        """Whether the system answers at all (``GET /health``, 200): raises ``httpx.HTTPError`` if it does not."""
        response = await self._http.get("/health", timeout=within)
        response.raise_for_status()
