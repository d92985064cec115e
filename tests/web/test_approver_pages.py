"""The document page over a real stack (SQLite and PostgreSQL): 差戻し with its target chosen from the route and its
reason required (the error beside the field, what was typed kept); on re-approval after the drafter's edit,
「前回承認時からの変更」 (件名, 本文, 金額, attachments) against the version this approver approved; and 添付ファイル
from the browser (upload, list, download, delete while allowed, refusals in Japanese beside the file field)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from temporalio.client import Client

from tests.support.databases import BACKENDS
from tests.support.stack import Stack, holder, seeded_full_stack
from tests.web.axe_pages import ARTIFACTS, check_pages, chromium_page
from tests.web.conftest import Browser, sign_in

DRAFTER = holder("somu.somu", "staff")
MANAGER = holder("somu.somu", "manager")  # 総務課長: 回議 (第1段)
FINANCE = holder("somu.zaisei", "manager")  # 財政課長: 合議 (第2段)
LIMIT = 100_000  # bytes: a small attachment limit, so that "too large" is cheap to send
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
    async with seeded_full_stack(
        request.param,
        temporal_client,
        hr_url=hr_url,
        finance_url=finance_url,
        data_dir=tmp_path_factory.mktemp("approver-pages"),
        action_timeout_seconds=15,
        attachment_max_bytes=LIMIT,
    ) as stack:
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


async def upload(browser: Browser, path: str, name: str, content: bytes) -> httpx.Response:
    return await browser.http.post(
        f"{path}/attachments", data={"csrf_token": browser.csrf}, files={"file": (name, content, "application/pdf")}
    )


async def test_attachments_from_the_browser(stack: Stack, people: dict[str, Browser]) -> None:
    drafter, manager = people[DRAFTER], people[MANAGER]
    doc = await stack.draft(DRAFTER)
    path = f"/documents/{doc['id']}"
    page = await drafter.get(path)
    assert 'data-testid="upload-form"' in page.text and 'enctype="multipart/form-data"' in page.text
    assert f'data-max-bytes="{LIMIT}"' in page.text and "data-dropzone" in page.text
    assert '<script src="/static/attachments.js"' in page.text and "style=" not in page.text

    added = await upload(drafter, path, "見積書.pdf", b"%PDF-1.4 estimate")
    assert added.status_code == 303 and added.headers["location"].startswith(f"{path}?done=attach")
    page = await drafter.get(added.headers["location"])
    assert "ファイルを添付しました。" in page.text and ">見積書.pdf</a>" in page.text
    assert f'href="{path}/attachments/1"' in page.text and 'data-testid="delete-attachment-1"' in page.text
    download = await drafter.get(f"{path}/attachments/1")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 estimate"
    listed = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/attachments")  # the API sees the same
    assert [a["filename"] for a in listed.json()["items"]] == ["見積書.pdf"]

    # Refusals, in Japanese beside the file field: too large (by the service, or by the body limit), empty, no file.
    big = await upload(drafter, path, "図面.pdf", b"x" * (LIMIT + 1))
    assert big.status_code == 413 and 'id="upload-status"' in big.text
    assert "ファイルが大きすぎます。添付ファイルは100,000 バイトまでです。" in big.text
    huge = await upload(drafter, path, "図面.pdf", b"x" * (LIMIT + 200_000))
    assert huge.status_code == 413 and "ファイルが大きすぎます" in huge.text
    empty = await upload(drafter, path, "空.pdf", b"")
    assert empty.status_code == 422 and "ファイルが空です" in empty.text
    none = await drafter.http.post(f"{path}/attachments", data={"csrf_token": drafter.csrf})
    assert none.status_code == 422 and "添付するファイルを選んでください。" in none.text
    no_csrf = await drafter.http.post(f"{path}/attachments", files={"file": ("a.pdf", b"a", "application/pdf")})
    assert no_csrf.status_code == 403

    # The drafter's division (総務課長) may attach while it is a draft; the drafter deletes before anyone approved.
    assert 'data-testid="upload-form"' in (await manager.get(path)).text
    deleted = await drafter.post(f"{path}/attachments/1/delete", {})
    assert deleted.status_code == 303
    page = await drafter.get(deleted.headers["location"])
    assert "添付ファイルを削除しました。" in page.text and ">見積書.pdf</a>" not in page.text

    # After an approval: the drafter may still add, but not delete.
    assert (await upload(drafter, path, "仕様書.pdf", b"%PDF spec")).status_code == 303
    assert (await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/submit")).status_code == 200
    await stack.ok(MANAGER, doc["id"], "approve")
    page = await drafter.get(path)
    assert 'data-testid="upload-form"' in page.text and "delete-attachment-" not in page.text
    assert 'data-testid="upload-form"' not in (await manager.get(path)).text  # the division: only while editable
    refused = await drafter.post(f"{path}/attachments/2/delete", {})
    assert refused.status_code == 409 and "承認が始まった文書の添付ファイルは削除・差替えできません" in refused.text


async def test_the_pages_pass_axe_and_a_too_large_file_is_refused_before_it_is_sent(stack: Stack) -> None:
    """In Chromium, as 総務課長: a re-approval page (前回承認時からの変更, the 差戻し target select) and a draft of the
    division (its attachment list and upload area) pass axe; a file over the limit is refused by the page itself."""
    again = await stack.submitted(DRAFTER)
    await stack.ok(MANAGER, again["id"], "approve")
    await stack.ok(FINANCE, again["id"], "send_back", "金額を見直してください", target_step=0)
    edit = await stack.call(DRAFTER, "PATCH", f"/v1/documents/{again['id']}", json={"amount_yen": 1_100_000})
    assert edit.status_code == 200, edit.text
    await stack.ok(DRAFTER, again["id"], "resubmit")
    draft = await stack.draft(DRAFTER)
    files = {"file": ("見積書.pdf", b"%PDF-1.4", "application/pdf")}
    assert (await stack.call(DRAFTER, "POST", f"/v1/documents/{draft['id']}/attachments", files=files)).is_success
    shots = f"approver-pages-{stack.settings.database_url.split(':')[0]}"
    async with chromium_page(stack.api_url, MANAGER) as (page, errors):
        visits = [(f"/documents/{again['id']}", None), (f"/documents/{draft['id']}", None)]
        await check_pages(page, errors, visits, shots=shots)
        await page.goto(f"/documents/{again['id']}")
        assert "¥1,500,000 → ¥1,100,000" in await page.locator("[data-testid=since-approval]").inner_text()
        await page.goto(f"/documents/{draft['id']}")
        big = {"name": "図面.pdf", "mimeType": "application/pdf", "buffer": b"x" * (LIMIT + 1)}
        await page.set_input_files("#attachment-file", big)
        await page.click("[data-testid=upload]")
        status = page.locator("#upload-status")
        assert "ファイルが大きすぎます" in await status.inner_text()
        assert page.url.endswith(f"/documents/{draft['id']}")  # nothing was sent
        await page.screenshot(path=str(ARTIFACTS / shots / "3-too-large-refused.png"), full_page=True)
        assert errors == [], errors
