"""The records office's pages over a real stack (SQLite and PostgreSQL): 施行 with its 公印 from the document page
(offered to the drafting division only, refused to others with the reason in Japanese), the 公印使用簿 by period,
and the yearly 廃棄・移管の審査 (open, propose, submit as its 廃棄決裁, see the result).  Each page is refused to a
person outside the records office and passes axe-core."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import Client

from core.clock import today_in_japan
from domain.fiscal import fiscal_year_of
from tests.records.test_disposal import backdate, review_when
from tests.records.test_lifecycle import until
from tests.support.databases import BACKENDS
from tests.support.stack import Stack, holder, seeded_full_stack
from tests.web.axe_pages import ARTIFACTS, check_pages, chromium_page
from tests.web.conftest import Browser, sign_in

DRAFTER = holder("somu.somu", "staff")  # 総務課 主事: drafts; not the records office
RECORDS = holder("somu.somu", "chief")  # 総務課 係長 granted records_office (文書担当)
MANAGER = holder("somu.somu", "manager")  # 総務課長: decides the documents and the 廃棄決裁
OUTSIDER = holder("somu.jinji", "staff")  # 人事課 主事: neither the drafting division nor the records office
FY = fiscal_year_of(today_in_japan())


@pytest_asyncio.fixture(scope="module", loop_scope="session", params=BACKENDS)
async def stack(
    request: pytest.FixtureRequest,
    temporal_client: Client,
    hr_url: str,
    finance_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Stack]:
    """One stack for the module, on a seeded database of its own (its disposal reviews are its own)."""
    async with seeded_full_stack(
        request.param,
        temporal_client,
        hr_url=hr_url,
        finance_url=finance_url,
        data_dir=tmp_path_factory.mktemp("records-pages"),
        action_timeout_seconds=15,
    ) as stack:
        yield stack


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def people(stack: Stack) -> AsyncIterator[dict[str, Browser]]:
    """Signed-in people of the module (signed in once, never signed out)."""
    opened = {staff_id: await sign_in(stack, staff_id) for staff_id in (DRAFTER, RECORDS, OUTSIDER)}
    yield opened
    for browser in opened.values():
        await browser.http.aclose()


async def decided(stack: Stack, title: str) -> dict[str, Any]:
    """A 30万 document needing 施行, decided by 総務課長 and numbered: 施行待ち."""
    doc = await stack.submitted(DRAFTER, amount_yen=300_000, title=title, needs_issuance=True)
    await stack.ok(MANAGER, doc["id"], "approve")
    return await until(stack, doc["id"], lambda d: d["number_display"] is not None)


async def completed(stack: Stack, title: str, *, completed_on: date | None = None) -> dict[str, Any]:
    """Decided and complete, backdated to FY-5 (expiring with 5 years at the end of FY: this year's review lists
    it), or to ``completed_on``."""
    doc = await stack.submitted(DRAFTER, amount_yen=300_000, title=title)
    await stack.ok(MANAGER, doc["id"], "approve")
    await until(stack, doc["id"], lambda d: d["completed_at"] is not None)
    await backdate(stack, doc["id"], completed_on=completed_on or date(FY - 5, 9, 10))
    return doc


def issuance(**overrides: str) -> dict[str, str]:
    today = today_in_japan().isoformat()
    return {"clean_copy_on": today, "seal": "市長印", "dispatch_method": "post", "dispatched_on": today, **overrides}


async def test_issuance_from_the_document_page_and_the_seal_register(stack: Stack, people: dict[str, Browser]) -> None:
    doc = await decided(stack, "道路占用許可の通知について")
    drafter, office, outsider = people[DRAFTER], people[RECORDS], people[OUTSIDER]
    page = await drafter.get(f"/documents/{doc['id']}")
    assert page.status_code == 200 and 'data-testid="issue-form"' in page.text
    assert '<option value="市長印">' in page.text and '<option value="omit">公印省略</option>' in page.text
    assert ">郵送</option>" in page.text and "style=" not in page.text
    assert 'href="/settings"' in page.text and 'href="/records"' not in page.text  # no 文書管理 for the drafter

    allowed = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/actions/allowed")
    assert allowed.json()["can_issue"] is True, allowed.text  # the button comes from allowed_actions
    seen = await outsider.get(f"/documents/{doc['id']}")
    assert 'data-testid="issue-form"' not in seen.text  # not of the drafting division
    refused = await outsider.post(f"/documents/{doc['id']}/issue", issuance())
    assert refused.status_code == 403 and "権限がありません" in refused.text
    bad = await drafter.post(f"/documents/{doc['id']}/issue", issuance(dispatch_method="fax", clean_copy_on="昨日"))
    assert bad.status_code == 422 and 'data-testid="refusal"' in bad.text
    assert "発送方法：選択肢から選んでください" in bad.text and "浄書日" in bad.text
    unknown = await drafter.post(f"/documents/{doc['id']}/issue", issuance(seal="偽の印"))
    assert unknown.status_code == 422 and "はありません（あるのは 市長印" in unknown.text

    done = await drafter.post(f"/documents/{doc['id']}/issue", issuance())
    assert done.status_code == 303 and done.headers["location"] == f"/documents/{doc['id']}?done=issue"
    after = await drafter.get(done.headers["location"])
    assert "施行しました" in after.text and 'data-testid="issuance"' in after.text and "市長印" in after.text
    assert 'data-testid="issue-form"' not in after.text
    allowed = await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/actions/allowed")
    assert allowed.json()["can_issue"] is False
    again = await drafter.post(f"/documents/{doc['id']}/issue", issuance(seal="omit"))
    assert again.status_code == 409 and "施行済み" in again.text

    await until(stack, doc["id"], lambda d: d["completed_at"] is not None)  # 施行 completes it: its retention runs
    retention = f"/documents/{doc['id']}/retention"
    assert 'data-testid="retention-link"' in (await drafter.get(f"/documents/{doc['id']}")).text
    shown = await drafter.get(retention)
    assert shown.status_code == 200 and "延長されたことはありません" in shown.text
    assert 'data-testid="extend-form"' not in shown.text  # the records office's form
    assert (await drafter.post(retention, {"years": "2", "reason": "監査対応"})).status_code == 403
    await office.get(retention)
    no_reason = await office.post(retention, {"years": "2", "reason": ""})
    assert no_reason.status_code == 422 and "理由" in no_reason.text and 'value="2"' in no_reason.text
    extended = await office.post(retention, {"years": "2", "reason": "監査対応"})
    assert extended.status_code == 303 and extended.headers["location"] == f"{retention}?done=extended"
    shown = await office.get(extended.headers["location"])
    assert "保存期間を延長しました" in shown.text and 'data-testid="extensions"' in shown.text
    assert "監査対応" in shown.text and "2年" in shown.text

    today = today_in_japan().isoformat()
    register = await office.get(f"/records/seal-log?from={today}&to={today}")
    assert register.status_code == 200 and 'aria-current="page">文書管理' in register.text
    row = re.search(rf'<tr data-document-id="{doc["id"]}">(.*?)</tr>', register.text, re.S)
    assert row is not None and "市長印" in row.group(1) and doc["number_display"] in row.group(1)
    earlier = await office.get("/records/seal-log?from=2001-04-01&to=2001-04-30")
    assert doc["id"] not in earlier.text and "この期間の公印の使用はありません" in earlier.text
    wrong = await office.get(f"/records/seal-log?from={today}&to=2001-01-01")
    assert wrong.status_code == 422 and "開始日が終了日より後" in wrong.text
    for path in ("/records/seal-log", "/records", "/records/disposal", "/records/disposals"):
        r = await drafter.get(path)
        assert r.status_code == 403 and "文書担当（文書主管課）だけ" in r.text, path


async def test_the_yearly_disposal_review_from_opening_to_its_decision(
    stack: Stack, people: dict[str, Browser]
) -> None:
    keep = await completed(stack, "訴訟関係書類")
    destroy = await completed(stack, "消耗品購入")
    office, drafter = people[RECORDS], people[DRAFTER]
    home = await office.get("/records")
    assert home.status_code == 200 and 'href="/records/seal-log"' in home.text and "本文へ移動" in home.text
    listing = await office.get("/records/disposal")
    assert listing.status_code == 200 and f'value="{FY}"' in listing.text
    assert (await office.post("/records/disposal", {"fiscal_year": "x"})).status_code == 422
    assert (await drafter.post("/records/disposal", {"fiscal_year": str(FY)})).status_code == 403
    opened = await office.post("/records/disposal", {"fiscal_year": str(FY)})
    assert opened.status_code == 303, opened.text
    path = opened.headers["location"]
    review_id = path.rsplit("/", 1)[1]
    page = await office.get(path)
    assert page.status_code == 200 and "本文へ移動" in page.text
    for doc in (keep, destroy):
        assert f'data-testid="propose-{doc["id"]}"' in page.text
    assert 'data-testid="missing"' in page.text
    assert (await drafter.get(path)).status_code == 403

    early = await office.post(f"{path}/submit", {})
    assert early.status_code == 409 and "措置が未入力" in early.text
    items = f"{path}/items"
    no_reason = await office.post(f"{items}/{keep['id']}", {"disposition": "extend", "extend_years": "3", "reason": ""})
    assert no_reason.status_code == 422 and "延長には理由の入力が必要です" in no_reason.text
    extended = {"disposition": "extend", "extend_years": "3", "reason": "訴訟係属中"}
    assert (await drafter.post(f"{items}/{keep['id']}", extended)).status_code == 403
    r = await office.post(f"{items}/{keep['id']}", extended)
    assert r.status_code == 303 and r.headers["location"] == f"{path}?done=proposed"
    r = await office.post(f"{items}/{destroy['id']}", {"disposition": "dispose", "extend_years": "", "reason": ""})
    assert r.status_code == 303
    page = await office.get(f"{path}?done=proposed")
    assert "審査案を保存しました" in page.text and "延長 3年" in page.text and "訴訟係属中" in page.text
    assert 'data-testid="missing"' not in page.text
    assert (await office.post(f"{items}/no-such-document", {"disposition": "dispose"})).status_code == 404

    submitted = await office.post(f"{path}/submit", {"idempotency_key": review_id})
    assert submitted.status_code == 303, submitted.text
    page = await office.get(submitted.headers["location"])
    assert "廃棄決裁として提出しました" in page.text and "決裁中" in page.text
    assert 'data-testid="review-document"' in page.text and 'data-testid="propose-' not in page.text
    frozen = await office.post(f"{items}/{keep['id']}", {"disposition": "dispose"})
    assert frozen.status_code == 409 and "変更や提出はできません" in frozen.text

    review = (await stack.call(RECORDS, "GET", f"/v1/records/disposal-reviews/{review_id}")).json()
    await stack.ok(MANAGER, review["document_id"], "approve")
    await review_when(stack, review_id, "approved")
    page = await office.get(path)
    assert "決裁済（適用待ち）" in page.text or "適用済" in page.text
    kept = re.search(rf'<tr data-document-id="{keep["id"]}">(.*?)</tr>', page.text, re.S)
    assert kept is not None and "延長した" in kept.group(1)  # the 延長 applies at the decision
    records = await office.get("/records/disposals")  # the 廃棄 waits for the day after the 満了日
    assert (
        records.status_code == 200 and "廃棄した文書はありません" in records.text and destroy["id"] not in records.text
    )


async def test_the_records_pages_pass_axe_and_start_with_the_skip_link(stack: Stack) -> None:
    doc = await decided(stack, "axe 施行待ちの文書")
    due = await completed(stack, "axe 審査の対象", completed_on=date(FY - 6, 9, 10))  # expires at the end of FY-1
    r = await stack.call(RECORDS, "POST", "/v1/records/disposal-reviews", json={"fiscal_year": FY - 1})
    assert r.status_code in (200, 201) and due["id"] in {i["document_id"] for i in r.json()["items"]}, r.text
    visits: list[tuple[str, Any]] = [
        ("/records", None),
        ("/records/seal-log", None),
        ("/records/disposal", None),
        ("/records/disposals", None),
        (f"/records/disposal/{r.json()['id']}", None),  # open: a proposal form on each row
        (f"/documents/{doc['id']}", None),  # the records office is of the drafting division: 施行 is offered
        (f"/documents/{due['id']}/retention", None),
        ("/settings", None),
    ]
    async with chromium_page(stack.api_url, RECORDS) as (page, errors):
        await page.goto(f"/documents/{doc['id']}")
        assert await page.locator("[data-testid=issue-form]").is_visible()
        shots = f"records-pages-{stack.settings.database_url.split(':')[0]}"
        await check_pages(page, errors, visits, shots=shots)
        # 施行 by keyboard alone: the seal chosen with the arrow keys, the button pressed with Enter
        await page.goto(f"/documents/{doc['id']}")
        await page.focus("#seal")
        await page.keyboard.press("ArrowDown")  # 副市長印
        await page.focus("[data-testid=issue]")
        await page.keyboard.press("Enter")
        await page.wait_for_url("**done=issue")
        assert "施行しました" in (await page.locator("[data-testid=done]").inner_text())
        assert "副市長印" in (await page.locator("[data-testid=issuance]").inner_text())
        await page.screenshot(path=str(ARTIFACTS / shots / "8-issued-by-keyboard.png"), full_page=True)
        assert errors == [], errors
