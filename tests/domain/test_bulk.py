"""一括承認 eligibility (domain.bulk): the rulebook's matters, and what is never eligible whatever it says."""

from __future__ import annotations

from typing import Any

from domain.bulk import BulkCandidate, refusal, too_many
from schemas.rules import BulkApproval, BulkEligibleMatter

RULES = BulkApproval(
    citation="例示",
    matters=(
        BulkEligibleMatter(matter="leave", days_at_most=2, citation="例示"),
        BulkEligibleMatter(matter="trip", within_prefecture_only=True, citation="例示"),
    ),
)


def candidate(**overrides: Any) -> BulkCandidate:
    base: dict[str, Any] = {
        "matter": "leave",
        "details": {"days": 2},
        "confidentiality": 1,
        "version": 1,
        "shown_version": 1,
    }
    return BulkCandidate(**{**base, **overrides})


def test_a_short_leave_and_a_trip_within_the_prefecture_are_eligible() -> None:
    assert refusal(candidate(), RULES) is None
    assert refusal(candidate(matter="trip", details={"days": 3, "within_prefecture": True}), RULES) is None


def test_what_the_rulebook_does_not_mark_is_refused_with_its_reason() -> None:
    assert "2.5日は一括承認の対象 (2日以内) を超えます" in str(refusal(candidate(details={"days": 2.5}), RULES))
    assert "県外への出張" in str(refusal(candidate(matter="trip", details={"days": 1}), RULES))
    assert "時間外勤務命令は一括承認の対象ではありません" in str(refusal(candidate(matter="overtime"), RULES))
    assert "一括承認を定めていません" in str(refusal(candidate(), None))


def test_never_eligible_whatever_the_rulebook_says() -> None:
    assert "機密性2" in str(refusal(candidate(confidentiality=2), RULES))
    assert "代決" in str(refusal(candidate(substitute=True), RULES))
    assert "第2号" in str(refusal(candidate(attachments={1, 2}, opened={1}), RULES))
    assert refusal(candidate(attachments={1, 2}, opened={1, 2}), RULES) is None
    assert "表示時 第1版、現在 第2版" in str(refusal(candidate(version=2), RULES))
    assert "承認待ち" in str(refusal(candidate(pending_for_me=False), RULES))


def test_at_most_the_rulebooks_number_of_items() -> None:
    assert too_many(50, RULES) is None
    assert "50件まで" in str(too_many(51, RULES))
