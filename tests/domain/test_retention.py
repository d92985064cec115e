"""保存期間: start April 1 of the fiscal year after completion, expiry March 31 N years later."""

from __future__ import annotations

from datetime import date

import pytest

from domain.retention import extended_expiry, retention_label, retention_period


@pytest.mark.parametrize(
    ("completed_on", "years", "starts_on", "expires_on"),
    [
        (date(2024, 9, 10), 5, date(2025, 4, 1), date(2030, 3, 31)),  # the worked example of the 文書管理規程
        (date(2024, 4, 1), 1, date(2025, 4, 1), date(2026, 3, 31)),  # first day of a fiscal year
        (date(2025, 3, 31), 1, date(2025, 4, 1), date(2026, 3, 31)),  # last day of FY2024
        (date(2025, 4, 1), 3, date(2026, 4, 1), date(2029, 3, 31)),  # first day of FY2025
        (date(2026, 11, 26), 10, date(2027, 4, 1), date(2037, 3, 31)),
        (date(2026, 11, 26), 30, date(2027, 4, 1), date(2057, 3, 31)),
        (date(2028, 2, 29), 5, date(2028, 4, 1), date(2033, 3, 31)),  # leap day, FY2027
    ],
)
def test_retention_period(completed_on: date, years: int, starts_on: date, expires_on: date) -> None:
    period = retention_period(completed_on, years)
    assert (period.starts_on, period.expires_on) == (starts_on, expires_on)


def test_less_than_a_year_expires_at_the_end_of_the_completion_fiscal_year() -> None:
    period = retention_period(date(2024, 9, 10), 0)
    assert (period.starts_on, period.expires_on) == (date(2024, 9, 10), date(2025, 3, 31))
    period = retention_period(date(2025, 3, 31), 0)
    assert period.expires_on == date(2025, 3, 31)


def test_permanent_never_expires() -> None:
    period = retention_period(date(2024, 9, 10), 30, permanent=True)
    assert (period.starts_on, period.expires_on) == (date(2025, 4, 1), None)


def test_extension_moves_the_expiry_whole_fiscal_years() -> None:
    assert extended_expiry(date(2030, 3, 31), 3) == date(2033, 3, 31)
    with pytest.raises(ValueError, match="at least one year"):
        extended_expiry(date(2030, 3, 31), 0)


def test_labels() -> None:
    assert [retention_label(y, permanent=False) for y in (0, 1, 5)] == ["1年未満", "1年", "5年"]
    assert retention_label(5, permanent=True) == "永年"


def test_negative_years_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        retention_period(date(2024, 9, 10), -1)
