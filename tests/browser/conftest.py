"""Headless Chromium (Debian's ``chromium`` package, driven by Playwright) against a real stack.

Playwright never downloads a browser here: it launches the Chromium tests/support/chromium.py finds.  Without it
(or without a Japanese font for pages, which would turn every kanji into a box) the tests skip, and the end of the
run lists them and why (tests/support/skips.py); ``make test`` installs both first when it can (``make chromium``).
Screenshots go to tests/browser/artifacts/ (gitignored); the path is printed.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.support.chromium import INSTALL_HINT, find_chromium
from tests.web.conftest import stack  # noqa: F401  (the pages' stack: the same app and worker)

CHROMIUM = find_chromium()
ARTIFACTS = Path(__file__).parent / "artifacts"


def _missing() -> str | None:
    if CHROMIUM is None:
        return f"Chromium is not installed ({INSTALL_HINT})"
    if not _page_fonts():
        return "no Japanese font for pages (make chromium installs fonts-noto-cjk, as root with apt-get)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[test]')"
    return None


def _page_fonts() -> bool:
    """Whether fontconfig knows a Japanese font, which Chromium needs to draw the pages' kanji."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    out = subprocess.run([fc_list, ":lang=ja", "file"], capture_output=True, text=True, timeout=30, check=False)
    return bool(out.stdout.strip())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = _missing()
    for item in items:
        if "tests/browser/" in item.path.as_posix():
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest_asyncio.fixture(loop_scope="session")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """Where this test's screenshots go: tests/browser/artifacts/<test name>/ (printed for the reader)."""
    name = request.node.name.replace("[", "-").replace("]", "")
    folder = ARTIFACTS / name
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder
