"""Every list of API v1 pages the same way: ``Page[T]`` (items, total, limit, offset, next), ``limit`` 1–200
(default 50) and ``offset`` ≥ 0, a stable order, so that walking the pages gives every item once.

Each case puts at least three items in its list (through the API where that is cheap and harmless to the shared
stack, straight into the database for what only a long workflow would produce), then walks the list two at a time
by following ``next`` and compares the walk with the whole list read at once.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from api.app import create_app
from core.clock import today_in_japan
from core.settings import Settings
from db.models import (
    DisposalRecordRow,
    DisposalReviewRow,
    FileDisposalRecordRow,
    NotificationRow,
    OrgTransferRow,
    RetentionExtensionRow,
    SealUseRow,
    SignInFailureRow,
)
from db.session import create_engine, create_sessionmaker
from domain.fiscal import fiscal_year_of
from tests.api.support import ADMIN, SMALL, assert_problem
from tests.api.test_attachments import attached
from tests.api.test_general_affairs import drafted, overtime, submit
from tests.api.test_receipts import MANAGER, RECORDS_OFFICE, ZAISEI_CLERK, registered
from tests.api.test_rules import shipped, upload
from tests.support.stack import Stack, holder
from tests.support.waiting import business_days_ago, insert, waiting_document

PAGER = holder("kyoiku.bunka", "staff")  # 文化課 主事: drafts the documents the cases need
APPROVER = holder("kyoiku.bunka", "manager")  # 文化課長: decides PAGER's small documents
QUIET = holder("kyoiku.shogai", "staff")  # 生涯学習課 主事: on no route, so no notice reaches them but ours
SEAL_DAYS = (date(2001, 5, 1), date(2001, 5, 31))  # a month no other test seals anything in


@dataclass(frozen=True)
class Case:
    """One list route: who reads it, with which filters, and how to put three items in it first."""

    path: str
    viewer: str
    seed: Callable[[Stack], Awaitable[dict[str, str]]]  # -> path parameters
    params: dict[str, str] = field(default_factory=dict)


async def _insert(stack: Stack, *rows: Any) -> None:
    engine = create_engine(stack.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            session.add_all(rows)
    finally:
        await engine.dispose()


async def _drafts(stack: Stack, n: int = 3) -> list[str]:
    return [(await stack.draft(PAGER, amount_yen=SMALL))["id"] for _ in range(n)]


async def _nothing(stack: Stack) -> dict[str, str]:
    return {}


SIGNED_IN = holder("kyoiku.shogai", "manager")  # 生涯学習課長: signed in here only
SPECIAL_CASES_BY = holder("kyoiku.gakko", "chief")  # 学校教育課 係長: orders 特例業務 here only
JINJI = holder("somu.jinji", "chief")  # 人事担当 (hr_admin): reads the 特例業務 list
SPECIAL_DAY = (today_in_japan().replace(day=1) + timedelta(days=62)).replace(day=1)  # a month ahead (事前命令)


async def _special_cases(stack: Stack) -> dict[str, str]:
    reason = "台風による河川氾濫の応急対策 (大規模災害への対処)"
    for n in range(3):
        details = overtime(SPECIAL_DAY + timedelta(days=n), 3, special_case=True, special_case_reason=reason)
        doc = await drafted(stack, SPECIAL_CASES_BY, details)
        assert (await submit(stack, SPECIAL_CASES_BY, doc["id"])).status_code == 200
    return {}


async def _sessions(stack: Stack) -> dict[str, str]:
    for _ in range(3):
        r = await stack.http.post("/v1/auth/token", json={"staff_id": SIGNED_IN, "password": "demo"})
        assert r.status_code == 200, r.text
    return {}


async def _documents(stack: Stack) -> dict[str, str]:
    await _drafts(stack)
    return {}


async def _inbox(stack: Stack) -> dict[str, str]:
    for doc in await _drafts(stack):
        key = {"Idempotency-Key": str(uuid.uuid4())}
        for _ in range(5):  # a busy box answers 503 (retry with the same key); the submit still applies once
            r = await stack.call(PAGER, "POST", f"/v1/documents/{doc}/submit", headers=key)
            if r.status_code != 503:
                break
            await asyncio.sleep(1)
        assert r.status_code == 200, r.text
    return {}


async def _notifications(stack: Stack) -> dict[str, str]:
    (doc,) = await _drafts(stack, 1)
    now = datetime.now(UTC)
    await _insert(
        stack,
        *(
            NotificationRow(
                dedupe_key=f"paging:{uuid.uuid4()}",
                recipient_id=QUIET,
                document_id=doc,
                kind="reminder",
                subject="【督促】",
                created_at=now,
                detail={},
                planned_at=now,  # nothing for the dispatcher to deliver
            )
            for _ in range(3)
        ),
    )
    return {}


async def _absences(stack: Stack) -> dict[str, str]:
    next_year = date.today().year + 1
    for month in (4, 5, 6):
        body = {"kind": "trip", "start": f"{next_year}-{month:02}-01", "end": f"{next_year}-{month:02}-02"}
        r = await stack.call(QUIET, "POST", "/v1/absences", json=body)
        assert r.status_code in (200, 201), r.text
    return {}


async def _transfers(stack: Stack) -> dict[str, str]:
    now = datetime.now(UTC)
    await _insert(
        stack,
        *(
            OrgTransferRow(
                id=str(uuid.uuid4()),
                effective_on=date(2001, 4, 1),  # the same day thrice: the id keeps them apart
                status="applied",
                note="paging",
                plan={"end": [], "start": []},
                created_by=ADMIN,
                created_at=now,
                applied_at=now,
            )
            for _ in range(3)
        ),
    )
    return {}


async def _rules(stack: Stack) -> dict[str, str]:
    for year in (2090, 2091):  # with the shipped version, three; far off, they change no route the tests see
        r = await upload(stack, shipped(date(year, 4, 1)))
        assert r.status_code in (201, 409), r.text
    return {}


async def _attachments(stack: Stack) -> dict[str, str]:
    (doc,) = await _drafts(stack, 1)
    for name in ("見積書.pdf", "仕様書.pdf", "カタログ.pdf"):
        await attached(stack, PAGER, doc, filename=name)
    return {"document_id": doc}


async def _extensions(stack: Stack) -> dict[str, str]:
    (doc,) = await _drafts(stack, 1)
    now = datetime.now(UTC)
    expiry = date(2031, 3, 31)
    await _insert(
        stack,
        *(
            RetentionExtensionRow(
                document_id=doc,
                years=1,
                reason="訴訟係属中",
                previous_expires_on=expiry.replace(year=expiry.year + n),
                new_expires_on=expiry.replace(year=expiry.year + n + 1),
                extended_by=ADMIN,
                extended_at=now,
            )
            for n in range(3)
        ),
    )
    return {"document_id": doc}


async def _seal_log(stack: Stack) -> dict[str, str]:
    docs = await _drafts(stack)
    await _insert(
        stack,
        *(
            SealUseRow(
                document_id=doc,
                seal_name="市長印",
                used_by=ADMIN,
                used_on=SEAL_DAYS[0] + timedelta(days=n // 2),  # two on the same day: the id keeps them apart
                document_number=None,
                title="備品購入について",
                recorded_by=ADMIN,
                recorded_at=datetime.now(UTC),
            )
            for n, doc in enumerate(docs)
        ),
    )
    return {}


def _review(fiscal_year: int) -> DisposalReviewRow:
    return DisposalReviewRow(
        id=str(uuid.uuid4()),
        fiscal_year=fiscal_year,
        live_fiscal_year=None,  # no longer counting: it blocks no new review of that year
        expires_on=date(fiscal_year + 1, 3, 31),
        status="rejected",
        opened_at=datetime.now(UTC),
        opened_by=ADMIN,
    )


async def _reviews(stack: Stack) -> dict[str, str]:
    await _insert(stack, *(_review(1990) for _ in range(3)))  # one fiscal year: opened_at and id keep the order
    return {}


async def _disposals(stack: Stack) -> dict[str, str]:
    docs = await _drafts(stack)
    review = _review(1991)
    now = datetime.now(UTC)
    records = [
        DisposalRecordRow(
            document_id=doc,
            number=None,
            title="備品購入について",
            org_unit_code="kyoiku.bunka",
            retention_label="5年",
            expires_on=date(1992, 3, 31),
            review_id=review.id,
            approved_by=ADMIN,
            approved_at=now,
            disposed_at=now,  # all at once: the id keeps them apart
            method="電子データ消去",
        )
        for doc in docs
    ]
    await _insert(stack, review)
    await _insert(stack, *records)
    return {}


async def _access_log(stack: Stack) -> dict[str, str]:
    (doc,) = await _drafts(stack, 1)
    for _ in range(3):
        assert (await stack.call(PAGER, "GET", f"/v1/documents/{doc}")).status_code == 200
    return {"__document_id": doc}


async def _lockouts(stack: Stack) -> dict[str, str]:
    """Three staff ids with failed sign-ins (ids nobody signs in with), from an address of their own: one locked
    (5 failures), two counting."""
    now = datetime.now(UTC)
    rows = []
    for failures, minutes in ((5, 1), (2, 2), (1, 3)):
        staff_id, address = f"paging-{uuid.uuid4().hex[:8]}", f"198.51.100.{failures}"
        at = now - timedelta(minutes=minutes)
        rows += [
            SignInFailureRow(scope="account", key=staff_id, at=at, client_ip=address, office=False)
            for _ in range(failures)
        ]
    await _insert(stack, *rows)
    return {}


async def _receipts(stack: Stack) -> dict[str, str]:
    for _ in range(3):
        await registered(stack, received_on="2040-05-01")  # a 年度 of this test's own (the filter)
    return {}


async def _receipt_events(stack: Stack) -> dict[str, str]:
    row = await registered(stack)
    for reference in ("山総第46号", "山総第47号"):  # registered + two corrections: three events
        body = {"field": "sender_reference", "value": reference, "reason": "誤記"}
        r = await stack.call(RECORDS_OFFICE, "POST", f"/v1/receipts/{row['id']}/corrections", json=body)
        assert r.status_code == 200, r.text
    return {"receipt_id": row["id"]}


async def _intake_queue(stack: Stack) -> dict[str, str]:
    """Three applications of a form no mapping names, imported as CSV: they wait in the intake queue."""
    rows = [f"Q-{uuid.uuid4().hex[:12]},no-such-form,2026/12/01 10:00,山田 太郎" for _ in range(3)]
    data = "\r\n".join(["申請番号,様式ID,申請日時,氏名", *rows]).encode()
    r = await stack.call(
        RECORDS_OFFICE,
        "POST",
        "/v1/intake/batch",
        params={"source": "paging"},
        content=data,
        headers={"content-type": "text/csv"},
    )
    assert r.status_code == 200 and r.json()["queued"] == 3, r.text
    return {}


async def _circulation(stack: Stack) -> dict[str, str]:
    row = await registered(stack, assigned_unit="somu.somu")
    readers = [MANAGER, ZAISEI_CLERK, holder("somu.zaisei", "manager")]
    r = await stack.call(RECORDS_OFFICE, "POST", f"/v1/receipts/{row['id']}/circulation", json={"readers": readers})
    assert r.status_code == 200, r.text
    return {"receipt_id": row["id"]}


READER = holder("kyoiku.shogai", "chief")  # 生涯学習課 係長: a 供覧 reader of these cases only


async def _my_circulations(stack: Stack) -> dict[str, str]:
    for _ in range(3):
        row = await registered(stack, assigned_unit="somu.somu")
        body = {"readers": [READER]}
        r = await stack.call(RECORDS_OFFICE, "POST", f"/v1/receipts/{row['id']}/circulation", json=body)
        assert r.status_code == 200, r.text
    return {}


FILES_YEAR = 2041  # a 年度 of these cases' own (the filter)
FILE_DISPOSALS_YEAR = 2044
SEARCH_WORD = f"頁送り{uuid.uuid4().hex[:8]}"
_TABLE = """
年度: {year}
適用日: {year}-04-01
source: 例示
classes:
  - {{code: "01", name: 総務, 保存期間: 5年, 満了時の措置: 廃棄}}
