"""滞留 (where documents wait) and the monthly 事務報告, against a hand-built fixture written to the database.

The fixture's waits start a known number of 開庁日 before today (``business_days_ago``), so every age is known;
農林水産部 (農政課, 林政課) is used by no other test, so the 農政課長's report is exactly the fixture.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
import pytest_asyncio

from api.services.reports import WITHHELD
from core.clock import today_in_japan
from tests.api.support import RECORDS_OFFICE, assert_problem
from tests.support.documents import document_row
from tests.support.stack import Stack, holder
from tests.support.waiting import business_day_back, business_days_ago, insert, receipt_row, waiting_document

NOSEI, RINSEI = "norin.nosei", "norin.rinsei"
NOSEI_MANAGER = holder(NOSEI, "manager")  # 農政課長
RINSEI_MANAGER = holder(RINSEI, "manager")  # 林政課長
DIRECTOR = holder("norin", "director")  # 農林水産部長
FINANCE = holder("somu.zaisei", "manager")  # 財政課長 (合議)
CONTRACTS = holder("somu.keiyaku", "manager")  # 契約監理課長 (合議)
RECORDS = RECORDS_OFFICE  # 総務課 係長 granted the records office (例示)
SECRET = "用地買収の価格交渉について"
SECRET_RECEIPT = "入札談合情報について"
SECTIONS = "/v1/reports/pending", "/v1/reports/pending.csv", "/v1/reports/pending.svg", "/v1/reports/monthly.csv"
SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Fixture:
    today: date
    #: The 農政課長's report exactly: (kind, document or receipt id, assignee, age, bucket), oldest first.
    nosei: list[tuple[str, str, str | None, int, str]] = field(default_factory=list)
    rinsei_doc: str = ""
    secret_doc: str = ""
    secret_receipt: str = ""
    hidden: set[str] = field(default_factory=set)  # ids that must not be listed (not in review, settled, not due)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def fx(stack: Stack) -> AsyncIterator[Fixture]:
    today = today_in_japan()
    f = Fixture(today=today)
    rows: list[Any] = []
    by_age: dict[int, str] = {}
    for age in (0, 1, 2, 3, 4, 7, 8):
        doc, *steps = waiting_document(NOSEI, business_days_ago(today, age), NOSEI_MANAGER, title=f"{age}日待ち")
        rows += [doc, *steps]
        by_age[age] = doc.id
    consult, *steps = waiting_document(
        NOSEI, business_days_ago(today, 3).replace(hour=0), FINANCE, CONTRACTS, stage_kind="consult", title="合議中"
    )  # 09:00 JST: before the 10:00 one of the same day
    rows += [consult, *steps]
    sent_back, *steps = waiting_document(NOSEI, business_days_ago(today, 9), NOSEI_MANAGER, status="sent_back")
    rows += [sent_back, *steps]
    overdue = receipt_row(NOSEI, reply_by=business_day_back(today, 2), title="照会(回答期限超過)")
    due_today = receipt_row(NOSEI, reply_by=today)
    replied = receipt_row(NOSEI, reply_by=business_day_back(today, 5), outcome="replied")
    closed = receipt_row(NOSEI, reply_by=business_day_back(today, 5), outcome="closed")
    no_deadline = receipt_row(NOSEI, reply_by=None)
    rows += [overdue, due_today, replied, closed, no_deadline]
    f.hidden = {sent_back.id, due_today.id, replied.id, closed.id, no_deadline.id}

    rinsei, *steps = waiting_document(RINSEI, business_days_ago(today, 5), RINSEI_MANAGER, title="林道の補修")
    secret, *secret_steps = waiting_document(
        RINSEI, business_days_ago(today, 6), RINSEI_MANAGER, title=SECRET, confidentiality=2
    )
    secret_receipt = receipt_row(RINSEI, reply_by=business_day_back(today, 9), title=SECRET_RECEIPT, confidentiality=2)
    rows += [rinsei, *steps, secret, *secret_steps, secret_receipt]
    f.rinsei_doc, f.secret_doc, f.secret_receipt = rinsei.id, secret.id, secret_receipt.id
    await insert(stack, *rows)

    f.nosei = [
        ("step", by_age[8], NOSEI_MANAGER, 8, "8+"),
        ("step", by_age[7], NOSEI_MANAGER, 7, "4–7"),
        ("step", by_age[4], NOSEI_MANAGER, 4, "4–7"),
        *sorted([("step", consult.id, FINANCE, 3, "2–3"), ("step", consult.id, CONTRACTS, 3, "2–3")]),
        ("step", by_age[3], NOSEI_MANAGER, 3, "2–3"),
        ("reply_overdue", overdue.id, None, 2, "2–3"),  # 00:00 of its deadline: before the 10:00 step
        ("step", by_age[2], NOSEI_MANAGER, 2, "2–3"),
        ("step", by_age[1], NOSEI_MANAGER, 1, "0–1"),
        ("step", by_age[0], NOSEI_MANAGER, 0, "0–1"),
    ]
    yield f


async def report(stack: Stack, staff_id: str) -> list[dict[str, Any]]:
    r = await stack.call(staff_id, "GET", "/v1/reports/pending", params={"limit": 200})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"]) and body["next"] is None
    return list(body["items"])


def _key(item: dict[str, Any]) -> tuple[str, str, str | None, int, str]:
    return (
        item["kind"],
        item["document_id"] or item["receipt_id"],
        item["assignee_id"],
        item["age_business_days"],
        item["bucket"],
    )


async def test_a_managers_report_is_the_fixture_oldest_first(stack: Stack, fx: Fixture) -> None:
    items = await report(stack, NOSEI_MANAGER)
    assert [_key(i) for i in items] == fx.nosei
    assert all(i["org_unit_code"] == NOSEI and i["org_unit_name"] == "農政課" for i in items)
    oldest = items[0]
    assert (oldest["title"], oldest["stage_kind"], oldest["post_code"], oldest["post_name"]) == (
        "8日待ち",
        "review",
        "manager",
        "課長",
    )
    assert oldest["assignee_unit_code"] == NOSEI and oldest["assignee_name"]
    consulted = [i for i in items if i["stage_kind"] == "consult"]
    assert {(i["assignee_unit_name"], i["post_name"]) for i in consulted} == {
        ("財政課", "課長"),
        ("契約監理課", "課長"),
    }
    receipt = next(i for i in items if i["kind"] == "reply_overdue")
    assert receipt["reply_by"] == business_day_back(fx.today, 2).isoformat() and receipt["receipt_number"]
    assert receipt["title"] == "照会(回答期限超過)" and receipt["since"] is None
    assert not {i["document_id"] or i["receipt_id"] for i in items} & fx.hidden


async def test_a_director_sees_the_department_without_titles_out_of_reach(stack: Stack, fx: Fixture) -> None:
    items = await report(stack, DIRECTOR)
    ids = {i["document_id"] or i["receipt_id"] for i in items}
    assert {k[1] for k in fx.nosei} | {fx.rinsei_doc, fx.secret_doc, fx.secret_receipt} <= ids
    assert all(i["org_unit_code"].startswith("norin") for i in items)
    secret = [i for i in items if (i["document_id"] or i["receipt_id"]) in (fx.secret_doc, fx.secret_receipt)]
    assert [(i["title"], i["title_withheld"], i["confidentiality"]) for i in secret] == [(None, True, 2)] * 2
    assert [i["age_business_days"] for i in secret] == [9, 6]  # the receipt 9 days past its deadline, first
    r = await stack.call(DIRECTOR, "GET", "/v1/reports/pending.csv")
    assert SECRET not in r.text and SECRET_RECEIPT not in r.text and WITHHELD in r.text


async def test_the_secret_title_shows_to_its_audience(stack: Stack, fx: Fixture) -> None:
    for staff_id in (RINSEI_MANAGER, RECORDS):  # the drafter's division; the records office
        items = {i["document_id"] or i["receipt_id"]: i for i in await report(stack, staff_id)}
        assert items[fx.secret_doc]["title"] == SECRET and items[fx.secret_receipt]["title"] == SECRET_RECEIPT
    rinsei = await report(stack, RINSEI_MANAGER)
    assert all(i["org_unit_code"] == RINSEI for i in rinsei)
    everyone = {i["document_id"] or i["receipt_id"] for i in await report(stack, RECORDS)}
    assert {k[1] for k in fx.nosei} <= everyone and not everyone & fx.hidden


@pytest.mark.parametrize("staff_id", [holder(NOSEI, "staff"), holder(NOSEI, "chief")])
async def test_staff_and_chiefs_read_no_report(stack: Stack, fx: Fixture, staff_id: str) -> None:
    for path in SECTIONS:
        problem = assert_problem(await stack.call(staff_id, "GET", path, params={"month": "2026-11"}), 403)
        assert "課長" in problem["detail"]


async def test_the_csv_is_utf8_with_bom_and_japanese_headers(stack: Stack, fx: Fixture) -> None:
    r = await stack.call(NOSEI_MANAGER, "GET", "/v1/reports/pending.csv")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == f'attachment; filename="pending-{fx.today.isoformat()}.csv"'
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["種別", "文書ID", "収受番号", "件名"] and rows[0][-2:] == ["滞留日数(開庁日)", "区分"]
    assert len(rows) == 1 + len(fx.nosei)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["種別"], first["件名"], first["段階"], first["職位"], first["滞留日数(開庁日)"], first["区分"]) == (
        "決裁待ち",
        "8日待ち",
        "回議",
        "課長",
        "8",
        "8+",
    )
    overdue = next(dict(zip(rows[0], row, strict=True)) for row in rows[1:] if row[0] == "回答期限超過")
    assert overdue["回答期限"] == business_day_back(fx.today, 2).isoformat() and overdue["担当者"] == ""


async def test_the_svg_chart_draws_the_buckets(stack: Stack, fx: Fixture) -> None:
    r = await stack.call(NOSEI_MANAGER, "GET", "/v1/reports/pending.svg")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/svg+xml; charset=utf-8"
    root = ET.fromstring(r.content)
    assert root.tag == f"{SVG}svg"
    assert f"{fx.today.isoformat()}現在、計10件" in (root.findtext(f"{SVG}title") or "")
    assert (root.findtext(f"{SVG}desc") or "").endswith("0–1日 2件、2–3日 5件、4–7日 2件、8+日 1件")
    bars = [e.findtext(f"{SVG}title") for e in root.findall(f"{SVG}rect")[1:]]
    assert bars == ["0–1日: 2件", "2–3日: 5件", "4–7日: 2件", "8+日: 1件"]
    director = await stack.call(DIRECTOR, "GET", "/v1/reports/pending.svg")
    assert SECRET not in director.text


MONTH = "2035-07"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def month(stack: Stack) -> None:
    """Documents and receipts around 2035-07 in Japan (00:00 JST is 15:00 UTC the day before)."""
    june = datetime(2035, 6, 10, 1, 0, tzinfo=UTC)
    rows = [
        document_row(org_unit=NOSEI, status="withdrawn", submitted_at=datetime(2035, 6, 30, 15, 0, tzinfo=UTC)),
        document_row(org_unit=NOSEI, status="withdrawn", submitted_at=datetime(2035, 6, 30, 14, 59, tzinfo=UTC)),
        document_row(
            org_unit=NOSEI, status="approved", submitted_at=june, decided_at=datetime(2035, 7, 31, 14, 59, tzinfo=UTC)
        ),
        document_row(
            org_unit=NOSEI, status="approved", submitted_at=june, decided_at=datetime(2035, 7, 31, 15, 0, tzinfo=UTC)
        ),
        document_row(
            org_unit=NOSEI, status="rejected", submitted_at=june, decided_at=datetime(2035, 7, 3, 1, 0, tzinfo=UTC)
        ),
        document_row(
            org_unit=RINSEI,
            status="completed",
            submitted_at=datetime(2035, 7, 15, 1, 0, tzinfo=UTC),
            decided_at=datetime(2035, 7, 20, 1, 0, tzinfo=UTC),
        ),
        receipt_row(NOSEI, reply_by=None, received_on=date(2035, 7, 1)),
        receipt_row(NOSEI, reply_by=None, received_on=date(2035, 7, 31)),
        receipt_row(NOSEI, reply_by=None, received_on=date(2035, 8, 1)),
        receipt_row(NOSEI, reply_by=None, received_on=date(2035, 6, 30)),
    ]
    await insert(stack, *rows)


async def monthly(stack: Stack, staff_id: str, when: str = MONTH) -> list[list[str]]:
    r = await stack.call(staff_id, "GET", "/v1/reports/monthly.csv", params={"month": when})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8" and r.content.startswith(b"\xef\xbb\xbf")
    assert r.headers["content-disposition"] == f'attachment; filename="monthly-{when}.csv"'
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


async def test_the_monthly_counts_by_section(stack: Stack, month: None) -> None:
    assert await monthly(stack, RECORDS) == [
        ["課コード", "課名", "起案", "決裁", "収受"],
        [NOSEI, "農政課", "1", "1", "2"],
        [RINSEI, "林政課", "1", "1", "0"],
        ["", "合計", "2", "2", "2"],
    ]
    assert (await monthly(stack, NOSEI_MANAGER))[1:] == [[NOSEI, "農政課", "1", "1", "2"], ["", "合計", "1", "1", "2"]]
    assert len(await monthly(stack, DIRECTOR)) == 4
    assert await monthly(stack, RECORDS, "2035-09") == [
        ["課コード", "課名", "起案", "決裁", "収受"],
        ["", "合計", "0", "0", "0"],
    ]


@pytest.mark.parametrize("when", ["2035-13", "2035-7", "July", ""])
async def test_a_bad_month_is_refused(stack: Stack, when: str) -> None:
    problem = assert_problem(await stack.call(RECORDS, "GET", "/v1/reports/monthly.csv", params={"month": when}), 422)
    assert "month" in problem["detail"]
