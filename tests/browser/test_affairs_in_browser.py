"""庶務申請 in headless Chromium: a 主事 chooses 出張 (its fields appear, the others go), types a trip with its days
wrong and sees the reason beside the field, mends it and saves; the 課長 opens a leave request and reads the
残日数 beside it.  axe on each page, no console error, keyboard for the choice of matter."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from core.clock import today_in_japan
from tests.api.test_general_affairs import leave, submitted
from tests.browser.test_approval_in_browser import CONSOLE_ERRORS, signed_in
from tests.support.axe import assert_accessible
from tests.support.stack import CITY, Stack, holder

UNIT = "seisaku.dx"
STAFF = [a.staff_id for a in CITY.assignments if a.org_unit_code == UNIT and a.post_code == "staff"]
MANAGER = holder(UNIT, "manager")


async def test_a_trip_is_drafted_and_a_leave_shows_its_balance(stack: Stack, browser: Any, artifacts: Path) -> None:
    CONSOLE_ERRORS.clear()
    page = await signed_in(browser, stack.api_url, STAFF[0])
    await page.goto("/affairs/new")
    await assert_accessible(page)
    await page.focus("[data-testid=affair-matter]")
    await page.keyboard.press("ArrowDown")  # 休暇 → 時間外勤務 → 出張, by keyboard
    await page.keyboard.press("ArrowDown")
    await page.select_option("[data-testid=affair-matter]", "trip")
    assert await page.locator("[data-testid=trip-destination]").is_visible()
    assert await page.locator("[data-testid=leave-days]").is_hidden()
    day = today_in_japan() + timedelta(days=25)
    await page.fill("[data-testid=trip-destination]", "山口県庁（山口市）")
    await page.fill("[data-testid=trip-purpose]", "道路台帳の説明会")
    await page.fill("[data-testid=trip-start]", day.isoformat())
    await page.fill("[data-testid=trip-end]", day.isoformat())
    await page.fill("[data-testid=trip-days]", "2")
    await page.fill("[data-testid=trip-transport]", "公用車")
    await page.fill("[data-testid=trip-cost]", "3200")
    await page.click("button:has-text('起案を保存')")
    error = page.locator("[data-testid=error-trip_days]")
    assert "日数（2）が開始日から終了日までの 1 日を超えています" in await error.inner_text()
    assert await page.locator("[data-testid=trip-days]").get_attribute("aria-invalid") == "true"
    await assert_accessible(page)
    await page.screenshot(path=str(artifacts / "1-trip-error.png"), full_page=True)
    assert all("422" in error for error in CONSOLE_ERRORS), CONSOLE_ERRORS  # that form's answer, and nothing else
    CONSOLE_ERRORS.clear()
    await page.fill("[data-testid=trip-days]", "1")
    await page.click("button:has-text('起案を保存')")
    await page.wait_for_url("**/documents/*")
    await page.context.close()

    doc = await submitted(stack, STAFF[1], leave(1, start=day))
    page = await signed_in(browser, stack.api_url, MANAGER)
    await page.goto(f"/documents/{doc['id']}")
    assert await page.locator("[data-testid=leave-balance] [data-testid=annual-remaining]").is_visible()
    await assert_accessible(page)
    await page.screenshot(path=str(artifacts / "2-leave-balance.png"), full_page=True)
    assert not CONSOLE_ERRORS, CONSOLE_ERRORS
    await page.context.close()
