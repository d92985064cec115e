"""Headless Chromium (Debian's ``chromium`` package, driven by Playwright) against a real stack.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium``.  Without it (or without the
Japanese fonts, which would turn every kanji into a box) the tests skip and say why; CI installs both (.ci/run).
Screenshots go to tests/browser/artifacts/ (gitignored); the path is printed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.web.conftest import stack  # noqa: F401  (the pages' stack: the same app and worker)

CHROMIUM = Path("/usr/bin/chromium")
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # fonts-noto-cjk
ARTIFACTS = Path(__file__).parent / "artifacts"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium fonts-noto-cjk; .ci/run does it)"
    if not CJK_FONT.exists():
        return "the Japanese fonts are missing (apt-get install -y fonts-noto-cjk; .ci/run does it)"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[test]')"
    return None


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
