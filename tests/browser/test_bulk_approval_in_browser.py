"""一括承認 in headless Chromium: a 課長 follows 受信箱 → 一括承認, sees the 2.5-day leave offered not (with the
reason), ticks the two short leave requests, confirms the listed items and sees both approved."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tests.api.test_general_affairs import leave, submitted
from tests.browser.test_approval_in_browser import CONSOLE_ERRORS, signed_in
from tests.support.stack import CITY, Stack, holder

UNIT = "shoko.teiju"
STAFF = [a.staff_id for a in CITY.assignments if a.org_unit_code == UNIT and a.post_code == "staff"]
MANAGER = holder(UNIT, "manager")


async def test_a_manager_approves_several_leave_requests_at_once(stack: Stack, browser: Any, artifacts: Path) -> None:
    short = [await submitted(stack, s, leave(0.5, start=date(2031, 10, 1 + i))) for i, s in enumerate(STAFF)]
    long = await submitted(stack, STAFF[0], leave(2.5, start=date(2031, 10, 10)))
    CONSOLE_ERRORS.clear()

    page = await signed_in(browser, stack.api_url, MANAGER)
    await page.click("[data-testid=bulk-link]")
    await page.wait_for_url("**/inbox/bulk")
    row = page.locator(f"tr[data-document-id='{long['id']}']")
    assert await row.get_attribute("data-eligible") == "no" and "2日以内" in await row.inner_text()
    assert await page.locator(f"input[name='item_{long['id']}']").is_disabled()
    for d in short:
        await page.check(f"input[name='item_{d['id']}']")
    await page.screenshot(path=str(artifacts / "1-bulk-select.png"), full_page=True)
    await page.click("button:has-text('選んだ文書を確認する')")
    await page.wait_for_url("**/inbox/bulk/confirm")
    listed = await page.locator("[data-testid=bulk-confirm] li").evaluate_all("ls => ls.map(l => l.dataset.documentId)")
    assert sorted(listed) == sorted(d["id"] for d in short)
    await page.screenshot(path=str(artifacts / "2-bulk-confirm.png"), full_page=True)
    await page.click("button:has-text('一括承認する')")
    await page.wait_for_url("**/inbox/bulk")
    outcomes = dict(
        await page.locator("[data-testid=bulk-outcomes] tbody tr").evaluate_all(
            "rows => rows.map(r => [r.dataset.documentId, r.dataset.outcome])"
        )
    )
    assert outcomes == {d["id"]: "approved" for d in short}
    await page.screenshot(path=str(artifacts / "3-bulk-outcomes.png"), full_page=True)
    assert not CONSOLE_ERRORS, CONSOLE_ERRORS
    await page.context.close()
