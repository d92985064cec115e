"""axe-core (WCAG 2.x A/AA, tests/support/axe.py) on pages of a running stack, in headless Chromium signed in as
one person: the pages' own tests/web modules check each page once.  Without Chromium or Playwright it skips."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.axe import axe_violations
from tests.support.chromium import INSTALL_HINT, find_chromium


@asynccontextmanager
async def chromium_page(base_url: str, staff_id: str) -> AsyncIterator[tuple[Any, list[str]]]:
    """A fresh context signed in as ``staff_id`` through the sign-in form, and the console errors seen."""
    chromium = find_chromium()
    if chromium is None:
        pytest.skip(f"Chromium is not installed ({INSTALL_HINT})")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("the playwright package is missing (pip install -e '.[test]')")
    errors: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            context = await browser.new_context(base_url=base_url, locale="ja-JP")
            page = await context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: None if r.url.startswith(base_url) else errors.append(f"outside: {r.url}"))
            await page.goto("/signin")
            await page.fill("input[name=staff_id]", staff_id)
            await page.fill("input[name=password]", "demo")
            await page.click("button:has-text('サインイン')")
            await page.wait_for_url("**/inbox")
            yield page, errors
        finally:
            await browser.close()


#: Screenshots of the pages checked (gitignored, as the browser tests' are).
ARTIFACTS = Path(__file__).parent.parent / "browser" / "artifacts"


async def check_pages(
    page: Any,
    errors: list[str],
    visits: list[tuple[str, Callable[[Any], Awaitable[None]] | None]],
    *,
    shots: str | None = None,
) -> None:
    """Each visit (a path, and what to do there before the check): axe finds nothing; no console error.  With
    ``shots``, each page's screenshot goes to tests/browser/artifacts/<shots>/."""
    found: dict[str, list[str]] = {}
    folder = ARTIFACTS / shots if shots else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        print(f"\nscreenshots: {folder}")
    for n, (path, then) in enumerate(visits, start=1):
        await page.goto(path)
        if then is not None:
            await then(page)
        await page.keyboard.press("Tab")  # the first stop is the skip link, visible when focused
        focused = await page.evaluate("document.activeElement && document.activeElement.className")
        assert focused == "skip-link", (path, focused)
        if folder is not None:
            name = path.strip("/").replace("/", "-")[:60] or "home"
            await page.screenshot(path=str(folder / f"{n}-{name}.png"), full_page=True)
        violations = await axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}, found
    assert errors == [], errors
