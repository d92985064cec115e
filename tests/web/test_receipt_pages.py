"""The 収受 pages over a real stack (SQLite and PostgreSQL): 収受登録 with errors beside the fields, the 収受簿,
the receipt page and its three branches (起案・供覧・完結) and 配布, the 供覧 reader's confirmation, the drafting
form's 一般 matter with its 決裁区分 preview, and the intake queue.  A receipt the viewer may not see answers
exactly like a missing one."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client

from core.clock import today_in_japan
from domain.fiscal import fiscal_year_of
from tests.support.databases import BACKENDS, fresh_database
from tests.support.intake import SECRET, SOURCE, application, post_application
from tests.support.stack import Stack, full_stack, holder
from tests.web.conftest import Browser, sign_in

UNIT = "shimin.zeimu"  # 税務課
CLERK = holder(UNIT, "staff")
CHIEF = holder(UNIT, "chief")
MANAGER = holder(UNIT, "manager")
RECORDS = holder("somu.somu", "chief")  # 総務課 係長: records office (文書担当)
OUTSIDER = holder("somu.zaisei", "staff")  # 財政課 主事: neither the records office nor 税務課

RECEIPT = {
    "received_on": "",
    "channel": "paper",
    "sender": "山口県総務部長",
    "addressee": "萩市長",
    "title": "統計調査への協力について（依頼）",
    "sender_reference": "山総第45号",
    "sender_dated_on": "",
    "reply_by": "",
    "assigned_unit": UNIT,
    "confidentiality": "1",
    "summary": "標記について、下記のとおり協力を依頼します。",
}


@pytest_asyncio.fixture(scope="module", loop_scope="session", params=BACKENDS)
async def stack(
    request: pytest.FixtureRequest,
    temporal_client: Client,
    hr_url: str,
    finance_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Stack]:
    """One stack for the module (a signed intake source configured), on a seeded database of its own."""
    data_dir: Path = tmp_path_factory.mktemp("receipt-pages")
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


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def people(stack: Stack) -> AsyncIterator[dict[str, Browser]]:
    """Signed-in people of the module (signed in once, never signed out: shared demo staff)."""
    opened: dict[str, Browser] = {}
    for staff_id in (CLERK, CHIEF, MANAGER, RECORDS, OUTSIDER):
        opened[staff_id] = await sign_in(stack, staff_id)
    yield opened
    for browser in opened.values():
        await browser.http.aclose()


def branches(html: str) -> set[str]:
    return set(re.findall(r'data-branch="([a-z_]+)"', html))


async def registered(browser: Browser, **overrides: str) -> str:
    await browser.get("/receipts/new")
    r = await browser.post("/receipts/new", {**RECEIPT, "received_on": today_in_japan().isoformat(), **overrides})
    assert r.status_code == 303, r.text
    path = r.headers["location"]
    assert path.startswith("/receipts/")
    return path


async def test_the_register_form_shows_errors_beside_fields_and_keeps_what_was_typed(
    people: dict[str, Browser],
) -> None:
    clerk = people[CLERK]
    form = await clerk.get("/receipts/new")
    assert form.status_code == 200 and "収受登録" in form.text
    assert 'class="skip-link" href="#main"' in form.text and 'aria-current="page">収受' in form.text
    assert f'<option value="{UNIT}" selected>' in form.text  # the clerk's own unit
    assert "style=" not in form.text and "<script>" not in form.text  # strict CSP: nothing inline

    bad = await clerk.post(
        "/receipts/new",
        {**RECEIPT, "received_on": "2026-13-40", "title": "", "sender": "山口県総務部長", "reply_by": "明日"},
    )
    assert bad.status_code == 422
    errors = dict(re.findall(r'data-testid="error-([a-z_]+)">([^<]+)<', bad.text))
    assert set(errors) == {"received_on", "title", "reply_by"}, errors
    assert errors["title"] == "入力してください" and "日付" in errors["received_on"]
    assert 'name="sender" value="山口県総務部長"' in bad.text and 'value="山総第45号"' in bad.text
    assert 'aria-describedby="err-title"' in bad.text

    records = people[RECORDS]
    await records.get("/receipts/new")
    unknown = await records.post(
        "/receipts/new", {**RECEIPT, "received_on": today_in_japan().isoformat(), "assigned_unit": "no.such"}
    )
    assert unknown.status_code == 422 and 'data-testid="error-assigned_unit"' in unknown.text
    elsewhere = await clerk.post(
        "/receipts/new", {**RECEIPT, "received_on": today_in_japan().isoformat(), "assigned_unit": "somu.zaisei"}
    )
    assert elsewhere.status_code == 403 and "records office" in elsewhere.text


async def test_a_receipt_takes_its_number_and_is_listed_in_the_receipt_book(people: dict[str, Browser]) -> None:
    clerk = people[CLERK]
    path = await registered(clerk, reply_by="2099-03-31", title="照会について（依頼） 収受簿")
    page = await clerk.get(path)
    assert page.status_code == 200
    number = re.search(r'data-testid="receipt-number">([^<]+)<', page.text)
    assert number is not None and number.group(1).endswith("号")
    assert "山総第45号" in page.text and "税務課" in page.text and "処理待ち" in page.text
    assert branches(page.text) == {"reply", "circulation", "close", "hand_on"}
    assert "収受" in page.text and 'data-testid="receipt-history"' in page.text

    year = fiscal_year_of(today_in_japan())
    book = await clerk.get(f"/receipts?fiscal_year={year}&unit={UNIT}")
    assert book.status_code == 200 and number.group(1) in book.text and path in book.text
    assert number.group(1) not in (await clerk.get(f"/receipts?fiscal_year={year - 1}&unit={UNIT}")).text
    paged = await clerk.get(f"/receipts?fiscal_year={year}&unit={UNIT}&offset=1000")
    assert paged.status_code == 200 and "この年度・担当課の収受はありません" in paged.text
    assert (await clerk.get(f"/receipts?fiscal_year={year}&unit=somu.zaisei")).status_code == 403
    records = await people[RECORDS].get(f"/receipts?fiscal_year={year}")  # every unit's, and the intake queue
    assert records.status_code == 200 and path in records.text and "/intake/queue" in records.text


async def test_a_hidden_receipt_answers_like_a_missing_one(people: dict[str, Browser]) -> None:
    path = await registered(people[CLERK], confidentiality="2", title="滞納者の財産調査について（照会）")
    outsider = people[OUTSIDER]
    hidden = await outsider.get(path)
    missing = await outsider.get("/receipts/00000000-0000-0000-0000-000000000000")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text and "滞納者" not in hidden.text
    for action, data in (("reply", {}), ("close", {"reason": "x"}), ("read", {})):
        refused = await outsider.post(f"{path}/{action}", data)
        gone = await outsider.post(f"/receipts/00000000-0000-0000-0000-000000000000/{action}", data)
        assert refused.status_code == gone.status_code == 404 and refused.text == gone.text, action
    assert "滞納者" in (await people[RECORDS].get(path)).text  # the records office sees every receipt


async def test_the_reply_branch_opens_the_linked_draft_with_its_category(people: dict[str, Browser]) -> None:
    clerk = people[CLERK]
    path = await registered(clerk, title="課税資料の提供について（照会）")
    await clerk.get(path)
    r = await clerk.post(f"{path}/reply", {})
    assert r.status_code == 303 and r.headers["location"].endswith("/edit")
    edit_path = r.headers["location"]
    form = await clerk.get(edit_path)
    assert form.status_code == 200 and '<option value="general" selected>' in form.text
    assert '<option value="inquiry_reply_routine" selected>' in form.text and "課税資料の提供について" in form.text
    title = "課税資料の提供について（回答）"
    saved = await clerk.post(
        edit_path,
        {
            "title": title,
            "body": "照会のあった件について回答します。",
            "matter": "general",
            "category": "notice_routine",
        },
    )
    assert saved.status_code == 303, saved.text
    document = await clerk.get(edit_path.removesuffix("/edit"))
    assert "定例的な通知" in document.text and f'href="{path}"' in document.text and "金額" not in document.text

    page = await clerk.get(path)
    assert "回答起案中" in page.text and branches(page.text) == {"hand_on"}
    again = await clerk.post(f"{path}/close", {"reason": "重複"})
    assert again.status_code == 409 and "one branch" in again.text


async def test_circulation_is_confirmed_by_each_reader_with_a_comment(people: dict[str, Browser]) -> None:
    clerk, chief, manager = people[CLERK], people[CHIEF], people[MANAGER]
    path = await registered(clerk, title="研修会の開催について（通知）")
    receipt_id = path.rsplit("/", 1)[1]
    page = await clerk.get(path)
    assert f'name="readers" value="{CHIEF}"' in page.text and f'name="readers" value="{MANAGER}"' in page.text
    none = await clerk.post(f"{path}/circulation", {})
    assert none.status_code == 422 and "供覧する職員を選んでください" in none.text
    started = await clerk.http.post(
        f"{path}/circulation", data={"readers": [CHIEF], "more_readers": MANAGER, "csrf_token": clerk.csrf}
    )
    assert started.status_code == 303, started.text
    page = await clerk.get(path)
    assert "供覧中" in page.text and "0 / 2名" in page.text and branches(page.text) == {"hand_on"}

    for reader, comment in ((chief, "確認しました"), (manager, "")):
        listed = await reader.get("/circulations")
        assert f'data-receipt-id="{receipt_id}"' in listed.text
        mine = await reader.get(path)
        assert 'data-testid="confirm-reading"' in mine.text
        done = await reader.post(f"{path}/read", {"comment": comment})
        assert (done.status_code, done.headers["location"]) == (303, "/circulations")
        assert f'data-receipt-id="{receipt_id}"' not in (await reader.get("/circulations")).text
    twice = await chief.post(f"{path}/read", {})
    assert twice.status_code == 409 and "already confirmed" in twice.text
    page = await clerk.get(path)
    assert "供覧済" in page.text and "2 / 2名" in page.text and "「確認しました」" in page.text


async def test_close_needs_a_reason_and_hand_on_moves_the_receipt(people: dict[str, Browser]) -> None:
    clerk = people[CLERK]
    path = await registered(clerk, title="広報紙の送付について")
    await clerk.get(path)
    no_reason = await clerk.post(f"{path}/close", {"reason": " "})
    assert no_reason.status_code == 422 and "完結の理由を入力してください" in no_reason.text
    closed = await clerk.post(f"{path}/close", {"reason": "参考送付のため"})
    assert closed.status_code == 303
    page = await clerk.get(path)
    assert "完結（ファイルのみ）" in page.text and "参考送付のため" in page.text and branches(page.text) == set()

    other = await registered(clerk, title="固定資産の評価について（照会）")
    await clerk.get(other)
    moved = await clerk.post(f"{other}/hand-on", {"unit": "shimin.shimin", "reason": "所管が市民課のため"})
    assert moved.status_code == 303
    page = await people[RECORDS].get(other)
    assert 'data-testid="assigned-unit">市民課' in page.text and "所管が市民課のため" in page.text
    mine = await clerk.get(other)  # its registrar still reads it; its course is 市民課's now
    assert mine.status_code == 200 and branches(mine.text) == set() and 'data-testid="no-actions"' in mine.text


async def test_the_draft_form_offers_general_matters_and_previews_their_decider(people: dict[str, Browser]) -> None:
    clerk = people[CLERK]
    form = await clerk.get("/documents/new")
    assert '<option value="general"' in form.text and '<option value="ordinance_draft"' in form.text
    assert 'fieldset class="matter-fields" data-matter="general" hidden disabled' in form.text
    routine = await clerk.post(
        "/documents/new/preview", {"title": "", "matter": "general", "category": "inquiry_reply_routine"}
    )
    assert routine.status_code == 200 and "課長" in routine.text and "市長" not in routine.text
    ordinance = await clerk.post(
        "/documents/new/preview", {"title": "", "matter": "general", "category": "ordinance_draft"}
    )
    assert "市長" in ordinance.text and "文書審査" in ordinance.text and "総務課" in ordinance.text
    unknown = await clerk.post("/documents/new/preview", {"title": "", "matter": "general", "category": "nope"})
    assert 'data-testid="preview-error"' in unknown.text and "inquiry_reply_routine" in unknown.text
    created = await clerk.post(
        "/documents/new",
        {
            "title": "例規の改正について",
            "matter": "general",
            "category": "ordinance_draft",
            "confidentiality": "1",
            "retention_years": "10",
        },
    )
    assert created.status_code == 303, created.text
    assert "条例・規則の制定改廃" in (await clerk.get(created.headers["location"])).text


async def test_the_intake_queue_is_the_records_offices_and_routes_by_hand(
    stack: Stack, people: dict[str, Browser]
) -> None:
    body = application(form_id="unknown-form", applicant={"name": "佐藤 花子"})
    r = await post_application(stack.http, body)
    assert r.status_code == 202, r.text
    intake_id = r.json()["id"]
    records = people[RECORDS]
    queue = await records.get("/intake/queue")
    assert queue.status_code == 200 and f'data-intake-id="{intake_id}"' in queue.text and "佐藤 花子" in queue.text
    refused = await people[CLERK].get("/intake/queue")
    assert refused.status_code == 403 and "records office" in refused.text
    no_unit = await records.post(f"/intake/queue/{intake_id}/route", {"assigned_unit": "", "branch": "reply"})
    assert no_unit.status_code == 422 and f'data-intake-id="{intake_id}"' in no_unit.text
    routed = await records.post(
        f"/intake/queue/{intake_id}/route",
        {"assigned_unit": UNIT, "branch": "reply", "category": "certificate", "confidentiality": "2", "title": ""},
    )
    assert routed.status_code == 303, routed.text
    receipt = await records.get(routed.headers["location"])
    assert "電子申請" in receipt.text and "機密性2" in receipt.text and "佐藤 花子" in receipt.text
    assert f'data-intake-id="{intake_id}"' not in (await records.get("/intake/queue")).text
    twice = await records.post(f"/intake/queue/{intake_id}/route", {"assigned_unit": UNIT, "branch": "reply"})
    assert twice.status_code == 409 and "already routed" in twice.text