"""


async def _classification(stack: Stack, year: int) -> None:
    r = await stack.call(
        RECORDS_OFFICE,
        "PUT",
        f"/v1/admin/classification/paging-{uuid.uuid4().hex[:8]}",
        content=_TABLE.format(year=year).encode(),
        headers={"Content-Type": "application/yaml"},
    )
    assert r.status_code == 201, r.text


async def _classifications(stack: Stack) -> dict[str, str]:
    for _ in range(3):
        await _classification(stack, 2042)
    return {}


async def _files(stack: Stack) -> dict[str, str]:
    await _classification(stack, FILES_YEAR)
    for _ in range(3):
        body = {"fiscal_year": FILES_YEAR, "classification_code": "01", "title": f"綴 {uuid.uuid4().hex[:6]}"}
        r = await stack.call(RECORDS_OFFICE, "POST", "/v1/files", json=body)
        assert r.status_code == 201, r.text
    return {}


async def _file_disposals(stack: Stack) -> dict[str, str]:
    await _classification(stack, FILE_DISPOSALS_YEAR)
    review = _review(1993)
    await _insert(stack, review)
    now = datetime.now(UTC)
    for _ in range(3):
        body = {"fiscal_year": FILE_DISPOSALS_YEAR, "classification_code": "01", "title": f"綴 {uuid.uuid4().hex[:6]}"}
        r = await stack.call(RECORDS_OFFICE, "POST", "/v1/files", json=body)
        assert r.status_code == 201, r.text
        record = FileDisposalRecordRow(
            file_id=r.json()["id"],
            title=body["title"],
            org_unit_code=r.json()["org_unit"],
            fiscal_year=FILE_DISPOSALS_YEAR,
            classification_code="01",
            retention_label="5年",
            expires_on=date(1994, 3, 31),
            documents=0,
            review_id=review.id,
            approved_by=ADMIN,
            approved_at=now,
            disposed_at=now,  # all at once: the id keeps them apart
        )
        await _insert(stack, record)
    return {}


async def _search(stack: Stack) -> dict[str, str]:
    for _ in range(3):
        await stack.draft(PAGER, amount_yen=SMALL, title=f"{SEARCH_WORD} の件")
    return {}


SUISAN = "norin.suisan"  # 水産課: no other test drafts there
SUISAN_MANAGER = holder(SUISAN, "manager")  # 水産課長: reads the 滞留 of their division


async def _pending(stack: Stack) -> dict[str, str]:
    """Three in-review documents of 水産課 waiting on its 課長, one and four business days old (two the same)."""
    today = today_in_japan()
    rows = [
        row
        for age in (1, 4, 4)
        for row in waiting_document(SUISAN, business_days_ago(today, age), SUISAN_MANAGER, title=f"滞留 {age}")
    ]
    await insert(stack, *rows)
    return {}


GRANTS_UNIT = "kyoiku.shogai"  # 生涯学習課: no other test grants a 庶務担当 there


async def _clerk_grants(stack: Stack) -> dict[str, str]:
    for year in (2001, 2002, 2003):  # three periods of one holder: the start keeps them apart
        body = {
            "staff_id": QUIET,
            "org_unit": GRANTS_UNIT,
            "valid_from": f"{year}-04-01",
            "valid_to": f"{year + 1}-03-31",
        }
        r = await stack.call(ADMIN, "POST", "/v1/org/clerk-grants", json=body)
        assert r.status_code == 201, r.text
    return {}


CASES = {
    "documents": Case("/v1/documents", PAGER, _documents),
    "inbox": Case("/v1/inbox", APPROVER, _inbox),
    "notifications": Case("/v1/notifications", QUIET, _notifications),
    "staff": Case("/v1/staff", PAGER, _nothing, {"post": "staff"}),
    "absences": Case("/v1/absences", PAGER, _absences, {"staff_id": QUIET}),
    "transfers": Case("/v1/org/transfers", ADMIN, _transfers),
    "rules": Case("/v1/rules/versions", PAGER, _rules),
    "attachments": Case("/v1/documents/{document_id}/attachments", PAGER, _attachments),
    "extensions": Case("/v1/documents/{document_id}/retention-extensions", PAGER, _extensions),
    "seal_log": Case("/v1/seal-log", ADMIN, _seal_log, {"from": str(SEAL_DAYS[0]), "to": str(SEAL_DAYS[1])}),
    "reviews": Case("/v1/records/disposal-reviews", ADMIN, _reviews),
    "disposals": Case("/v1/records/disposals", ADMIN, _disposals),
    "file_disposals": Case("/v1/records/file-disposals", ADMIN, _file_disposals),
    "access_log": Case("/v1/access-log", ADMIN, _access_log, {"kind": "document_read"}),
    "lockouts": Case("/v1/auth/lockouts", ADMIN, _lockouts),
    "receipts": Case("/v1/receipts", RECORDS_OFFICE, _receipts, {"fiscal_year": "2040"}),
    "receipt_events": Case("/v1/receipts/{receipt_id}/events", RECORDS_OFFICE, _receipt_events),
    "circulation": Case("/v1/receipts/{receipt_id}/circulation", RECORDS_OFFICE, _circulation),
    "classifications": Case("/v1/admin/classification", PAGER, _classifications, {"fiscal_year": "2042"}),
    "files": Case("/v1/files", PAGER, _files, {"fiscal_year": str(FILES_YEAR)}),
    "file_register": Case("/v1/file-register", PAGER, _files, {"fiscal_year": str(FILES_YEAR)}),
    "search": Case("/v1/documents/search", PAGER, _search, {"q": SEARCH_WORD}),
    "full_search": Case("/v1/search", PAGER, _search, {"q": SEARCH_WORD}),
    "intake_queue": Case("/v1/intake/queue", RECORDS_OFFICE, _intake_queue),
    "sessions": Case("/v1/me/sessions", SIGNED_IN, _sessions),
    "special_cases": Case(
        "/v1/reports/overtime-special-cases", JINJI, _special_cases, {"fiscal_year": str(fiscal_year_of(SPECIAL_DAY))}
    ),
    "my_circulations": Case("/v1/me/circulations", READER, _my_circulations),
    "pending": Case("/v1/reports/pending", SUISAN_MANAGER, _pending),
    "clerk_grants": Case("/v1/org/clerk-grants", ADMIN, _clerk_grants, {"org_unit": GRANTS_UNIT}),
}


def _key(item: dict[str, Any]) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def test_the_cases_are_every_list_route() -> None:
    """Every operation that answers a ``Page`` has a case here (and no operation answers a bare JSON list)."""
    schema = create_app(Settings()).openapi()
    paged = set()
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            ok = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
            assert ok.get("type") != "array", f"{method} {path} answers a bare list"
            if ok.get("$ref", "").startswith("#/components/schemas/Page_"):
                paged.add(path)
    assert paged == {c.path for c in CASES.values()}


@pytest.mark.parametrize("name", list(CASES))
async def test_walking_the_pages_gives_every_item_once(stack: Stack, name: str) -> None:
    case = CASES[name]
    found = await case.seed(stack)
    params = dict(case.params)
    if "__document_id" in found:  # a filter, not a path parameter
        params["document_id"] = found.pop("__document_id")
    path = case.path.format(**found)

    whole = await stack.call(case.viewer, "GET", path, params={**params, "limit": 200})
    assert whole.status_code == 200, whole.text
    everything = whole.json()
    assert set(everything) == {"items", "total", "limit", "offset", "next"}
    assert everything["total"] == len(everything["items"]) >= 3 and everything["next"] is None

    walked: list[dict[str, Any]] = []
    r = await stack.call(case.viewer, "GET", path, params={**params, "limit": 2})
    while True:
        assert r.status_code == 200, r.text
        page = r.json()
        assert (page["limit"], page["offset"], page["total"]) == (2, len(walked), everything["total"])
        assert 0 < len(page["items"]) <= 2
        walked += page["items"]
        if page["next"] is None:
            break
        assert page["next"].startswith(f"{path}?")
        r = await stack.call(case.viewer, "GET", page["next"])
    assert len({_key(i) for i in walked}) == len(walked), "an item came twice"
    assert walked == everything["items"], "the walk differs from the whole list (a gap, or another order)"

    beyond = await stack.call(case.viewer, "GET", path, params={**params, "offset": everything["total"]})
    assert beyond.status_code == 200, beyond.text
    assert beyond.json()["items"] == [] and beyond.json()["next"] is None
    assert beyond.json()["total"] == everything["total"] and beyond.json()["limit"] == 50  # the default


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "first"}, "offset"),
    ],
)
async def test_a_bad_limit_or_offset_is_refused_with_the_reason(
    stack: Stack, query: dict[str, str], reason: str
) -> None:
    for case in CASES.values():
        path = case.path.format(document_id="nope-0", receipt_id="nope-0")
        problem = assert_problem(await stack.call(case.viewer, "GET", path, params={**case.params, **query}), 422)
        assert reason in problem["detail"], (path, problem)
        assert [e["loc"] for e in problem["errors"]] == [["query", reason]], (path, problem)
