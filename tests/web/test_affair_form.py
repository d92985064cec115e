"""庶務申請 form: typed leave / overtime fields with the API's reasons beside them, the person's totals (htmx
fragment) before submit, and a 代理申請 by a 庶務担当 landing on the colleague (their totals, their document)."""

from __future__ import annotations

from datetime import timedelta

from core.clock import today_in_japan
from tests.api.support import ADMIN
from tests.support.stack import CITY, Stack
from tests.web.conftest import sign_in

UNIT = "shimin.hoken"


def staff_of(n: int) -> str:
    return [a.staff_id for a in CITY.assignments if a.org_unit_code == UNIT and a.post_code == "staff"][n]


async def test_the_form_shows_totals_and_field_errors_and_files_for_a_colleague(stack: Stack) -> None:
    clerk, person = staff_of(0), staff_of(1)
    day = today_in_japan() + timedelta(days=10)
    browser = await sign_in(stack, clerk)
    form = await browser.get("/affairs/new")
    assert form.status_code == 200 and "庶務申請の起案" in form.text and 'hx-post="/affairs/new/totals"' in form.text

    overtime = {"matter": "overtime", "work_date": day.isoformat(), "start_time": "17:30", "end_time": "20:30"}
    totals = await browser.post("/affairs/new/totals", {**overtime, "hours": "3", "reason": "議会資料の作成"})
    assert totals.status_code == 200, totals.text
    assert 'data-testid="overtime-totals"' in totals.text and "3か月平均" in totals.text
    assert 'data-testid="month-hours">3.0 時間' in totals.text

    leave = {"matter": "leave", "kind": "annual", "start": day.isoformat(), "end": day.isoformat(), "days": "1"}
    totals = await browser.post("/affairs/new/totals", leave)
    assert 'data-testid="leave-balances"' in totals.text and "年次有給休暇" in totals.text

    bad = await browser.post("/affairs/new", {**leave, "days": "0"})
    assert bad.status_code == 422 and 'data-testid="error-days"' in bad.text and 'aria-invalid="true"' in bad.text

    refused = await browser.post("/affairs/new", {**leave, "on_behalf_of": person})
    assert refused.status_code == 403 and "権限がありません" in refused.text
    grant = {"staff_id": clerk, "org_unit": UNIT, "valid_from": "2020-04-01"}
    assert (await stack.call(ADMIN, "POST", "/v1/org/clerk-grants", json=grant)).status_code == 201
    created = await browser.post("/affairs/new", {**leave, "on_behalf_of": person})
    assert created.status_code == 303, created.text
    doc = (await stack.call(person, "GET", created.headers["location"].replace("/documents", "/v1/documents"))).json()
    assert (doc["drafter_id"], doc["drafted_by"]) == (person, clerk)
    page = await browser.get(created.headers["location"])
    assert page.status_code == 200 and 'data-testid="drafted-by">代理申請: 庶務担当' in page.text
    await browser.http.aclose()
