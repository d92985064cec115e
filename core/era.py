"""和暦 (Japanese era dates): 2026-11-26 -> 令和8年11月26日; the first year of an era is 元年.

Pure and deterministic: no clock, no I/O.  Dates before 明治 (1868-01-25 in the Gregorian calendar) have no
era here and are shown as Gregorian dates.
"""

from __future__ import annotations

from datetime import date

#: (name, first day in the Gregorian calendar), newest first.
ERAS: tuple[tuple[str, date], ...] = (
    ("令和", date(2019, 5, 1)),
    ("平成", date(1989, 1, 8)),
    ("昭和", date(1926, 12, 25)),
    ("大正", date(1912, 7, 30)),
    ("明治", date(1868, 1, 25)),
)


def era_of(d: date) -> tuple[str, int] | None:
    """The era and its year for ``d``: 2019-05-01 -> ("令和", 1); None before 明治."""
    for name, start in ERAS:
        if d >= start:
            return name, d.year - start.year + 1
    return None


def era_year_label(name: str, year: int) -> str:
    return f"{name}{'元' if year == 1 else year}年"


def wareki(d: date) -> str:
    """How a date is shown: 令和8年11月26日, 令和元年5月1日; before 明治 as 1867年12月31日."""
    era = era_of(d)
    prefix = era_year_label(*era) if era else f"{d.year}年"
    return f"{prefix}{d.month}月{d.day}日"
