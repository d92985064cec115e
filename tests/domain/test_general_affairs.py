"""庶務 rules, pure: 事前命令 against a given now, the month's overtime total, details that fit the matter."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ChainError
from domain.general_affairs import JAPAN, check_details, check_no_money, check_ordered_in_advance, month_total_hours
from schemas.general_affairs import LeaveDetails, OvertimeDetails

WORK = date(2027, 4, 5)


def overtime(work_date: date = WORK, hours: float = 2, **extra: object) -> OvertimeDetails:
    return OvertimeDetails(
        work_date=work_date, start_time=time(17, 30), end_time=time(1, 30), hours=hours, reason="議会対応", **extra
    )


def test_overtime_is_ordered_before_the_work() -> None:
    starts = datetime.combine(WORK, time(17, 30), tzinfo=JAPAN)
    check_ordered_in_advance(overtime(), starts - timedelta(minutes=1))
    with pytest.raises(ChainError, match="事前命令") as refused:
        check_ordered_in_advance(overtime(), starts)
    assert refused.value.kind == "invalid"
    check_ordered_in_advance(overtime(emergency=True, emergency_reason="災害対応"), starts + timedelta(hours=1))


@given(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 8)), max_size=10))
def test_the_month_total_counts_only_the_same_month(others: list[tuple[int, int]]) -> None:
    theirs = [overtime(date(2027, month, 1), hours) for month, hours in others]
    expected = 2 + sum(hours for month, hours in others if month == WORK.month)
    assert month_total_hours(overtime(), theirs) == expected


def test_details_fit_the_matter() -> None:
    check_details("overtime", overtime())
    check_details("spending", None)
    leave = LeaveDetails(kind="annual", start=WORK, end=WORK, days=1)
    for matter, details in (("spending", leave), ("overtime", leave), ("leave", None)):
        with pytest.raises(ChainError):
            check_details(matter, details)
    with pytest.raises(ChainError, match="no amount_yen"):
        check_no_money("leave", amount_yen=100, budget_code=None)
    check_no_money("spending", amount_yen=100, budget_code="b")
