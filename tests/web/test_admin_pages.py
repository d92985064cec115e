"""The administrators' pages over a real stack (SQLite and PostgreSQL): the landing page and its nav link, the
rulebook versions (list, view with cited rows, upload by file or pasted text, problems shown row by row), 人事異動
(entered line by line or as the API's JSON, its impact on the documents in flight, apply), the アクセスログ with
filters and pages, ロック中のアカウント with 解除, and an account's password reset, deactivation and second-factor
reset.  A 主事 is refused every page and action with the API's 403; axe-core finds nothing on any page.

One stack for the module, with an HR stub of its own (applying a transfer changes the org chart).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any, get_args
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import pytest_asyncio
import yaml
from sqlalchemy import update
from temporalio.client import Client

from api.web.messages import japanese
from api.web.render import ACCESS_KIND
from core.demo_city import generate_city
from db.models import OrgTransferRow
from db.session import create_engine, create_sessionmaker
from schemas.api.signin import AccessKind
from stubs.hr.app import create_app as create_hr_app
from tests.api.support import ADMIN, DRAFTER, MANAGER, SMALL
from tests.api.test_rules import TODAY, shipped
from tests.support.chromium import find_chromium
from tests.support.databases import BACKENDS, fresh_database
from tests.support.serve import serve_app
from tests.support.stack import Stack, full_stack, holder
from tests.web.conftest import Browser, sign_in

TARGET = holder("shimin.zeimu", "staff")  # 税務課 主事: the account the administrator works on
SUCCESSOR = holder("somu.jinji", "assistant_manager")  # 人事課 課長補佐 -> 総務課長
ARTIFACTS = Path(__file__).parents[1] / "browser" / "artifacts"  # gitignored, as the browser tests' screenshots
PAGES = ["/admin", "/admin/rules", "/admin/transfers", "/admin/access-log", "/admin/lockouts", "/admin/staff"]


@pytest_asyncio.fixture(scope="module", loop_scope="session", params=BACKENDS)
async def stack(
    request: pytest.FixtureRequest,
    temporal_client: Client,
    finance_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Stack]:
    """One stack for the module on a seeded database and an HR stub of its own."""
    data_dir: Path = tmp_path_factory.mktemp("admin-pages")
    async with (
        fresh_database(request.param, data_dir, seeded=True) as url,
        serve_app(create_hr_app(data_dir / "hr.db", city=generate_city())) as hr_url,
        full_stack(
            url, temporal_client, hr_url=hr_url, finance_url=finance_url, data_dir=data_dir, action_timeout_seconds=15
        ) as stack,
    ):
        yield stack


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def people(stack: Stack) -> AsyncIterator[dict[str, Browser]]:
    """The administrator and a 主事, signed in once (never the account the tests lock, reset or deactivate)."""
    opened = {staff_id: await sign_in(stack, staff_id) for staff_id in (ADMIN, DRAFTER)}
    yield opened
    for browser in opened.values():
        await browser.http.aclose()


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("only administrators may read the access log", "この操作はシステム管理者だけが行えます。"),
        ("only an administrator may manage 人事異動 (org transfers)", "この操作はシステム管理者だけが行えます。"),
        ("overlaps row 4 (別表第1 第1項(3)ア)", "5行目（別表第1 第1項(3)ア）と金額などの範囲が重なっています。"),
        ("gap: no band covers 1000000 up to 1100000", "1000000以上1100000未満を定める行がありません。"),
        ("unknown post code 'kacho'", "職コード kacho はありません。"),
        ("start[2]: unknown staff 's9999'", "発令の3行目：職員 s9999 は登録されていません。"),
        (
            "end[0]: s1 does not hold manager in somu.somu on 2027-03-31",
            "終了の1行目：s1 は 2027-03-31 に somu.somu の manager に就いていません。",
        ),
        ("s0001 has no second factor enrolled", "s0001 は二要素認証を登録していません。"),
        (
            "you may not deactivate your own account (another administrator may)",
            "自分のアカウントは無効にできません（ほかの管理者が行えます）。",
        ),
    ],
)
def test_the_administrators_refusals_are_shown_in_japanese(reason: str, expected: str) -> None:
    assert japanese(reason) == expected


def test_every_access_log_kind_has_a_japanese_label() -> None:
    assert set(ACCESS_KIND) == set(get_args(AccessKind))


async def token_status(stack: Stack, staff_id: str, password: str = "demo") -> int:
    r = await stack.http.post("/v1/auth/token", json={"staff_id": staff_id, "password": password})
    return r.status_code


async def test_the_landing_page_and_its_nav_link_are_for_administrators_only(
    stack: Stack, people: dict[str, Browser]
) -> None:
    admin, clerk = people[ADMIN], people[DRAFTER]
    r = await admin.get("/admin")
    assert r.status_code == 200, r.text
    assert 'data-testid="nav-admin"' in r.text and 'aria-current="page" data-testid="nav-admin">管理' in r.text
    assert 'class="skip-link" href="#main"' in r.text and "style=" not in r.text and "<script>" not in r.text
    for path in PAGES[1:]:
        assert f'href="{path}"' in r.text
        assert (await admin.get(path)).status_code == 200, path
    inbox = await clerk.get("/inbox")
    assert 'data-testid="nav-admin"' not in inbox.text
    for path in [*PAGES, "/admin/rules/2021-04-01", f"/admin/staff/{TARGET}", "/admin/transfers/nope"]:
        refused = await clerk.get(path)
        assert refused.status_code == 403, path
        assert "システム管理者だけ" in refused.text and 'role="alert"' in refused.text
    for path in ("/admin/lockouts/unlock", f"/admin/staff/{TARGET}/deactivate", "/admin/rules"):
        assert (await clerk.post(path, {"staff_id": TARGET})).status_code == 403, path
    assert (await clerk.post(f"/admin/staff/{TARGET}/password-reset", {})).status_code == 403
    assert (await clerk.post(f"/admin/staff/{TARGET}/totp-reset", {})).status_code == 403
    assert (await clerk.post("/admin/transfers", {"format": "lines"})).status_code == 403
    anonymous = await stack.http.get("/admin/rules")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")
    forged = await admin.http.post(f"/admin/staff/{TARGET}/deactivate", data={})
    assert forged.status_code in (400, 403)  # no CSRF token
    assert await token_status(stack, TARGET) == 200


async def test_rulebook_versions_are_listed_viewed_and_uploaded_with_problems_row_by_row(
    people: dict[str, Browser],
) -> None:
    admin = people[ADMIN]
    r = await admin.get("/admin/rules")
    assert 'data-version="2021-04-01"' in r.text and "適用中" in r.text
    view = await admin.get("/admin/rules/2021-04-01")
    assert view.status_code == 200 and "別表第1 第1項(3)イ" in view.text and "1,000,000円以上" in view.text
    assert 'data-testid="consultations"' in view.text and "財政課" in view.text
    missing = await admin.get("/admin/rules/1999-01-01")
    assert missing.status_code == 404 and "1999-01-01 はありません" in missing.text

    future = TODAY + timedelta(days=500)
    overlapping = [dict(row) for row in shipped(future)["authority"]]
    overlapping[5]["以上"] = 900_000
    bad = yaml.safe_dump(shipped(future, authority=overlapping), allow_unicode=True)
    refused = await admin.post("/admin/rules", {"rulebook_text": bad})
    assert refused.status_code == 422
    assert '<tr data-section="authority" data-index="5">' in refused.text and "6行目" in refused.text
    assert "別表第1 第1項(3)イ" in refused.text and "5行目（別表第1 第1項(3)ア）と" in refused.text
    assert "決裁規程は登録されませんでした" in refused.text
    assert "900000" in refused.text  # what was typed is kept in the form
    empty = await admin.post("/admin/rules", {"rulebook_text": "  "})
    assert empty.status_code == 422 and "ファイルを選ぶか" in empty.text
    past = yaml.safe_dump(shipped(TODAY), allow_unicode=True)
    assert "より後の日にしてください" in (await admin.post("/admin/rules", {"rulebook_text": past})).text
    assert "YAML・JSONとして読めません" in (await admin.post("/admin/rules", {"rulebook_text": "a: [x"})).text

    good = yaml.safe_dump(shipped(future), allow_unicode=True)
    stored = await admin.http.post(
        "/admin/rules",
        data={"csrf_token": admin.csrf},
        files={"rulebook_file": ("next.yaml", good.encode(), "application/yaml")},
    )
    assert stored.status_code == 303 and stored.headers["location"] == f"/admin/rules/{future}?done=uploaded"
    shown = await admin.get(stored.headers["location"])
    assert 'data-testid="done"' in shown.text and "適用予定" in shown.text
    listed = await admin.get("/admin/rules")
    assert f'data-version="{future}"' in listed.text and "適用予定" in listed.text
    again = await admin.post("/admin/rules", {"rulebook_text": good})
    assert again.status_code == 409 and "すでに登録されています" in again.text


async def test_a_transfer_is_entered_its_impact_shown_and_applied(stack: Stack, people: dict[str, Browser]) -> None:
    admin = people[ADMIN]
    doc = await stack.submitted(DRAFTER, SMALL)  # pending at 総務課長, who moves to 人事課
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    await admin.get("/admin/transfers")
    bad = await admin.post(
        "/admin/transfers", {"format": "lines", "effective_on": tomorrow, "note": "例示", "lines": "終了 s1 somu"}
    )
    assert bad.status_code == 422 and "1行目" in bad.text and 'role="alert"' in bad.text
    assert "終了 s1 somu" in bad.text  # kept
    unknown = await admin.post(
        "/admin/transfers",
        {"format": "lines", "effective_on": tomorrow, "lines": "発令 s9999 somu.somu staff"},
    )
    assert unknown.status_code == 422 and "発令の1行目" in unknown.text and "s9999" in unknown.text
    past = await admin.post("/admin/transfers", {"format": "json", "plan_json": '{"effective_on": "2020-04-01"}'})
    assert past.status_code == 422 and "過去の日付" in past.text
    assert "JSON として読めません" in (await admin.post("/admin/transfers", {"format": "json", "plan_json": "{"})).text

    lines = "\n".join(
        (
            f"終了 {MANAGER} somu.somu manager",
            f"終了,{SUCCESSOR},somu.jinji,assistant_manager",
            f"発令 {SUCCESSOR} somu.somu manager",
            f"発令\t{MANAGER}\tsomu.jinji\tassistant_manager",
        )
    )
    stored = await admin.post(
        "/admin/transfers", {"format": "lines", "effective_on": tomorrow, "note": "例示の人事異動", "lines": lines}
    )
    assert stored.status_code == 303, stored.text
    path = stored.headers["location"].split("?")[0]
    r = await admin.get(stored.headers["location"])
    assert r.status_code == 200 and 'data-testid="done"' in r.text and "未適用" in r.text
    assert f'<tr data-document-id="{doc["id"]}" data-outcome="reassign">' in r.text
    assert "後任者へ付け替え" in r.text and SUCCESSOR in r.text
    listed = await admin.get("/admin/transfers")
    assert "例示の人事異動" in listed.text

    applied = await admin.post(f"{path}/apply", {})
    assert applied.status_code == 200, applied.text
    assert (
        'data-testid="applied"' in applied.text and "付け替えた文書 1件" in applied.text and "<progress" in applied.text
    )
    assert "適用済" in applied.text and 'data-testid="apply"' not in applied.text
    steps = (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")).json()["steps"]
    assert [s["assignee_id"] for s in steps if s["state"] == "pending"] == [SUCCESSOR]
    assert (await admin.get("/admin/transfers/nope")).status_code == 404


async def test_an_apply_under_way_shows_its_progress_until_applied(stack: Stack, people: dict[str, Browser]) -> None:
    admin, clerk = people[ADMIN], people[DRAFTER]
    plan = {"effective_on": (TODAY + timedelta(days=5)).isoformat(), "note": "例示（適用中の表示）"}
    stored = await stack.call(ADMIN, "POST", "/v1/org/transfers", json=plan)
    assert stored.status_code == 201, stored.text
    transfer_id = stored.json()["id"]
    draft = await admin.get(f"/admin/transfers/{transfer_id}")
    assert 'data-testid="transfer-progress"' not in draft.text  # nothing under way yet
    engine = create_engine(stack.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await session.execute(
                update(OrgTransferRow).where(OrgTransferRow.id == transfer_id).values(status="applying")
            )
    finally:
        await engine.dispose()
    under_way = await admin.get(f"/admin/transfers/{transfer_id}")
    assert 'data-status="applying"' in under_way.text and 'hx-trigger="every 2s"' in under_way.text
    fragment = await admin.get(f"/admin/transfers/{transfer_id}/progress")
    assert fragment.status_code == 200 and "<progress" in fragment.text and "<html" not in fragment.text
    assert f'hx-get="/admin/transfers/{transfer_id}/progress"' in fragment.text and "適用中" in fragment.text
    assert (await clerk.get(f"/admin/transfers/{transfer_id}/progress")).status_code == 403
    applied = await admin.post(f"/admin/transfers/{transfer_id}/apply", {})
    assert applied.status_code == 200 and 'data-testid="applied"' in applied.text
    done = await admin.get(f"/admin/transfers/{transfer_id}/progress")
    assert 'data-status="applied"' in done.text and "hx-trigger" not in done.text  # the polling stops


async def test_the_access_log_filters_and_pages(stack: Stack, people: dict[str, Browser]) -> None:
    admin = people[ADMIN]
    assert await token_status(stack, DRAFTER, "wrong-password") == 401
    r = await admin.get(f"/admin/access-log?staff_id={DRAFTER}&kind=sign_in&outcome=failure")
    assert r.status_code == 200, r.text
    rows = re.findall(r'data-kind="([a-z_]+)" data-outcome="([a-z]+)"', r.text)
    assert rows and set(rows) == {("sign_in", "failure")}
    assert "wrong password" in r.text and "サインイン" in r.text and "失敗" in r.text
    assert f'value="{DRAFTER}"' in r.text  # the filters are kept
    everything = await admin.get(f"/admin/access-log?staff_id={DRAFTER}")
    total = int(re.search(r'data-testid="log-total">(\d+)件', everything.text).group(1))  # type: ignore[union-attr]
    assert total >= 2  # the page's sign-in and the failure
    second = await admin.get(f"/admin/access-log?staff_id={DRAFTER}&offset=1")
    assert 'data-testid="prev"' in second.text and "2–" in second.text
    today = TODAY.isoformat()
    dated = await admin.get(f"/admin/access-log?staff_id={DRAFTER}&since={today}&until={today}")
    assert f'data-testid="log-total">{total}件' in dated.text
    before = (TODAY - timedelta(days=3)).isoformat()
    assert 'data-testid="log-empty"' in (await admin.get(f"/admin/access-log?until={before}")).text
    doc = await stack.draft(DRAFTER, SMALL)
    for _ in range(51):  # 51 reads: two pages of 50
        assert (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")).status_code == 200
    first = await admin.get(f"/admin/access-log?document_id={doc['id']}")
    assert 'data-testid="log-total">51件' in first.text and len(re.findall("data-entry-id=", first.text)) == 50
    following = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert following is not None and "document_id=" in following.group(1)
    last = await admin.get(following.group(1).replace("&amp;", "&"))
    assert len(re.findall("data-entry-id=", last.text)) == 1 and 'rel="prev"' in last.text and "51–51件目" in last.text
    assert "文書の閲覧" in last.text
    wrong = await admin.get("/admin/access-log?since=yesterday")
    assert wrong.status_code == 422 and 'data-testid="log-problem"' in wrong.text
    assert (await admin.get("/admin/access-log?kind=nonsense")).status_code == 422


async def test_a_lockout_is_listed_and_lifted(stack: Stack, people: dict[str, Browser]) -> None:
    admin = people[ADMIN]
    answers = [await token_status(stack, TARGET, "wrong") for _ in range(stack.settings.lockout_threshold)]
    assert answers[-1] == 429
    r = await admin.get("/admin/lockouts")
    assert f'<tr data-staff-id="{TARGET}" data-locked="yes">' in r.text and "ロック中" in r.text
    listed = await stack.call(ADMIN, "GET", "/v1/auth/lockouts")  # the same service over the API
    assert {(i["staff_id"], i["locked"]) for i in listed.json()["items"]} >= {(TARGET, True)}
    mine = next(i for i in listed.json()["items"] if i["staff_id"] == TARGET)
    assert (mine["locked_everywhere"], len(mine["locked_addresses"])) == (False, 1)  # the guesser's address only
    assert "からのみ" in r.text
    assert (await stack.call(DRAFTER, "GET", "/v1/auth/lockouts")).status_code == 403
    lifted = await admin.post("/admin/lockouts/unlock", {"staff_id": TARGET})
    assert lifted.status_code == 303 and lifted.headers["location"] == "/admin/lockouts?done=unlocked"
    after = await admin.get(lifted.headers["location"])
    assert 'data-testid="done"' in after.text and f'data-staff-id="{TARGET}"' not in after.text
    assert await token_status(stack, TARGET) == 200
    assert f'data-staff-id="{TARGET}"' not in (await admin.get("/admin/lockouts")).text  # its sign-in reset the count
    never = await admin.post("/admin/lockouts/unlock", {"staff_id": "never-failed"})
    assert never.status_code == 404 and "失敗の記録がありません" in never.text


async def test_an_account_is_reset_deactivated_reactivated_and_its_second_factor_removed(
    stack: Stack, people: dict[str, Browser]
) -> None:
    admin = people[ADMIN]
    found = await admin.http.get(f"/admin/staff?staff_id={TARGET}")
    assert found.status_code == 303 and found.headers["location"] == f"/admin/staff/{TARGET}"
    r = await admin.get(f"/admin/staff/{TARGET}")
    assert r.status_code == 200 and "税務課" in r.text and 'data-testid="account-state">有効' in r.text
    assert (await admin.get("/admin/staff/nobody")).status_code == 404

    none_enrolled = await admin.post(f"/admin/staff/{TARGET}/totp-reset", {})
    assert none_enrolled.status_code == 404 and "二要素認証を登録していません" in none_enrolled.text
    enrolment = await stack.call(TARGET, "POST", "/v1/auth/totp/enrol")
    assert enrolment.status_code == 200, enrolment.text
    secret = parse_qs(urlsplit(enrolment.json()["otpauth_uri"]).query)["secret"][0]
    confirmed = await stack.call(TARGET, "POST", "/v1/auth/totp/confirm", json={"code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200, confirmed.text
    removed = await admin.post(f"/admin/staff/{TARGET}/totp-reset", {})
    assert removed.status_code == 303 and removed.headers["location"].endswith("?done=totp_reset")
    assert "二要素認証の登録を削除しました" in (await admin.get(removed.headers["location"])).text

    issued = await admin.post(f"/admin/staff/{TARGET}/password-reset", {})
    assert issued.status_code == 200 and 'data-testid="one-time-password"' in issued.text
    found_password = re.search(r'<code class="otp">([^<]+)</code>', issued.text)
    assert found_password is not None
    assert await token_status(stack, TARGET, found_password.group(1)) == 200
    assert "一時パスワード（次のサインインで変更が必要）" in (await admin.get(f"/admin/staff/{TARGET}")).text

    off = await admin.post(f"/admin/staff/{TARGET}/deactivate", {})
    assert off.status_code == 303 and off.headers["location"].endswith("?done=deactivated")
    assert 'data-testid="account-state">無効' in (await admin.get(off.headers["location"])).text
    assert await token_status(stack, TARGET, found_password.group(1)) == 401
    refused = await admin.post(f"/admin/staff/{TARGET}/password-reset", {})
    assert refused.status_code == 409 and "再び有効にしてから" in refused.text
    myself = await admin.post(f"/admin/staff/{ADMIN}/deactivate", {})
    assert myself.status_code == 409 and "自分のアカウントは無効にできません" in myself.text
    on = await admin.post(f"/admin/staff/{TARGET}/reactivate", {})
    assert on.status_code == 303 and on.headers["location"].endswith("?done=reactivated")
    assert await token_status(stack, TARGET, found_password.group(1)) == 200


# --- axe-core on every page (one Chromium for the module) -------------------------------------------------------


def _browser_missing() -> str | None:
    if find_chromium() is None:
        return "Chromium is not installed (make chromium)"
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "playwright or axe-playwright-python is not installed"
    return None


@pytest.mark.browser
async def test_every_admin_page_passes_axe_and_works_by_keyboard(
    stack: Stack, people: dict[str, Browser], request: pytest.FixtureRequest
) -> None:
    missing = _browser_missing()
    if missing:
        pytest.skip(missing)
    from playwright.async_api import async_playwright

    from tests.support.axe import assert_accessible

    errors: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(find_chromium()), headless=True)
        try:
            context = await browser.new_context(base_url=stack.api_url, locale="ja-JP")
            page = await context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            await page.goto("/signin")
            await page.fill("input[name=staff_id]", ADMIN)
            await page.fill("input[name=password]", "demo")
            await page.click("button:has-text('サインイン')")
            await page.wait_for_url("**/inbox")
            # by keyboard: the skip link first, then the menu's 管理
            await page.keyboard.press("Tab")
            assert await page.evaluate("document.activeElement.textContent") == "本文へ移動"
            await page.focus("[data-testid=nav-admin]")
            await page.keyboard.press("Enter")
            await page.wait_for_url("**/admin")
            shots = ARTIFACTS / request.node.name.replace("[", "-").replace("]", "")
            shots.mkdir(parents=True, exist_ok=True)
            print(f"\nscreenshots: {shots}")
            await _visit_all(page, stack, _checked(assert_accessible, shots))
        finally:
            await browser.close()
    # the refused forms answer 422 on purpose (Chromium logs that as a failed load); anything else fails
    assert [e for e in errors if "status of 422" not in e] == [], errors


def _checked(assert_accessible: Any, shots: Path) -> Any:
    """axe on the page as shown, then its screenshot (numbered in visiting order, named by its path)."""
    taken = 0

    async def check(page: Any) -> None:
        nonlocal taken
        await assert_accessible(page)
        taken += 1
        name = re.sub(r"[^a-z0-9]+", "-", urlsplit(page.url).path.lower()).strip("-")
        await page.screenshot(path=str(shots / f"{taken:02d}-{name}.png"), full_page=True)

    return check


async def _visit_all(page: Any, stack: Stack, assert_accessible: Any) -> None:
    for path in [*PAGES, "/admin/rules/2021-04-01", f"/admin/staff/{TARGET}", "/admin/access-log?kind=sign_in"]:
        await page.goto(path)
        await assert_accessible(page)
    # the refused upload's problems table
    await page.goto("/admin/rules")
    overlapping = [dict(row) for row in shipped(TODAY + timedelta(days=700))["authority"]]
    overlapping[5]["以上"] = 900_000
    text = yaml.safe_dump(shipped(TODAY + timedelta(days=700), authority=overlapping), allow_unicode=True)
    await page.fill("#rulebook-text", text)
    await page.click("text=検査して登録")
    await page.wait_for_selector("[data-testid=problems]")
    await assert_accessible(page)
    # a transfer's impact page, and its error state
    await page.goto("/admin/transfers")
    await page.fill("#effective-on", (TODAY + timedelta(days=2)).isoformat())
    await page.fill("#lines", "発令 s9999 somu.somu staff")
    await page.click("[data-testid=transfer-lines] button")
    await page.wait_for_selector("[data-testid=transfer-error]")
    await assert_accessible(page)
    plan = {"effective_on": (TODAY + timedelta(days=3)).isoformat(), "note": "例示（画面の検査用）"}
    stored = await stack.call(ADMIN, "POST", "/v1/org/transfers", json=plan)
    assert stored.status_code == 201, stored.text
    await page.goto(f"/admin/transfers/{stored.json()['id']}")
    await page.wait_for_selector("[data-testid=apply]")
    await assert_accessible(page)
    await page.click("[data-testid=apply]")  # its confirm() accepted
    await page.wait_for_selector("[data-testid=applied]")
    assert await page.locator("#apply-progress").is_visible()
    await assert_accessible(page)
    # the lockouts list with a row, and the one-time password shown
    for _ in range(stack.settings.lockout_threshold):
        await stack.http.post("/v1/auth/token", json={"staff_id": "nobody-at-all", "password": "x"})
    await page.goto("/admin/lockouts")
    await page.wait_for_selector("[data-staff-id=nobody-at-all]")
    await assert_accessible(page)
    await page.goto(f"/admin/staff/{TARGET}")
    await page.click("[data-testid=password-reset]")
    await page.wait_for_selector("[data-testid=one-time-password]")
    await assert_accessible(page)
