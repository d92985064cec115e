"""A real stack (Temporal, HR and finance stubs, worker, API over HTTP) and a browser-like client for the pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest_asyncio
from temporalio.client import Client

from tests.support.stack import Stack, full_stack

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SIGNIN_CSRF = re.compile(r'name="signin_csrf" value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


@pytest_asyncio.fixture(loop_scope="session")
async def stack(
    seeded_database_url: str, temporal_client: Client, hr_url: str, finance_url: str, tmp_path: Path
) -> AsyncIterator[Stack]:
    async with full_stack(
        seeded_database_url,
        temporal_client,
        hr_url=hr_url,
        finance_url=finance_url,
        data_dir=tmp_path,
        action_timeout_seconds=15,  # these tests are about pages, not about 503s on a loaded machine
    ) as stack:
        yield stack


class Browser:
    """A signed-in person's cookie jar, posting forms the way the pages do (with the page's CSRF token)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.csrf = ""

    async def get(self, path: str) -> httpx.Response:
        r = await self.http.get(path)
        if found := CSRF.search(r.text):
            self.csrf = found.group(1)
        return r

    async def post(self, path: str, data: dict[str, str], *, csrf: bool = True) -> httpx.Response:
        return await self.http.post(path, data={**data, **({"csrf_token": self.csrf} if csrf else {})})


async def sign_in(stack: Stack, staff_id: str, password: str = "demo") -> Browser:
    http = httpx.AsyncClient(base_url=stack.api_url, timeout=30)
    form = await http.get("/signin")
    token = SIGNIN_CSRF.search(form.text)
    assert token is not None
    r = await http.post(
        "/signin", data={"staff_id": staff_id, "password": password, "signin_csrf": token.group(1), "next": "/inbox"}
    )
    assert r.status_code == 303, r.text
    browser = Browser(http)
    await browser.get("/inbox")
    return browser


@pytest_asyncio.fixture(loop_scope="session")
async def browsers(stack: Stack) -> AsyncIterator[dict[str, Browser]]:
    """Lazily signed-in people, closed at the end."""
    opened: dict[str, Browser] = {}
    yield opened
    for browser in opened.values():
        await browser.http.aclose()
