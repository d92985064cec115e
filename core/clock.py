"""The processes' clock (API, activities, CLI): the instant in UTC, and the date and time in Japan.

A "today" is always Japan's (JST, the city's calendar): between 00:00 and 09:00 JST the server's UTC date is
still yesterday.  Everything that takes today or now goes through here, so a test freezes one function (``now``).
Workflows never call it: they take ``workflow.now()``; domain code takes time as an argument.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.calendar import JST


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    return datetime.now(UTC)


def now_in_japan() -> datetime:
    """The current instant in JST (for local times of day: quiet hours, 開庁時刻)."""
    return now().astimezone(JST)


def today_in_japan() -> date:
    """Today's date in Japan: at 2026-03-31T15:30Z it is already 2026-04-01 (令和8年度)."""
    return now_in_japan().date()
