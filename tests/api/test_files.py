"""文書分類表 admin, 簿冊 (行政文書ファイル), filing, the ファイル管理簿 and the document search, through the API.

The files are opened for the current 年度 under a version of the 文書分類表 each test module loads for it (the
shipped 2026-common is of 令和8年度 only).  The search is checked as several roles: a 機密性3 document of another
division is never found, counted or hinted at by someone outside its audience.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio

from core.clock import today_in_japan
from domain.era import jst_date
from domain.fiscal import fiscal_year_of
from domain.retention import retention_period
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
from tests.api.test_receipts import registered
from tests.support.stack import Stack, holder

TODAY = today_in_japan()
FY = fiscal_year_of(TODAY)
OTHER_AUTHOR = holder("fukushi.kodomo", "staff")  # 子育て支援課: another division than 総務課
OTHER_COLLEAGUE = holder("fukushi.kodomo", "manager")  # the same division

TABLE = f"""
年度: {FY}
適用日: {FY}-04-01
title: テスト分類表（例示）
source: 例示
classes:
  - code: "01"
    name: 総務
    children:
      - code: "01-03"
        name: 財務
        children:
          - {{code: "01-03-02", name: 支出負担行為, 保存期間: 5年, 満了時の措置: 廃棄}}
          - {{code: "01-03-09", name: 源泉徴収, 保存期間: 5年, 満了時の措置: 廃棄, 起算: 暦年}}
  - code: "02"
    name: 福祉
    children:
      - {{code: "02-01", name: 子育て支援, 保存期間: 30年, 満了時の措置: 移管}}
"""


def _yaml(stack: Stack, staff: str, version: str, body: str) -> Any:
    headers = {"Content-Type": "application/yaml"}
    return stack.call(staff, "PUT", f"/v1/admin/classification/{version}", content=body.encode(), headers=headers)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def version(stack: Stack) -> str:
    """This module's 文書分類表 for the current 年度."""
    version_id = f"test-{uuid.uuid4().hex[:8]}"
    r = await _yaml(stack, RECORDS_OFFICE, version_id, TABLE)  # 総務課 係長 granted records_office
    assert r.status_code == 201, r.text
    return version_id


