"""開庁日 (business days of a Japanese city hall): deadlines and reminders count these, not calendar days.

A day is not a business day (閉庁日) if it is a Saturday or Sunday, a national holiday (国民の祝日, including
振替休日 substitute holidays and 国民の休日, as the ``holidays`` package computes them), or in the 年末年始 closure
from 12月29日 to 1月3日 (地方自治法 第4条の2 and the city's 休日条例).  Years the ``holidays`` package does not
cover (before 1949, after 2099) count weekends and 年末年始 only.

Pure and deterministic: no clock, no I/O; holiday sets are computed once per year.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
#: When the city hall opens (開庁時刻): a deadline counted from a closed day starts here.
OPENING_TIME = time(8, 30)

_DAY = timedelta(days=1)


@lru_cache(maxsize=256)
def _national_holidays(year: int) -> frozenset[date]:
    # Imported on first use: the package loads every country's calendar (~0.1 s), which callers that never
    # count business days (the workflow sandbox, the CLI) should not pay for.
    from holidays.countries.japan import Japan

    return frozenset(Japan(years=year))


def _year_end_closure(d: date) -> bool:
    """年末年始: 12/29 – 1/3."""
    return (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)


def is_business_day(d: date) -> bool:
    """Whether the city hall is open on ``d`` (a local date in Japan)."""
    return d.weekday() < 5 and not _year_end_closure(d) and d not in _national_holidays(d.year)


def next_business_day(d: date) -> date:
    """The first business day after ``d``."""
    d += _DAY
    while not is_business_day(d):
        d += _DAY
    return d


def add_business_days(start: datetime, days: int) -> datetime:
    """The same local (JST) time of day, ``days`` business days after ``start``.

    If ``start`` falls on a closed day, counting starts at the next business day's opening (08:30 JST), so
    Saturday 15:00 + 1 is Tuesday 08:30 and Saturday 15:00 + 0 is Monday 08:30.  A business-day ``start`` + 0
    is ``start`` itself.

    Args:
        start: a timezone-aware instant.
        days: business days to add, >= 0.

    Returns:
        An aware datetime in UTC.

    Raises:
        ValueError: ``start`` is naive, or ``days`` is negative.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be timezone-aware")
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    local = start.astimezone(JST)
    day, time_of_day = local.date(), local.timetz()
    if not is_business_day(day):
        day, time_of_day = next_business_day(day), OPENING_TIME.replace(tzinfo=JST)
    for _ in range(days):
        day = next_business_day(day)
    return datetime.combine(day, time_of_day).astimezone(UTC)


def business_days_between(a: date, b: date) -> int:
    """Business days after ``a`` up to and including ``b``; negative (the same count) if ``b`` is before ``a``.

    For a business day ``a``: ``business_days_between(a, b) == n`` exactly when ``b`` is on or after the date of
    ``add_business_days(a, n)`` and before the next business day.
    """
    if b < a:
        return -business_days_between(b, a)
    count = 0
    d = a + _DAY
    while d <= b:
        if is_business_day(d):
            count += 1
        d += _DAY
    return count


def business_days_before(d: date, days: int) -> date:
    """The business day ``days`` business days before ``d`` (``days`` >= 1): 回答期限 reminders count back from the
    deadline, so 3 business days before Monday 2027-05-10 is Thursday 5/6 (Golden Week is closed)."""
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    for _ in range(days):
        d -= _DAY
        while not is_business_day(d):
            d -= _DAY
    return d
