"""Waits written straight to the database (滞留 fixtures): an in-review document with pending steps since a known
instant, and a receipt with a 回答期限 — no workflow runs for them, so nothing moves them on."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from core.calendar import JST, business_days_before, is_business_day
from db.models import ReceiptRow, RouteStepRow
from db.session import create_engine, create_sessionmaker
from tests.support.documents import document_row
from tests.support.stack import Stack, holder


def business_day_back(today: date, days: int) -> date:
    """The business day ``days`` business days before ``today`` (``today`` itself for 0), counted so that
    ``business_days_between(result, today) == days`` also on a 閉庁日 (a run on a Saturday in JST): there, the
    count starts from the last business day before it."""
    anchor = today if is_business_day(today) else business_days_before(today, 1)
    return anchor if days == 0 else business_days_before(anchor, days)


def business_days_ago(today: date, days: int, at: time = time(10, 0)) -> datetime:
    """``at`` (JST) on ``business_day_back(today, days)``: a wait of exactly ``days`` 開庁日 as of ``today``."""
    return datetime.combine(business_day_back(today, days), at, JST).astimezone(UTC)


def waiting_document(
    org_unit: str, since: datetime, *assignees: str, stage_kind: str = "review", **columns: Any
) -> list[Any]:
    """An in-review document of ``org_unit`` (drafted by its 主事) whose stage 1 waits on ``assignees`` since
    ``since``; stage 0 was done by its 係長."""
    doc = document_row(org_unit=org_unit, **{"status": "in_review", "submitted_at": since, **columns})
    done = RouteStepRow(
        document_id=doc.id,
        stage_index=0,
        stage_kind="review",
        assignee_id=holder(org_unit, "chief"),
        state="done",
        since=since,
        acted_at=since,
        acted_by=holder(org_unit, "chief"),
    )
    steps = [
        RouteStepRow(
            document_id=doc.id, stage_index=1, stage_kind=stage_kind, assignee_id=a, state="pending", since=since
        )
        for a in assignees
    ]
    return [doc, done, *steps]


def receipt_row(assigned_unit: str, *, reply_by: date | None, outcome: str = "none", **columns: Any) -> ReceiptRow:
    """A registered receipt of ``assigned_unit`` (a 年度 and serial of its own: no counter is touched)."""
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "number_symbol": "試験",
        "fiscal_year": 2099,
        "receipt_serial": uuid.uuid4().int % 2_000_000_000,
        "receipt_number": f"試験第{uuid.uuid4().hex[:6]}号",
        "received_on": date(2026, 4, 1),
        "channel": "paper",
        "sender": "山口県農林水産部",
        "addressee": "萩市長",
        "title": "照会について",
        "reply_by": reply_by,
        "assigned_unit": assigned_unit,
        "confidentiality": 1,
        "registered_by": holder("somu.somu", "staff"),
        "registered_at": datetime.now(UTC),
        "outcome": outcome,
        "branch": "reply" if outcome in ("replying", "replied") else ("closed" if outcome == "closed" else "none"),
    }
    return ReceiptRow(**{**values, **columns})


async def insert(stack: Stack, *rows: Any) -> None:
    """Documents first (the steps' foreign key), in one transaction."""
    engine = create_engine(stack.settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            for row in rows:
                session.add(row)
                await session.flush()
    finally:
        await engine.dispose()
