"""保存期間 (retention): when a completed document's retention starts and when it expires.

Retention is counted from April 1 of the fiscal year after completion (起算日) and expires on March 31 N years
later: completed 2024-09-10, 5 years -> 2025-04-01 .. 2030-03-31.  Two classes differ:

- 1年未満 (``retention_years == 0``): kept from completion until the end of the completion fiscal year (it may be
  disposed of from April 1 on); the start is the completion date itself.
- 永年 (``permanent``): counted from the same 起算日, never expires.

Pure and deterministic: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.fiscal import fiscal_year_end, fiscal_year_of, fiscal_year_start

#: The classes a city may allow (years; 0 = 1年未満).  Settings choose a subset.
LESS_THAN_A_YEAR = 0
DEFAULT_RETENTION_YEARS: tuple[int, ...] = (0, 1, 3, 5, 10, 30)


@dataclass(frozen=True)
class RetentionPeriod:
    starts_on: date
    expires_on: date | None  # None: 永年


def retention_label(years: int, *, permanent: bool) -> str:
    """How a class is shown: 1年未満, 5年, 永年."""
    if permanent:
        return "永年"
    return "1年未満" if years == LESS_THAN_A_YEAR else f"{years}年"


def retention_period(completed_on: date, years: int, *, permanent: bool = False) -> RetentionPeriod:
    """The retention of a document completed (完結) on ``completed_on`` (JST) and kept ``years`` years."""
    if years < 0:
        raise ValueError("retention years cannot be negative")
    completion_year = fiscal_year_of(completed_on)
    if not permanent and years == LESS_THAN_A_YEAR:
        return RetentionPeriod(starts_on=completed_on, expires_on=fiscal_year_end(completion_year))
    starts_on = fiscal_year_start(completion_year + 1)
    if permanent:
        return RetentionPeriod(starts_on=starts_on, expires_on=None)
    return RetentionPeriod(starts_on=starts_on, expires_on=fiscal_year_end(completion_year + years))


def extended_expiry(expires_on: date, years: int) -> date:
    """延長: the expiry ``years`` fiscal years later (always a March 31)."""
    if years < 1:
        raise ValueError("an extension is at least one year")
    return fiscal_year_end(fiscal_year_of(expires_on) + years)
