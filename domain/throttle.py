"""Sign-in throttling (試行回数制限) and lockout (ロックアウト), pure: from the recent failures kept under a client
address and under a staff id to whether the next attempt may go, and how long it must wait.

Three limits, in this order (``assess``):

1. **per client address** (``BackOff``): the first ``free`` failures inside the window cost nothing; from then on
   each failure doubles the wait after it (``base``, 2 × ``base`` … up to ``ceiling``).  Spraying one password over
   many ids from one address is cut off here, before its failures can count against any id.
2. **per (staff id, address)** (``Lock``, ``RINGI_LOCKOUT_THRESHOLD``): the id's failures from that one address
   lock that pair for a while.  An outsider guessing at a decider's password locks out only their own address.
3. **per staff id over every address** (``Lock``, a much higher threshold): a real brute force from many addresses
   still locks the id — for password-only sign-ins from outside the office.  A sign-in from the office network
   counts only the office's own failures, and one from outside that brings its second factor goes through when
   password and code are both right, so no outsider can lock a decider out of their desk, or out of telework.

Attempts refused by a limit are never counted: the locks see only failures from addresses not already throttled.
Every wait and lock lapses by itself (failures older than the window are forgotten).

No I/O, no clock: the failures and ``now`` are arguments.
"""

from __future__ import annotations

import enum
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
    datetime.timedelta(seconds=4)
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


# --- lockout (ロックアウト): per (id, address) first, per id only with a much higher threshold ---------------------


@dataclass(frozen=True)
class Lock:
    """How many failures lock, and for how long."""

    #: Failures (counted afresh after a lapsed lock) that lock.
    threshold: int
    #: How long the lock lasts, from the failure that reached the threshold.
    duration: timedelta
    #: Failures older than this (before ``now``) are forgotten.
    window: timedelta

    def __post_init__(self) -> None:
        if self.threshold <= 0 or self.duration <= timedelta(0) or self.window <= timedelta(0):
            raise ValueError("a lock needs threshold > 0, duration > 0 and window > 0")


def locked_until(failures: Iterable[datetime], *, now: datetime, rule: Lock) -> datetime | None:
    """The end of the lock in force at ``now`` (None: not locked).

    Failures count one by one; the one that reaches ``threshold`` locks for ``duration``; failures while locked do
    not prolong it (a guesser cannot keep an account locked by hammering it), and after the lock lapses the count
    starts afresh.

    >>> from datetime import UTC
    >>> t = datetime(2026, 4, 1, 9, tzinfo=UTC)
    >>> rule = Lock(threshold=2, duration=timedelta(minutes=15), window=timedelta(hours=1))
    >>> locked_until([t], now=t, rule=rule) is None
    True
    >>> locked_until([t, t], now=t, rule=rule) == t + timedelta(minutes=15)
    True
    >>> locked_until([t, t], now=t + timedelta(minutes=15), rule=rule) is None
    True
    """
    count, until = 0, None
    for at in sorted(at for at in failures if now - at < rule.window):
        if until is not None and at < until:
            continue
        if until is not None:
            count, until = 0, None
        count += 1
        if count >= rule.threshold:
            until = at + rule.duration
    return until if until is not None and until > now else None


@dataclass(frozen=True)
class Failure:
    """One failed sign-in (wrong password, or wrong second-factor code) of a staff id as typed, known or not."""

    at: datetime
    #: The resolved client address it came from.
    address: str
    #: Whether that address was in the office network (庁内) at the time.
    office: bool


@dataclass(frozen=True)
class Attempt:
    """What is known of a sign-in before its password is checked."""

    address: str
    office: bool
    #: A one-time or recovery code was sent along.
    second_factor: bool


@dataclass(frozen=True)
class SignInRules:
    """The three limits, checked in this order."""

    #: Back-off per client address, whatever the ids: spraying from one address is cut off first.
    address: BackOff
    #: Lock per (staff id, address): a guesser locks only themselves out (the old per-id lockout, per address).
    pair: Lock
    #: Lock per staff id over every address (a distributed brute force); its threshold is much higher than the pair's.
    account: Lock

    def forget_before(self, now: datetime) -> datetime:
        """Failures before this are of no use to any rule (they may be pruned)."""
        return now - max(self.address.window, self.pair.window, self.account.window)


