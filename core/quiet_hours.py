"""Quiet hours (通知を控える時間帯): a daily period in Japan time, possibly across midnight ("22:00"–"07:00")."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")  # Japan keeps no daylight saving time
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(value: str) -> time:
    """``"07:30"`` -> 07:30; anything else (``"7:30"``, ``"24:00"``, ``"07:30:00"``) raises ``ValueError``."""
    match = _HHMM.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a time of day as HH:MM (00:00 to 23:59)")
    return time(int(match[1]), int(match[2]))


def quiet_until(now: datetime, start: time, end: time) -> datetime | None:
    """If ``now`` falls in the quiet period [start, end) of its day in JST, the moment it ends; else None."""
    local = now.astimezone(JST)
    moment = local.time()
    end_today = datetime.combine(local.date(), end, JST)
    if start == end:
        return None
    if start < end:  # within one day, e.g. 12:00–13:00
        return end_today if start <= moment < end else None
    if moment >= start:  # across midnight, e.g. 22:00–07:00: after the start, quiet until tomorrow's end
        return end_today + timedelta(days=1)
    return end_today if moment < end else None
