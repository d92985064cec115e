"""The 滞留 page in headless Chromium: a 課長 follows the menu to 滞留状況, sees the chart (drawn as inline SVG,
nothing loaded from outside) and the waits of their division oldest first, and follows one to the document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.clock import today_in_japan
from tests.browser.test_approval_in_browser import CONSOLE_ERRORS, signed_in
from tests.support.stack import Stack, holder
from tests.support.waiting import business_days_ago, insert, waiting_document

UNIT = "shoko.kanko"  # 観光課
MANAGER = holder(UNIT, "manager")


async def test_a_manager_finds_where_documents_wait(stack: Stack, browser: Any, artifacts: Path) -> None:
    today = today_in_japan()
    rows: list[Any] = []
    ids = []
    for age, title in ((9, "観光パンフレットの増刷について"), (3, "観光案内所の開設時間の変更について")):
        doc, *steps = waiting_document(UNIT, business_days_ago(today, age), MANAGER, title=title)
        rows += [doc, *steps]
        ids.append(doc.id)
    await insert(stack, *rows)
    CONSOLE_ERRORS.clear()

    page = await signed_in(browser, stack.api_url, MANAGER)
    await page.click("nav.mainnav >> text=滞留状況")
    await page.wait_for_url("**/reports/pending")
    chart = page.locator("[data-testid=pending-chart] svg")
    assert await chart.is_visible()
    assert "8+日 1件" in (await chart.locator("desc").text_content() or "")
    listed = await page.locator("[data-testid=pending] tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.documentId, r.dataset.bucket])"
    )
    assert listed == [[ids[0], "8+"], [ids[1], "2–3"]]
    await page.screenshot(path=str(artifacts / "1-pending.png"), full_page=True)
    await page.click("text=観光パンフレットの増刷について")
    await page.wait_for_url(f"**/documents/{ids[0]}")
    assert not CONSOLE_ERRORS, CONSOLE_ERRORS
    await page.context.close()