async def _file(stack: Stack, staff: str, version: str, **over: Any) -> dict[str, Any]:
    body = {
        "fiscal_year": FY,
        "classification_code": "01-03-02",
        "title": f"支出負担行為綴 {uuid.uuid4().hex[:6]}",
        "classification_version": version,
        **over,
    }
    r = await stack.call(staff, "POST", "/v1/files", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _filed(stack: Stack, staff: str, document_id: str, file_id: str) -> Any:
    return await stack.call(staff, "POST", f"/v1/documents/{document_id}/filing", json={"file_id": file_id})


# --- 文書分類表 ------------------------------------------------------------------------------------------------------


async def test_the_shipped_example_table_is_loaded(stack: Stack) -> None:
    r = await stack.call(STRANGER, "GET", "/v1/admin/classification", params={"fiscal_year": 2026})
    assert r.status_code == 200, r.text
    page = r.json()
    assert {"items", "total", "limit", "offset", "next"} <= page.keys()
    assert "2026-common" in [v["id"] for v in page["items"]]
    r = await stack.call(STRANGER, "GET", "/v1/admin/classification/2026-common")
    assert r.status_code == 200, r.text
    table = r.json()
    assert "例示" in table["source"]
    by_code = {c["code"]: c for c in table["tree"]}
    assert by_code["01"]["level_name"] == "大分類" and not by_code["01"]["leaf"]
    assert by_code["01-02-03"]["counting"] == "calendar_year" and by_code["01-02-03"]["retention_label"] == "5年"
    assert by_code["01-01-01"]["disposition_label"] == "移管" and by_code["01-01-01"]["retention_label"] == "永年"


async def test_loading_a_version_is_idempotent_and_never_changes_it(stack: Stack, version: str) -> None:
    r = await _yaml(stack, RECORDS_OFFICE, version, TABLE)
    assert r.status_code == 200, r.text
    changed = TABLE.replace("支出負担行為,", "支出負担行為（改）,")
    assert "exists already" in assert_problem(await _yaml(stack, RECORDS_OFFICE, version, changed), 409)["detail"]


async def test_a_bad_table_is_422_naming_the_row_and_nothing_is_stored(stack: Stack) -> None:
    version_id = f"bad-{uuid.uuid4().hex[:8]}"
    duplicate = TABLE + '  - {code: "02-01", name: 重複, 保存期間: 1年, 満了時の措置: 廃棄}\n'
    problem = assert_problem(await _yaml(stack, RECORDS_OFFICE, version_id, duplicate), 422)
    assert "classes[2] (02-01): duplicate code '02-01'" in problem["detail"], problem
    assert problem["errors"][0]["row"] == "classes[2]"
    no_retention = TABLE.replace("子育て支援, 保存期間: 30年,", "子育て支援,")
    problem = assert_problem(await _yaml(stack, RECORDS_OFFICE, version_id, no_retention), 422)
    assert "classes[1].children[0] (02-01)" in problem["detail"] and "保存期間" in problem["detail"], problem
    assert_problem(await stack.call(RECORDS_OFFICE, "GET", f"/v1/admin/classification/{version_id}"), 404)


async def test_a_csv_table_in_shift_jis(stack: Stack) -> None:
    text = (
        "大分類コード,大分類,中分類コード,中分類,小分類コード,小分類,保存期間,満了時の措置,起算\r\n"
        "01,総務,01-01,文書,01-01-01,文書の収受,1年,廃棄,\r\n"
        "01,総務,01-02,人事,01-02-01,源泉徴収,5年,廃棄,暦年\r\n"
    )
    version_id = f"csv-{uuid.uuid4().hex[:8]}"
    params = {"fiscal_year": FY, "effective_from": f"{FY}-10-01", "source": "例示"}
    r = await stack.call(
        RECORDS_OFFICE,
        "PUT",
        f"/v1/admin/classification/{version_id}",
        params=params,
        content=text.encode("cp932"),
        headers={"Content-Type": "text/csv"},
    )
    assert r.status_code == 201, r.text
    assert [c["code"] for c in r.json()["tree"]] == ["01", "01-01", "01-01-01", "01-02", "01-02-01"]
    bad = text + "01,総務課,01-03,財務,01-03-01,予算,5年,廃棄,\r\n"
    problem = assert_problem(
        await stack.call(
            RECORDS_OFFICE,
            "PUT",
            f"/v1/admin/classification/{version_id}-bad",
            params=params,
            content=bad.encode("utf-8-sig"),
            headers={"Content-Type": "text/csv"},
        ),
        422,
    )
    assert "row 4 (01)" in problem["detail"], problem


async def test_only_the_records_office_loads_a_table(stack: Stack) -> None:
    assert_problem(await _yaml(stack, STRANGER, f"x-{uuid.uuid4().hex[:6]}", TABLE), 403)
    assert_problem(await _yaml(stack, RECORDS_OFFICE, "no spaces allowed", TABLE), 422)


async def test_a_version_may_not_drop_a_leaf_the_years_files_use(stack: Stack, version: str) -> None:
    await _file(stack, DRAFTER, version, classification_code="01-03-09")
    without = "\n".join(line for line in TABLE.splitlines() if "01-03-09" not in line)
    problem = assert_problem(await _yaml(stack, RECORDS_OFFICE, f"drop-{uuid.uuid4().hex[:6]}", without), 422)
    assert "01-03-09" in problem["detail"], problem


# --- 簿冊 and filing ------------------------------------------------------------------------------------------------


async def test_a_filed_documents_completion_starts_the_files_retention(stack: Stack, version: str) -> None:
    file = await _file(stack, DRAFTER, version, storage_location="総務課書庫 A-3", medium="mixed")
    assert (file["retention_label"], file["disposition_label"], file["documents"]) == ("5年", "廃棄", 0)
    assert file["classification_names"] == ["総務", "財務", "支出負担行為"]
    assert file["retention_starts_on"] is None

    doc = await stack.submitted(DRAFTER, SMALL, file_id=file["id"])  # the 総務課長 decides alone
    r = await _filed(stack, DRAFTER, doc["id"], file["id"])  # filed at drafting already: nothing changes
    assert r.status_code == 200, r.text
    detail = r.json()
    assert (detail["documents"], detail["open_documents"], detail["retention_starts_on"]) == (1, 1, None)
    assert [d["id"] for d in detail["filed"]] == [doc["id"]]
    assert "body" not in detail["filed"][0]

    assert (await stack.act(MANAGER, doc["id"], "approve")).status_code == 200
    await completed(stack, DRAFTER, doc["id"])
    read = (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")).json()
    expected = retention_period(jst_date(datetime.fromisoformat(read["completed_at"])), 5)
    r = await stack.call(DRAFTER, "GET", f"/v1/files/{file['id']}")
    assert r.status_code == 200, r.text
    detail = r.json()
    assert detail["open_documents"] == 0
    assert (detail["retention_starts_on"], detail["retention_expires_on"]) == (
        expected.starts_on.isoformat(),
        expected.expires_on.isoformat() if expected.expires_on else None,
    )
    assert detail["filed"][0]["number"] == read["number_display"]
    audit = (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/audit")).json()
    assert audit["verified"] is True
    filing = [e for e in audit["events"] if e["action"] == "file"]
    assert filing and filing[0]["detail"] == {"file_id": file["id"], "previous_file_id": None, "proposed": False}


async def test_a_calendar_year_file_counts_from_january(stack: Stack, version: str) -> None:
    file = await _file(stack, DRAFTER, version, classification_code="01-03-09")
    doc = await submitted(stack, SMALL)
    assert (await _filed(stack, DRAFTER, doc["id"], file["id"])).status_code == 200
    assert (await stack.act(MANAGER, doc["id"], "approve")).status_code == 200
    await completed(stack, DRAFTER, doc["id"])
    completed_on = jst_date(
        datetime.fromisoformat((await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")).json()["completed_at"])
    )
    detail = (await stack.call(DRAFTER, "GET", f"/v1/files/{file['id']}")).json()
    assert detail["counting"] == "calendar_year"
    assert detail["retention_starts_on"] == date(completed_on.year + 1, 1, 1).isoformat()
    assert detail["retention_expires_on"] == date(completed_on.year + 5, 12, 31).isoformat()


async def test_moving_a_document_is_an_audit_event(stack: Stack, version: str) -> None:
    first, second = await _file(stack, DRAFTER, version), await _file(stack, DRAFTER, version)
    doc = await stack.draft(DRAFTER, SMALL, file_id=first["id"])  # filed at drafting
    assert (await _filed(stack, DRAFTER, doc["id"], first["id"])).status_code == 200
    assert (await _filed(stack, DRAFTER, doc["id"], first["id"])).status_code == 200  # again: nothing changes
    r = await _filed(stack, DRAFTER, doc["id"], second["id"])
    assert r.status_code == 200 and r.json()["documents"] == 1, r.text
    assert (await stack.call(DRAFTER, "GET", f"/v1/files/{first['id']}")).json()["documents"] == 0
    events = (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/audit")).json()["events"]
    moves = [(e["action"], e["detail"]["previous_file_id"]) for e in events if e["action"] in ("file", "refile")]
    assert moves == [("file", None), ("refile", first["id"])]


async def test_filing_refusals(stack: Stack, version: str) -> None:
    ours = await _file(stack, DRAFTER, version)
    theirs = await _file(stack, OTHER_AUTHOR, version, classification_code="02-01", title="児童手当綴")
    assert theirs["org_unit"] == "fukushi.kodomo"
    doc = await stack.draft(DRAFTER, SMALL)
    problem = assert_problem(await _filed(stack, DRAFTER, doc["id"], theirs["id"]), 409)
    assert "somu.somu" in problem["detail"] and "fukushi.kodomo" in problem["detail"], problem
    assert_problem(await _filed(stack, DRAFTER, doc["id"], str(uuid.uuid4())), 404)
    assert_problem(await _filed(stack, STRANGER, doc["id"], ours["id"]), 403)  # 機密性1, not in its audience
    secret = await stack.draft(DRAFTER, SMALL, confidentiality=3)
    hidden = assert_problem(await _filed(stack, STRANGER, secret["id"], ours["id"]), 404)
    assert hidden["detail"] == f"no document {secret['id']}"
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/filing", json={})
    assert_problem(r, 422)


async def test_opening_a_file_refusals(stack: Stack, version: str) -> None:
    base = {"fiscal_year": FY, "title": "綴", "classification_version": version}
    r = await stack.call(DRAFTER, "POST", "/v1/files", json={**base, "classification_code": "01-03"})
    assert "not a leaf" in assert_problem(r, 422)["detail"]
    r = await stack.call(DRAFTER, "POST", "/v1/files", json={**base, "classification_code": "99"})
    assert_problem(r, 422)
    other = {**base, "classification_code": "02-01", "org_unit": "fukushi.kodomo"}
    assert (await stack.call(STRANGER, "POST", "/v1/files", json=other)).status_code == 403
    later = {**base, "classification_code": "01-03-02", "fiscal_year": FY + 5}
    assert_problem(await stack.call(DRAFTER, "POST", "/v1/files", json=later), 422)  # the version's 年度 is another
    dup = {**base, "classification_code": "01-03-02", "title": f"重複 {uuid.uuid4().hex[:6]}"}
    assert (await stack.call(DRAFTER, "POST", "/v1/files", json=dup)).status_code == 201
    assert_problem(await stack.call(DRAFTER, "POST", "/v1/files", json=dup), 409)
    assert_problem(await stack.call(DRAFTER, "POST", "/v1/files", json={**base, "classification_code": ""}), 422)


# --- ファイル管理簿 -------------------------------------------------------------------------------------------------


async def test_the_register_shows_the_public_title_where_the_title_is_sensitive(stack: Stack, version: str) -> None:
    secret_title = f"訴訟 山田太郎 {uuid.uuid4().hex[:6]}"
    file = await _file(stack, DRAFTER, version, title=secret_title, public_title="訴訟関係綴")
    assert file["title"] == secret_title and file["public_title"] == "訴訟関係綴"
    outside = (await stack.call(STRANGER, "GET", f"/v1/files/{file['id']}")).json()
    assert (outside["title"], outside["public_title"]) == ("訴訟関係綴", None)

    params: dict[str, Any] = {"fiscal_year": FY, "unit": "somu.somu", "limit": 200}
    r = await stack.call(DRAFTER, "GET", "/v1/file-register", params=params)
    assert r.status_code == 200, r.text
    page = r.json()
    assert {"items", "total", "limit", "offset", "next"} <= page.keys()
    row = next(i for i in page["items"] if i["file_id"] == file["id"])
    assert row["title"] == secret_title  # the section's own view
    assert (row["org_unit_name"], row["retention_label"], row["disposition_label"]) == ("総務課", "5年", "廃棄")
    assert row["classification"] == "総務 > 財務 > 支出負担行為" and row["fiscal_year_label"].endswith("年度")
    published = await stack.call(DRAFTER, "GET", "/v1/file-register", params={**params, "published": "true"})
    row = next(i for i in published.json()["items"] if i["file_id"] == file["id"])
    assert row["title"] == "訴訟関係綴"

    r = await stack.call(DRAFTER, "GET", "/v1/file-register.csv", params={"fiscal_year": FY, "unit": "somu.somu"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, for Excel"
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert lines[0][:4] == ["分類コード", "分類", "名称", "作成者"]
    assert "訴訟関係綴" in {line[2] for line in lines[1:]}
    assert secret_title not in r.content.decode("utf-8-sig")


async def test_the_register_pages(stack: Stack, version: str) -> None:
    for _ in range(3):
        await _file(stack, DRAFTER, version)
    r = await stack.call(DRAFTER, "GET", "/v1/file-register", params={"fiscal_year": FY, "limit": 2})
    page = r.json()
    assert len(page["items"]) == 2 and page["total"] >= 3 and page["next"] is not None
    assert "offset=2" in page["next"] and f"fiscal_year={FY}" in page["next"]
    assert_problem(await stack.call(DRAFTER, "GET", "/v1/file-register", params={"limit": 0}), 422)
    assert_problem(await stack.call(DRAFTER, "GET", "/v1/files", params={"fiscal_year": "令和8"}), 422)


# --- search --------------------------------------------------------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def corpus(stack: Stack, version: str) -> dict[str, Any]:
    """Documents whose 件名 carry one word: the stranger's own, a 機密性3 one of 子育て支援課, and a filed, numbered
    one of 総務課."""
    word = f"道路{uuid.uuid4().hex[:6]}"
    own = await stack.draft(STRANGER, SMALL, title=f"{word} 補修の件")
    secret = await stack.draft(OTHER_AUTHOR, SMALL, title=f"{word} 児童の件", confidentiality=3)
    file = await _file(stack, DRAFTER, version)
    numbered = await submitted(stack, SMALL)
    assert (await stack.act(MANAGER, numbered["id"], "approve")).status_code == 200
    await completed(stack, DRAFTER, numbered["id"])
    numbered = (await stack.call(DRAFTER, "GET", f"/v1/documents/{numbered['id']}")).json()
    assert (await _filed(stack, DRAFTER, numbered["id"], file["id"])).status_code == 200
    return {"word": word, "own": own["id"], "secret": secret["id"], "numbered": numbered, "file": file}


async def _search(stack: Stack, staff: str, **params: Any) -> dict[str, Any]:
    r = await stack.call(staff, "GET", "/v1/documents/search", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.parametrize(
    ("role", "sees_secret"),
    [
        ("stranger", False),
        ("drafter", True),
        ("colleague", True),
        ("records_office", True),
        ("admin", True),
        ("finance", False),
    ],
)
async def test_a_confidential_document_is_found_only_by_its_audience(
    stack: Stack, corpus: dict[str, Any], role: str, sees_secret: bool
) -> None:
    who = {
        "stranger": STRANGER,
        "drafter": OTHER_AUTHOR,
        "colleague": OTHER_COLLEAGUE,
        "records_office": RECORDS_OFFICE,
        "admin": ADMIN,
        "finance": holder("somu.zaisei", "staff"),
    }[role]
    page = await _search(stack, who, q=corpus["word"])
    ids = {i["id"] for i in page["items"]}
    assert (corpus["secret"] in ids) is sees_secret
    assert page["total"] == len(ids), "what is not listed is not counted"
    for item in page["items"]:
        assert "body" not in item
    narrowed = await _search(stack, who, q=f"{corpus['word']} 児童")
    assert narrowed["total"] == (1 if sees_secret else 0)


async def test_the_stranger_finds_their_own_document_only(stack: Stack, corpus: dict[str, Any]) -> None:
    page = await _search(stack, STRANGER, q=corpus["word"])
    assert [i["id"] for i in page["items"]] == [corpus["own"]]


async def test_the_filters(stack: Stack, corpus: dict[str, Any]) -> None:
    numbered = corpus["numbered"]
    number = numbered["number_display"]
    assert number
    found = await _search(stack, RECORDS_OFFICE, number=number)
    assert [i["id"] for i in found["items"]] == [numbered["id"]]
    hit = found["items"][0]
    assert (hit["file_id"], hit["classification_code"], hit["number"]) == (corpus["file"]["id"], "01-03-02", number)
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert (await _search(stack, RECORDS_OFFICE, number=full_width))["total"] == 1, "NFKC: 第１２号 finds 第12号"
    by = {"q": corpus["word"]}
    assert (await _search(stack, RECORDS_OFFICE, **by, unit="fukushi"))["total"] == 1  # a department: its divisions
    assert (await _search(stack, RECORDS_OFFICE, **by, unit="shimin.zeimu"))["total"] == 1
    assert (await _search(stack, RECORDS_OFFICE, **by, drafter=STRANGER))["total"] == 1
    assert (await _search(stack, RECORDS_OFFICE, **by, fiscal_year=FY))["total"] == 2
    assert (await _search(stack, RECORDS_OFFICE, **by, fiscal_year=FY - 1))["total"] == 0
    today = TODAY.isoformat()
    assert (await _search(stack, RECORDS_OFFICE, **by, **{"from": today, "to": today}))["total"] == 2
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert (await _search(stack, RECORDS_OFFICE, **by, **{"from": tomorrow}))["total"] == 0
    in_file = await _search(stack, RECORDS_OFFICE, classification="01-03", number=number)
    assert in_file["total"] == 1, "a 中分類 code finds the documents filed under its leaves"
    assert (await _search(stack, RECORDS_OFFICE, classification="02", number=number))["total"] == 0
    assert (await _search(stack, RECORDS_OFFICE, q="100%_"))["total"] == 0, "LIKE wildcards are plain characters"


@pytest.mark.parametrize(
    "params",
    [
        {"q": "あ" * 201},
        {"q": " ".join(["語"] * 11)},
        {"from": "2026-12-02", "to": "2026-12-01"},
        {"fiscal_year": 1},
        {"from": "昨日"},
        {"limit": 500},
    ],
    ids=["long-query", "many-words", "reversed-range", "year", "date", "limit"],
)
async def test_a_bad_search_is_422(stack: Stack, params: dict[str, Any]) -> None:
    assert_problem(await stack.call(DRAFTER, "GET", "/v1/documents/search", params=params), 422)


# --- receipts ------------------------------------------------------------------------------------------------------


async def test_a_receipt_is_filed_and_its_completion_counts(stack: Stack, version: str) -> None:
    file = await _file(stack, DRAFTER, version)
    row = await registered(stack, received_on=TODAY.isoformat(), assigned_unit="somu.somu")
    r = await stack.call(DRAFTER, "POST", f"/v1/receipts/{row['id']}/filing", json={"file_id": file["id"]})
    assert r.status_code == 200, r.text
    detail = r.json()
    assert [x["id"] for x in detail["receipts"]] == [row["id"]]
    assert (detail["documents"], detail["open_documents"], detail["retention_starts_on"]) == (1, 1, None)
    closed = await stack.call(DRAFTER, "POST", f"/v1/receipts/{row['id']}/close", json={"reason": "参考送付のため"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["file_id"] == file["id"]
    expected = retention_period(jst_date(datetime.fromisoformat(closed.json()["completed_at"])), 5)
    detail = (await stack.call(DRAFTER, "GET", f"/v1/files/{file['id']}")).json()
    assert detail["retention_starts_on"] == expected.starts_on.isoformat()
    assert detail["open_documents"] == 0
    events = (await stack.call(DRAFTER, "GET", f"/v1/receipts/{row['id']}/events")).json()
    assert "filed" in [e["action"] for e in events["items"]]
    outside = (await stack.call(STRANGER, "GET", f"/v1/files/{file['id']}")).json()
    assert outside["receipts"] == [], "the receipts are listed to the section and the records office"


async def test_receipt_filing_refusals(stack: Stack, version: str) -> None:
    file = await _file(stack, DRAFTER, version)
    theirs = await registered(stack, received_on=TODAY.isoformat())  # assigned to 税務課
    r = await stack.call(RECORDS_OFFICE, "POST", f"/v1/receipts/{theirs['id']}/filing", json={"file_id": file["id"]})
    assert "shimin.zeimu" in assert_problem(r, 409)["detail"]
    ours = await registered(stack, received_on=TODAY.isoformat(), assigned_unit="somu.somu")
    r = await stack.call(STRANGER, "POST", f"/v1/receipts/{ours['id']}/filing", json={"file_id": file["id"]})
    assert_problem(r, 404)
    r = await stack.call(DRAFTER, "POST", f"/v1/receipts/{ours['id']}/filing", json={"file_id": "nope"})
    assert_problem(r, 404)
