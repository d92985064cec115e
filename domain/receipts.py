"""収受 (receipts): the one way a received document goes, what a correction may change, and 供覧 (circulation).

A receipt (収受文書) is registered once with its 収受番号 and never edited: a correction or a hand-on (配布) is a new
event.  It then goes exactly one way — a reply (回答の起案), 供覧 (named readers confirm reading), or filed with no
further processing (closed).  Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from domain.errors import ChainError
from schemas.receipts import PlannedNotice, ReceiptNoticeKind

Channel = Literal["paper", "email", "lgwan", "online_application", "hand"]
Branch = Literal["none", "reply", "circulation", "closed"]

#: The fields a correction (訂正) may set; the 収受番号, registration and branch are never corrected.
CORRECTABLE = frozenset({"sender", "addressee", "title", "sender_reference", "sender_dated_on", "reply_by", "summary"})


def _refused(reason: str) -> ChainError:
    return ChainError("conflict", reason)


def choose_branch(current: str, wanted: Branch) -> Branch:
    """One branch per receipt: a second is refused."""
    if current != "none":
        raise _refused(f"this receipt already went one way ({current}); a receipt takes one branch only")
    return wanted


@dataclass(frozen=True)
class Reading:
    """One 供覧 reader: when they confirmed (None: not yet) and their comment."""

    reader_id: str
    read_at: datetime | None = None
    comment: str = ""


def confirm_reading(readers: Mapping[str, Reading], reader_id: str, *, comment: str, now: datetime) -> Reading:
    """A listed reader confirms once; anyone else, or a second confirmation, is refused."""
    reading = readers.get(reader_id)
    if reading is None:
        raise _refused("you are not a reader of this 供覧")
    if reading.read_at is not None:
        raise _refused("you have already confirmed reading this 供覧")
    return Reading(reader_id=reader_id, read_at=now, comment=comment)


def circulation_complete(readers: Mapping[str, Reading]) -> bool:
    """供覧 is complete when every named reader has confirmed."""
    return bool(readers) and all(r.read_at is not None for r in readers.values())


#: The 決裁区分 a reply drafted from a receipt takes unless its drafter chooses another: 定例的な照会・回答.
REPLY_CATEGORY = "inquiry_reply_routine"


def reply_title(receipt_title: str) -> str:
    """The reply draft's working title (the drafter may change it): 「…について(回答)」."""
    return f"{receipt_title}について(回答)"


def reply_completes(*, branch: str, outcome: str, decided: bool, reply_number: str | None) -> bool:
    """A decided reply completes its receipt (回答済), once: it needs its 文書番号, and a completed receipt stays so."""
    return branch == "reply" and outcome == "replying" and decided and reply_number is not None


def reply_shares_receipt_number(*, city_numbers_replies_so: bool, in_reply_to: str | None, follow_up: bool) -> bool:
    """収受番号＝文書番号: where the city numbers so, a reply takes its receipt's number instead of a new one (the
    number was taken from the same gapless counter at 収受); a follow-up (第N号の2) keeps its parent's."""
    return city_numbers_replies_so and in_reply_to is not None and not follow_up


# --- 供覧 and 回答期限: who hears what, when (the dates in 開庁日 come from core/calendar.py) ---------------------


def unread(readers: Mapping[str, Reading]) -> tuple[str, ...]:
    """The readers who have not confirmed yet (whom a 供覧 reminder goes to), in id order."""
    return tuple(sorted(k for k, r in readers.items() if r.read_at is None))


def circulating(*, branch: str, outcome: str) -> bool:
    """A 供覧 is under way: the receipt went that way and not everyone has read."""
    return branch == "circulation" and outcome == "circulating"


#: The outcomes of a receipt that still owes a reply: not yet on a branch, or its reply being drafted or decided.
#: 回答済, 供覧 (circulating or circulated) and closed owe none.
REPLY_OWED_OUTCOMES: frozenset[str] = frozenset({"none", "replying"})


def reply_pending(*, branch: str, outcome: str, reply_decided: bool) -> bool:
    """A reply is still owed: the receipt has not gone another way (供覧, closed), it is not 回答済, and no reply
    drafted from it has been decided.  回答期限 reminders stop as soon as this is False."""
    return branch in ("none", "reply") and outcome in REPLY_OWED_OUTCOMES and not reply_decided


def circulation_reminder_days(*, after: int, every: int, count: int) -> tuple[int, ...]:
    """Business days after the start of a 供覧 at which those who have not read are reminded: ``after``, then every
    ``every`` business days, ``count`` times in all (no reminders when ``count`` is 0)."""
    if after < 1 or every < 1 or count < 0:
        raise ValueError("reminders come at least one business day apart, and their count is not negative")
    return tuple(after + n * every for n in range(count))


def next_notice(planned: Sequence[PlannedNotice], sent: Collection[str], now: datetime) -> PlannedNotice | None:
    """The next notice to send: the earliest not yet sent, skipping any that a later notice, already due at
    ``now``, has overtaken (a receipt registered two days before its 回答期限 gets the 1-day reminder, not the
    3-day one as well; one registered after it gets only the 期限超過 alert)."""
    due = [p.at for p in planned if p.at <= now]
    latest_due = max(due) if due else None
    waiting = [
        p for p in planned if p.key not in sent and (latest_due is None or p.at >= latest_due or p.kind == "circulate")
    ]
    return min(waiting, key=lambda p: p.at, default=None)


def reply_notice_recipients(
    kind: ReceiptNoticeKind, *, drafter_id: str | None, chiefs: Sequence[str], managers: Sequence[str]
) -> tuple[str, ...]:
    """回答期限: the reminder goes to the reply's drafter, or while nobody drafts one to the assigned unit's 係長 (its
    課長 where it has none); once the deadline has passed the 課長 is alerted (and the drafter, if any)."""
    if kind == "reply_overdue":
        people = [*(managers or chiefs), *([drafter_id] if drafter_id else [])]
    elif drafter_id:
        people = [drafter_id]
    else:
        people = list(chiefs or managers)
    return tuple(dict.fromkeys(people))
