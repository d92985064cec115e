"""簿冊の提案 and 整理 at drafting / registration through the API: ``file_id`` on POST /v1/documents and POST
/v1/receipts (checked: an unknown file 422 naming the field, one it may not go into 409), the proposed file when
none is named, GET /v1/files/proposal.

The module files for 建築課 (doboku.kenchiku), a section no other API test files for, under a 文書分類表 of its own
for the current 年度 and one for the next (a file of another 年度).  After test_files*.py (the name sorts after
them): their tables of the 年度 must not meet this module's files, and this module's tables keep their classes.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest_asyncio

from core.clock import today_in_japan
from domain.fiscal import fiscal_year_of
from tests.api.support import RECORDS_OFFICE, assert_problem
from tests.support.stack import Stack, holder

FY = fiscal_year_of(today_in_japan())
UNIT = "doboku.kenchiku"  # 建築課
KENCHIKU = holder(UNIT, "staff")
OTHER_UNIT = "suido.josui"
JOSUI = holder(OTHER_UNIT, "staff")


def _table(year: int) -> str:
    """A 文書分類表 of ``year`` (例示) that keeps every class the 年度's files of test_files*.py are kept under (a new
    version may not drop one) and adds this module's."""
    return f"""
年度: {year}
適用日: {year}-04-01
title: 提案テスト分類表（例示）
source: 例示
classes:
  - code: "01"
    name: 総務
    children:
      - {{code: "01-01", name: 照会・回答（定例）, 保存期間: 1年, 満了時の措置: 廃棄}}
      - code: "01-03"
        name: 財務
        children:
          - {{code: "01-03-02", name: 支出負担行為・支出命令, 保存期間: 5年, 満了時の措置: 廃棄}}
          - {{code: "01-03-09", name: 源泉徴収, 保存期間: 5年, 満了時の措置: 廃棄, 起算: 暦年}}
  - code: "02"
    name: 福祉
    children:
      - {{code: "02-01", name: 子育て支援, 保存期間: 30年, 満了時の措置: 移管}}
  - code: "03"
    name: 土木・建築
    children:
      - {{code: "03-01", name: 建築確認の許可, 保存期間: 10年, 満了時の措置: 廃棄}}
"""


async def _load(stack: Stack, year: int) -> str:
    version = f"prop-{year}-{uuid.uuid4().hex[:6]}"
    r = await stack.call(
        RECORDS_OFFICE,
        "PUT",
        f"/v1/admin/classification/{version}",
        content=_table(year).encode(),
        headers={"Content-Type": "application/yaml"},
    )
    assert r.status_code == 201, r.text
    return version


