"""The seams of the pages that exist (issue #17, "Polish of what exists"), each checked through the pages over a real
stack: the 文書番号 shown, the 履歴 in Japanese with names, refusals in Japanese, the settled state and a confirmation
after an action, 合議 buttons explained, inbox rows that tell items apart, and ``status`` honoured under scope=mine.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

import httpx

from core.calendar import JST
from domain.fiscal import fiscal_year_of
from tests.support.stack import CITY, Stack, holder
from tests.web.conftest import Browser, sign_in
from tests.web.test_pages import DRAFT, buttons

DRAFTER = holder("somu.somu", "staff")
MANAGER = holder("somu.somu", "manager")
FINANCE = holder("somu.zaisei", "manager")


def row_of(html: str, document_id: str) -> str:
    found = re.search(rf'data-document-id="{document_id}".*?</tr>', html, re.S)
    assert found is not None, document_id
    return found.group(0)


def name_of(staff_id: str) -> str:
    return next(s.name for s in CITY.staff if s.id == staff_id)


async def budget_line(finance_url: str) -> str:
    code = f"0201-01-17-{uuid.uuid4().hex[:6]}"
    year = fiscal_year_of(datetime.now(JST).date())
    async with httpx.AsyncClient(base_url=finance_url) as http:
        body = {"name": "総務管理費 備品購入費（庁用備品）", "allocated_yen": 5_000_000}
        (await http.put(f"/admin/budgets/{year}/{code}", json=body)).raise_for_status()
    return code


async def test_after_the_decision_the_page_is_settled_confirmed_numbered_and_its_history_japanese(
    stack: Stack, finance_url: str
) -> None:
    """Seams 1, 2, 4: 決裁 shows at once 決裁済, the 文書番号 and 支出負担行為済 (not 仮押さえ中), with a
    confirmation (role=status); the 履歴 names every event in Japanese with who did it; 自分の文書 shows the number."""
    code = await budget_line(finance_url)
    drafter, manager = await sign_in(stack, DRAFTER), await sign_in(stack, MANAGER)
    try:
        created = await drafter.post("/documents/new", {**DRAFT, "amount_yen": "300,000", "budget_code": code})
        path = created.headers["location"]
        document_id = path.rsplit("/", 1)[1]
        page = await drafter.get(path)
        assert "決裁後に採番されます" in page.text
        submitted = await drafter.post(f"{path}/submit", {})
        assert (submitted.status_code, submitted.headers["location"]) == (303, f"{path}?done=submit")
        page = await drafter.get(submitted.headers["location"])
        assert re.search(r'<p class="done" role="status" aria-live="polite"[^>]*>提出しました', page.text)
        assert "仮押さえ中" in page.text  # held while in review: that is the settled state now

        decided = await manager.post(f"{path}/act", {"choice": "approve"})  # < 100万: the 課長 decides
        assert (decided.status_code, decided.headers["location"]) == (303, f"{path}?done=decide")
        page = await manager.get(decided.headers["location"])
        assert 'role="status"' in page.text and "決裁しました。" in page.text
        assert "決裁済" in page.text and "仮押さえ中" not in page.text and "支出負担行為済" in page.text
        number = re.search(r'data-testid="number">([^<]+)<', page.text)
        assert number is not None and re.fullmatch(r".+第\d+号", number.group(1)), number

        history = page.text.split("<h2>履歴", 1)[1]
        events = re.findall(r'data-event="([a-z_]+)">([^<]+)<', history)
        assert {kind for kind, _ in events} >= {"create", "submit", "approve", "number"}
        assert all(not re.fullmatch(r"[a-z_]+", label) for _, label in events)  # no raw event names
        assert "文書番号の採番" in history and number.group(1) in history and "（システム）" in history
        assert name_of(DRAFTER) in history and f">{DRAFTER}<" not in history  # names, not ids

        plain = await manager.get(path)  # without ?done: no confirmation
        assert 'data-testid="done"' not in plain.text
        mine = await drafter.get("/documents")
        assert number.group(1) in row_of(mine.text, document_id)
    finally:
        await drafter.http.aclose()
        await manager.http.aclose()


async def test_refusals_and_validation_messages_are_japanese(stack: Stack, finance_url: str) -> None:
    """Seam 3: the send-back reason, a budget exceeded at submit, "no document …", the empty form's preview."""
    drafter, manager = await sign_in(stack, DRAFTER), await sign_in(stack, MANAGER)
    try:
        empty = await drafter.post("/documents/new/preview", {"amount_yen": "abc"})
        assert "金額：半角数字（整数）で入力してください。" in empty.text and "Input should" not in empty.text
        missing = await drafter.get(f"/documents/{uuid.uuid4()}")
        assert missing.status_code == 404 and "見つかりません" in missing.text and "no document" not in missing.text

        doc = await stack.submitted(DRAFTER, amount_yen=300_000)
        path = f"/documents/{doc['id']}"
        await manager.get(path)
        no_reason = await manager.post(f"{path}/act", {"choice": "send_back"})
        assert no_reason.status_code == 422 and "差戻しには理由（コメント）の記入が必要です。" in no_reason.text
        assert "needs a reason" not in no_reason.text

        code = await budget_line(finance_url)  # ¥5,000,000 on the line
        over = await stack.draft(DRAFTER, 9_000_000, budget_code=code)
        refused = await drafter.post(f"/documents/{over['id']}/submit", {})
        reason = re.search(r'data-testid="refusal">([^<]+)<', refused.text)
        assert refused.status_code == 409 and reason is not None, refused.text[:400]
        assert "予算が不足しています" in reason.group(1) and "yen" not in reason.group(1), reason.group(1)
    finally:
        await drafter.http.aclose()
        await manager.http.aclose()


