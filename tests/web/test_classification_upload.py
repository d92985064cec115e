"""The 文書分類表 page's uploads (records office): a 共通分類 version and a section's 課独自の分類 from a CSV or YAML
file, as the API takes them; a bad row is named in Japanese and nothing is stored; others are refused."""

from __future__ import annotations

import uuid

import httpx

from tests.api.support import DRAFTER, RECORDS_OFFICE
from tests.api.test_files_additions import ADDITIONS_CSV, COMMON
from tests.support.stack import Stack
from tests.web.conftest import sign_in

YEAR = 2173  # a 年度 of this test's own


async def test_the_records_office_uploads_the_table_and_a_sections_additions(stack: Stack) -> None:
    office = await sign_in(stack, RECORDS_OFFICE)
    r = await office.get(f"/files/classification?year={YEAR}")
    assert r.status_code == 200
    assert 'data-testid="upload-common"' in r.text and 'enctype="multipart/form-data"' in r.text
    assert 'data-testid="upload-additions"' in r.text

    async def upload(path: str, name: str, body: bytes, **fields: str) -> httpx.Response:
        return await office.http.post(
            path, data={"csrf_token": office.csrf, "year": str(YEAR), **fields}, files={"file": (name, body)}
        )

    version = f"web-up-{uuid.uuid4().hex[:6]}"
    duplicate = (
        COMMON.format(year=YEAR) + '          - {code: "01-03-02", name: 重複, 保存期間: 1年, 満了時の措置: 廃棄}\n'
    )
    bad = await upload("/files/classification", "table.yaml", duplicate.encode(), version_id=version)
    assert bad.status_code == 422
    text = bad.text
    assert 'data-testid="upload-problems"' in text and "分類コード 01-03-02 が重複しています" in text
    assert "何も保存していません" in text
    assert (await stack.call(RECORDS_OFFICE, "GET", f"/v1/admin/classification/{version}")).status_code == 404

    good = await upload("/files/classification", "table.yaml", COMMON.format(year=YEAR).encode(), version_id=version)
    assert good.status_code == 200, good.text
    assert 'data-testid="upload-done"' in good.text and 'data-code="01-03-02"' in good.text

    wrong = ADDITIONS_CSV + "01,総務,01-03,財務,01-03-02,支出負担行為（重ね）,5年,廃棄,\r\n"
    refused = await upload("/files/classification/additions", "add.csv", wrong.encode("cp932"), unit="somu.somu")
    assert refused.status_code == 422
    assert "4行目" in refused.text and "課独自の分類は保存されませんでした" in refused.text
    added = await upload("/files/classification/additions", "add.csv", ADDITIONS_CSV.encode("cp932"), unit="somu.somu")
    assert added.status_code == 200, added.text
    assert 'data-code="01-03-90"' in added.text and "課独自" in added.text

    missing = await office.http.post("/files/classification", data={"csrf_token": office.csrf, "version_id": "x"})
    assert missing.status_code == 422 and "ファイル" in missing.text

    drafter = await sign_in(stack, DRAFTER)
    await drafter.get(f"/files/classification?year={YEAR}")
    other = f"web-no-{uuid.uuid4().hex[:6]}"
    forbidden = await drafter.http.post(
        "/files/classification",
        data={"csrf_token": drafter.csrf, "version_id": other, "year": str(YEAR)},
        files={"file": ("t.yaml", COMMON.format(year=YEAR).encode())},
    )
    assert forbidden.status_code == 403 and "文書担当" in forbidden.text
