"""収受 rules: one branch per receipt; 供覧 readers confirm once and complete it together."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import ChainError
from domain.receipts import Reading, choose_branch, circulation_complete, confirm_reading

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
