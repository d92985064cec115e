"""A file's (簿冊) retention: from the latest 完結日 of its documents, by 年度 (next April 1) or 暦年 (next January 1),
expiring the day before the same day N years on."""

from __future__ import annotations

from datetime import date

import pytest

from domain.retention import RetentionPeriod, file_retention, kept, retention_period


def test_the_latest_completion_starts_the_clock() -> None:
    """The worked example of the issue: completed 2025-06-01 and 2026-02-10, 5 years -> 2026-04-01 .. 2031-03-31."""
    period = file_retention([date(2025, 6, 1), date(2026, 2, 10)], 5)
    assert period is not None
    assert (period.starts_on, period.expires_on) == (date(2026, 4, 1), date(2031, 3, 31))


@pytest.mark.parametrize(
    ("latest", "years", "starts_on", "expires_on"),
    [
        (date(2026, 3, 31), 5, date(2026, 4, 1), date(2031, 3, 31)),  # last day of FY2025
        (date(2026, 4, 1), 5, date(2027, 4, 1), date(2032, 3, 31)),  # first day of FY2026
        (date(2026, 4, 1), 1, date(2027, 4, 1), date(2028, 3, 31)),
        (date(2028, 2, 29), 3, date(2028, 4, 1), date(2031, 3, 31)),  # leap day
        (date(2026, 12, 31), 30, date(2027, 4, 1), date(2057, 3, 31)),
    ],
)
def test_fiscal_year_boundaries(latest: date, years: int, starts_on: date, expires_on: date) -> None:
    period = file_retention([date(2025, 4, 1), latest], years)
    assert period is not None
    assert (period.starts_on, period.expires_on) == (starts_on, expires_on)


@pytest.mark.parametrize(
    ("latest", "years", "starts_on", "expires_on"),
    [
        (date(2026, 2, 10), 5, date(2027, 1, 1), date(2031, 12, 31)),
        (date(2025, 12, 31), 5, date(2026, 1, 1), date(2030, 12, 31)),  # last day of the year
        (date(2026, 1, 1), 1, date(2027, 1, 1), date(2027, 12, 31)),  # first day of the year
    ],
)
def test_calendar_year_counting(latest: date, years: int, starts_on: date, expires_on: date) -> None:
    """暦年: from January 1 of the year after the latest completion (土佐清水市文書編さん保存規程 第5条)."""
    period = file_retention([date(2025, 6, 1), latest], years, counting="calendar_year")
    assert period is not None
    assert (period.starts_on, period.expires_on) == (starts_on, expires_on)


def test_less_than_a_year_and_permanent() -> None:
    short = file_retention([date(2025, 6, 1), date(2026, 2, 10)], 0)
    assert short is not None and (short.starts_on, short.expires_on) == (date(2026, 2, 10), date(2026, 3, 31))
    short = file_retention([date(2026, 2, 10)], 0, counting="calendar_year")
    assert short is not None and short.expires_on == date(2026, 12, 31)
    forever = file_retention([date(2026, 2, 10)], 0, permanent=True)
    assert forever is not None and (forever.starts_on, forever.expires_on) == (date(2026, 4, 1), None)


def test_not_started_while_empty_or_a_document_is_open() -> None:
    assert file_retention([], 5) is None
    assert file_retention([date(2026, 2, 10), None], 5) is None


def test_one_rule_for_a_document_and_a_file_holding_only_it() -> None:
    for completed_on in (date(2024, 9, 10), date(2025, 3, 31), date(2025, 4, 1)):
        for years in (0, 1, 5, 30):
            assert file_retention([completed_on], years) == retention_period(completed_on, years)


def test_an_extension_replaces_the_expiry_the_documents_give() -> None:
    period = file_retention([date(2025, 6, 1), date(2026, 2, 10)], 5)
    assert kept(period, None) == period
    assert kept(period, date(2034, 3, 31)) == RetentionPeriod(starts_on=date(2026, 4, 1), expires_on=date(2034, 3, 31))
    assert kept(None, date(2034, 3, 31)) is None  # not started: nothing to extend
