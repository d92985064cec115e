"""保存期間 (retention): when a completed document's retention starts and when it expires.

Retention is counted from April 1 of the fiscal year after completion (起算日) and expires on March 31 N years
later: completed 2024-09-10, 5 years -> 2025-04-01 .. 2030-03-31.  Two classes differ:

- 1年未満 (``retention_years == 0``): kept from completion until the end of the completion fiscal year (it may be
  disposed of from April 1 on); the start is the completion date itself.
- 永年 (``permanent``): counted from the same 起算日, never expires.

A class may count by calendar year instead (暦年, 土佐清水市文書編さん保存規程 第5条: 「暦年による必要がある文書は,
その完結した日の属する年の翌年の1月1日から起算する」): start January 1 of the next year, expiry December 31 N years
later; 1年未満 then runs to December 31 of the completion year.

A file (簿冊 / 行政文書ファイル) is kept as one: its retention is the same rule applied to the latest 完結日 of its
documents (``file_retention``), so a document alone and a file holding only it expire on the same day.

Pure and deterministic: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from domain.fiscal import fiscal_year_end, fiscal_year_of, fiscal_year_start

#: The classes a city may allow (years; 0 = 1年未満).  Settings choose a subset.
LESS_THAN_A_YEAR = 0
DEFAULT_RETENTION_YEARS: tuple[int, ...] = (0, 1, 3, 5, 10, 30)

#: How a class counts its years: by 年度 (the default) or by calendar year (暦年).
Counting = Literal["fiscal_year", "calendar_year"]


@dataclass(frozen=True)
class RetentionPeriod:
    starts_on: date
    expires_on: date | None  # None: 永年


def retention_label(years: int, *, permanent: bool) -> str:
    """How a class is shown: 1年未満, 5年, 永年."""
    if permanent:
        return "永年"
    return "1年未満" if years == LESS_THAN_A_YEAR else f"{years}年"


def retention_period(
    completed_on: date, years: int, *, permanent: bool = False, counting: Counting = "fiscal_year"
) -> RetentionPeriod:
    """The retention of a document completed (完結) on ``completed_on`` (JST) and kept ``years`` years.

    起算日 is the day after the completion's 年度 (April 1) or, counting by 暦年, its year (January 1); the expiry is
    the day before the same day ``years`` years later (1年未満: the last day of the completion's 年度 or year).
    """
    if years < 0:
        raise ValueError("retention years cannot be negative")
    last_day: Callable[[int], date]
    if counting == "calendar_year":
        base, first = completed_on.year, date(completed_on.year + 1, 1, 1)
        last_day = _calendar_year_end
    else:
        base, first = fiscal_year_of(completed_on), fiscal_year_start(fiscal_year_of(completed_on) + 1)
        last_day = fiscal_year_end
    if not permanent and years == LESS_THAN_A_YEAR:
        return RetentionPeriod(starts_on=completed_on, expires_on=last_day(base))
    if permanent:
        return RetentionPeriod(starts_on=first, expires_on=None)
    return RetentionPeriod(starts_on=first, expires_on=last_day(base + years))


def file_retention(
    completed_on: Iterable[date | None], years: int, *, permanent: bool = False, counting: Counting = "fiscal_year"
) -> RetentionPeriod | None:
    """A file's (簿冊) retention: counted from the latest 完結日 of its documents, by the file's class.

    None while it has not started: the file holds no document yet, or one of them is not complete (``None``).
    """
    dates = list(completed_on)
    if not dates or any(d is None for d in dates):
        return None
    latest = max(d for d in dates if d is not None)
    return retention_period(latest, years, permanent=permanent, counting=counting)


def kept(period: RetentionPeriod | None, extended_expires_on: date | None) -> RetentionPeriod | None:
    """The retention as kept: a 延長 decided in a disposal review replaces the expiry the documents give."""
    if period is None or extended_expires_on is None:
        return period
    return RetentionPeriod(starts_on=period.starts_on, expires_on=extended_expires_on)


def _calendar_year_end(year: int) -> date:
    return date(year, 12, 31)


def extended_expiry(expires_on: date, years: int) -> date:
    """延長: the expiry ``years`` fiscal years later (always a March 31)."""
    if years < 1:
        raise ValueError("an extension is at least one year")
    return fiscal_year_end(fiscal_year_of(expires_on) + years)


#: The most years a file's retention is extended or shortened by at once.
MAX_CHANGE_YEARS = 30


def changed_expiry(expires_on: date, years: int, *, shorten: bool) -> date:
    """延長 / 短縮 of a file's retention: the expiry ``years`` years later (or earlier), on the same day of the year
    (March 31 counting by 年度, December 31 by 暦年)."""
    if not 1 <= years <= MAX_CHANGE_YEARS:
        raise ValueError(f"a change is 1–{MAX_CHANGE_YEARS} years")
    return expires_on.replace(year=expires_on.year + (-years if shorten else years))


def retention_change_problem(
    *,
    period: RetentionPeriod | None,
    permanent: bool,
    records_status: str,
    years: int,
    shorten: bool,
    reason: str,
    today: date,
) -> str | None:
    """Why a file's retention cannot be extended or shortened now (None: it can).

    Only a running retention changes: not a 永年 file, not one whose retention has not started (a document in it is
    not complete), not one disposed of or transferred.  A 短縮 needs its reason, and may not end the retention before
    it starts nor before today (a shortened file becomes due at the next review, never retroactively)."""
    what = "shortened" if shorten else "extended"
    if permanent:
        return f"the file is kept permanently (永年); its retention cannot be {what}"
    if records_status != "active":
        return f"the file has been {records_status}; its retention cannot be {what}"
    if period is None or period.expires_on is None:
        return "the file's retention has not started (a document in it is not complete yet)"
    if not 1 <= years <= MAX_CHANGE_YEARS:
        return f"a change is 1–{MAX_CHANGE_YEARS} years"
    if shorten:
        if not reason.strip():
            return "a 短縮 needs its reason"
        new = changed_expiry(period.expires_on, years, shorten=True)
        if new < period.starts_on:
            return f"shortened by {years} years the retention would end ({new}) before it starts ({period.starts_on})"
        if new < today:
            return f"shortened by {years} years the retention would have ended already ({new})"
    return None
