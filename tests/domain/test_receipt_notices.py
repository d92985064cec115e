"""供覧 and 回答期限 notices: which comes next, whom it reaches, when reminders stop (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.receipts import (
    Reading,
    circulating,
    circulation_reminder_days,
    next_notice,
    reply_notice_recipients,
    reply_pending,
    unread,
)
from schemas.receipts import PlannedNotice

T0 = datetime(2027, 5, 6, 23, 30, tzinfo=UTC)


def at(days: int) -> datetime:
    return T0 + timedelta(days=days)


REPLY = (
    PlannedNotice(kind="reply_remind", at=at(0), key="remind:3"),
    PlannedNotice(kind="reply_remind", at=at(2), key="remind:1"),
    PlannedNotice(kind="reply_overdue", at=at(4), key="overdue"),
)


def test_notices_come_in_order_each_once() -> None:
    assert next_notice(REPLY, [], at(-1)) == REPLY[0]
    assert next_notice(REPLY, ["remind:3"], at(0)) == REPLY[1]
    assert next_notice(REPLY, ["remind:3", "remind:1"], at(3)) == REPLY[2]
    assert next_notice(REPLY, ["remind:3", "remind:1", "overdue"], at(9)) is None


def test_a_notice_overtaken_by_a_later_due_one_is_skipped() -> None:
    """Registered a day before the 1-day reminder was due: no 3-day reminder too; after the deadline: only the
    期限超過 alert."""
    assert next_notice(REPLY, [], at(2)) == REPLY[1]
    assert next_notice(REPLY, ["remind:1"], at(2)) == REPLY[2]
    assert next_notice(REPLY, [], at(5)) == REPLY[2]


def test_the_circulation_request_is_never_skipped() -> None:
    plan = (
        PlannedNotice(kind="circulate", at=at(0), key="circulate"),
        PlannedNotice(kind="circulation_remind", at=at(2), key="remind:2"),
    )
    assert next_notice(plan, [], at(3)) == plan[0]
    assert next_notice(plan, ["circulate"], at(3)) == plan[1]


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=6, unique=True), st.integers(0, 40))
def test_each_notice_is_sent_at_most_once(days: list[int], now_day: int) -> None:
    plan = tuple(PlannedNotice(kind="reply_remind", at=at(d), key=str(d)) for d in days)
    sent: list[str] = []
    while (due := next_notice(plan, sent, at(now_day))) is not None:
        assert due.key not in sent
        sent.append(due.key)
        if due.at > at(now_day):
            break
    assert len(sent) == len(set(sent)) <= len(plan)


def test_reminder_days() -> None:
    assert circulation_reminder_days(after=2, every=2, count=3) == (2, 4, 6)
    assert circulation_reminder_days(after=1, every=1, count=0) == ()
    with pytest.raises(ValueError):
        circulation_reminder_days(after=0, every=1, count=1)


def test_unread_readers_are_reminded() -> None:
    readers = {"b": Reading("b"), "a": Reading("a"), "c": Reading("c", read_at=T0)}
    assert unread(readers) == ("a", "b")
    assert circulating(branch="circulation", outcome="circulating")
    assert not circulating(branch="circulation", outcome="circulated")


@pytest.mark.parametrize(
    ("branch", "outcome", "decided", "owed"),
    [
        ("none", "none", False, True),
        ("reply", "replying", False, True),
        ("reply", "replying", True, False),  # decided, not yet numbered: reminders stop all the same
        ("reply", "replied", True, False),
        ("closed", "closed", False, False),
        ("circulation", "circulating", False, False),
    ],
)
def test_a_reply_is_owed_until_decided_or_closed(branch: str, outcome: str, decided: bool, owed: bool) -> None:
    assert reply_pending(branch=branch, outcome=outcome, reply_decided=decided) is owed


def test_reply_deadline_recipients() -> None:
    chiefs, managers = ["chief"], ["manager"]
    assert reply_notice_recipients("reply_remind", drafter_id=None, chiefs=chiefs, managers=managers) == ("chief",)
    assert reply_notice_recipients("reply_remind", drafter_id=None, chiefs=[], managers=managers) == ("manager",)
    assert reply_notice_recipients("reply_remind", drafter_id="d", chiefs=chiefs, managers=managers) == ("d",)
    assert reply_notice_recipients("reply_overdue", drafter_id=None, chiefs=chiefs, managers=managers) == ("manager",)
    assert reply_notice_recipients("reply_overdue", drafter_id="d", chiefs=chiefs, managers=managers) == (
        "manager",
        "d",
    )
