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


def test_a_special_case_order_goes_to_the_level_the_rulebook_names() -> None:
    special = OVERTIME.model_copy(update={"special_case": True, "special_case_reason": "豪雨災害の応急対策"})
    facts = DocumentFacts(
        matter="overtime",
        amount_yen=0,
        org_unit_code="x",
        version=1,
        content_hash="",
        details=special,
        hours=4,
        monthly_overtime_hours=4,
    )
    ruling = ruling_for(BOOK, facts)
    assert BOOK.overtime_limits is not None
    assert ruling.level == BOOK.overtime_limits.special_case.level == "deputy_mayor"
    assert "特例業務" in ruling.reason and "人事院規則15-14 第16条の2の2 第2項" in ruling.citation


def test_the_20_hour_band_cites_ayagawa_which_names_the_deputy_mayor() -> None:
    (upper,) = (r for r in BOOK.authority if r.matter == "overtime" and r.at_least == 21)
    assert upper.level == "director"
    assert "綾川町" in upper.note and "副町長" in upper.note and "例示" in upper.note


def test_the_shipped_caps_are_those_of_jinji_in_rule_15_14() -> None:
    limits = BOOK.overtime_limits
    assert limits is not None
    assert (limits.general.month_at_most, limits.general.year_at_most) == (45, 360)
    other = limits.other_driven
    assert (other.month_below, other.year_at_most, other.average_at_most, other.average_months) == (100, 720, 80, 6)
    assert (other.over_hours, other.over_months_at_most) == (45, 6)
    (zaisei,) = limits.designations
    assert (zaisei.org_unit, zaisei.limit_class) == ("somu.zaisei", "other_driven") and "例示" in zaisei.note
