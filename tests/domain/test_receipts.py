"""収受 rules: one branch per receipt; 供覧 readers confirm once and complete it together."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import ChainError
from domain.receipts import (
    Reading,
    choose_branch,
    circulation_complete,
    confirm_reading,
    reply_completes,
    reply_shares_receipt_number,
    reply_title,
)

NOW = datetime(2026, 5, 11, 1, 0, tzinfo=UTC)


def test_one_branch_per_receipt() -> None:
    assert choose_branch("none", "reply") == "reply"
    with pytest.raises(ChainError) as refused:
        choose_branch("circulation", "closed")
    assert refused.value.kind == "conflict"


def test_readers_confirm_once_and_complete_together() -> None:
    readers = {"a": Reading("a"), "b": Reading("b")}
    with pytest.raises(ChainError):
        confirm_reading(readers, "stranger", comment="", now=NOW)
    readers["a"] = confirm_reading(readers, "a", comment="了", now=NOW)
    assert readers["a"].comment == "了" and not circulation_complete(readers)
    with pytest.raises(ChainError):
        confirm_reading(readers, "a", comment="", now=NOW)
    readers["b"] = confirm_reading(readers, "b", comment="", now=NOW)
    assert circulation_complete(readers)
    assert not circulation_complete({})


def test_a_decided_numbered_reply_completes_its_receipt_once() -> None:
    def completes(
        branch: str = "reply", outcome: str = "replying", decided: bool = True, number: str | None = "萩税第3号"
    ) -> bool:
        return reply_completes(branch=branch, outcome=outcome, decided=decided, reply_number=number)

    assert completes()
    assert not completes(decided=False)
    assert not completes(number=None)  # not numbered yet: the numbering completes it
    assert not completes(outcome="replied")  # a replayed activity: once only
    assert not completes(branch="circulation")
    assert reply_title("統計調査への協力について(依頼)").endswith("(回答)")


def test_a_reply_shares_the_receipt_number_only_where_the_city_numbers_so() -> None:
    assert reply_shares_receipt_number(city_numbers_replies_so=True, in_reply_to="r", follow_up=False)
    assert not reply_shares_receipt_number(city_numbers_replies_so=False, in_reply_to="r", follow_up=False)
    assert not reply_shares_receipt_number(city_numbers_replies_so=True, in_reply_to=None, follow_up=False)
    assert not reply_shares_receipt_number(city_numbers_replies_so=True, in_reply_to="r", follow_up=True)
