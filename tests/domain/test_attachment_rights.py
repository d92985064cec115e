"""添付ファイルの追加・削除: who may, and when (pure)."""

from __future__ import annotations

import pytest

from domain.attachments import may_add, may_delete


@pytest.mark.parametrize(
    ("status", "drafter", "division", "expected"),
    [
        ("draft", True, False, True),
        ("draft", False, True, True),
        ("sent_back", False, True, True),
        ("in_review", True, False, True),  # the drafter may still add while it is routed
        ("in_review", False, True, False),
        ("approved", True, False, True),
        ("completed", True, False, False),
        ("withdrawn", True, False, False),
        ("draft", False, False, False),
    ],
)
def test_who_may_add(status: str, drafter: bool, division: bool, expected: bool) -> None:
    assert may_add(status=status, is_drafter=drafter, in_division=division) is expected


def test_delete_only_before_any_approval_while_editable() -> None:
    assert may_delete(status="draft", is_drafter=True, in_division=False, approved=False)
    assert may_delete(status="sent_back", is_drafter=False, in_division=True, approved=False)
    assert not may_delete(status="sent_back", is_drafter=True, in_division=True, approved=True)
    assert not may_delete(status="in_review", is_drafter=True, in_division=True, approved=False)
    assert not may_delete(status="draft", is_drafter=False, in_division=False, approved=False)
