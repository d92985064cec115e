"""収受 (receipts): the one way a received document goes, what a correction may change, and 供覧 (circulation).

A receipt (収受文書) is registered once with its 収受番号 and never edited: a correction or a hand-on (配布) is a new
event.  It then goes exactly one way — a reply (回答の起案), 供覧 (named readers confirm reading), or filed with no
further processing (closed).  Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from domain.errors import ChainError

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