async def _open(stack: Stack, staff: str, version: str, year: int, code: str, title: str) -> str:
    body = {"fiscal_year": year, "classification_code": code, "title": title, "classification_version": version}
    r = await stack.call(staff, "POST", "/v1/files", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def files(stack: Stack) -> dict[str, str]:
    """建築課's files of this 年度 (照会・回答, 支出, 許可), one of the next 年度, and one of 浄水課."""
    this, following = await _load(stack, FY), await _load(stack, FY + 1)
    return {
        "inquiry": await _open(stack, KENCHIKU, this, FY, "01-01", "照会・回答綴"),
        "spending": await _open(stack, KENCHIKU, this, FY, "01-03-02", "支出負担行為綴"),
        "permit": await _open(stack, KENCHIKU, this, FY, "03-01", "建築確認綴"),
        "next_year": await _open(stack, KENCHIKU, following, FY + 1, "01-03-02", "支出負担行為綴"),
        "other_unit": await _open(stack, JOSUI, this, FY, "01-03-02", "支出負担行為綴"),
    }


def _draft(**over: Any) -> dict[str, Any]:
    return {
        "title": "建築資材の購入について",
        "body": "購入してよろしいか伺います。",
        "matter": "spending",
        "amount_yen": 100_000,
        **over,
    }


async def _events(stack: Stack, document_id: str) -> list[dict[str, Any]]:
    audit = (await stack.call(KENCHIKU, "GET", f"/v1/documents/{document_id}/audit")).json()
    assert audit["verified"] is True
    return list(audit["events"])


async def test_the_proposal_route(stack: Stack, files: dict[str, str]) -> None:
    r = await stack.call(KENCHIKU, "GET", "/v1/files/proposal", params={"matter": "spending"})
    assert r.status_code == 200, r.text
    proposal = r.json()
    assert (proposal["org_unit"], proposal["fiscal_year"], proposal["file_id"]) == (UNIT, FY, files["spending"])
    ids = [c["id"] for c in proposal["candidates"]]
    assert ids[0] == files["spending"] and set(ids) == {files["inquiry"], files["spending"], files["permit"]}
    assert proposal["reason"]

    inquiry = {"matter": "general", "category": "inquiry_reply_routine"}
    assert (await stack.call(KENCHIKU, "GET", "/v1/files/proposal", params=inquiry)).json()["file_id"] == files[
        "inquiry"
    ]
    permit = {"matter": "receipt", "title": "建築確認の許可申請について"}
    assert (await stack.call(KENCHIKU, "GET", "/v1/files/proposal", params=permit)).json()["file_id"] == files["permit"]
    nothing = (await stack.call(KENCHIKU, "GET", "/v1/files/proposal", params={"matter": "general"})).json()
    assert nothing["file_id"] is None and len(nothing["candidates"]) == 3
    other = {"matter": "spending", "unit": OTHER_UNIT}
    assert (await stack.call(KENCHIKU, "GET", "/v1/files/proposal", params=other)).json()["file_id"] == files[
        "other_unit"
    ]


async def test_the_proposal_route_refuses_bad_input(stack: Stack, files: dict[str, str]) -> None:
    for params in ({"matter": "lunch"}, {"unit": "no.such.unit"}, {"fiscal_year": "令和8"}, {"category": "A B"}):
        problem = assert_problem(await stack.call(KENCHIKU, "GET", "/v1/files/proposal", params=params), 422)
        assert next(iter(params)) in problem["detail"], problem


async def test_a_draft_goes_into_the_file_it_names(stack: Stack, files: dict[str, str]) -> None:
    body = _draft(matter="general", category="notice_routine", title="建築基準の改正について", file_id=files["permit"])
    body.pop("amount_yen")
    r = await stack.call(KENCHIKU, "POST", "/v1/documents", json=body)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["file_id"] == files["permit"]
    filing = [e for e in await _events(stack, doc["id"]) if e["action"] == "file"]
    assert [e["detail"] for e in filing] == [{"file_id": files["permit"], "previous_file_id": None, "proposed": False}]
    listed = (await stack.call(KENCHIKU, "GET", f"/v1/files/{files['permit']}")).json()
    assert doc["id"] in [d["id"] for d in listed["filed"]]


async def test_a_draft_naming_no_file_goes_into_the_proposed_one_and_stays(stack: Stack, files: dict[str, str]) -> None:
    doc = (await stack.call(KENCHIKU, "POST", "/v1/documents", json=_draft())).json()
    assert doc["file_id"] == files["spending"]
    filing = [e for e in await _events(stack, doc["id"]) if e["action"] in ("file", "refile")]
    assert [e["detail"]["proposed"] for e in filing] == [True]
    r = await stack.call(
        KENCHIKU, "PATCH", f"/v1/documents/{doc['id']}", json={"title": "建築資材の購入について（改）"}
    )
    assert r.status_code == 200, r.text
    assert (await stack.call(KENCHIKU, "GET", f"/v1/documents/{doc['id']}")).json()["file_id"] == files["spending"]
    # a move is an audit event, as for any filed document
    r = await stack.call(KENCHIKU, "POST", f"/v1/documents/{doc['id']}/filing", json={"file_id": files["inquiry"]})
    assert r.status_code == 200, r.text
    moves = [(e["action"], e["detail"]["file_id"]) for e in await _events(stack, doc["id"]) if "file" in e["action"]]
    assert moves == [("file", files["spending"]), ("refile", files["inquiry"])]


async def test_a_draft_that_fits_no_file_stays_unfiled(stack: Stack, files: dict[str, str]) -> None:
    body = _draft(matter="general", category="certificate", title="証明書の交付について")
    body.pop("amount_yen")
    r = await stack.call(KENCHIKU, "POST", "/v1/documents", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["file_id"] is None


async def test_a_file_the_draft_may_not_go_into_is_409_and_an_unknown_one_422(
    stack: Stack, files: dict[str, str]
) -> None:
    before = (await stack.call(KENCHIKU, "GET", "/v1/documents", params={"limit": 1})).json()["total"]
    cases = {
        files["other_unit"]: (409, OTHER_UNIT),  # another section's file
        files["next_year"]: (409, f"年度 {FY + 1}"),  # another 年度's
        str(uuid.uuid4()): (422, "there is no file"),  # no such file: no hint of anything
    }
    for file_id, (status, reason) in cases.items():
        r = await stack.call(KENCHIKU, "POST", "/v1/documents", json=_draft(file_id=file_id))
        problem = assert_problem(r, status)
        assert problem["detail"].startswith("file_id: ") and reason in problem["detail"], problem
    assert_problem(await stack.call(KENCHIKU, "POST", "/v1/documents", json=_draft(file_id="")), 422)
    after = (await stack.call(KENCHIKU, "GET", "/v1/documents", params={"limit": 1})).json()["total"]
    assert after == before, "nothing stored"


def _receipt(**over: Any) -> dict[str, Any]:
    return {
        "received_on": today_in_japan().isoformat(),
        "channel": "paper",
        "sender": f"山口県土木建築部 {uuid.uuid4().hex[:4]}",
        "addressee": "萩市長",
        "title": "建築確認の許可申請について",
        "assigned_unit": UNIT,
        **over,
    }


async def test_a_receipt_is_filed_at_registration(stack: Stack, files: dict[str, str]) -> None:
    r = await stack.call(KENCHIKU, "POST", "/v1/receipts", json=_receipt(file_id=files["inquiry"]))
    assert r.status_code == 201, r.text
    named = r.json()
    assert named["file_id"] == files["inquiry"]
    proposed = (await stack.call(KENCHIKU, "POST", "/v1/receipts", json=_receipt())).json()
    assert proposed["file_id"] == files["permit"]  # 許可 in its title
    events = (await stack.call(KENCHIKU, "GET", f"/v1/receipts/{proposed['id']}/events")).json()["items"]
    assert [(e["action"], e["detail"].get("proposed")) for e in events] == [("registered", None), ("filed", True)]
    serial = int(proposed["receipt_number"].split("第")[1].rstrip("号"))

    for file_id, status, reason in ((files["other_unit"], 409, OTHER_UNIT), (str(uuid.uuid4()), 422, "no file")):
        problem = assert_problem(
            await stack.call(KENCHIKU, "POST", "/v1/receipts", json=_receipt(file_id=file_id)), status
        )
        assert problem["detail"].startswith("file_id: ") and reason in problem["detail"], problem
    after = (await stack.call(KENCHIKU, "POST", "/v1/receipts", json=_receipt(file_id=files["permit"]))).json()
    assert int(after["receipt_number"].split("第")[1].rstrip("号")) == serial + 1, "a refused receipt takes no number"


async def test_filing_none_leaves_a_draft_and_a_receipt_unfiled_though_a_file_is_proposed(
    stack: Stack, files: dict[str, str]
) -> None:
    """未整理 asked for (``filing: "none"``): no file, no filing event, although the proposal names one."""
    doc = await stack.call(KENCHIKU, "POST", "/v1/documents", json=_draft(filing="none"))
    assert doc.status_code == 201, doc.text
    assert doc.json()["file_id"] is None
    assert not [e for e in await _events(stack, doc.json()["id"]) if "file" in e["action"]]
    receipt = await stack.call(KENCHIKU, "POST", "/v1/receipts", json=_receipt(filing="none"))
    assert receipt.status_code == 201, receipt.text
    assert receipt.json()["file_id"] is None
    events = (await stack.call(KENCHIKU, "GET", f"/v1/receipts/{receipt.json()['id']}/events")).json()["items"]
    assert [e["action"] for e in events] == ["registered"]
    # "proposed" is the default, said explicitly: the file the proposal names (a habit by now)
    proposal = (await stack.call(KENCHIKU, "GET", "/v1/files/proposal", params={"matter": "spending"})).json()
    proposed = (await stack.call(KENCHIKU, "POST", "/v1/documents", json=_draft(filing="proposed"))).json()
    assert proposal["file_id"] is not None and proposed["file_id"] == proposal["file_id"]


async def test_filing_none_with_a_file_or_an_unknown_filing_is_422(stack: Stack, files: dict[str, str]) -> None:
    for path, body in (("/v1/documents", _draft), ("/v1/receipts", _receipt)):
        both = assert_problem(
            await stack.call(KENCHIKU, "POST", path, json=body(filing="none", file_id=files["inquiry"])), 422
        )
        assert "filing" in both["detail"] and "file_id" in both["detail"], both
        odd = assert_problem(await stack.call(KENCHIKU, "POST", path, json=body(filing="later")), 422)
        assert "filing" in odd["detail"], odd
