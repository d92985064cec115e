"""The web pages over a real stack (SQLite and PostgreSQL): sign-in, cookies and CSRF, the same rules as the API.

Each page calls the API's services, so what a person may see and do here is what the JSON API lets them do.
"""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest

from api.services.auth import SecondFactorRequired
from api.web import signin
from core.calendar import JST
from integrations.hr import HttpHrClient
from tests.support.stack import Stack, holder
from tests.web.conftest import KEY, SIGNIN_CSRF, sign_in

DRAFTER = holder("somu.somu", "staff")
MANAGER = holder("somu.somu", "manager")
FINANCE = holder("somu.zaisei", "manager")
DIRECTOR = holder("somu", "director")
DRAFT = {
    "title": "庁用備品の購入について",
    "body": "下記のとおり購入してよろしいか伺います。",
    "amount_yen": "1,500,000",
    "confidentiality": "1",
    "retention_years": "5",
    "budget_code": "",
}


def buttons(html: str) -> set[str]:
    return set(re.findall(r'name="choice" value="([a-z_]+)', html))


async def test_signin_sets_a_safe_cookie_and_pages_need_it(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as http:
        assert (await http.get("/")).headers["location"] == "/signin"
        r = await http.get("/inbox")
        assert (r.status_code, r.headers["location"]) == (303, "/signin?next=/inbox")
        form = await http.get("/signin")
        assert "サインイン" in form.text and 'name="one_time_code"' in form.text
        assert "default-src 'self'" in form.headers["content-security-policy"]  # nothing from outside
        assert re.findall(r'(?:src|href)="(https?:)?//', form.text) == []
        token = SIGNIN_CSRF.search(form.text)
        assert token is not None

        refused = await http.post("/signin", data={"staff_id": DRAFTER, "password": "demo"})
        assert refused.status_code == 403  # no sign-in CSRF token: no login CSRF
        wrong = await http.post(
            "/signin", data={"staff_id": DRAFTER, "password": "nope", "signin_csrf": token.group(1)}
        )
        assert wrong.status_code == 401 and "正しくありません" in wrong.text
        ok = await http.post(
            "/signin", data={"staff_id": DRAFTER, "password": "demo", "signin_csrf": token.group(1), "next": "//evil"}
        )
        assert (ok.status_code, ok.headers["location"]) == (303, "/inbox")  # no open redirect
        cookie = next(c for c in ok.headers.get_list("set-cookie") if c.startswith("ringi_session="))
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie  # Secure over https
        inbox = await http.get("/inbox")
        assert inbox.status_code == 200 and "受信箱" in inbox.text

        # A bearer token is no session cookie.
        bearer = await stack.token(DRAFTER)
        http.cookies.set("ringi_session", bearer)
        assert (await http.get("/inbox")).status_code == 303


async def test_forms_need_the_sessions_csrf_token_and_sign_out_ends_it(stack: Stack) -> None:
    me = await sign_in(stack, DRAFTER)
    try:
        assert (await me.post("/documents/new", DRAFT, csrf=False)).status_code == 403
        other = await sign_in(stack, MANAGER)
        forged = await me.http.post("/documents/new", data={**DRAFT, "csrf_token": other.csrf})
        await other.http.aclose()
        assert forged.status_code == 403  # another session's token does not do
        created = await me.post("/documents/new", DRAFT)
        assert created.status_code == 303 and created.headers["location"].startswith("/documents/")

        assert (await me.post("/signout", {})).status_code == 303
        assert (await me.get("/inbox")).status_code == 303
    finally:
        await me.http.aclose()


async def test_draft_preview_budget_and_the_route_through_the_pages(stack: Stack, finance_url: str) -> None:
    drafter = await sign_in(stack, DRAFTER)
    manager = await sign_in(stack, MANAGER)
    director = await sign_in(stack, DIRECTOR)
    try:
        preview = await drafter.post("/documents/new/preview", DRAFT)
        assert preview.status_code == 200
        assert [stage in preview.text for stage in ("回議", "合議", "決裁")] == [True, True, True]
        assert "財政課 課長" in preview.text and "総務部 部長" in preview.text

        budget = await drafter.get("/budgets/check?budget_code=0201-01-17-001&amount_yen=1,500,000")
        assert "執行可能額" in budget.text and "¥" in budget.text
        unknown = await drafter.get("/budgets/check?budget_code=9999-00&amount_yen=1")
        assert 'class="alert' in unknown.text

        bad = await drafter.post("/documents/new", {**DRAFT, "title": ""})
        assert bad.status_code == 422 and "件名" in bad.text

        created = await drafter.post("/documents/new", DRAFT)
        path = created.headers["location"]
        document_id = path.rsplit("/", 1)[1]
        page = await drafter.get(path)
        assert "¥1,500,000" in page.text and 'value="submit"' in page.text and "令和" in page.text
        before = await manager.get(path)  # the drafter's 課 may read it (visibility), but nothing is theirs to do yet
        assert before.status_code == 200 and buttons(before.text) == set()

        key = KEY.search(page.text)
        assert key is not None
        submitted = await drafter.post(f"{path}/submit", {"idempotency_key": key.group(1)})
        assert submitted.status_code == 303
        page = await drafter.get(path)
        assert "回議中" in page.text and buttons(page.text) == {"recall", "withdraw", "comment"}

        mine = await manager.get(path)
        assert buttons(mine.text) == {"approve", "send_back", "comment"}
        allowed = await stack.call(MANAGER, "GET", f"/v1/documents/{document_id}/actions/allowed")
        assert {a["action"] for a in allowed.json()["actions"]} == buttons(mine.text)  # one source for both

        # Not their turn: the director is offered only a comment, and an approval is refused with its reason.
        assert buttons((await director.get(path)).text) == {"comment"}
        refused = await director.post(f"{path}/act", {"choice": "approve", "idempotency_key": "k-1"})
        assert refused.status_code == 403 and "あなたの順番ではありません" in refused.text

        missing_reason = await manager.post(f"{path}/act", {"choice": "send_back", "idempotency_key": "k-2"})
        assert missing_reason.status_code == 422 and "差戻しには理由" in missing_reason.text
        approved = await manager.post(f"{path}/act", {"choice": "approve", "comment": "確認しました"})
        assert approved.status_code == 303
        after = await manager.get(path)
        assert "確認しました" in after.text and "本人" in after.text
        assert buttons(after.text) == {"recall", "comment"}
    finally:
        for browser in (drafter, manager, director):
            await browser.http.aclose()


async def test_the_code_field_appears_when_the_credential_check_asks_for_a_second_factor(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def needs_code(*_: object, one_time_code: str | None = None, **__: object) -> None:
        raise SecondFactorRequired("ワンタイムコードを入力してください。")

    monkeypatch.setattr(signin, "authenticate", needs_code)
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30) as http:
        form = await http.get("/signin")
        token = SIGNIN_CSRF.search(form.text)
        assert token is not None and re.search(r'<div class="otp"\s+hidden', form.text)
        r = await http.post("/signin", data={"staff_id": DRAFTER, "password": "demo", "signin_csrf": token.group(1)})
        assert r.status_code == 401 and "ワンタイムコード" in r.text
        assert re.search(r'<div class="otp"\s*>', r.text) and "ringi_session" not in r.headers.get("set-cookie", "")


async def test_allowed_actions_are_as_private_as_the_document(stack: Stack) -> None:
    doc = await stack.submitted(DRAFTER)
    outsider = holder("somu.jinji", "manager")
    r = await stack.call(outsider, "GET", f"/v1/documents/{doc['id']}/actions/allowed")
    assert r.status_code == 403
    mine = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/actions/allowed")
    assert {a["action"] for a in mine.json()["actions"]} == {"recall", "withdraw", "comment"}
    draft = await stack.draft(DRAFTER)
    unsent = await stack.call(DRAFTER, "GET", f"/v1/documents/{draft['id']}/actions/allowed")
    assert unsent.json() == {"actions": [], "can_submit": True, "can_edit": True, "can_issue": False}


async def test_a_sent_back_document_is_edited_and_resubmitted_through_the_pages(stack: Stack) -> None:
    doc = await stack.submitted(DRAFTER)
    path = f"/documents/{doc['id']}"
    manager = await sign_in(stack, MANAGER)
    drafter = await sign_in(stack, DRAFTER)
    try:
        sent_back = await manager.post(
            f"{path}/act", {"choice": "send_back", "comment": "見積書を添付してください", "target_step": "0"}
        )
        assert sent_back.status_code == 303
        page = await drafter.get(path)
        assert "差戻し" in page.text and "見積書を添付してください" in page.text
        assert buttons(page.text) == {"resubmit", "withdraw", "comment"} and f"{path}/edit" in page.text
        assert (await manager.get(f"{path}/edit")).status_code == 200  # the form shows; saving is refused:
        refused = await manager.post(f"{path}/edit", {**DRAFT, "amount_yen": "1"})
        assert refused.status_code == 403 and "起案者だけです" in refused.text

        form = await drafter.get(f"{path}/edit")
        assert 'value="1,500,000"' in form.text and "第1版 → 第2版" in form.text
        edited = await drafter.post(f"{path}/edit", {**DRAFT, "amount_yen": "1,200,000"})
        assert edited.status_code == 303
        page = await drafter.get(path)
        assert "¥1,200,000" in page.text and "第2版" in page.text
        assert (await drafter.post(f"{path}/act", {"choice": "resubmit"})).status_code == 303
        assert "approve" in buttons((await manager.get(path)).text)
    finally:
        await manager.http.aclose()
        await drafter.http.aclose()


async def test_a_substitute_decides_from_the_inbox_and_the_decider_then_owes_a_post_review(
    stack: Stack, hr_url: str
) -> None:
    """代決: the 課長 is on leave; the 課長補佐 finds the matter in the inbox as 代決 and is offered 代決 for them."""
    deputy_id = holder("somu.somu", "assistant_manager")
    doc = await stack.submitted(DRAFTER, amount_yen=300_000)  # < 100万: 総務課長 decides
    path = f"/documents/{doc['id']}"
    deputy = await sign_in(stack, deputy_id)
    manager = await sign_in(stack, MANAGER)
    today = datetime.now(JST).date()
    try:
        at_work = await deputy.get(path)  # the 課 may read it; no 代決 while the 課長 is at work
        assert at_work.status_code == 200 and not any(b.startswith("substitute") for b in buttons(at_work.text))
        async with HttpHrClient(hr_url) as hr:
            leave = await hr.add_absence(MANAGER, kind="leave", start=today, end=today, note="年次休暇")
            try:
                inbox = await deputy.get("/inbox")
                row = re.search(rf'data-document-id="{doc["id"]}".*?</tr>', inbox.text, re.S)
                assert row is not None and "代決" in row.group(0) and "の分" in row.group(0)
                page = await deputy.get(path)
                assert f'value="substitute:{MANAGER}"' in page.text and f'value="reject:{MANAGER}"' in page.text
                assert (await deputy.post(f"{path}/act", {"choice": f"substitute:{MANAGER}"})).status_code == 303
            finally:
                await hr.delete_absence(leave.id)
        page = await deputy.get(path)
        assert "決裁済" in page.text and "代決" in page.text
        owed = re.search(rf'data-document-id="{doc["id"]}".*?</tr>', (await manager.get("/inbox")).text, re.S)
        assert owed is not None and "後閲" in owed.group(0)
        assert buttons((await manager.get(path)).text) == {"post_review", "comment"}
        assert (await manager.post(f"{path}/act", {"choice": "post_review"})).status_code == 303
        assert doc["id"] not in (await manager.get("/inbox")).text
    finally:
        await deputy.http.aclose()
        await manager.http.aclose()
