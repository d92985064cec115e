"""The sign-in back-off rule (domain/throttle.py): free attempts, doubling waits, a ceiling, a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.throttle import BackOff, retry_after_seconds, wait_before_next

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
RULE = BackOff(free=3, base=timedelta(seconds=2), ceiling=timedelta(seconds=60), window=timedelta(minutes=30))


def at(*seconds: float) -> list[datetime]:
    return [T0 + timedelta(seconds=s) for s in seconds]


def test_the_free_attempts_cost_nothing() -> None:
    assert wait_before_next([], now=T0, rule=RULE) == timedelta(0)
    assert wait_before_next(at(0, 0, 0), now=T0, rule=RULE) == timedelta(0)


@pytest.mark.parametrize(("failures", "wait"), [(4, 2), (5, 4), (6, 8), (7, 16), (8, 32), (9, 60), (50, 60)])
def test_each_failure_beyond_the_free_ones_doubles_the_wait_up_to_the_ceiling(failures: int, wait: int) -> None:
    assert wait_before_next([T0] * failures, now=T0, rule=RULE) == timedelta(seconds=wait)


def test_the_wait_counts_from_the_latest_failure_and_lapses() -> None:
    failures = at(0, 1, 2, 10)  # four: 2 s after the one at 10 s
    assert wait_before_next(failures, now=T0 + timedelta(seconds=11), rule=RULE) == timedelta(seconds=1)
    assert wait_before_next(failures, now=T0 + timedelta(seconds=12), rule=RULE) == timedelta(0)


def test_failures_older_than_the_window_are_forgotten() -> None:
    failures = at(0, 0, 0, 0, 0, 0)
    later = T0 + timedelta(minutes=30)
    assert wait_before_next([*failures, later], now=later, rule=RULE) == timedelta(0)


def test_an_outsider_cannot_lock_for_good() -> None:
    """However many failures, the wait never exceeds the ceiling."""
    assert wait_before_next([T0] * 10_000, now=T0, rule=RULE) == RULE.ceiling


def test_retry_after_rounds_up_to_whole_seconds() -> None:
    assert retry_after_seconds(timedelta(milliseconds=1)) == 1
    assert retry_after_seconds(timedelta(seconds=2, milliseconds=1)) == 3
    assert retry_after_seconds(timedelta(seconds=4)) == 4


def test_a_back_off_is_checked() -> None:
    with pytest.raises(ValueError, match="back-off"):
        BackOff(free=1, base=timedelta(seconds=5), ceiling=timedelta(seconds=1), window=timedelta(minutes=1))