async def test_the_consult_step_offers_consent_or_objection_each_explained(stack: Stack) -> None:
    """Seam 5: in a 合議 the chain takes 承認 as 同意; the page offers 同意 and 異議 and says what each does."""
    doc = await stack.submitted(DRAFTER)  # ¥1,500,000: 課長 (回議) → 財政課長 (合議) → 部長 (決裁)
    assert (await stack.act(MANAGER, doc["id"], "approve")).status_code == 200
    finance: Browser = await sign_in(stack, FINANCE)
    try:
        page = await finance.get(f"/documents/{doc['id']}")
        assert buttons(page.text) >= {"consent", "object"} and "approve" not in buttons(page.text)
        help_list = page.text.split('data-testid="action-help"', 1)[1].split("</dl>", 1)[0]
        assert "同意します" in help_list and "異議を述べます" in help_list
        assert 'aria-describedby="help-consent"' in page.text and 'id="help-consent"' in page.text
    finally:
        await finance.http.aclose()


async def test_inbox_rows_show_drafter_amount_and_the_post_review_names_the_substitute(
    stack: Stack, hr_url: str
) -> None:
    """Seams 6, 7 (and 1 in the inbox): drafter and amount in every row; a 後閲 names its 代決者 and shows the
    number of the decided document."""
    from integrations.hr import HttpHrClient

    deputy_id = holder("somu.somu", "assistant_manager")
    doc = await stack.submitted(DRAFTER, amount_yen=300_000)
    manager = await sign_in(stack, MANAGER)
    try:
        row = row_of((await manager.get("/inbox")).text, doc["id"])
        assert "¥300,000" in row and name_of(DRAFTER) in row and "総務課" in row
        today = datetime.now(JST).date()
        async with HttpHrClient(hr_url) as hr:
            leave = await hr.add_absence(MANAGER, kind="leave", start=today, end=today, note="年次休暇")
            try:
                r = await stack.act(deputy_id, doc["id"], "substitute", on_behalf_of=MANAGER)
                assert r.status_code == 200, r.text
            finally:
                await hr.delete_absence(leave.id)
        owed = row_of((await manager.get("/inbox")).text, doc["id"])
        assert "後閲" in owed and name_of(deputy_id) in owed and deputy_id not in owed
        read = await stack.call(MANAGER, "GET", f"/v1/documents/{doc['id']}")
        number = read.json()["number_display"]
        assert number and number in owed
    finally:
        await manager.http.aclose()


async def test_the_status_filter_applies_to_my_documents_too(stack: Stack) -> None:
    """Seam 8: ``GET /v1/documents?status=…`` under the default scope=mine answers only those statuses."""
    draft = await stack.draft(DRAFTER)
    sent = await stack.submitted(DRAFTER)
    drafts = await stack.call(DRAFTER, "GET", "/v1/documents", params={"status": "draft", "limit": 200})
    assert drafts.status_code == 200
    statuses = {d["status"] for d in drafts.json()["items"]}
    assert statuses == {"draft"} and draft["id"] in {d["id"] for d in drafts.json()["items"]}
    assert sent["id"] not in {d["id"] for d in drafts.json()["items"]}
    both = await stack.call(DRAFTER, "GET", "/v1/documents?status=draft&status=in_review&limit=200")
    assert {d["status"] for d in both.json()["items"]} <= {"draft", "in_review"}
    assert sent["id"] in {d["id"] for d in both.json()["items"]}
    assert both.json()["total"] >= drafts.json()["total"] + 1


async def test_after_a_recall_the_page_shows_the_budget_released_and_confirms_it(
    stack: Stack, finance_url: str
) -> None:
    """Seam 4 (引戻し): the page after the recall shows the 仮押さえ released, not 仮押さえ中, and says so."""
    code = await budget_line(finance_url)
    doc = await stack.submitted(DRAFTER, amount_yen=300_000, budget_code=code)
    path = f"/documents/{doc['id']}"
    drafter = await sign_in(stack, DRAFTER)
    try:
        assert "仮押さえ中" in (await drafter.get(path)).text
        recalled = await drafter.post(f"{path}/act", {"choice": "recall"})
        assert (recalled.status_code, recalled.headers["location"]) == (303, f"{path}?done=recall")
        page = await drafter.get(recalled.headers["location"])
        assert "「引戻し」を行いました。" in page.text and 'role="status"' in page.text
        finance = re.search(r'data-testid="finance">([^<]+)<', page.text)
        assert finance is not None and finance.group(1) == "仮押さえ解除", finance
    finally:
        await drafter.http.aclose()
