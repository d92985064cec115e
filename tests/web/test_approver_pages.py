"""The approver's document page over a real stack (SQLite and PostgreSQL): 差戻し with its target chosen from the route
and its reason required (the error beside the field, what was typed kept), and, on re-approval after the drafter's
edit, 「前回承認時からの変更」 (件名, 本文, 金額, attachments) against the version this approver approved."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client

from tests.support.databases import BACKENDS, fresh_database
from tests.support.stack import Stack, full_stack, holder
from tests.web.conftest import Browser, sign_in

DRAFTER = holder("somu.somu", "staff")
MANAGER = holder("somu.somu", "manager")  # 総務課長: 回議 (第1段)
FINANCE = holder("somu.zaisei", "manager")  # 財政課長: 合議 (第2段)
EDIT = {
    "title": "庁用備品の購入について（見積書添付）",
    "body": "下記のとおり購入してよろしいか伺います。見積書を添付します。",
    "amount_yen": "1,200,000",
    "confidentiality": "1",
    "retention_years": "5",
    "budget_code": "",
}


@pytest_asyncio.fixture(scope="module", loop_scope="session", params=BACKENDS)
async def stack(
    request: pytest.FixtureRequest,
    temporal_client: Client,
    hr_url: str,
    finance_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Stack]:
    data_dir: Path = tmp_path_factory.mktemp("approver-pages")
    async with (
        fresh_database(request.param, data_dir, seeded=True) as url,
        full_stack(
            url, temporal_client, hr_url=hr_url, finance_url=finance_url, data_dir=data_dir, action_timeout_seconds=15
        ) as stack,
    ):
        yield stack


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def people(stack: Stack) -> AsyncIterator[dict[str, Browser]]:
    opened = {staff_id: await sign_in(stack, staff_id) for staff_id in (DRAFTER, MANAGER, FINANCE)}
    yield opened
    for browser in opened.values():
        await browser.http.aclose()


def options(html: str) -> dict[str, str]:
    select = re.search(r'<select name="target_step".*?</select>', html, re.S)
    assert select is not None
    found = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', select.group(0))
    return {value: label for value, label in found}


async def test_send_back_to_a_chosen_step_and_the_changes_since_my_approval(
    stack: Stack, people: dict[str, Browser]
) -> None:
    drafter, manager, finance = people[DRAFTER], people[MANAGER], people[FINANCE]
    doc = await stack.submitted(DRAFTER)  # ¥1,500,000: 課長 (回議) → 財政課長 (合議) → 部長 (決裁)
    path = f"/documents/{doc['id']}"
    await stack.ok(MANAGER, doc["id"], "approve", "確認しました")

    page = await finance.get(path)
    targets = options(page.text)
    assert list(targets) == ["0", "1"]
    assert targets["0"].startswith("起案者へ") and "第2段 合議" in targets["1"] and "差戻し先" in page.text

    # No reason: refused in Japanese beside the reason field; the chosen target stays chosen.
    missing = await finance.post(f"{path}/act", {"choice": "send_back", "target_step": "1", "comment": " "})
    assert missing.status_code == 422
    error = re.search(r'id="err-comment"[^>]*>([^<]+)<', missing.text)
    assert error is not None and "差戻しには理由" in error.group(1)
    assert 'aria-describedby="err-comment"' in missing.text and '<option value="1" selected>' in missing.text

    sent = await finance.post(
        f"{path}/act", {"choice": "send_back", "target_step": "0", "comment": "見積書を添付してください"}
    )
    assert sent.status_code == 303
    assert "第1段へ" in (await drafter.get(path)).text

    # The approval kept the content it approved (the audit chain's approve event).
    audit = (await stack.call(MANAGER, "GET", f"/v1/documents/{doc['id']}/audit")).json()
    approve = next(e for e in audit["events"] if e["action"] == "approve")
    assert approve["detail"]["content"]["amount_yen"] == 1_500_000 and audit["verified"]

    assert (await drafter.post(f"{path}/edit", EDIT)).status_code == 303
    upload = await stack.call(
        DRAFTER, "POST", f"/v1/documents/{doc['id']}/attachments", files={"file": ("見積書.pdf", b"%PDF-1.4", "x/y")}
    )
    assert upload.status_code == 201, upload.text
    await stack.ok(DRAFTER, doc["id"], "resubmit")

    again = await manager.get(path)
    assert "approve" in again.text and 'data-testid="since-approval"' in again.text
    since = again.text.split('data-testid="since-approval"', 1)[1].split("</section>", 1)[0]
    assert "前回承認時からの変更" in again.text and "第1版から、現在の第2版" in since
    assert "金額：¥1,500,000 → ¥1,200,000" in since
    assert "件名：「備品購入について」→「庁用備品の購入について（見積書添付）」" in since
    assert "添付ファイルの追加：見積書.pdf" in since and 'data-change="body"' in since  # the body changed too
    assert 'data-testid="since-approval"' not in (await drafter.get(path)).text  # the drafter approved nothing
