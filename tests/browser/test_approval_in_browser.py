"""End to end in headless Chromium: a 主事 drafts and submits a spending of ¥1,500,000, and each approver, in turn,
finds it in their inbox and approves it there: 総務課長 (回議) → 財政課長 (合議) → 総務部長 (決裁).

Each person sees the document in their inbox only on their turn, is offered exactly their buttons, and at the
end everyone sees 決裁済.  Screenshots of the main pages are kept (path printed).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from core.calendar import JST
from domain.fiscal import fiscal_year_of
from tests.support.axe import assert_accessible
from tests.support.stack import Stack, holder

DRAFTER = holder("somu.somu", "staff")  # s0026 総務課 主事
MANAGER = holder("somu.somu", "manager")  # s0022 総務課長
FINANCE = holder("somu.zaisei", "manager")  # s0035 財政課長 (合議)
DIRECTOR = holder("somu", "director")  # s0021 総務部長 (決裁: 100万円以上500万円未満 部長専決)
TITLE = f"庁用備品（書庫）の購入について {uuid.uuid4().hex[:4]}"
BODY = (
    "書庫の老朽化に伴い、下記のとおり庁用備品を購入してよろしいか伺います。"
    "\n1. 品名　スチール書庫 10台\n2. 金額　1,500,000円"
)

#: Script errors, refused loads (e.g. by the Content-Security-Policy) and requests to anywhere but ringi itself
#: (the city hall's closed network: no CDN, fonts or scripts from outside): there must be none.
CONSOLE_ERRORS: list[str] = []

#: (approver, the buttons they are offered on their turn, the one they press)
TURNS = [
    (MANAGER, {"approve", "send_back", "comment"}, "承認"),
    (FINANCE, {"consent", "object", "send_back", "comment"}, "同意"),  # 合議: 同意 or 異議, each explained
    (DIRECTOR, {"approve", "reject", "send_back", "comment"}, "決裁"),
]


async def budget_line(finance_url: str) -> str:
    """A budget line of its own (the finance stub is shared by the test session)."""
    code = f"0201-01-17-{uuid.uuid4().hex[:6]}"
    year = fiscal_year_of(datetime.now(JST).date())
    async with httpx.AsyncClient(base_url=finance_url) as http:
        body = {"name": "総務管理費 備品購入費（庁用備品）", "allocated_yen": 5_000_000}
        (await http.put(f"/admin/budgets/{year}/{code}", json=body)).raise_for_status()
    return code


async def signed_in(browser: Any, base_url: str, staff_id: str, shots: Path | None = None) -> Any:
    """A fresh browser context (its own cookies) signed in as ``staff_id``, on the inbox."""
    context = await browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900}, locale="ja-JP")
    page = await context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() before each action
    page.on("console", lambda message: CONSOLE_ERRORS.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: CONSOLE_ERRORS.append(str(error)))
    page.on("request", lambda r: None if r.url.startswith(base_url) else CONSOLE_ERRORS.append(f"outside: {r.url}"))
    await page.goto("/")
    assert page.url.endswith("/signin")
    await page.fill("input[name=staff_id]", staff_id)
    await page.fill("input[name=password]", "demo")
    assert await page.locator("input[name=one_time_code]").is_hidden()  # no second factor asked for
    if shots is not None:
        await page.screenshot(path=str(shots / "1-signin.png"), full_page=True)
    await page.click("button:has-text('サインイン')")
    await page.wait_for_url("**/inbox")
    assert staff_id in await page.locator("[data-testid=viewer]").inner_text()
    return page


async def offered(page: Any) -> set[str]:
    return set(
        await page.locator("[data-testid=actions] button[data-action]").evaluate_all(
            "bs => bs.map(b => b.dataset.action)"
        )
    )


async def in_inbox(page: Any, document_id: str) -> bool:
    await page.goto("/inbox")
    return await page.locator(f"tr[data-document-id='{document_id}']").count() == 1


async def test_draft_submit_and_approve_from_each_inbox(
    stack: Stack, browser: Any, finance_url: str, artifacts: Path
) -> None:
    CONSOLE_ERRORS.clear()
    code = await budget_line(finance_url)
    drafter = await signed_in(browser, stack.api_url, DRAFTER, shots=artifacts)

    # 起案: the form previews the route and the budget as the drafter types.
    await drafter.click("nav >> text=起案する")
    await drafter.fill("input[name=title]", TITLE)
    await drafter.fill("textarea[name=body]", BODY)
    await drafter.fill("input[name=amount_yen]", "1,500,000")
    await drafter.fill("input[name=budget_code]", code)
    preview = drafter.locator("[data-testid=route-preview]")
    await preview.locator("text=総務部 部長").wait_for()
    assert "財政課 課長" in await preview.inner_text() and "総務課 課長" in await preview.inner_text()
    budget = drafter.locator("[data-testid=budget]")
    await budget.locator("text=範囲内").wait_for()
    assert "¥5,000,000" in await budget.inner_text()
    await drafter.screenshot(path=str(artifacts / "3-draft-with-preview.png"), full_page=True)
    await drafter.click("button:has-text('起案を保存')")
    await drafter.wait_for_url("**/documents/*")
    document_id = drafter.url.rsplit("/", 1)[1]
    assert await drafter.locator("[data-testid=amount]").inner_text() == "¥1,500,000"
    assert await drafter.locator("[data-testid=status]").inner_text() == "起案中"

    # 提出 (after the confirm dialog).
    await drafter.click("button:has-text('提出')")
    await drafter.locator("[data-testid=status]:has-text('回議中')").wait_for()
    assert await offered(drafter) == {"recall", "withdraw", "comment"}

    approvers = {staff_id: await signed_in(browser, stack.api_url, staff_id) for staff_id, _, _ in TURNS}
    for index, (staff_id, buttons, press) in enumerate(TURNS):
        for other, _, _ in TURNS:  # in the inbox of whoever's turn it is, and of nobody else
            assert await in_inbox(approvers[other], document_id) == (other == staff_id), (staff_id, other)
        page = approvers[staff_id]
        if index == 0:
            await page.screenshot(path=str(artifacts / "2-inbox.png"), full_page=True)
            row = await page.locator(f"tr[data-document-id='{document_id}']").inner_text()
            assert "¥1,500,000" in row and "総務課" in row  # drafter and amount tell same-titled items apart
            await assert_accessible(page)
        await page.click(f"tr[data-document-id='{document_id}'] a")
        await page.wait_for_url(f"**/documents/{document_id}")
        assert await offered(page) == buttons, staff_id
        if staff_id == FINANCE:  # what 同意 and 異議 do, said beside the buttons
            help_text = await page.locator("[data-testid=action-help]").inner_text()
            assert "同意" in help_text and "異議" in help_text
            await assert_accessible(page)
        if index == 0:
            await page.screenshot(path=str(artifacts / "4-document-with-actions.png"), full_page=True)
        await page.fill("textarea[name=comment]", "確認しました。")
        await page.click(f"[data-testid=actions] button:text-is('{press}')")
        await page.wait_for_load_state()
        assert await page.locator("[data-testid=refusal]").count() == 0
        done = page.locator("[data-testid=done][role=status]")  # the confirmation, announced
        assert (await done.inner_text()).endswith("ました。"), staff_id
        if press == "決裁":  # the settled state at once: the 文書番号, the budget committed (no 仮押さえ中)
            assert await page.locator("[data-testid=status]").inner_text() == "決裁済"
            assert "第" in await page.locator("[data-testid=number]").inner_text()
            assert await page.locator("[data-testid=finance]").inner_text() == "支出負担行為済"
            await page.screenshot(path=str(artifacts / "4b-decided-confirmed.png"), full_page=True)
            await assert_accessible(page)
        assert not await in_inbox(page, document_id)

    for page in (drafter, *approvers.values()):
        await page.goto(f"/documents/{document_id}")
        assert await page.locator("[data-testid=status]").inner_text() == "決裁済"
        assert await offered(page) <= {"comment"}
    timeline = await drafter.locator("[data-testid=timeline]").inner_text()
    assert timeline.count("本人") == 3 and "確認しました。" in timeline
    await drafter.screenshot(path=str(artifacts / "5-document-timeline.png"), full_page=True)
    await drafter.goto("/documents")
    assert "決裁済" in await drafter.locator(f"tr[data-document-id='{document_id}']").inner_text()
    await drafter.screenshot(path=str(artifacts / "6-my-documents.png"), full_page=True)
    await drafter.set_viewport_size({"width": 820, "height": 1180})  # a tablet held upright
    await drafter.goto(f"/documents/{document_id}")
    await drafter.screenshot(path=str(artifacts / "7-document-tablet.png"), full_page=True)
    await drafter.goto("/documents/new")
    await drafter.fill("input[name=amount_yen]", "300,000")
    await drafter.locator("[data-testid=route-preview] >> text=総務課 課長").wait_for()
    await drafter.screenshot(path=str(artifacts / "8-draft-tablet.png"), full_page=True)
    assert CONSOLE_ERRORS == []