class Verdict(enum.Enum):
    GO = "go"
    """Check the password (and second factor) as usual."""
    THROTTLED = "throttled"
    """The address is in its back-off: refuse without checking, count nothing."""
    LOCKED = "locked"
    """Locked for this attempt: refuse without checking, count nothing."""
    GUARDED = "guarded"
    """The staff id is locked over every address, but this attempt brings a second factor: check password and code
    together, and answer any failure with the lock (never which of the two was wrong — no password oracle)."""


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    #: When the attempt may go again (THROTTLED, LOCKED) or when the account-wide lock ends (GUARDED).
    until: datetime | None = None


def assess(
    attempt: Attempt,
    *,
    address_failures: Iterable[datetime],
    account_failures: Iterable[Failure],
    now: datetime,
    rules: SignInRules,
) -> Assessment:
    """Whether a sign-in may go ahead, from the failures kept under its address and under its staff id.

    1. The address's back-off (every id it tried): a spray across many ids from one address is cut off before its
       failures can count against any id.  Throttled attempts are never counted, so the id's locks see only
       failures from addresses not already throttled.
    2. The lock of this (id, address): the id's failures from this very address.  An outsider guessing at a
       decider's password locks their own address out, not the decider.
    3. The lock of the id over every address (``rules.account``, a much higher threshold): a real brute force from
       many addresses.  It never holds back a sign-in from the office network because of failures from outside
       it (only failures inside the office count there), and from outside an attempt with a second factor still
       goes through when password and code are both right (``GUARDED``); password-only attempts from outside wait.

    >>> from datetime import UTC
    >>> t = datetime(2026, 4, 1, 9, tzinfo=UTC)
    >>> rules = SignInRules(
    ...     address=BackOff(free=10, base=timedelta(seconds=1), ceiling=timedelta(minutes=15), window=timedelta(1)),
    ...     pair=Lock(threshold=5, duration=timedelta(minutes=15), window=timedelta(hours=1)),
    ...     account=Lock(threshold=50, duration=timedelta(minutes=15), window=timedelta(hours=1)),
    ... )
    >>> outsider = [Failure(at=t, address="203.0.113.9", office=False)] * 5
    >>> assess(Attempt("203.0.113.9", office=False, second_factor=False), address_failures=[t] * 5,
    ...        account_failures=outsider, now=t, rules=rules).verdict
    <Verdict.LOCKED: 'locked'>
    >>> assess(Attempt("10.1.2.3", office=True, second_factor=False), address_failures=[],
    ...        account_failures=outsider, now=t, rules=rules).verdict
    <Verdict.GO: 'go'>
    """
    failures = list(account_failures)
    wait = wait_before_next(address_failures, now=now, rule=rules.address)
    if wait > timedelta(0):
        return Assessment(Verdict.THROTTLED, now + wait)
    pair = locked_until((f.at for f in failures if f.address == attempt.address), now=now, rule=rules.pair)
    if pair is not None:
        return Assessment(Verdict.LOCKED, pair)
    # Failures from elsewhere never hold back the office: there only the office's own failures count.
    counted = (f.at for f in failures if f.office or not attempt.office)
    account = locked_until(counted, now=now, rule=rules.account)
    if account is None:
        return Assessment(Verdict.GO)
    if attempt.second_factor and not attempt.office:
        return Assessment(Verdict.GUARDED, account)
    return Assessment(Verdict.LOCKED, account)


@dataclass(frozen=True)
class LockState:
    """A staff id's locks at one instant (ロック中のアカウント): over every address, and per address."""

    account_until: datetime | None
    #: address -> end of that (id, address) lock, for the addresses locked now.
    pairs: dict[str, datetime]

    @property
    def locked(self) -> bool:
        return self.account_until is not None or bool(self.pairs)

    @property
    def until(self) -> datetime | None:
        """When the last lock in force ends (None: not locked)."""
        ends = [*self.pairs.values(), *([self.account_until] if self.account_until else [])]
        return max(ends, default=None)


def lock_state(failures: Iterable[Failure], *, now: datetime, rules: SignInRules) -> LockState:
    """The locks of one staff id from its failures, as ``assess`` sees them (the office's own failures aside:
    here every failure counts towards the lock over every address, which is what holds back outsiders)."""
    kept = list(failures)
    pairs = {
        address: until
        for address in {f.address for f in kept}
        if (until := locked_until((f.at for f in kept if f.address == address), now=now, rule=rules.pair))
    }
    return LockState(locked_until((f.at for f in kept), now=now, rule=rules.account), pairs)
