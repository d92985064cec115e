"""Personal settings over a real stack (SQLite and PostgreSQL): notification preferences (errors in Japanese, the
same model as the API), TOTP enrolment with its QR code drawn here and the recovery codes shown once, my sessions
with 終了 (another browser of mine is signed out at once), and 不在登録 for myself and, as 庶務 of my 課, for my
staff — refused for anyone else.  Each page passes axe-core.

The HR stub is shared by the whole test session: the absences here lie far in the future (they change no route
of today) and are cancelled again.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pyotp
import pytest
import pytest_asyncio
from temporalio.client import Client

from tests.support.databases import BACKENDS
from tests.support.stack import Stack, holder, seeded_full_stack
from tests.web.axe_pages import check_pages, chromium_page
from tests.web.conftest import Browser, sign_in

STAFF = holder("norin.suisan", "staff")  # a 主事
CHIEF = holder("norin.suisan", "chief")  # 係長 of the same 課: 庶務 for STAFF
OTHER = holder("somu.keiyaku", "staff")  # another 課's 主事: may register only for themselves
ENROLLING = holder("somu.keiyaku", "chief")  # enrols a second factor here (this module's database only)
AXE = holder("somu.keiyaku", "manager")
ABSENCE = {"kind": "trip", "start": "2091-05-07", "end": "2091-05-09", "note": "東京出張（例示）"}


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
        data_dir=tmp_path_factory.mktemp("settings-pages"),
        action_timeout_seconds=15,
    ) as stack:
        yield stack


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def people(stack: Stack) -> AsyncIterator[dict[str, Browser]]:
    """Signed-in people of the module (signed in once, never signed out: the session test opens its own)."""
    opened = {staff_id: await sign_in(stack, staff_id) for staff_id in (STAFF, CHIEF, OTHER, ENROLLING)}
    yield opened
    for browser in opened.values():
        await browser.http.aclose()


def absence_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-absence-id="(\d+)">', html)


async def test_notification_preferences_are_saved_and_refused_in_japanese(
    stack: Stack, people: dict[str, Browser]
) -> None:
    me = people[STAFF]
    page = await me.get("/settings")
    assert page.status_code == 200 and 'aria-current="page">設定' in page.text and "本文へ移動" in page.text
    assert "style=" not in page.text and "<script>" not in page.text
    missing = await me.post("/settings/notifications", {"channel_email": "1", "email": "", "chat_user_id": ""})
    assert missing.status_code == 422 and "メールアドレスを入力してください" in missing.text
    assert 'name="channel_email" value="1" checked' in missing.text  # what was typed is kept
    same = await me.post(
        "/settings/notifications", {"email": "", "chat_user_id": "", "quiet_start": "22:00", "quiet_end": "22:00"}
    )
    assert same.status_code == 422 and "開始と終了が同じ" in same.text
    saved = await me.post(
        "/settings/notifications",
        {
            "channel_email": "1",
            "email": "suisan@example.jp",
            "chat_user_id": "",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
        },
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/settings?done=notifications"
    page = await me.get(saved.headers["location"])
    assert "通知設定を保存しました" in page.text and 'value="suisan@example.jp"' in page.text
    assert 'name="channel_chat" value="1" checked' not in page.text
    api = (await stack.call(STAFF, "GET", "/v1/me/notification-preferences")).json()
    assert api == {
        "channels": ["email"],
        "email": "suisan@example.jp",
        "chat_user_id": None,
        "quiet_hours": {"start": "22:00", "end": "07:00"},
    }
    forged = await me.http.post("/settings/notifications", data={"email": "x@example.jp"})  # no CSRF token
    assert forged.status_code in (400, 403)


async def test_totp_enrolment_shows_a_local_qr_code_and_the_recovery_codes_once(people: dict[str, Browser]) -> None:
    me = people[ENROLLING]
    page = await me.get("/settings")
    assert "未登録です" in page.text and 'data-testid="enrol-totp"' in page.text
    started = await me.post("/settings/totp/enrol", {})
    assert started.status_code == 200 and 'src="data:image/svg+xml;base64,' in started.text
    assert 'alt="認証アプリに登録するQRコード"' in started.text and "<svg" not in started.text  # an image, no markup
    secret = re.search(r'data-testid="secret">([A-Z2-7]+)<', started.text)
    assert secret is not None
    totp = pyotp.TOTP(secret.group(1))
    wrong_code = "000000" if totp.now() != "000000" else "111111"
    wrong = await me.post("/settings/totp/confirm", {"code": wrong_code})
    assert (
        wrong.status_code == 401 and "コードが一致しません" in wrong.text and 'data-testid="confirm-totp"' in wrong.text
    )
    malformed = await me.post("/settings/totp/confirm", {"code": "12ab"})
    assert malformed.status_code == 422 and "6桁の数字" in malformed.text
    confirmed = await me.post("/settings/totp/confirm", {"code": totp.now()})
    assert confirmed.status_code == 200, confirmed.text
    codes = re.findall(r"<li><code>([^<]+)</code></li>", confirmed.text)
    assert len(set(codes)) == 10 and "いまだけ表示します" in confirmed.text
    again = await me.get("/settings")
    assert "登録済み" in again.text and not any(code in again.text for code in codes)  # shown once


async def test_my_sessions_are_listed_and_another_browser_is_ended(stack: Stack, people: dict[str, Browser]) -> None:
    me = people[OTHER]
    other = await sign_in(stack, OTHER)  # this test's own second browser: the module's stays signed in
    try:
        page = await me.get("/settings")
        rows = re.findall(r'<tr data-session-id="([^"]+)">(.*?)</tr>', page.text, re.S)
        assert sum('data-testid="current-session"' in row for _, row in rows) == 1
        mine = next(sid for sid, row in rows if 'data-testid="current-session"' in row)
        others = [sid for sid, row in rows if 'data-testid="current-session"' not in row]
        assert others, rows
        await other.get("/settings")
        theirs = re.findall(
            r'<tr data-session-id="([^"]+)">(?:(?!</tr>).)*data-testid="current-session"',
            (await other.get("/settings")).text,
            re.S,
        )
        assert len(theirs) == 1 and theirs[0] != mine
        ended = await me.post(f"/settings/sessions/{theirs[0]}/end", {})
        assert ended.status_code == 303 and ended.headers["location"] == "/settings?done=session"
        out = await other.http.get("/inbox")
        assert out.status_code == 303 and out.headers["location"].startswith("/signin")
        gone = await me.post(f"/settings/sessions/{theirs[0]}/end", {})
        assert gone.status_code == 404 and "見つかりません" in gone.text
        assert (await me.get("/inbox")).status_code == 200  # mine goes on

        third = await sign_in(stack, OTHER)  # ending this browser's own session signs it out
        try:
            page = await third.get("/settings")
            own = re.findall(
                r'<tr data-session-id="([^"]+)">(?:(?!</tr>).)*data-testid="current-session"', page.text, re.S
            )
            out = await third.post(f"/settings/sessions/{own[0]}/end", {})
            assert out.status_code == 303 and out.headers["location"] == "/signin"
            assert (await third.http.get("/settings")).status_code == 303
        finally:
            await third.http.aclose()
    finally:
        await other.http.aclose()
    anonymous = await httpx.AsyncClient(base_url=stack.api_url).get("/settings")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")


async def test_absences_for_myself_and_as_the_clerk_of_my_section(people: dict[str, Browser]) -> None:
    me, chief, other = people[STAFF], people[CHIEF], people[OTHER]
    page = await me.get("/settings/absences")
    assert page.status_code == 200 and 'data-testid="absence-form"' in page.text
    assert 'name="staff_id"' not in page.text  # a 主事 registers only their own
    bad = await me.post("/settings/absences", {**ABSENCE, "end": "2091-05-01"})
    assert bad.status_code == 422 and "終了日が開始日より前" in bad.text and 'value="東京出張（例示）"' in bad.text
    registered = await me.post("/settings/absences", ABSENCE)
    assert registered.status_code == 303, registered.text
    page = await me.get(registered.headers["location"])
    assert "不在を登録しました" in page.text and "出張" in page.text
    mine = absence_ids(page.text)
    assert len(mine) == 1
    refused = await me.post("/settings/absences", {**ABSENCE, "staff_id": CHIEF})  # not for a superior
    assert refused.status_code == 403 and "不在を登録できるのは本人" in refused.text

    page = await chief.get(f"/settings/absences?staff_id={STAFF}")
    assert 'name="staff_id"' in page.text and absence_ids(page.text) == mine  # 庶務 of the 課 sees and may act
    theirs = await chief.post(
        "/settings/absences", {**ABSENCE, "start": "2091-06-01", "end": "2091-06-02", "staff_id": STAFF}
    )
    assert theirs.status_code == 303 and STAFF in theirs.headers["location"]
    page = await chief.get(theirs.headers["location"])
    both = absence_ids(page.text)
    assert len(both) == 2 and set(mine) < set(both)
    assert (await other.post(f"/settings/absences/{mine[0]}/cancel", {})).status_code == 403  # another 課
    added = next(i for i in both if i not in mine)
    cancelled = await chief.post(f"/settings/absences/{added}/cancel", {"staff_id": STAFF})
    assert cancelled.status_code == 303
    cancelled = await me.post(f"/settings/absences/{mine[0]}/cancel", {"staff_id": STAFF})
    assert cancelled.status_code == 303 and cancelled.headers["location"] == "/settings/absences?done=cancelled"
    page = await me.get(cancelled.headers["location"])
    assert "取り消しました" in page.text and absence_ids(page.text) == []
    assert (await me.post(f"/settings/absences/{mine[0]}/cancel", {})).status_code == 404


async def test_the_settings_pages_pass_axe(stack: Stack) -> None:
    async def enrol(page: Any) -> None:
        await page.click("[data-testid=enrol-totp]")
        await page.wait_for_selector("[data-testid=qr]")

    async with chromium_page(stack.api_url, AXE) as (page, errors):
        visits = [("/settings", None), ("/settings", enrol), ("/settings/absences", None)]
        await check_pages(page, errors, visits, shots=f"settings-pages-{stack.settings.database_url.split(':')[0]}")
