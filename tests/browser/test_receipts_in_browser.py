"""収受 in headless Chromium, with axe-core run on every page visited (WCAG 2.x A/AA: no violation):

(a) a 主事 registers a paper receipt in the 収受登録 form, presses 起案, completes the reply draft (一般事項, its
    決裁区分 previewed live) and submits it; each approver on the route takes their step from the document page,
    and the receipt becomes 回答済 with the reply's 文書番号;
(b) an online application posted to ``/v1/intake/applications`` (HMAC-signed) becomes a receipt of 土木課; a 主事
    there starts its 供覧, and every reader confirms reading in the browser until the 供覧 is complete.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import Client

from tests.browser.test_approval_in_browser import CONSOLE_ERRORS, signed_in
from tests.support.axe import assert_accessible
from tests.support.databases import BACKENDS, fresh_database
from tests.support.intake import SECRET, SOURCE, application, post_application
from tests.support.stack import Stack, full_stack, holder

CLERK = holder("shimin.zeimu", "staff")  # 税務課 主事
ROAD_CLERK = holder("doboku.doboku", "staff")  # 土木課 主事
ROAD_READERS = [holder("doboku.doboku", "chief"), holder("doboku.doboku", "manager")]  # 係長, 課長


@pytest_asyncio.fixture(scope="module", loop_scope="session", params=BACKENDS)
async def stack(
    request: pytest.FixtureRequest,
    temporal_client: Client,
    hr_url: str,
    finance_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Stack]:
    """One stack for both journeys (a signed intake source configured)."""
    data_dir: Path = tmp_path_factory.mktemp("receipts-browser")
    async with (
        fresh_database(request.param, data_dir, seeded=True) as url,
        full_stack(
            url,
            temporal_client,
            hr_url=hr_url,
            finance_url=finance_url,
            data_dir=data_dir,
            action_timeout_seconds=15,
            intake_secrets={SOURCE: SECRET},
        ) as stack,
    ):
        yield stack


async def visit(page: Any, path: str) -> None:
    await page.goto(path)
    await assert_accessible(page)


async def test_a_paper_receipt_is_answered_by_a_decided_reply(stack: Stack, browser: Any, artifacts: Path) -> None:
    CONSOLE_ERRORS.clear()
    title = f"課税証明の事務について（照会） {uuid.uuid4().hex[:4]}"
    clerk = await signed_in(browser, stack.api_url, CLERK)
    await assert_accessible(clerk)  # the inbox

    # 収受登録: a mistake first (no 件名): the error beside the field, what was typed kept.
    await clerk.click("nav.mainnav >> text=収受")
    await clerk.wait_for_url("**/receipts")
    await assert_accessible(clerk)
    await clerk.click("text=収受を登録する")
    await clerk.wait_for_url("**/receipts/new")
    await assert_accessible(clerk)
    await clerk.fill("input[name=sender]", "山口県総務部市町課長")
    await clerk.fill("input[name=addressee]", "萩市長")
    await clerk.fill("input[name=sender_reference]", "市第123号")
    await clerk.fill("input[name=reply_by]", "2099-03-31")
    await clerk.fill("textarea[name=summary]", "課税証明の交付事務について照会します。")
    await clerk.click("button:has-text('収受を登録')")
    await clerk.locator("[data-testid=error-title]").wait_for()
    assert await clerk.input_value("input[name=sender]") == "山口県総務部市町課長"
    await assert_accessible(clerk)
    await clerk.screenshot(path=str(artifacts / "1-receipt-form-error.png"), full_page=True)
    assert all("422" in error for error in CONSOLE_ERRORS), CONSOLE_ERRORS  # that form's answer, and nothing else
    CONSOLE_ERRORS.clear()
    await clerk.fill("input[name=title]", title)
    await clerk.click("button:has-text('収受を登録')")
    await clerk.wait_for_url("**/receipts/*")
    receipt_path = "/receipts/" + clerk.url.rsplit("/", 1)[1]
    assert (await clerk.locator("[data-testid=receipt-number]").inner_text()).endswith("号")
    assert await clerk.locator("[data-testid=outcome]").inner_text() == "処理待ち"
    await assert_accessible(clerk)
    await clerk.screenshot(path=str(artifacts / "2-receipt.png"), full_page=True)

    # 起案: the reply draft opens in its edit form, 一般事項 with its 決裁区分 and the route previewed.
    await clerk.click("button[data-branch=reply]")
    await clerk.wait_for_url("**/documents/*/edit")
    document_id = clerk.url.rsplit("/", 2)[1]
    preview = clerk.locator("[data-testid=route-preview]")
    await preview.locator("text=税務課 課長").wait_for()
    assert "定例的な照会・回答" in await preview.inner_text()
    await assert_accessible(clerk)
    await clerk.fill("textarea[name=body]", "照会のあった件について、下記のとおり回答してよろしいか伺います。")
    await clerk.screenshot(path=str(artifacts / "3-reply-draft.png"), full_page=True)
    await clerk.click("button:has-text('修正を保存')")
    await clerk.wait_for_url(f"**/documents/{document_id}")
    assert await clerk.locator("[data-testid=category]").inner_text() == "定例的な照会・回答"
    await assert_accessible(clerk)
    await clerk.click("button:has-text('提出')")
    await clerk.locator("[data-testid=status]:has-text('回議中')").wait_for()
    await assert_accessible(clerk)

    # Each approver on the route takes their step (whoever's step is pending, until it is decided).
    approvers: dict[str, Any] = {}
    for _ in range(6):
        pending = clerk.locator("[data-testid=timeline] .step-pending")
        if await pending.count() == 0:
            break
        staff_id = await pending.first.get_attribute("data-assignee")
        assert staff_id is not None
        if staff_id not in approvers:
            approvers[staff_id] = await signed_in(browser, stack.api_url, staff_id)
        page = approvers[staff_id]
        await visit(page, f"/documents/{document_id}")
        await page.click("[data-testid=actions] button[data-action=approve]")
        await page.wait_for_load_state()
        assert await page.locator("[data-testid=refusal]").count() == 0
        await clerk.reload()
    assert await clerk.locator("[data-testid=status]").inner_text() == "決裁済"
    assert approvers, "someone decided"

    # The decision completes the receipt: 回答済, with the reply's 文書番号.
    for _ in range(40):
        await clerk.goto(receipt_path)
        if await clerk.locator("[data-testid=outcome]").inner_text() == "回答済":
            break
        await asyncio.sleep(0.25)
    assert await clerk.locator("[data-testid=outcome]").inner_text() == "回答済"
    assert (await clerk.locator("[data-testid=reply-link]").inner_text()).endswith("号")
    await assert_accessible(clerk)
    await clerk.screenshot(path=str(artifacts / "4-receipt-replied.png"), full_page=True)

    # A new draft: choosing 一般 shows the 決裁区分 (not the amount), and the preview follows the category chosen.
    await clerk.click("nav.mainnav >> text=起案する")
    await clerk.wait_for_url("**/documents/new")
    assert await clerk.locator("select[name=category]").is_hidden()
    await clerk.select_option("select[name=matter]", "general")
    assert await clerk.locator("input[name=amount_yen]").is_hidden()
    await clerk.select_option("select[name=category]", "ordinance_draft")
    await preview.locator("text=条例・規則の制定改廃: 市長決裁").wait_for()
    assert "文書審査" in await preview.inner_text()
    await assert_accessible(clerk)
    await clerk.screenshot(path=str(artifacts / "5-general-draft.png"), full_page=True)
    assert CONSOLE_ERRORS == []
    for page in (clerk, *approvers.values()):
        await page.context.close()


async def test_an_online_application_is_circulated_and_read_by_all(stack: Stack, browser: Any, artifacts: Path) -> None:
    CONSOLE_ERRORS.clear()
    r = await post_application(stack.http, application(form_id="road-damage"))
    assert r.status_code == 201, r.text
    received = r.json()
    assert received["intended_branch"] == "circulation"
    receipt_path = f"/receipts/{received['receipt_id']}"

    clerk = await signed_in(browser, stack.api_url, ROAD_CLERK)
    await visit(clerk, "/receipts")
    await clerk.click(f"tr[data-receipt-id='{received['receipt_id']}'] a")
    await clerk.wait_for_url(f"**{receipt_path}")
    await assert_accessible(clerk)
    shown = await clerk.locator("main").inner_text()
    assert "電子申請の受付" in shown and "電子申請 (自動収受)" in shown
    for reader in ROAD_READERS:
        await clerk.check(f"input[name=readers][value={reader}]")
    await clerk.screenshot(path=str(artifacts / "1-receipt-choose-readers.png"), full_page=True)
    await clerk.click("button[data-branch=circulation]")
    await clerk.locator("[data-testid=outcome]:has-text('供覧中')").wait_for()
    await assert_accessible(clerk)

    for n, reader in enumerate(ROAD_READERS):
        page = await signed_in(browser, stack.api_url, reader)
        await page.click("nav.mainnav >> text=供覧")
        await page.wait_for_url("**/circulations")
        await assert_accessible(page)
        await page.click(f"tr[data-receipt-id='{received['receipt_id']}'] a")
        await page.wait_for_url(f"**{receipt_path}")
        await assert_accessible(page)
        await page.fill("[data-testid=confirm-reading] textarea[name=comment]", f"確認しました（{n + 1}）")
        await page.click("button:has-text('閲覧しました')")
        await page.wait_for_url("**/circulations")
        assert await page.locator(f"tr[data-receipt-id='{received['receipt_id']}']").count() == 0
        await assert_accessible(page)
        await page.context.close()

    await clerk.goto(receipt_path)
    assert await clerk.locator("[data-testid=outcome]").inner_text() == "供覧済"
    readers = await clerk.locator("[data-testid=readers]").inner_text()
    assert readers.count("閲覧済") == 2 and "確認しました（2）" in readers
    await assert_accessible(clerk)
    await clerk.screenshot(path=str(artifacts / "2-circulated.png"), full_page=True)
    assert CONSOLE_ERRORS == []
    await clerk.context.close()
