"""保存期間の延長 / 短縮 of a file: the new expiry keeps its day of the year; a 短縮 needs its reason and never ends
the retention before it starts or before today; only a running retention changes."""

from __future__ import annotations

from datetime import date

import pytest

from domain.retention import RetentionPeriod, changed_expiry, retention_change_problem

PERIOD = RetentionPeriod(starts_on=date(2026, 4, 1), expires_on=date(2031, 3, 31))
TODAY = date(2027, 5, 1)


def _problem(**over: object) -> str | None:
    args: dict[str, object] = {
        "period": PERIOD,
        "permanent": False,
        "records_status": "active",
        "years": 2,
        "shorten": False,
        "reason": "",
        "today": TODAY,
        **over,
    }
    return retention_change_problem(**args)  # type: ignore[arg-type]


def test_the_expiry_moves_by_whole_years_on_the_same_day() -> None:
    assert changed_expiry(date(2031, 3, 31), 3, shorten=False) == date(2034, 3, 31)
    assert changed_expiry(date(2030, 12, 31), 2, shorten=True) == date(2028, 12, 31)  # 暦年
    with pytest.raises(ValueError):
        changed_expiry(date(2031, 3, 31), 0, shorten=False)


def test_what_may_change() -> None:
    assert _problem() is None  # an extension needs no reason
    assert _problem(shorten=True, reason="事務の廃止") is None
    assert "needs its reason" in (_problem(shorten=True, reason="  ") or "")
    assert "before it starts" in (_problem(shorten=True, reason="r", years=6) or "")
    assert "ended already" in (_problem(shorten=True, reason="r", years=4, today=date(2028, 1, 1)) or "")
    assert "永年" in (_problem(permanent=True) or "")
    assert "disposed" in (_problem(records_status="disposed") or "")
    assert "not started" in (_problem(period=None) or "")
    assert "1–30" in (_problem(years=31) or "")
