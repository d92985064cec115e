"""The 滞留 page: the waits of my units with the chart drawn inline (no asset from outside), withheld titles, a
refusal with its reason for a 主事, and the CSV downloads behind the page's own session."""

from __future__ import annotations

import re

from core.clock import today_in_japan
from tests.support.stack import Stack, holder
from tests.support.waiting import business_days_ago, insert, waiting_document
from tests.web.conftest import sign_in

UNIT = "shoko.teiju"  # 定住促進室
MANAGER = holder(UNIT, "manager")
DIRECTOR = holder("shoko", "director")
SECRET = "移住希望者の個人情報照会について"


async def test_the_pending_page_shows_the_waits_and_their_chart(stack: Stack) -> None:
    today = today_in_japan()
    old, *old_steps = waiting_document(UNIT, business_days_ago(today, 8), MANAGER, title="空き家バンク登録")
    secret, *secret_steps = waiting_document(
        UNIT, business_days_ago(today, 2), MANAGER, title=SECRET, confidentiality=2
    )
    await insert(stack, old, *old_steps, secret, *secret_steps)

    manager = await sign_in(stack, MANAGER)
    r = await manager.get("/reports/pending")
    assert r.status_code == 200, r.text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in r.text and '<title id="chart-title">' in r.text
    assert "<desc" in r.text and "8+日 1件" in r.text
    rows = re.findall(r'<tr data-bucket="([^"]+)" data-document-id="([^"]+)"', r.text)
    assert rows == [("8+", old.id), ("2–3", secret.id)]  # oldest first
    assert SECRET in r.text and 'aria-current="page">滞留状況' in r.text
    csv = await manager.get("/reports/pending.csv")
    assert csv.headers["content-type"] == "text/csv; charset=utf-8" and csv.content.startswith(b"\xef\xbb\xbf")
    assert "空き家バンク登録" in csv.content.decode("utf-8-sig")
    monthly = await manager.get(f"/reports/monthly.csv?month={today.isoformat()[:7]}")
    assert monthly.status_code == 200 and monthly.content.decode("utf-8-sig").startswith("課コード,課名,起案,決裁,収受")

    director = await sign_in(stack, DIRECTOR)
    r = await director.get("/reports/pending")
    assert r.status_code == 200 and SECRET not in r.text and "件名非表示" in r.text

    clerk = await sign_in(stack, holder(UNIT, "staff"))
    r = await clerk.get("/reports/pending")
    assert r.status_code == 403 and "課長" in r.text
    for browser in (manager, director, clerk):
        await browser.http.aclose()
