"""The records office's file pages: the files of a 年度, opening the new 年度 from last year's list (with its
progress and result), a file with its documents, moving a document (a refusal shows its reason)."""

from __future__ import annotations

import asyncio
import re
import uuid

from tests.api.support import DRAFTER, MANAGER, RECORDS_OFFICE, SMALL, completed, submitted
from tests.api.test_files import FY, TABLE, _yaml
from tests.support.stack import Stack
from tests.web.conftest import Browser, sign_in

NEXT_TABLE = TABLE.replace(f"年度: {FY}", f"年度: {FY + 1}").replace(f"適用日: {FY}-04-01", f"適用日: {FY + 1}-04-01")


async def _opened(office: Browser) -> str:
    """The progress fragment once the run has ended (it runs after the answer)."""
    for _ in range(200):
        fragment = (await office.get("/files/open-year/progress")).text
        if 'hx-trigger="every 1s"' not in fragment:
            assert 'data-testid="opened"' in fragment, fragment
            return fragment
        await asyncio.sleep(0.05)
    raise AssertionError("the run did not end")


async def test_the_records_office_opens_the_year_and_moves_a_document(stack: Stack) -> None:
    assert (await _yaml(stack, RECORDS_OFFICE, f"web-{uuid.uuid4().hex[:8]}", TABLE)).status_code == 201
    assert (await _yaml(stack, RECORDS_OFFICE, f"web-next-{uuid.uuid4().hex[:8]}", NEXT_TABLE)).status_code == 201
    made = []
    for _ in range(2):
        body = {"fiscal_year": FY, "classification_code": "01-03-02", "title": f"支出綴 {uuid.uuid4().hex[:6]}"}
        r = await stack.call(DRAFTER, "POST", "/v1/files", json=body)
        assert r.status_code == 201, r.text
        made.append(r.json())
    doc = await stack.draft(DRAFTER, SMALL)
    filing = {"file_id": made[0]["id"]}
    assert (await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/filing", json=filing)).status_code == 200

    office = await sign_in(stack, RECORDS_OFFICE)
    r = await office.get(f"/files?year={FY}")
    assert r.status_code == 200, r.text
    assert made[0]["title"] in r.text and 'aria-current="page">簿冊' in r.text and "本文へ移動" in r.text
    r = await office.post("/files/open-year", {"fiscal_year": str(FY + 1)})
    assert r.status_code == 303 and r.headers["location"] == f"/files?year={FY + 1}", r.text
    done = await _opened(office)
    assert "<progress" in done and re.search(r"新規 [1-9]\d*冊", done)
    assert made[0]["title"] in (await office.get(f"/files?year={FY + 1}")).text  # the new year's list
    assert (await office.post("/files/open-year", {"fiscal_year": str(FY + 1)})).status_code == 303
    assert "新規 0冊" in await _opened(office)  # idempotent
    assert (await office.post("/files/open-year", {"fiscal_year": "x"})).status_code == 200  # asks again

    r = await office.get(f"/files/{made[0]['id']}")
    assert r.status_code == 200 and doc["title"] in r.text and f'data-document-id="{doc["id"]}"' in r.text
    moved = await office.http.post(
        f"/files/{made[0]['id']}/move",
        data={"csrf_token": office.csrf, "document_id": doc["id"], "target_file_id": made[1]["id"]},
    )
    assert moved.status_code == 303 and moved.headers["location"] == f"/files/{made[1]['id']}"
    assert doc["title"] in (await office.get(f"/files/{made[1]['id']}")).text
    refused = await office.http.post(
        f"/files/{made[1]['id']}/move",
        data={"csrf_token": office.csrf, "document_id": doc["id"], "target_file_id": str(uuid.uuid4())},
    )
    assert refused.status_code == 404
    forged = await office.http.post(
        f"/files/{made[1]['id']}/move", data={"document_id": doc["id"], "target_file_id": made[0]["id"]}
    )
    assert forged.status_code in (400, 403)  # no CSRF token


async def test_the_classification_page_and_a_files_retention_and_move_by_choosing_the_file(stack: Stack) -> None:
    version = f"web-ret-{uuid.uuid4().hex[:8]}"
    assert (await _yaml(stack, RECORDS_OFFICE, version, TABLE)).status_code == 201
    office = await sign_in(stack, RECORDS_OFFICE)
    r = await office.get(f"/files/classification?year={FY}")
    assert r.status_code == 200, r.text
    assert 'data-code="01-03-09"' in r.text and "支出負担行為" in r.text and "暦年" in r.text and "廃棄" in r.text
    assert "小分類" in r.text and "本文へ移動" in r.text
    assert "まだ読み込まれていません" in (await office.get("/files/classification?year=2190")).text

    made = []
    for _ in range(2):
        body = {"fiscal_year": FY, "classification_code": "01-03-02", "title": f"支出綴 {uuid.uuid4().hex[:6]}"}
        r = await stack.call(DRAFTER, "POST", "/v1/files", json=body)
        assert r.status_code == 201, r.text
        made.append(r.json())
    doc = await stack.draft(DRAFTER, SMALL)
    filing = {"file_id": made[0]["id"]}
    assert (await stack.call(DRAFTER, "POST", f"/v1/documents/{doc['id']}/filing", json=filing)).status_code == 200

    r = await office.get(f"/files/{made[0]['id']}")
    assert '<select id="target-' in r.text and f'<option value="{made[1]["id"]}">' in r.text
    assert f'<option value="{made[0]["id"]}">' not in r.text  # not the file itself
    # the file's retention has not started (its document is a draft): the refusal shows on the page
    refused = await office.post(f"/files/{made[0]['id']}/retention", {"change": "extend", "years": "1"})
    assert refused.status_code == 409 and "has not started" in refused.text and 'role="alert"' in refused.text
    bad = await office.post(f"/files/{made[0]['id']}/retention", {"change": "longer", "years": "x"})
    assert bad.status_code == 422 and "1〜30" in bad.text
    drafter = await sign_in(stack, DRAFTER)
    assert (
        await drafter.post(f"/files/{made[0]['id']}/retention", {"change": "extend", "years": "1"})
    ).status_code == 403

    moved = await office.post(
        f"/files/{made[0]['id']}/move", {"document_id": doc["id"], "target_file_id": made[1]["id"]}
    )
    assert moved.status_code == 303 and moved.headers["location"] == f"/files/{made[1]['id']}"
    assert doc["title"] in (await office.get(f"/files/{made[1]['id']}")).text

    done = await submitted(stack, SMALL)  # into a file of its own, decided and complete: its retention runs
    assert (await stack.call(DRAFTER, "POST", f"/v1/documents/{done['id']}/filing", json=filing)).status_code == 200
    assert (await stack.act(MANAGER, done["id"], "approve")).status_code == 200
    await completed(stack, DRAFTER, done["id"])
    extended = await office.post(f"/files/{made[0]['id']}/retention", {"change": "extend", "years": "2", "reason": ""})
    assert extended.status_code == 303, extended.text
    shortened = await office.post(f"/files/{made[0]['id']}/retention", {"change": "shorten", "years": "1"})
    assert shortened.status_code == 409 and "needs its reason" in shortened.text
    r = await office.get(f"/files/{made[0]['id']}")
    assert 'data-testid="retention-changes"' in r.text and "延長" in r.text and "2年" in r.text
