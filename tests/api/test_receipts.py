"""収受 (receipts) through the API: registration and its gapless 収受番号, immutability, 配布, corrections,
the branches (供覧 and close), visibility, bad input."""

from __future__ import annotations

from typing import Any

from tests.api.support import DRAFTER, MANAGER, STRANGER, assert_problem
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


async def registered(stack: Stack, staff_id: str = DRAFTER, **overrides: Any) -> dict[str, Any]:
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
    book = await stack.call(DRAFTER, "GET", "/v1/receipts", params={"fiscal_year": 2030, "unit": OTHER_UNIT})
    assert book.status_code == 200, book.text
    numbers = [item["receipt_number"] for item in book.json()["items"]]
    assert numbers[-2:] == [first["receipt_number"], second["receipt_number"]]


async def test_receipts_are_immutable_and_corrections_are_events(stack: Stack) -> None:
    row = await registered(stack)
    for method in ("PATCH", "PUT"):
        r = await stack.call(DRAFTER, method, f"/v1/receipts/{row['id']}", json={"title": "x"})
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
    before = (await stack.call(DRAFTER, "GET", "/v1/receipts")).json()["total"]
    for body, field in (
        (receipt(channel="fax"), "channel"),
        ({k: v for k, v in receipt().items() if k != "sender"}, "sender"),
        (receipt(received_on="2026-13-01"), "received_on"),
        (receipt(assigned_unit="no.such"), "assigned_unit"),
    ):
        r = await stack.call(DRAFTER, "POST", "/v1/receipts", json=body)
        assert field in str(assert_problem(r, 422)), r.text
    assert (await stack.call(DRAFTER, "GET", "/v1/receipts")).json()["total"] == before


async def test_hand_on_moves_the_receipt_and_is_recorded(stack: Stack) -> None:
    row = await registered(stack)
    r = await stack.call(
        DRAFTER, "POST", f"/v1/receipts/{row['id']}/hand-on", json={"unit": "somu.zaisei", "reason": "所管違い"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["assigned_unit"] == "somu.zaisei"
    assert (await stack.call(ZAISEI_CLERK, "GET", f"/v1/receipts/{row['id']}")).status_code == 200
    events = (await stack.call(DRAFTER, "GET", f"/v1/receipts/{row['id']}/events")).json()["items"]
    assert events[-1]["action"] == "handed_on" and events[-1]["detail"]["to"] == "somu.zaisei"


async def test_circulation_completes_when_all_have_read(stack: Stack) -> None:
    row = await registered(stack, assigned_unit="somu.somu")
    path = f"/v1/receipts/{row['id']}/circulation"
    r = await stack.call(DRAFTER, "POST", path, json={"readers": [MANAGER, ZAISEI_CLERK]})
    assert r.status_code == 200, r.text
    assert r.json()["branch"] == "circulation"
    assert_problem(await stack.call(TAX_CLERK, "POST", f"{path}/read", json={}), 404)  # not a reader: hidden
    first = await stack.call(MANAGER, "POST", f"{path}/read", json={"comment": "確認しました"})
    assert first.json()["outcome"] == "circulating", first.text
    assert "already" in assert_problem(await stack.call(MANAGER, "POST", f"{path}/read", json={}), 409)["detail"]
    last = await stack.call(ZAISEI_CLERK, "POST", f"{path}/read")
    assert last.json()["outcome"] == "circulated", last.text
    readers = (await stack.call(DRAFTER, "GET", path)).json()["items"]
    assert {r["reader_id"]: r["comment"] for r in readers}[MANAGER] == "確認しました"
    again = await stack.call(DRAFTER, "POST", f"/v1/receipts/{row['id']}/close", json={"reason": "x"})
    assert "one branch" in assert_problem(again, 409)["detail"]


async def test_close_files_it(stack: Stack) -> None:
    row = await registered(stack)
    r = await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{row['id']}/close", json={"reason": "参考送付"})
    assert r.status_code == 200, r.text
    assert (r.json()["branch"], r.json()["outcome"]) == ("closed", "closed")
    assert_problem(await stack.call(TAX_CLERK, "POST", f"/v1/receipts/{row['id']}/close", json={"reason": "x"}), 409)
