"""庶務申請 form: typed leave / overtime fields with the API's reasons beside them, the person's totals (htmx
fragment) before submit, and a 代理申請 by a 庶務担当 landing on the colleague (their totals, their document)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from temporalio.client import Client

from core.clock import today_in_japan
from tests.api.support import ADMIN
from tests.api.test_general_affairs import drafted, overtime, submit
from tests.support.databases import BACKENDS
from tests.support.stack import CITY, Stack, holder, seeded_full_stack
from tests.web.conftest import sign_in

UNIT = "shimin.hoken"


@pytest_asyncio.fixture(scope="module", loop_scope="session", params=BACKENDS)
async def stack(
    request: pytest.FixtureRequest,
    temporal_client: Client,
    hr_url: str,
    finance_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Stack]:
    """One stack for the module, on a seeded database of its own."""
    async with seeded_full_stack(
        request.param,
        temporal_client,
        hr_url=hr_url,
        finance_url=finance_url,
        data_dir=tmp_path_factory.mktemp("affair-form"),
        action_timeout_seconds=15,
    ) as stack:
        yield stack


def staff_of(n: int, unit: str = UNIT) -> str:
    return [a.staff_id for a in CITY.assignments if a.org_unit_code == unit and a.post_code == "staff"][n]


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


async def test_a_trip_is_drafted_with_its_fields_and_japanese_errors_beside_them(stack: Stack) -> None:
    drafter = staff_of(0, "shimin.shimin")
    browser = await sign_in(stack, drafter)
    form = await browser.get("/affairs/new?matter=trip")
    assert (
        form.status_code == 200 and 'data-matter="trip"' in form.text and 'data-testid="trip-destination"' in form.text
    )
    day = today_in_japan() + timedelta(days=20)
    trip = {
        "matter": "trip",
        "destination": "山口県庁（山口市）",
        "purpose": "地方財政に関する説明会",
        "trip_start": day.isoformat(),
        "trip_end": (day + timedelta(days=1)).isoformat(),
        "trip_days": "2",
        "transport": "鉄道",
        "estimated_cost_yen": "12,400",
        "within_prefecture": "1",
    }
    bad = await browser.post("/affairs/new", {**trip, "destination": "", "trip_days": "3", "estimated_cost_yen": "-1"})
    assert bad.status_code == 422, bad.text
    assert 'data-testid="error-destination">入力してください。' in bad.text
    assert 'data-testid="error-estimated_cost_yen">0以上にしてください。' in bad.text
    assert 'value="鉄道"' in bad.text  # what was typed stays
    reversed_days = await browser.post("/affairs/new", {**trip, "trip_end": (day - timedelta(days=1)).isoformat()})
    assert reversed_days.status_code == 422
    assert 'data-testid="error-trip_end">終了日が開始日より前になっています。' in reversed_days.text
    too_many = await browser.post("/affairs/new", {**trip, "trip_days": "3"})
    assert 'data-testid="error-trip_days">日数（3）が開始日から終了日までの 2 日を超えています。' in too_many.text

    created = await browser.post("/affairs/new", trip)
    assert created.status_code == 303, created.text
    doc = (await stack.call(drafter, "GET", created.headers["location"].replace("/documents", "/v1/documents"))).json()
    assert doc["matter"] == "trip" and doc["title"] == "出張（旅行命令）申請"
    details = doc["details"]
    assert (details["destination"], details["days"], details["transport"], details["estimated_cost_yen"]) == (
        "山口県庁（山口市）",
        2,
        "鉄道",
        12400,
    )
    assert details["within_prefecture"] is True
    await browser.http.aclose()


async def test_the_totals_and_route_of_a_proxy_request_are_the_colleagues(stack: Stack) -> None:
    unit = "shimin.zeimu"
    clerk, person = staff_of(0, unit), staff_of(1, unit)
    manager, director = holder(unit, "manager"), holder("shimin", "director")
    month = (today_in_japan().replace(day=1) + timedelta(days=62)).replace(day=1)  # a month wholly ahead
    for n, hours in ((0, 12), (1, 8)):  # the colleague's own 20 hours that month, submitted
        doc = await drafted(stack, person, overtime(month + timedelta(days=n), hours))
        assert (await submit(stack, person, doc["id"])).status_code == 200
    grant = {"staff_id": clerk, "org_unit": unit, "valid_from": "2020-04-01"}
    assert (await stack.call(ADMIN, "POST", "/v1/org/clerk-grants", json=grant)).status_code == 201

    browser = await sign_in(stack, clerk)
    await browser.get("/affairs/new")
    typed = {
        "matter": "overtime",
        "work_date": (month + timedelta(days=2)).isoformat(),
        "start_time": "17:30",
        "end_time": "19:30",
        "hours": "1",
        "reason": "窓口混雑への対応",
    }
    theirs = await browser.post("/affairs/new/totals", {**typed, "on_behalf_of": person})
    assert theirs.status_code == 200, theirs.text
    assert 'data-testid="month-hours">21.0 時間' in theirs.text and 'data-testid="totals-person"' in theirs.text
    assert f"（{director}）" in theirs.text and f"（{manager}）" in theirs.text  # over 20 hours: up to the 部長
    mine = await browser.post("/affairs/new/totals", typed)
    assert 'data-testid="month-hours">1.0 時間' in mine.text and 'data-testid="totals-person"' not in mine.text
    assert f"（{manager}）" in mine.text and f"（{director}）" not in mine.text
    await browser.http.aclose()


async def test_the_document_page_of_a_leave_request_shows_the_balance(stack: Stack) -> None:
    unit = "shimin.shimin"
    drafter, manager = staff_of(1, unit), holder(unit, "manager")
    day = today_in_japan() + timedelta(days=15)
    details = {"matter": "leave", "kind": "annual", "start": day.isoformat(), "end": day.isoformat(), "days": 1}
    doc = await drafted(stack, drafter, details)
    assert (await submit(stack, drafter, doc["id"])).status_code == 200
    browser = await sign_in(stack, manager)  # the 課長 deciding it reads the balance beside the request
    page = await browser.get(f"/documents/{doc['id']}")
    assert page.status_code == 200, page.text
    assert 'data-testid="leave-balance"' in page.text and "休暇の残日数（申請者）" in page.text
    assert 'data-testid="annual-remaining"' in page.text
    assert 'data-testid="leave-held">年次有給休暇：残' in page.text and "今回 1.0 日" in page.text
    await browser.http.aclose()
    other = await drafted(stack, drafter, overtime(day, 2))  # no balance on a page of another matter
    drafter_browser = await sign_in(stack, drafter)
    assert 'data-testid="leave-balance"' not in (await drafter_browser.get(f"/documents/{other['id']}")).text
    await drafter_browser.http.aclose()
