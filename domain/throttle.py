"""Sign-in throttling (試行回数制限), pure: from the recent failures of one key (a client address, or a staff id)
to how long the next attempt must wait.

Exponential back-off: the first ``free`` failures inside the window cost nothing; from then on each failure doubles
the wait after it (``base``, 2 × ``base``, 4 × ``base`` … up to ``ceiling``), counted from the latest failure.  The
wait never exceeds ``ceiling`` and failures older than ``window`` are forgotten, so nobody — least of all an
outsider guessing at a decider's id — can lock an account for good: the wait lapses by itself.

The address key is the stricter one (spraying one password over many ids from one address is slowed first); the
account key has more free attempts, so guesses from many addresses are slowed too without the owner, signing in
from their own desk after the wait, being shut out.

No I/O, no clock: the failures and ``now`` are arguments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class BackOff:
    """How one key is throttled."""

    #: Failures inside the window that cost no wait.
    free: int
    #: The wait after the first failure beyond ``free``; each further failure doubles it.
    base: timedelta
    #: The longest wait.
    ceiling: timedelta
    #: Failures older than this (before ``now``) are forgotten.
    window: timedelta

    def __post_init__(self) -> None:
        if self.free < 0 or self.base <= timedelta(0) or self.ceiling < self.base or self.window <= timedelta(0):
            raise ValueError("a back-off needs free >= 0, base > 0, ceiling >= base and window > 0")


def wait_before_next(failures: Iterable[datetime], *, now: datetime, rule: BackOff) -> timedelta:
    """How long from ``now`` the next attempt must wait (``timedelta(0)``: it may go ahead).

    >>> from datetime import UTC
    >>> t = datetime(2026, 4, 1, 9, tzinfo=UTC)
    >>> rule = BackOff(free=2, base=timedelta(seconds=1), ceiling=timedelta(seconds=60), window=timedelta(hours=1))
    >>> wait_before_next([t, t], now=t, rule=rule)
    datetime.timedelta(0)
    >>> wait_before_next([t, t, t], now=t, rule=rule)
    datetime.timedelta(seconds=1)
    >>> wait_before_next([t] * 5, now=t, rule=rule)
    datetime.timedelta(seconds=8)
    """
    recent = sorted(at for at in failures if now - at < rule.window)
    beyond = len(recent) - rule.free
    if beyond <= 0:
        return timedelta(0)
    # 2 ** 40 seconds is far past any ceiling: cap the exponent so the arithmetic stays small.
    doubled: timedelta = rule.base * (2 ** min(beyond - 1, 40))
    wait = min(doubled, rule.ceiling)
    remaining: timedelta = recent[-1] + wait - now
    return remaining if remaining > timedelta(0) else timedelta(0)


def retry_after_seconds(wait: timedelta) -> int:
    """The ``Retry-After`` value: whole seconds, rounded up, at least 1."""
    return max(1, int(wait.total_seconds() + 0.999))
