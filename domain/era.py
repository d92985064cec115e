"""和暦 (Japanese era) display of dates and fiscal years, and the day in Japan an instant falls on.

An era begins on an exact date (平成 on 1989-01-08, 令和 on 2019-05-01): 1989-01-07 is 昭和64年1月7日 and
2019-04-30 is 平成31年4月30日.  A fiscal year (年度) is named after the calendar year it starts in, and that year
after the era that begins in it: FY2019 (2019-04-01 – 2020-03-31) is 令和元年度, FY1988 is 昭和63年度,
FY1989 平成元年度.  The first year of an era is 元年.

Pure and deterministic: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

#: 日本標準時 (Japan keeps no daylight saving: a fixed offset, no tz database needed in the workflow sandbox).
JST = timezone(timedelta(hours=9), "JST")


@dataclass(frozen=True)
class Era:
    name: str
    begins_on: date
    initial: str  # R, H, S, T: the short form on a seal (R8.11.26)


#: Newest first.  Dates before 大正 are shown in the Western calendar.
ERAS: tuple[Era, ...] = (
    Era("令和", date(2019, 5, 1), "R"),
    Era("平成", date(1989, 1, 8), "H"),
    Era("昭和", date(1926, 12, 25), "S"),
    Era("大正", date(1912, 7, 30), "T"),
)


def jst_date(at: datetime) -> date:
    """The calendar day in Japan at the instant ``at`` (timezone-aware): 2027-03-31T15:00Z is 2027-04-01."""
    if at.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return at.astimezone(JST).date()


def era_of(d: date) -> Era | None:
    """The era in force on ``d`` (None before 大正)."""
    return next((era for era in ERAS if d >= era.begins_on), None)


def _year_text(n: int) -> str:
    return "元" if n == 1 else str(n)


def era_year(d: date) -> tuple[str, int] | None:
    """(era name, year of the era) of ``d``: 2019-05-01 -> ("令和", 1)."""
    era = era_of(d)
    if era is None:
        return None
    return era.name, d.year - era.begins_on.year + 1


def wareki_date(d: date) -> str:
    """和暦 of a date: 令和元年5月1日, 平成31年4月30日, 昭和64年1月7日."""
    named = era_year(d)
    if named is None:
        return f"{d.year}年{d.month}月{d.day}日"
    name, year = named
    return f"{name}{_year_text(year)}年{d.month}月{d.day}日"


def wareki_short(d: date) -> str:
    """The date on a seal: R8.11.26 (the ISO date before 大正)."""
    era = era_of(d)
    if era is None:
        return d.isoformat()
    return f"{era.initial}{d.year - era.begins_on.year + 1}.{d.month}.{d.day}"


def wareki_year(calendar_year: int) -> str:
    """A calendar year as it is named once its era began: 2019 -> 令和元年, 1989 -> 平成元年, 2026 -> 令和8年."""
    era = next((e for e in ERAS if calendar_year >= e.begins_on.year), None)
    if era is None:
        return f"{calendar_year}年"
    return f"{era.name}{_year_text(calendar_year - era.begins_on.year + 1)}年"


def fiscal_year_label(fiscal_year: int) -> str:
    """年度 in 和暦: 2026 -> 令和8年度, 2019 -> 令和元年度, 2018 -> 平成30年度, 1988 -> 昭和63年度."""
    return f"{wareki_year(fiscal_year)}度"
