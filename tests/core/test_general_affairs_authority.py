"""Who decides a 庶務 request under the shipped rulebook: leave and trips up to 2 days the 課長, longer the 部長;
overtime the 課長 until the month's total passes 20 hours."""

from __future__ import annotations

from datetime import date, time

import pytest

from domain.routes import ruling_for
from rules.loader import repository_rulebooks
from schemas.document import DocumentFacts
from schemas.general_affairs import AffairDetails, LeaveDetails, OvertimeDetails, TripDetails, measured

START = date(2027, 4, 5)
BOOK = repository_rulebooks()[0]


def leave(days: float) -> LeaveDetails:
    return LeaveDetails(kind="annual", start=START, end=date(2027, 4, 30), days=days)


def trip(days: int) -> TripDetails:
    return TripDetails(destination="東京都", purpose="要望活動", start=START, end=date(2027, 4, 30), days=days)


OVERTIME = OvertimeDetails(work_date=START, start_time=time(17, 30), end_time=time(21, 30), hours=4, reason="議会対応")


@pytest.mark.parametrize(
    ("details", "month_hours", "level"),
    [
        (leave(0.5), None, "manager"),
        (leave(2), None, "manager"),  # 2日以内
        (leave(2.5), None, "director"),  # a part day counts as a day
        (leave(3), None, "director"),
        (trip(1), None, "manager"),
        (trip(2), None, "manager"),
        (trip(3), None, "director"),
        (OVERTIME, 4, "manager"),
        (OVERTIME, 20, "manager"),  # exactly 20 hours is not over
        (OVERTIME, 20.5, "director"),  # 月20時間を超えるもの
    ],
)
def test_the_decider_of_each_request(details: AffairDetails, month_hours: float | None, level: str) -> None:
    days, hours = measured(details)
    facts = DocumentFacts(
        matter=details.matter,
        amount_yen=0,
        org_unit_code="x",
        version=1,
        content_hash="",
        details=details,
        days=days,
        hours=hours,
        monthly_overtime_hours=month_hours,
    )
    ruling = ruling_for(BOOK, facts)
    assert ruling.level == level
    assert ruling.authority.matter == details.matter and ruling.citation
