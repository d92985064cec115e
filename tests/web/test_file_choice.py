"""The 簿冊 select of the drafting and 収受登録 forms: the section's open files, the proposal preselected, the
choice posted as ``file_id``, a refused file shown beside the select in Japanese, the htmx refresh."""

from __future__ import annotations

import re
import uuid

from core.clock import today_in_japan
from tests.api.test_filing_at_drafting import FY, KENCHIKU, UNIT, _load, _open
from tests.support.stack import Stack
from tests.web.conftest import sign_in

TODAY = today_in_japan().isoformat()


def _selected(html: str) -> str | None:
    select = re.search(r'<select name="file_id".*?</select>', html, re.S)
    assert select is not None, "the 簿冊 select is on the page"
    found = re.search(r'<option value="([^"]*)" selected', select.group(0))
    return found.group(1) if found else None


async def test_the_forms_offer_the_sections_files_with_the_proposal_preselected(stack: Stack) -> None:
    version = await _load(stack, FY)
    spending = await _open(stack, KENCHIKU, version, FY, "01-03-02", "支出負担行為綴")
    inquiry = await _open(stack, KENCHIKU, version, FY, "01-01", "照会・回答綴")
    permit = await _open(stack, KENCHIKU, version, FY, "03-01", "建築確認綴")
    other_year = await _load(stack, FY + 1)
    later = await _open(stack, KENCHIKU, other_year, FY + 1, "01-03-02", "来年度の綴")
    browser = await sign_in(stack, KENCHIKU)

    form = await browser.get("/documents/new")
    assert form.status_code == 200, form.text
    assert "簿冊（行政文書ファイル）" in form.text and "［提案］" in form.text
    assert _selected(form.text) == spending  # a spending (the form's default matter)
    assert inquiry in form.text and permit in form.text and later not in form.text

    fragment = await browser.post(
        "/documents/new/files", {"matter": "general", "category": "inquiry_reply_routine", "title": ""}
    )
    assert fragment.status_code == 200 and _selected(fragment.text) == inquiry
    assert 'hx-post="/documents/new/files"' in fragment.text

    draft = {"title": f"資材の購入 {uuid.uuid4().hex[:4]}", "matter": "spending", "amount_yen": "100,000"}
    refused = await browser.post("/documents/new", {**draft, "confidentiality": "1", "file_id": later})
    assert refused.status_code == 422  # the form again, the reason beside the field
    assert 'data-testid="error-file_id"' in refused.text and "簿冊は" in refused.text and "年度" in refused.text
    saved = await browser.http.post(
        "/documents/new", data={**draft, "confidentiality": "1", "file_id": permit, "csrf_token": browser.csrf}
    )
    assert saved.status_code == 303, saved.text
    document_id = saved.headers["location"].rsplit("/", 1)[1]
    assert (await stack.call(KENCHIKU, "GET", f"/v1/documents/{document_id}")).json()["file_id"] == permit

    receipt_form = await browser.get("/receipts/new")
    assert receipt_form.status_code == 200 and "簿冊（行政文書ファイル）" in receipt_form.text
    assert 'hx-post="/receipts/new/files"' in receipt_form.text
    fragment = await browser.post(
        "/receipts/new/files",
        {"assigned_unit": UNIT, "received_on": TODAY, "title": "建築確認の許可申請について", "sender": "県"},
    )
    assert _selected(fragment.text) == permit
    receipt = {
        "received_on": TODAY,
        "channel": "paper",
        "sender": "山口県",
        "addressee": "萩市長",
        "title": "調査への協力について",
        "assigned_unit": UNIT,
        "confidentiality": "1",
    }
    registered = await browser.http.post(
        "/receipts/new", data={**receipt, "file_id": inquiry, "csrf_token": browser.csrf}
    )
    assert registered.status_code == 303, registered.text
    receipt_id = registered.headers["location"].rsplit("/", 1)[1]
    assert (await stack.call(KENCHIKU, "GET", f"/v1/receipts/{receipt_id}")).json()["file_id"] == inquiry


async def test_the_affair_form_offers_the_files_and_unfiled_may_be_chosen(stack: Stack) -> None:
    """庶務申請 uses the same select (the proposal preselected, htmx refresh); 未整理 is always offered."""
    version = await _load(stack, FY)
    duty = await _open(stack, KENCHIKU, version, FY, "01-01", "服務（休暇・時間外勤務）綴")
    browser = await sign_in(stack, KENCHIKU)
    form = await browser.get("/affairs/new")
    assert form.status_code == 200, form.text
    assert _selected(form.text) == duty and 'hx-post="/affairs/new/files"' in form.text
    assert 'value="none"' in form.text and "未整理" in form.text
    fragment = await browser.post("/affairs/new/files", {"matter": "overtime"})
    assert fragment.status_code == 200 and _selected(fragment.text) == duty

    day = today_in_japan().isoformat()
    leave = {"matter": "leave", "kind": "annual", "start": day, "end": day, "days": "1"}
    for choice, expected in (("", duty), ("none", None), (duty, duty)):
        saved = await browser.http.post("/affairs/new", data={**leave, "file_id": choice, "csrf_token": browser.csrf})
        assert saved.status_code == 303, saved.text
        document_id = saved.headers["location"].rsplit("/", 1)[1]
        assert (await stack.call(KENCHIKU, "GET", f"/v1/documents/{document_id}")).json()["file_id"] == expected

    refused = await browser.post("/affairs/new", {**leave, "file_id": str(uuid.uuid4())})
    assert refused.status_code == 422 and 'data-testid="error-file_id"' in refused.text


async def test_unfiled_may_be_chosen_on_the_draft_and_receipt_forms(stack: Stack) -> None:
    version = await _load(stack, FY)
    await _open(stack, KENCHIKU, version, FY, "01-03-02", "支出負担行為綴（未整理の試験）")
    browser = await sign_in(stack, KENCHIKU)
    draft = {"title": f"資材の購入 {uuid.uuid4().hex[:4]}", "matter": "spending", "amount_yen": "1,000"}
    saved = await browser.http.post(
        "/documents/new", data={**draft, "confidentiality": "1", "file_id": "none", "csrf_token": browser.csrf}
    )
    assert saved.status_code == 303, saved.text
    document_id = saved.headers["location"].rsplit("/", 1)[1]
    assert (await stack.call(KENCHIKU, "GET", f"/v1/documents/{document_id}")).json()["file_id"] is None
    receipt = {
        "received_on": TODAY,
        "channel": "paper",
        "sender": "山口県",
        "addressee": "萩市長",
        "title": "建築確認の許可申請について",
        "assigned_unit": UNIT,
        "confidentiality": "1",
    }
    registered = await browser.http.post(
        "/receipts/new", data={**receipt, "file_id": "none", "csrf_token": browser.csrf}
    )
    assert registered.status_code == 303, registered.text
    receipt_id = registered.headers["location"].rsplit("/", 1)[1]
    assert (await stack.call(KENCHIKU, "GET", f"/v1/receipts/{receipt_id}")).json()["file_id"] is None
