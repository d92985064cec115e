"""収受 (receipts) through the API: registration and its gapless 収受番号, immutability, 配布, corrections,
the branches (reply, 供覧 and close), visibility, bad input."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.api.support import MANAGER, RECORDS_OFFICE, STRANGER, assert_problem, completed, document_total
from tests.support.stack import Stack, holder

OTHER_UNIT = "shimin.zeimu"  # 税務課
TAX_CLERK = STRANGER  # 税務課 主事
ZAISEI_CLERK = holder("somu.zaisei", "staff")  # 財政課 主事: neither records office nor 税務課


def receipt(**overrides: Any) -> dict[str, Any]:
    body = {
        "received_on": "2026-05-11",
        "channel": "paper",
        "sender": "山口県総務部",
        "addressee": "萩市長",
        "title": "統計調査への協力について(依頼)",
        "sender_reference": "山総第45号",
        "assigned_unit": OTHER_UNIT,
        "confidentiality": 2,
    }
    return body | overrides


async def registered(stack: Stack, staff_id: str = RECORDS_OFFICE, **overrides: Any) -> dict[str, Any]:
    r = await stack.call(staff_id, "POST", "/v1/receipts", json=receipt(**overrides))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_numbers_are_gapless_per_symbol_and_fiscal_year(stack: Stack) -> None:
    first = await registered(stack, received_on="2031-03-31")  # 令和12年度
    second = await registered(stack, TAX_CLERK, received_on="2031-03-30")
    new_year = await registered(stack, received_on="2031-04-01")  # the next 年度 starts again at 1
    assert (first["fiscal_year"], second["fiscal_year"], new_year["fiscal_year"]) == (2030, 2030, 2031)
    assert second["number_symbol"] == first["number_symbol"]
    serial = int(first["receipt_number"].split("第")[1].rstrip("号"))
    assert second["receipt_number"] == f"{first['number_symbol']}第{serial + 1}号"
    assert new_year["receipt_number"] == f"{first['number_symbol']}第1号"
    book = await stack.call(RECORDS_OFFICE, "GET", "/v1/receipts", params={"fiscal_year": 2030, "unit": OTHER_UNIT})
    assert book.status_code == 200, book.text
    numbers = [item["receipt_number"] for item in book.json()["items"]]
    assert numbers[-2:] == [first["receipt_number"], second["receipt_number"]]


async def test_receipts_are_immutable_and_corrections_are_events(stack: Stack) -> None:
    row = await registered(stack)
    for method in ("PATCH", "PUT"):
        r = await stack.call(RECORDS_OFFICE, method, f"/v1/receipts/{row['id']}", json={"title": "x"})
        assert "immutable" in assert_problem(r, {405, 409})["detail"]
    r = await stack.call(
        TAX_CLERK,
        "POST",
        f"/v1/receipts/{row['id']}/corrections",
        json={"field": "sender_reference", "value": "山総第46号", "reason": "誤記"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["sender_reference"] == "山総第46号"
    bad = await stack.call(
        TAX_CLERK,
        "POST",
        f"/v1/receipts/{row['id']}/corrections",
        json={"field": "receipt_number", "value": "1", "reason": "x"},
    )
    assert "field" in assert_problem(bad, 422)["detail"]
    crlf = await stack.call(
        TAX_CLERK,
        "POST",
        f"/v1/receipts/{row['id']}/corrections",
        json={"field": "title", "value": "依頼\r\nBcc: x@example.jp", "reason": "誤記"},
    )
    assert "control" in assert_problem(crlf, 422)["detail"]
    events = (await stack.call(TAX_CLERK, "GET", f"/v1/receipts/{row['id']}/events")).json()["items"]
    assert [e["action"] for e in events] == ["registered", "corrected"]
    assert events[1]["detail"] == {
        "field": "sender_reference",
        "old": "山総第45号",
        "new": "山総第46号",
        "reason": "誤記",
    }


async def test_hidden_receipt_is_404_and_others_may_not_register(stack: Stack) -> None:
    row = await registered(stack)
    assert_problem(await stack.call(ZAISEI_CLERK, "GET", f"/v1/receipts/{row['id']}"), 404)
    missing = await stack.call(ZAISEI_CLERK, "GET", "/v1/receipts/00000000-0000-0000-0000-000000000000")
    assert_problem(missing, 404)
    assert (await stack.call(TAX_CLERK, "GET", f"/v1/receipts/{row['id']}")).status_code == 200
    assert_problem(await stack.call(ZAISEI_CLERK, "POST", "/v1/receipts", json=receipt()), 403)


async def test_bad_input_names_the_field_and_stores_nothing(stack: Stack) -> None:
    before = (await stack.call(RECORDS_OFFICE, "GET", "/v1/receipts")).json()["total"]
    for body, field in (
        (receipt(channel="fax"), "channel"),
        ({k: v for k, v in receipt().items() if k != "sender"}, "sender"),
        (receipt(received_on="2026-13-01"), "received_on"),
        (receipt(assigned_unit="no.such"), "assigned_unit"),
        (receipt(title="依頼\r\nBcc: x@example.jp"), "title"),
        (receipt(sender="山口県\x85総務部"), "sender"),
        (receipt(addressee="萩市長\n殿"), "addressee"),
    ):
        r = await stack.call(RECORDS_OFFICE, "POST", "/v1/receipts", json=body)
        assert field in str(assert_problem(r, 422)), r.text
    assert (await stack.call(RECORDS_OFFICE, "GET", "/v1/receipts")).json()["total"] == before


async def test_hand_on_moves_the_receipt_and_is_recorded(stack: Stack) -> None:
    row = await registered(stack)
    r = await stack.call(
        RECORDS_OFFICE, "POST", f"/v1/receipts/{row['id']}/hand-on", json={"unit": "somu.zaisei", "reason": "所管違い"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["assigned_unit"] == "somu.zaisei"
    assert (await stack.call(ZAISEI_CLERK, "GET", f"/v1/receipts/{row['id']}")).status_code == 200
    events = (await stack.call(RECORDS_OFFICE, "GET", f"/v1/receipts/{row['id']}/events")).json()["items"]
    assert events[-1]["action"] == "handed_on" and events[-1]["detail"]["to"] == "somu.zaisei"


async def test_circulation_completes_when_all_have_read(stack: Stack) -> None:
    row = await registered(stack, assigned_unit="somu.somu")
    path = f"/v1/receipts/{row['id']}/circulation"
    r = await stack.call(RECORDS_OFFICE, "POST", path, json={"readers": [MANAGER, ZAISEI_CLERK]})
    assert r.status_code == 200, r.text
    assert r.json()["branch"] == "circulation"
    assert_problem(await stack.call(TAX_CLERK, "POST", f"{path}/read", json={}), 404)  # not a reader: hidden
    first = await stack.call(MANAGER, "POST", f"{path}/read", json={"comment": "確認しました"})
    assert first.json()["outcome"] == "circulating", first.text
    assert "already" in assert_problem(await stack.call(MANAGER, "POST", f"{path}/read", json={}), 409)["detail"]
    last = await stack.call(ZAISEI_CLERK, "POST", f"{path}/read")
    assert last.json()["outcome"] == "circulated", last.text
    readers = (await stack.call(RECORDS_OFFICE, "GET", path)).json()["items"]
    assert {r["reader_id"]: r["comment"] for r in readers}[MANAGER] == "確認しました"
    again = await stack.call(RECORDS_OFFICE, "POST", f"/v1/receipts/{row['id']}/close", json={"reason": "x"})
    assert "one branch" in assert_problem(again, 409)["detail"]


async def test_close_files_it(stack: Stack) -> None:
    row = await registered(stack)
    r = await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{row['id']}/close", json={"reason": "参考送付"})
    assert r.status_code == 200, r.text
    assert (r.json()["branch"], r.json()["outcome"]) == ("closed", "closed")
    assert_problem(await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{row['id']}/close", json={"reason": "x"}), 409)


async def decided(stack: Stack, drafter: str, document_id: str) -> dict[str, Any]:
    """Submit the draft and approve each pending step until the decision; wait for its 完結 (and number)."""
    r = await stack.call(drafter, "POST", f"/v1/documents/{document_id}/submit")
    assert r.status_code == 200, r.text
    doc = dict(r.json())
    for _ in range(10):
        if doc["status"] in ("approved", "circulating", "completed"):
            break
        doc = await stack.ok(doc["pending"][0], document_id, "approve")
    await completed(stack, drafter, document_id)
    return dict((await stack.call(drafter, "GET", f"/v1/documents/{document_id}")).json())


async def test_reply_draft_decided_completes_the_receipt_with_its_number(stack: Stack) -> None:
    row = await registered(stack)
    r = await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{row['id']}/reply")
    assert r.status_code == 201, r.text
    draft = r.json()
    assert (draft["status"], draft["in_reply_to"], draft["drafter_id"]) == ("draft", row["id"], TAX_CLERK)
    assert draft["title"].startswith(row["title"]) and draft["confidentiality"] == row["confidentiality"]
    assert (draft["matter"], draft["category"], draft["amount_yen"]) == ("general", "inquiry_reply_routine", 0)
    receipt_now = (await stack.call(TAX_CLERK, "GET", f"/v1/receipts/{row['id']}")).json()
    assert (receipt_now["branch"], receipt_now["outcome"]) == ("reply", "replying")
    assert receipt_now["reply_document_id"] == draft["id"] and receipt_now["completed_at"] is None
    # the drafter completes the draft like any other before submitting it
    edited = await stack.call(
        TAX_CLERK, "PATCH", f"/v1/documents/{draft['id']}", json={"body": "下記のとおり回答してよろしいか。"}
    )
    assert edited.status_code == 200, edited.text
    reply = await decided(stack, TAX_CLERK, draft["id"])
    assert reply["number_display"], reply
    for _ in range(100):
        done = (await stack.call(TAX_CLERK, "GET", f"/v1/receipts/{row['id']}")).json()
        if done["outcome"] == "replied":
            break
        await asyncio.sleep(0.05)
    assert (done["outcome"], done["reply_number"]) == ("replied", reply["number_display"]), done
    assert done["completed_at"] is not None
    events = (await stack.call(TAX_CLERK, "GET", f"/v1/receipts/{row['id']}/events")).json()["items"]
    assert [e["action"] for e in events] == ["registered", "reply_drafted", "completed"]
    assert events[-1]["detail"] == {"document_id": draft["id"], "number": reply["number_display"]}


async def test_a_reply_drafted_with_its_own_general_matter_takes_that_category(stack: Stack) -> None:
    row = await registered(stack)
    body = {"title": "調査への回答", "body": "別紙のとおり回答する。", "matter": "general", "category": "report"}
    r = await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{row['id']}/reply", json=body | {"confidentiality": 2})
    assert r.status_code == 201, r.text
    assert (r.json()["matter"], r.json()["category"], r.json()["in_reply_to"]) == ("general", "report", row["id"])
    other = await registered(stack)
    unknown = await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{other['id']}/reply", json=body | {"category": "x"})
    assert "inquiry_reply_routine" in assert_problem(unknown, 422)["detail"]
    untouched = (await stack.call(TAX_CLERK, "GET", f"/v1/receipts/{other['id']}")).json()
    assert (untouched["branch"], untouched["reply_document_id"]) == ("none", None), untouched


async def test_a_second_branch_is_refused_and_stores_nothing(stack: Stack) -> None:
    replied = await registered(stack)
    first = await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{replied['id']}/reply")
    assert first.status_code == 201, first.text
    before = await document_total(stack, TAX_CLERK)
    again = await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{replied['id']}/reply")
    assert "one branch" in assert_problem(again, 409)["detail"]
    close = await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{replied['id']}/close", json={"reason": "x"})
    assert "one branch" in assert_problem(close, 409)["detail"]
    closed = await registered(stack)
    r = await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{closed['id']}/close", json={"reason": "参考送付"})
    assert r.status_code == 200, r.text
    assert (
        "one branch"
        in assert_problem(await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{closed['id']}/reply"), 409)["detail"]
    )
    assert await document_total(stack, TAX_CLERK) == before
    events = (await stack.call(TAX_CLERK, "GET", f"/v1/receipts/{replied['id']}/events")).json()["items"]
    assert [e["action"] for e in events] == ["registered", "reply_drafted"]


async def test_only_the_assigned_unit_or_the_records_office_drafts_the_reply(stack: Stack) -> None:
    row = await registered(stack, TAX_CLERK)
    assert_problem(await stack.call(ZAISEI_CLERK, "POST", f"/v1/receipts/{row['id']}/reply"), 404)  # hidden
    missing = "00000000-0000-0000-0000-000000000000"
    assert_problem(await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{missing}/reply"), 404)
    handed = await stack.call(
        TAX_CLERK, "POST", f"/v1/receipts/{row['id']}/hand-on", json={"unit": "somu.zaisei", "reason": "所管違い"}
    )
    assert handed.status_code == 200, handed.text
    # the registering clerk still sees it, but 税務課 no longer answers it
    assert_problem(await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{row['id']}/reply"), 403)
    assert (await stack.call(TAX_CLERK, "GET", f"/v1/receipts/{row['id']}")).json()["branch"] == "none"
    r = await stack.call(ZAISEI_CLERK, "POST", f"/v1/receipts/{row['id']}/reply")
    assert r.status_code == 201, r.text
    assert r.json()["org_unit"] == "somu.zaisei"


async def test_the_register_book_carries_no_summary_of_a_classified_receipt(stack: Stack) -> None:
    """The 収受簿 lists every receipt of the unit; the summary of a 機密性2+ one only on its own page."""
    plain = await registered(stack, received_on="2032-05-10", confidentiality=1, summary="公開の照会")
    secret = await registered(stack, received_on="2032-05-11", confidentiality=2, summary="個人情報を含む照会")
    book = await stack.call(TAX_CLERK, "GET", "/v1/receipts", params={"fiscal_year": 2032, "limit": 200})
    assert book.status_code == 200, book.text
    items = {i["id"]: i for i in book.json()["items"]}
    assert (items[plain["id"]]["summary"], items[plain["id"]]["content_omitted"]) == ("公開の照会", False)
    assert (items[secret["id"]]["summary"], items[secret["id"]]["content_omitted"]) == ("", True)
    assert items[secret["id"]]["title"] == secret["title"]
    page = (await stack.call(TAX_CLERK, "GET", f"/v1/receipts/{secret['id']}")).json()
    assert page["summary"] == "個人情報を含む照会" and not page["content_omitted"]
