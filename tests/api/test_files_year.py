"""The 年度 change for files (簿冊): the records office opens the new year's files from last year's list
(idempotent), and a document moves between files only while both are open (409 with the reason).

After test_files.py (the file name sorts after it): its 年度 tables must keep the classes of the 年度's files, so
these files are opened under the same classes (its TABLE) once its own loads are done."""

from __future__ import annotations

import uuid
from typing import Any

import pytest_asyncio
from sqlalchemy import update

from db.models import RecordFileRow
from db.session import create_engine, create_sessionmaker
from tests.api.support import DRAFTER, RECORDS_OFFICE, SMALL, assert_problem
from tests.api.test_files import FY, TABLE, _file, _filed, _yaml
from tests.support.stack import Stack

NEXT = FY + 1
NEXT_TABLE = f"""
年度: {NEXT}
適用日: {NEXT}-04-01
title: テスト分類表 翌年度（例示）
source: 例示
classes:
  - code: "01"
    name: 総務
    children:
      - code: "01-03"
        name: 財務
        children:
          - {{code: "01-03-02", name: 支出負担行為, 保存期間: 10年, 満了時の措置: 移管}}
"""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def version(stack: Stack) -> str:
    """This module's 文書分類表 for the current 年度 (the files of last year's list are opened under it)."""
    version_id = f"year-{uuid.uuid4().hex[:8]}"
    r = await _yaml(stack, RECORDS_OFFICE, version_id, TABLE)
    assert r.status_code == 201, r.text
    return version_id


async def _files_of(stack: Stack, year: int) -> list[dict[str, Any]]:
    r = await stack.call(RECORDS_OFFICE, "GET", "/v1/files", params={"fiscal_year": year, "limit": 200})
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def _close(stack: Stack, file_id: str, status: str) -> None:
    engine = create_engine(stack.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await session.execute(
                update(RecordFileRow).where(RecordFileRow.id == file_id).values(records_status=status)
            )
    finally:
        await engine.dispose()


async def test_the_records_office_opens_the_new_year_from_last_years_list_once(stack: Stack, version: str) -> None:
    kept = await _file(stack, DRAFTER, version, storage_location="書庫A", public_title="支出関係綴")
    dropped = await _file(stack, DRAFTER, version, classification_code="01-03-09", title=f"源泉 {uuid.uuid4().hex[:6]}")
    url = "/v1/files/open-year"
    assert_problem(await stack.call(RECORDS_OFFICE, "POST", url, json={"fiscal_year": 2150}), 409)  # no table
    r = await _yaml(stack, RECORDS_OFFICE, f"next-{uuid.uuid4().hex[:8]}", NEXT_TABLE)
    assert r.status_code == 201, r.text
    assert_problem(await stack.call(DRAFTER, "POST", url, json={"fiscal_year": NEXT}), 403)
    assert_problem(await stack.call(RECORDS_OFFICE, "POST", url, json={"fiscal_year": "next"}), 422)

    r = await stack.call(RECORDS_OFFICE, "POST", url, json={"fiscal_year": NEXT})
    assert r.status_code == 200, r.text
    opened = r.json()
    assert opened["created"] >= 1 and opened["fiscal_year"] == NEXT
    skipped = {s["source_file_id"]: s["reason"] for s in opened["skipped"]}
    assert "01-03-09" in skipped[dropped["id"]]  # the new table has no such class: named
    (successor,) = [f for f in await _files_of(stack, NEXT) if f["title"] == kept["title"]]
    assert (successor["org_unit"], successor["classification_code"]) == ("somu.somu", "01-03-02")
    assert (successor["retention_label"], successor["disposition"]) == ("10年", "transfer")  # the new leaf's
    assert (successor["storage_location"], successor["public_title"]) == ("書庫A", "支出関係綴")

    again = await stack.call(RECORDS_OFFICE, "POST", url, json={"fiscal_year": NEXT})
    assert again.status_code == 200 and again.json()["created"] == 0, again.text
    assert again.json()["existing"] >= opened["created"]
    assert [f["title"] for f in await _files_of(stack, NEXT)].count(kept["title"]) == 1


async def test_a_document_moves_only_between_open_files(stack: Stack, version: str) -> None:
    first, second, third = [await _file(stack, DRAFTER, version) for _ in range(3)]
    doc = await stack.draft(DRAFTER, SMALL, file_id=first["id"])  # filed at drafting
    assert (await _filed(stack, DRAFTER, doc["id"], first["id"])).status_code == 200
    await _close(stack, second["id"], "transferred")
    problem = assert_problem(await _filed(stack, DRAFTER, doc["id"], second["id"]), 409)
    assert "go into this file" in problem["detail"] and "transferred" in problem["detail"], problem
    await _close(stack, first["id"], "disposed")
    problem = assert_problem(await _filed(stack, DRAFTER, doc["id"], third["id"]), 409)
    assert "leave its file" in problem["detail"] and "disposed" in problem["detail"], problem
    await _close(stack, first["id"], "active")
    r = await _filed(stack, RECORDS_OFFICE, doc["id"], third["id"])  # the records office moves it
    assert r.status_code == 200, r.text
    events = (await stack.call(DRAFTER, "GET", f"/v1/documents/{doc['id']}/audit")).json()["events"]
    moves = [(e["action"], e["detail"]["previous_file_id"]) for e in events if e["action"] in ("file", "refile")]
    assert moves == [("file", None), ("refile", first["id"])]
