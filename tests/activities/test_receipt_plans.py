"""The dates of receipt notices (開庁日, 08:30 JST) and how a notice names a receipt (never the title of 機密性2+)."""

from __future__ import annotations

from datetime import date, datetime

from activities.notice_text import receipt_name, subject
from activities.receipts import ReceiptTimers, circulation_plan, reply_notices
from core.calendar import JST
from db.models import ReceiptRow
from schemas.receipts import CirculationInput


def local(at: datetime) -> str:
    return at.astimezone(JST).strftime("%Y-%m-%d %H:%M")


def test_reply_notices_count_back_in_business_days_and_alert_the_next_morning() -> None:
    """回答期限 Fri 2026-12-25: 3 and 1 business days before are Tue 12/22 and Thu 12/24, the alert Mon 12/28 (still
    open); a deadline of Mon 12/28 is alerted only after the 年末年始 closure (12/29–1/3), on Mon 1/4."""
    notices = reply_notices(date(2026, 12, 25), ReceiptTimers())
    assert [(n.kind, local(n.at)) for n in notices] == [
        ("reply_remind", "2026-12-22 08:30"),
        ("reply_remind", "2026-12-24 08:30"),
        ("reply_overdue", "2026-12-28 08:30"),
    ]
    year_end = reply_notices(date(2026, 12, 28), ReceiptTimers(reply_remind_days_before=(1,)))
    assert [local(n.at) for n in year_end] == ["2026-12-25 08:30", "2027-01-04 08:30"]  # 年末年始 is closed
    assert len({n.key for n in notices}) == 3


def test_circulation_plan_asks_at_once_then_reminds_on_business_days() -> None:
    start = CirculationInput(receipt_id="r", reader_ids=("a",), started_at=datetime(2027, 4, 28, 15, 0, tzinfo=JST))
    plan = circulation_plan(start, ReceiptTimers(circulation_reminders=2))
    assert [(n.kind, local(n.at)) for n in plan.notices] == [
        ("circulate", "2027-04-28 15:00"),
        ("circulation_remind", "2027-05-06 15:00"),  # 4/29 昭和の日, 4/30 Fri (+1), then Golden Week
        ("circulation_remind", "2027-05-10 15:00"),
    ]


def test_a_confidential_receipt_is_named_by_its_number_only() -> None:
    row = ReceiptRow(id="r1", receipt_number="萩総第12号", title="個人情報を含む照会", confidentiality=2)
    name = receipt_name(row)
    assert "萩総第12号" in name and "個人情報" not in name
    assert "個人情報" not in subject("reply_overdue", name, {"reply_by": "2027-05-10"})
    open_row = ReceiptRow(id="r2", receipt_number="萩総第13号", title="統計調査について", confidentiality=1)
    assert receipt_name(open_row) == "「統計調査について」"
