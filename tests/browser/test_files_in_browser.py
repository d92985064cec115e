"""簿冊 in headless Chromium: the records office follows the menu to 簿冊, opens the new 年度 from last year's list
(the result with its progress), and views a file with its documents; axe-core (WCAG 2.x A/AA) finds no violation
on any page visited.

axe-core comes inside the axe-playwright-python package (nothing fetched at run time); without it the test skips.
It is evaluated through the devtools protocol, so the pages' CSP (script-src 'self') stays strict.
"""

from __future__ import annotations

import uuid
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from tests.api.support import DRAFTER, RECORDS_OFFICE, SMALL
from tests.api.test_files import FY, TABLE, _yaml
from tests.browser.test_approval_in_browser import CONSOLE_ERRORS, signed_in
from tests.support.stack import Stack
from tests.web.test_file_pages import NEXT_TABLE

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


async def assert_accessible(page: Any) -> None:
    try:
        source = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        pytest.skip("axe-playwright-python (which ships axe-core) is not installed")
    await page.evaluate(source)
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_AA
    )
    violations = [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:5])}"
        for v in result["violations"]
    ]
    assert violations == [], f"axe on {page.url}:\n" + "\n".join(violations)


async def test_the_records_office_opens_the_year_and_views_a_file(stack: Stack, browser: Any, artifacts: Path) -> None:
    assert (await _yaml(stack, RECORDS_OFFICE, f"br-{uuid.uuid4().hex[:8]}", TABLE)).status_code == 201
    assert (await _yaml(stack, RECORDS_OFFICE, f"br-next-{uuid.uuid4().hex[:8]}", NEXT_TABLE)).status_code == 201
    title = f"支出負担行為綴 {uuid.uuid4().hex[:6]}"
    body = {"fiscal_year": FY, "classification_code": "01-03-02", "title": title}
    r = await stack.call(DRAFTER, "POST", "/v1/files", json=body)
    assert r.status_code == 201, r.text
    file_id = r.json()["id"]
    doc = await stack.draft(DRAFTER, SMALL)
    filed = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/filing", json={"file_id": file_id})
    assert filed.status_code == 200, filed.text
    CONSOLE_ERRORS.clear()

    page = await signed_in(browser, stack.api_url, RECORDS_OFFICE)
    await page.click("nav.mainnav >> text=簿冊")
    await page.wait_for_url("**/files")
    assert await page.locator(f"[data-file-id='{file_id}']").is_visible()
    await assert_accessible(page)
    await page.fill("#open-fiscal-year", str(FY + 1))
    await page.click("[data-testid=open-year]")
    await page.wait_for_selector("[data-testid=opened]")
    assert "新規" in (await page.locator("[data-testid=opened]").text_content() or "")
    assert await page.locator("#open-progress").is_visible()
    await assert_accessible(page)
    await page.screenshot(path=str(artifacts / "1-opened.png"), full_page=True)

    await page.goto(f"/files?year={FY}")
    await page.click(f"text={title}")
    await page.wait_for_url(f"**/files/{file_id}")
    assert await page.locator(f"[data-testid=filed] tr[data-document-id='{doc['id']}']").is_visible()
    await assert_accessible(page)
    await page.screenshot(path=str(artifacts / "2-file.png"), full_page=True)

    await page.click("text=文書分類表")
    await page.wait_for_url("**/files/classification**")
    assert await page.locator("[data-testid=classes] tr[data-code='01-03-02']").is_visible()
    await assert_accessible(page)
    await page.screenshot(path=str(artifacts / "3-classification.png"), full_page=True)

    await page.goto("/affairs/new")  # the 庶務申請 form has the same 簿冊 select, 未整理 among its options
    await page.wait_for_selector("[data-testid=file-select]")
    assert await page.locator("[data-testid=file-unfiled]").count() == 1
    await page.select_option("[data-testid=affair-matter]", "overtime")
    await page.wait_for_selector("[data-testid=file-select]")
    await assert_accessible(page)
    assert not CONSOLE_ERRORS, CONSOLE_ERRORS
    await page.context.close()
