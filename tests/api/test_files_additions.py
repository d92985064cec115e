"""A section's additions (課独自の分類) to the 共通分類, and a file's 保存期間 延長 / 短縮, through the API.

Runs after test_files.py (the name sorts after it): its CSV version of the current 年度 must not meet a file of
this module under 01-03-02.  The additions are of a 年度 of their own (far ahead: no other module loads tables for
it), so a common table loaded elsewhere never meets them.  The retention changes use a file of the current 年度
under this module's version of the table (the classes test_files.py uses).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest_asyncio

from tests.api.support import DRAFTER, MANAGER, RECORDS_OFFICE, SMALL, assert_problem, completed, submitted
from tests.api.test_files import TABLE, _file, _filed, _yaml
from tests.support.stack import Stack

YEAR = 2171
UNIT = "somu.somu"
COMMON = """
年度: {year}
適用日: {year}-04-01
title: 共通分類（例示）
source: 例示
classes:
  - code: "01"
    name: 総務
    children:
      - code: "01-03"
        name: 財務
        children:
          - {{code: "01-03-02", name: 支出負担行為, 保存期間: 5年, 満了時の措置: 廃棄}}
"""
ADDITIONS_CSV = (
    "大分類コード,大分類,中分類コード,中分類,小分類コード,小分類,保存期間,満了時の措置,起算\r\n"
    "01,総務,01-03,財務,01-03-90,ふるさと納税,10年,移管,\r\n"
    "01,総務,01-03,財務,01-03-91,寄附金台帳,5年,廃棄,暦年\r\n"
)


def _additions(stack: Stack, body: str, *, year: int = YEAR, media: str = "text/csv", unit: str = UNIT) -> Any:
    return stack.call(
        RECORDS_OFFICE,
        "PUT",
        f"/v1/admin/classification-additions/{year}/{unit}",
        content=body.encode("utf-8-sig" if media == "text/csv" else "utf-8"),
        headers={"Content-Type": media},
    )


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def common(stack: Stack) -> str:
    version_id = f"add-{uuid.uuid4().hex[:8]}"
    r = await _yaml(stack, RECORDS_OFFICE, version_id, COMMON.format(year=YEAR))
    assert r.status_code == 201, r.text
    return version_id


async def test_a_sections_additions_classify_its_files_and_nothing_bad_is_stored(stack: Stack, common: str) -> None:
    assert_problem(await _additions(stack, ADDITIONS_CSV, year=2172), 409)  # no 共通分類 of that year
    assert_problem(await _additions(stack, ADDITIONS_CSV, unit="no.such"), 404)
    r = await stack.call(DRAFTER, "PUT", f"/v1/admin/classification-additions/{YEAR}/{UNIT}", content=b"x")
    assert_problem(r, 403)

    r = await _additions(stack, ADDITIONS_CSV)
    assert r.status_code == 200, r.text
    assert [c["code"] for c in r.json()["classes"]] == ["01-03-90", "01-03-91"]  # the repeated 大/中分類 dropped
    tree = (await stack.call(RECORDS_OFFICE, "GET", f"/v1/admin/classification/{common}", params={"unit": UNIT})).json()
    by_code = {c["code"]: c for c in tree["tree"]}
    assert by_code["01-03-90"]["added"] and not by_code["01-03-02"]["added"]
    assert (by_code["01-03-90"]["retention_label"], by_code["01-03-90"]["disposition_label"]) == ("10年", "移管")
    assert by_code["01-03-91"]["counting"] == "calendar_year" and by_code["01-03-90"]["level_name"] == "小分類"
    plain = (await stack.call(RECORDS_OFFICE, "GET", f"/v1/admin/classification/{common}")).json()
    assert "01-03-90" not in {c["code"] for c in plain["tree"]}

    body = {"fiscal_year": YEAR, "classification_code": "01-03-90", "title": f"寄附綴 {uuid.uuid4().hex[:6]}"}
    r = await stack.call(DRAFTER, "POST", "/v1/files", json=body)
    assert r.status_code == 201, r.text
    assert (r.json()["retention_label"], r.json()["classification_names"]) == ("10年", ["総務", "財務", "ふるさと納税"])
    other = await stack.call(
        RECORDS_OFFICE, "POST", "/v1/files", json={**body, "org_unit": "fukushi.kodomo", "title": "他課"}
    )
    assert "課独自の分類" not in assert_problem(other, 422)["detail"]  # another section has no such class

    bad = ADDITIONS_CSV + "01,総務,01-03,財務,01-03-02,重複,5年,廃棄,\r\n"
    problem = assert_problem(await _additions(stack, bad), 422)
    assert "row 4 (01-03-02)" in problem["detail"] and "common table already" in problem["detail"], problem
    leafless = ADDITIONS_CSV.replace("寄附金台帳,5年,廃棄", "寄附金台帳,,廃棄")
    assert "row 3 (01-03-91)" in assert_problem(await _additions(stack, leafless), 422)["detail"]
    dropping = ADDITIONS_CSV.replace("01,総務,01-03,財務,01-03-90,ふるさと納税,10年,移管,\r\n", "")
    problem = assert_problem(await _additions(stack, dropping), 422)
    assert "01-03-90" in problem["detail"] and "files of somu.somu" in problem["detail"], problem
    # a new common version must keep the additions' parents and the leaves the files use
    broken = COMMON.format(year=YEAR).replace('"01-03"', '"01-04"')
    problem = assert_problem(await _yaml(stack, RECORDS_OFFICE, f"add-{uuid.uuid4().hex[:8]}", broken), 422)
    assert "somu.somu's additions" in problem["detail"], problem
    stored = (await stack.call(RECORDS_OFFICE, "GET", f"/v1/admin/classification-additions/{YEAR}/{UNIT}")).json()
    assert [c["code"] for c in stored["classes"]] == ["01-03-90", "01-03-91"]  # nothing of the refused uploads

    # the 年度 change: last year's additions come along when they fit, and the file under one is carried
    r = await _yaml(stack, RECORDS_OFFICE, f"add-{uuid.uuid4().hex[:8]}", COMMON.format(year=YEAR + 1))
    assert r.status_code == 201, r.text
    r = await stack.call(RECORDS_OFFICE, "POST", "/v1/files/open-year", json={"fiscal_year": YEAR + 1})
    assert r.status_code == 200, r.text
    assert not [s for s in r.json()["skipped"] if "01-03-90" in s["reason"]], r.json()
    files = (await stack.call(RECORDS_OFFICE, "GET", "/v1/files", params={"fiscal_year": YEAR + 1})).json()["items"]
    assert [f["classification_code"] for f in files if f["title"] == body["title"]] == ["01-03-90"]
    carried = (await stack.call(RECORDS_OFFICE, "GET", f"/v1/admin/classification-additions/{YEAR + 1}/{UNIT}")).json()
    assert [c["code"] for c in carried["classes"]] == ["01-03-90", "01-03-91"]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def version(stack: Stack) -> str:
    version_id = f"ret-{uuid.uuid4().hex[:8]}"
    r = await _yaml(stack, RECORDS_OFFICE, version_id, TABLE)
    assert r.status_code == 201, r.text
    return version_id


async def test_a_files_retention_is_extended_and_shortened_with_a_reason(stack: Stack, version: str) -> None:
    file = await _file(stack, DRAFTER, version)
    url = f"/v1/files/{file['id']}/retention"
    early = await stack.call(RECORDS_OFFICE, "POST", url, json={"change": "extend", "years": 1})
    assert "not started" in assert_problem(early, 409)["detail"]
    doc = await submitted(stack, SMALL)
    assert (await _filed(stack, DRAFTER, doc["id"], file["id"])).status_code == 200
    assert (await stack.act(MANAGER, doc["id"], "approve")).status_code == 200
    await completed(stack, DRAFTER, doc["id"])
    before = date.fromisoformat(
        (await stack.call(DRAFTER, "GET", f"/v1/files/{file['id']}")).json()["retention_expires_on"]
    )

    assert_problem(await stack.call(DRAFTER, "POST", url, json={"change": "extend", "years": 1}), 403)
    assert_problem(await stack.call(RECORDS_OFFICE, "POST", url, json={"change": "extend", "years": 0}), 422)
    r = await stack.call(RECORDS_OFFICE, "POST", url, json={"change": "extend", "years": 3, "reason": "訴訟のため"})
    assert r.status_code == 200, r.text
    assert r.json()["retention_expires_on"] == before.replace(year=before.year + 3).isoformat()
    no_reason = await stack.call(RECORDS_OFFICE, "POST", url, json={"change": "shorten", "years": 1, "reason": " "})
    assert "needs its reason" in assert_problem(no_reason, 409)["detail"]
    too_far = await stack.call(RECORDS_OFFICE, "POST", url, json={"change": "shorten", "years": 9, "reason": "廃止"})
    assert "before it starts" in assert_problem(too_far, 409)["detail"]
    r = await stack.call(RECORDS_OFFICE, "POST", url, json={"change": "shorten", "years": 2, "reason": "事務の廃止"})
    assert r.status_code == 200, r.text
    detail = r.json()
    assert detail["retention_expires_on"] == before.replace(year=before.year + 1).isoformat()
    assert [(c["change"], c["years"], c["reason"]) for c in detail["retention_changes"]] == [
        ("extend", 3, "訴訟のため"),
        ("shorten", 2, "事務の廃止"),
    ]
    audit = (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/audit")).json()
    assert audit["verified"] is True
    changes = [(e["action"], e["detail"]["reason"]) for e in audit["events"] if "retention" in e["action"]]
    assert changes == [("file_retention_extend", "訴訟のため"), ("file_retention_shorten", "事務の廃止")]
    read = (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}")).json()
    assert read["retention_expires_on"] == detail["retention_expires_on"]  # the document follows its file
