"""開庁日: weekends, national holidays (振替休日 included) and 年末年始 are closed; counting business days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.calendar import (
    JST,
    add_business_days,
    business_days_before,
    business_days_between,
    is_business_day,
    next_business_day,
)


def jst(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (date(2026, 6, 5), True),  # Friday
        (date(2026, 6, 6), False),  # Saturday
        (date(2026, 6, 7), False),  # Sunday
        (date(2026, 4, 29), False),  # 昭和の日
        (date(2026, 5, 6), False),  # 振替休日 for 憲法記念日 on a Sunday
        (date(2026, 9, 22), False),  # 国民の休日 between 敬老の日 and 秋分の日
        (date(2026, 12, 28), True),  # 御用納め
        (date(2026, 12, 29), False),  # 年末年始 …
        (date(2026, 12, 31), False),
        (date(2027, 1, 2), False),
        (date(2027, 1, 3), False),  # … to 1/3
        (date(2027, 1, 4), True),  # 御用始め
        (date(2100, 12, 30), False),  # beyond the holiday tables: 年末年始 still closed
        (date(2100, 3, 1), True),  # a Monday, no table
    ],
)
def test_is_business_day(day: date, open_: bool) -> None:
    assert is_business_day(day) is open_


def test_friday_plus_one_is_monday() -> None:
    result = add_business_days(jst(2026, 6, 5, 10, 0), 1)
    assert result == jst(2026, 6, 8, 10, 0)
    assert result.tzinfo is UTC
    assert result == datetime(2026, 6, 8, 1, 0, tzinfo=UTC)


def test_golden_week() -> None:
    # 5/2 Sat, 5/3 Sun 憲法記念日, 5/4 みどりの日, 5/5 こどもの日, 5/6 振替休日.
    assert add_business_days(jst(2026, 5, 1, 17, 15), 1) == jst(2026, 5, 7, 17, 15)
    assert add_business_days(jst(2026, 4, 28, 9, 0), 2) == jst(2026, 5, 1, 9, 0)  # over 4/29 昭和の日


def test_year_end_closure() -> None:
    assert add_business_days(jst(2026, 12, 28, 14, 0), 1) == jst(2027, 1, 4, 14, 0)
    assert add_business_days(jst(2026, 12, 30, 14, 0), 0) == jst(2027, 1, 4, 8, 30)


def test_saturday_start_counts_from_the_next_opening() -> None:
    saturday = jst(2026, 6, 6, 15, 0)
    assert add_business_days(saturday, 0) == jst(2026, 6, 8, 8, 30)
    assert add_business_days(saturday, 1) == jst(2026, 6, 9, 8, 30)


def test_local_date_decides_not_utc() -> None:
    # Friday 16:00 UTC is Saturday 01:00 in Japan: a closed day.
    assert add_business_days(datetime(2026, 6, 5, 16, 0, tzinfo=UTC), 1) == jst(2026, 6, 9, 8, 30)
    # Sunday 23:00 UTC is Monday 08:00 in Japan: open, the time of day is kept.
    other = timezone(timedelta(hours=-5))
    assert add_business_days(datetime(2026, 6, 7, 18, 0, tzinfo=other), 1) == jst(2026, 6, 9, 8, 0)


def test_zero_and_negative_days() -> None:
    start = jst(2026, 6, 5, 10, 0)
    assert add_business_days(start, 0) == start
    assert add_business_days(start, 0).tzinfo is UTC
    with pytest.raises(ValueError, match="days must be >= 0"):
        add_business_days(start, -1)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_days(datetime(2026, 6, 5, 10, 0), 1)


def test_next_business_day() -> None:
    assert next_business_day(date(2026, 6, 5)) == date(2026, 6, 8)
    assert next_business_day(date(2026, 5, 1)) == date(2026, 5, 7)


def test_business_days_between() -> None:
    assert business_days_between(date(2026, 6, 5), date(2026, 6, 5)) == 0
    assert business_days_between(date(2026, 6, 5), date(2026, 6, 8)) == 1
    assert business_days_between(date(2026, 6, 5), date(2026, 6, 7)) == 0
    assert business_days_between(date(2026, 5, 1), date(2026, 5, 7)) == 1
    assert business_days_between(date(2026, 12, 28), date(2027, 1, 4)) == 1
    assert business_days_between(date(2026, 6, 8), date(2026, 6, 5)) == -1
    # 2026: 365 days, 104 of them weekend days, 17 holidays on weekdays (1/1 among them), and 4 more weekdays
    # closed for 年末年始 (1/2, 12/29, 12/30, 12/31).
    assert business_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 365 - 104 - 17 - 4


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=0, max_value=24 * 60 - 1),
)
def test_add_and_between_agree(day: date, days: int, minute: int) -> None:
    start = datetime.combine(day, datetime.min.time(), tzinfo=JST) + timedelta(minutes=minute)
    end = add_business_days(start, days).astimezone(JST)
    assert is_business_day(end.date())
    first = day if is_business_day(day) else next_business_day(day)
    assert business_days_between(first, end.date()) == days
    if is_business_day(day):
        assert end.time() == start.time()


def test_business_days_before_count_back_over_golden_week() -> None:
    """回答期限 Monday 2027-05-10: 1 business day before is Friday 5/7, 2 before Thursday 5/6, and 3 before Friday
    4/30, since 5/1–5/5 are weekend and holidays."""
    assert business_days_before(date(2027, 5, 10), 1) == date(2027, 5, 7)
    assert business_days_before(date(2027, 5, 10), 2) == date(2027, 5, 6)
    assert business_days_before(date(2027, 5, 10), 3) == date(2027, 4, 30)
    with pytest.raises(ValueError):
        business_days_before(date(2027, 5, 10), 0)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)), st.integers(min_value=1, max_value=20))
def test_business_days_before_is_a_business_day_that_many_before(d: date, n: int) -> None:
    before = business_days_before(d, n)
    assert is_business_day(before) and before < d
    assert business_days_between(before, d) == (n if is_business_day(d) else n - 1)
