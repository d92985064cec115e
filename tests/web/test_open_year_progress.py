"""新年度の簿冊の一括作成 on /files: a run's progress (a ``file_openings`` row written per batch, whoever runs it)
shown by a fragment that polls itself while the run goes on, and the result once it is done."""

from __future__ import annotations

import re
from datetime import timedelta

from db.file_opening import PROGRESS_BATCH, YearOpened, record_run, start_run
from db.models import FileOpeningRow
from db.session import create_engine, create_sessionmaker
from domain.filing import OPENING_SILENT_LIMIT
from tests.api.support import DRAFTER, RECORDS_OFFICE
from tests.support.stack import Stack
from tests.web.conftest import sign_in

YEAR = 2199  # a 年度 no other test opens


async def test_the_fragment_shows_a_run_in_progress_then_its_result(stack: Stack) -> None:
    engine = create_engine(stack.settings.database_url)
    try:
        sessions = create_sessionmaker(engine)
        run = await start_run(sessions, YEAR, by=RECORDS_OFFICE)
        office = await sign_in(stack, RECORDS_OFFICE)

        planning = (await office.get("/files/open-year/progress")).text
        assert 'hx-get="/files/open-year/progress"' in planning and 'hx-trigger="every 1s"' in planning
        assert "準備中" in planning

        await record_run(sessions, run, done=PROGRESS_BATCH, total=3 * PROGRESS_BATCH)
        page = (await office.get("/files")).text  # the page carries the same fragment
        for html in (page, (await office.get("/files/open-year/progress")).text):
            assert f"{YEAR}年度の簿冊を作成中" in html and 'hx-trigger="every 1s"' in html
            assert re.search(rf'<progress id="open-progress" max="{3 * PROGRESS_BATCH}" value="{PROGRESS_BATCH}"', html)
            assert f"{PROGRESS_BATCH}/{3 * PROGRESS_BATCH}冊" in html

        result = YearOpened(
            fiscal_year=YEAR, classification_version="v", created=50, existing=9, skipped=[("f1", "gone")]
        )
        await record_run(sessions, run, status="done", result=result, finished=True)
        done = (await office.get("/files/open-year/progress")).text
        assert "hx-trigger" not in done, "polling stops"
        assert 'data-testid="opened"' in done and "新規 50冊、作成済み 9冊、対象外 1冊" in done and "f1: gone" in done

        # a failed run says so, in Japanese where the reason has a translation, and stops polling too
        failed = await start_run(sessions, YEAR, by=RECORDS_OFFICE)
        await record_run(
            sessions, failed, status="failed", error="no 文書分類表 is loaded for 年度 2199", finished=True
        )
        shown = (await office.get("/files/open-year/progress")).text
        assert 'data-testid="opening-failed"' in shown and "hx-trigger" not in shown
        # a run whose process died (silent too long) is shown as stopped, and not polled
        stopped = await start_run(sessions, YEAR, by=RECORDS_OFFICE)
        async with sessions() as session, session.begin():
            row = await session.get(FileOpeningRow, stopped)
            assert row is not None
            row.updated_at = row.updated_at - OPENING_SILENT_LIMIT - timedelta(seconds=1)
        shown = (await office.get("/files/open-year/progress")).text
        assert 'data-testid="opening-stalled"' in shown and "hx-trigger" not in shown
    finally:
        await engine.dispose()

    drafter = await sign_in(stack, DRAFTER)  # not the records office: no run shown
    other = await drafter.get("/files/open-year/progress")
    assert other.status_code == 200 and "作成" not in other.text


async def test_a_run_of_the_api_is_recorded_with_its_result(stack: Stack) -> None:
    r = await stack.call(RECORDS_OFFICE, "POST", "/v1/files/open-year", json={"fiscal_year": YEAR - 1})
    office = await sign_in(stack, RECORDS_OFFICE)
    fragment = (await office.get("/files/open-year/progress")).text
    assert "hx-trigger" not in fragment
    latest = await stack.call(RECORDS_OFFICE, "GET", "/v1/files/open-year/latest")
    assert latest.status_code == 200, latest.text
    assert latest.json()["fiscal_year"] == YEAR - 1 and latest.json()["status"] in ("done", "failed")
    assert latest.json()["finished_at"] is not None and latest.json()["stalled"] is False
    assert (await stack.call(DRAFTER, "GET", "/v1/files/open-year/latest")).status_code == 403
    if r.status_code == 200:
        opened = r.json()
        assert f"{YEAR - 1}年度: 新規 {opened['created']}冊" in fragment
        assert latest.json()["created"] == opened["created"]
    else:  # no 文書分類表 of that 年度: a refusal, recorded as the run's failure
        assert r.status_code == 409, r.text
        assert 'data-testid="opening-failed"' in fragment and f"{YEAR - 1}年度" in fragment
