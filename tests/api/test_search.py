"""文書検索 (GET /v1/search) through the API, on SQLite and PostgreSQL: two-character words, half/full width and
旧字, receipts, filters, paging, sorting, the index following an edit, and visibility as several roles (a 機密性3
document outside one's audience is never found, counted or hinted at)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import pytest_asyncio

from core.clock import today_in_japan
from domain.fiscal import fiscal_year_of
from tests.api.support import (
    ADMIN,
    DRAFTER,
    MANAGER,
    RECORDS_OFFICE,
    SMALL,
    STRANGER,
    assert_problem,
    completed,
    submitted,
)
from tests.api.test_receipts import receipt
from tests.support.stack import Stack, holder

FY = fiscal_year_of(today_in_japan())
OTHER_AUTHOR = holder("fukushi.kodomo", "staff")  # 子育て支援課
OTHER_COLLEAGUE = holder("fukushi.kodomo", "manager")  # the same division
FINANCE_CLERK = holder("somu.zaisei", "staff")  # neither the division nor the records office


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def corpus(stack: Stack) -> dict[str, Any]:
    """A marker (a word no other test writes) in every 件名, and the words the tests look for in titles and bodies."""
    m = f"検{uuid.uuid4().hex[:8]}"
    road = await stack.draft(DRAFTER, SMALL, title=f"{m} 道路補修の件", body="市道の補修について予算を執行したい。")
    grant = await stack.draft(DRAFTER, SMALL, title=f"{m} 橋梁点検の件", body="国の補助を受けて点検する。")
    width = await stack.draft(DRAFTER, SMALL, title=f"{m} ﾃﾞｰﾀ連携ｼｽﾃﾑ ABC", body="半角で書いた件名")
    old = await stack.draft(DRAFTER, SMALL, title=f"{m} 髙橋氏への回答", body="旧字の氏名")
    secret = await stack.draft(
        OTHER_AUTHOR, SMALL, title=f"{m} 児童の措置", body="道路で保護した児童の予算措置", confidentiality=3
    )
    r = await stack.call(
        RECORDS_OFFICE,
        "POST",
        "/v1/receipts",
        json=receipt(
            title=f"{m} 補助金交付申請", sender="山口県土木建築部", assigned_unit="somu.somu", confidentiality=1
        ),
    )
    assert r.status_code == 201, r.text
    return {
        "m": m,
        "road": road["id"],
        "grant": grant["id"],
        "width": width["id"],
        "old": old["id"],
        "secret": secret["id"],
        "receipt": r.json(),
    }


async def _search(stack: Stack, staff: str, **params: Any) -> dict[str, Any]:
    r = await stack.call(staff, "GET", "/v1/search", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def _ids(stack: Stack, staff: str, **params: Any) -> set[str]:
    page = await _search(stack, staff, **params)
    assert page["total"] == len(page["items"]), "what is not listed is not counted"
    return {i["id"] for i in page["items"]}


async def test_two_character_words_are_found(stack: Stack, corpus: dict[str, Any]) -> None:
    m = corpus["m"]
    assert await _ids(stack, DRAFTER, q=f"{m} 予算") == {corpus["road"]}  # in the 本文
    assert await _ids(stack, DRAFTER, q=f"{m} 道路") == {corpus["road"]}  # in the 件名
    assert await _ids(stack, DRAFTER, q=f"{m} 補助") == {corpus["grant"], corpus["receipt"]["id"]}
    assert await _ids(stack, DRAFTER, q=f"{m} 道路 補修") == {corpus["road"]}
    assert await _ids(stack, DRAFTER, q=f"{m} 道路 点検") == set(), "every term is required"
    assert await _ids(stack, DRAFTER, q=f"{m} 路補") == {corpus["road"]}  # a pair inside a word, as typed
    assert await _ids(stack, DRAFTER, q=f"{m} 梁") == {corpus["grant"]}  # one character: matched on the text
    everything = await _search(stack, RECORDS_OFFICE, q="予算", limit=200)
    assert corpus["road"] in {i["id"] for i in everything["items"]} or everything["total"] > 200


async def test_width_and_old_forms_are_normalised(stack: Stack, corpus: dict[str, Any]) -> None:
    m = corpus["m"]
    assert await _ids(stack, DRAFTER, q=f"{m} データ連携") == {corpus["width"]}, "full-width kana finds half-width"
    assert await _ids(stack, DRAFTER, q=f"{m} ＡＢＣ") == {corpus["width"]}, "full-width latin finds half-width"
    assert await _ids(stack, DRAFTER, q=f"{m} abc") == {corpus["width"]}, "case folded"
    assert await _ids(stack, DRAFTER, q=f"{m} 高橋") == {corpus["old"]}, "新字 finds 旧字 (髙)"
    assert await _ids(stack, DRAFTER, q=f"{m.upper()}　ｼｽﾃﾑ") == {corpus["width"]}, "ideographic space splits"


@pytest.mark.parametrize(
    ("role", "sees_secret"),
    [
        ("stranger", False),
        ("finance", False),
        ("drafter_of_others", False),
        ("author", True),
        ("colleague", True),
        ("records_office", True),
        ("admin", True),
    ],
)
async def test_a_confidential_document_is_found_only_by_its_audience(
    stack: Stack, corpus: dict[str, Any], role: str, sees_secret: bool
) -> None:
    who = {
        "stranger": STRANGER,
        "finance": FINANCE_CLERK,
        "drafter_of_others": DRAFTER,
        "author": OTHER_AUTHOR,
        "colleague": OTHER_COLLEAGUE,
        "records_office": RECORDS_OFFICE,
        "admin": ADMIN,
    }[role]
    m = corpus["m"]
    for q in (f"{m} 児童", f"{m} 道路", m):
        page = await _search(stack, who, q=q)
        ids = {i["id"] for i in page["items"]}
        assert (corpus["secret"] in ids) is sees_secret, q
        assert page["total"] == len(ids), "what is not listed is not counted"
    hidden = await _search(stack, who, q=f"{m} 児童", confidentiality=3)
    assert hidden["total"] == (1 if sees_secret else 0)
    if sees_secret:
        hit = hidden["items"][0]
        assert hit["title"].endswith("児童の措置") and hit["snippet"] == "" and hit["content_omitted"] is True
        assert "body" not in hit and "保護" not in str(hit), "never the body of a 2+ document"


async def test_receipts_and_their_filters(stack: Stack, corpus: dict[str, Any]) -> None:
    m, rec = corpus["m"], corpus["receipt"]
    assert await _ids(stack, RECORDS_OFFICE, q=f"{m} 土木") == {rec["id"]}, "the sender is searched"
    assert await _ids(stack, RECORDS_OFFICE, q=m, kind="receipt") == {rec["id"]}
    assert await _ids(stack, RECORDS_OFFICE, q=m, counterparty="山口県") == {rec["id"]}
    assert await _ids(stack, RECORDS_OFFICE, q=m, receipt_number=rec["receipt_number"]) == {rec["id"]}
    assert await _ids(stack, RECORDS_OFFICE, q=m, fiscal_year=rec["fiscal_year"], kind="receipt") == {rec["id"]}
    assert await _ids(stack, STRANGER, q=m, kind="receipt") == set(), "another unit's receipt is not found"
    hit = (await _search(stack, RECORDS_OFFICE, q=m, kind="receipt"))["items"][0]
    assert (hit["kind"], hit["number"], hit["counterparty"]) == ("receipt", rec["receipt_number"], "山口県土木建築部")


async def test_document_filters(stack: Stack, corpus: dict[str, Any]) -> None:
    m = corpus["m"]
    mine = {corpus[k] for k in ("road", "grant", "width", "old")}
    assert await _ids(stack, RECORDS_OFFICE, q=m, drafter=DRAFTER) == mine
    assert await _ids(stack, RECORDS_OFFICE, q=m, unit="somu", kind="document") == mine
    assert await _ids(stack, RECORDS_OFFICE, q=m, unit="fukushi") == {corpus["secret"]}
    assert await _ids(stack, RECORDS_OFFICE, q=m, status="draft", kind="document") == mine | {corpus["secret"]}
    assert await _ids(stack, RECORDS_OFFICE, q=m, status="decided") == set()
    assert len(await _ids(stack, RECORDS_OFFICE, q=m, fiscal_year=FY, kind="document")) == 5
    assert await _ids(stack, RECORDS_OFFICE, q=m, fiscal_year=FY - 1) == set()
    today = today_in_japan().isoformat()
    assert len(await _ids(stack, RECORDS_OFFICE, q=m, kind="document", **{"from": today, "to": today})) == 5
    assert await _ids(stack, RECORDS_OFFICE, q=m, confidentiality=3) == {corpus["secret"]}
    assert await _ids(stack, RECORDS_OFFICE, q="100%_" + m) == set(), "LIKE wildcards are plain characters"


async def test_paging_and_sorting(stack: Stack, corpus: dict[str, Any]) -> None:
    m = corpus["m"]
    first = await _search(stack, DRAFTER, q=f"{m} 補助", limit=1)
    assert first["total"] == 2 and len(first["items"]) == 1 and first["next"]
    second = (await stack.call(DRAFTER, "GET", first["next"])).json()
    assert second["next"] is None
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {corpus["grant"], corpus["receipt"]["id"]}
    ranked = (await _search(stack, DRAFTER, q=f"{m} 補助"))["items"]
    assert ranked[0]["id"] == corpus["receipt"]["id"], "a term in the 件名 weighs more than one in the 本文"
    assert ranked[0]["score"] > ranked[1]["score"]
    newest = [i["dated_at"] for i in (await _search(stack, DRAFTER, q=m, sort="newest"))["items"]]
    assert newest == sorted(newest, reverse=True)
    oldest = [i["dated_at"] for i in (await _search(stack, DRAFTER, q=m, sort="oldest"))["items"]]
    assert oldest == sorted(oldest)


async def test_the_index_follows_an_edit(stack: Stack) -> None:
    m = f"改{uuid.uuid4().hex[:8]}"
    doc = await stack.draft(DRAFTER, SMALL, title=f"{m} 下水道の件")
    assert await _ids(stack, DRAFTER, q=f"{m} 下水") == {doc["id"]}
    r = await stack.call(DRAFTER, "PATCH", f"/v1/documents/{doc['id']}", json={"title": f"{m} 上水道の件"})
    assert r.status_code == 200, r.text
    assert await _ids(stack, DRAFTER, q=f"{m} 下水") == set()
    assert await _ids(stack, DRAFTER, q=f"{m} 上水") == {doc["id"]}


async def test_the_index_follows_the_numbering(stack: Stack) -> None:
    """The workflow numbers a decided document (文書番号, projected by an activity): its number is found as typed."""
    doc = await submitted(stack, SMALL)
    assert (await stack.act(MANAGER, doc["id"], "approve")).status_code == 200
    await completed(stack, DRAFTER, doc["id"])
    number = (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")).json()["number_display"]
    assert number
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert doc["id"] in await _ids(stack, DRAFTER, q=full_width, fiscal_year=FY)
    assert await _ids(stack, DRAFTER, number=full_width) == {doc["id"]}


@pytest.mark.parametrize(
    "params",
    [
        {"q": "あ" * 201},
        {"q": "予算\x00"},
        {"counterparty": "山口\n県"},
        {"q": " ".join(f"語{i}" for i in range(11))},
        {"kind": "memo"},
        {"sort": "title"},
        {"confidentiality": "5"},
        {"fiscal_year": "令和8"},
        {"from": "2026-05-02", "to": "2026-05-01"},
        {"status": "draft'--"},
        {"limit": "0"},
    ],
)
async def test_bad_queries_are_422(stack: Stack, params: dict[str, str]) -> None:
    assert_problem(await stack.call(DRAFTER, "GET", "/v1/search", params=params), 422)
