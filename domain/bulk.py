"""一括承認 (bulk approval): which pending items an approver may approve several at once.

Pure: the caller gathers the facts (the document as shown, its attachments and those this approver has opened,
the kind of inbox item) and the rulebook's ``bulk_approval`` data; the rule answers the Japanese reason an item
is refused, or None.  An eligible item is then applied as its own decision, through the same chain as a single
承認 — the chain may still refuse it (its reason is the item's outcome).

Never eligible, whatever the rulebook says: a document classified 機密性2 or above, a 代決 (someone else's
decision), an item whose attachments this approver has not all opened, and one changed since it was shown.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from schemas.rules import BulkApproval, BulkEligibleMatter

#: 機密性2 and above are never approved in bulk.
CONFIDENTIAL_FROM = 2

MATTER_NAMES: dict[str, str] = {"leave": "休暇", "trip": "出張", "overtime": "時間外勤務命令"}


@dataclass(frozen=True)
class BulkCandidate:
    """What the rule needs of one item: the document as stored and as the approver saw it."""

    matter: str
    details: Mapping[str, Any] | None
    confidentiality: int
    version: int
    shown_version: int
    attachments: Collection[int] = ()
    opened: Collection[int] = ()
    substitute: bool = False  # the approver would decide it as 代決者
    pending_for_me: bool = True  # the approver has a pending 回議・決裁 step on it


def refusal(candidate: BulkCandidate, rules: BulkApproval | None) -> str | None:
    """Why ``candidate`` may not be approved in bulk (Japanese, for the approver), or None if it may."""
    if candidate.version != candidate.shown_version:
        return (
            f"表示後に文書が変更されています (表示時 第{candidate.shown_version}版、現在 第{candidate.version}版)。"
            "内容を確認して個別に承認してください"
        )
    if candidate.substitute:
        return "代決は一括承認できません。個別に決裁してください"
    if not candidate.pending_for_me:
        return "あなたの承認待ちの文書ではありません"
    if candidate.confidentiality >= CONFIDENTIAL_FROM:
        return f"機密性{candidate.confidentiality}の文書は一括承認できません"
    unopened = sorted(set(candidate.attachments) - set(candidate.opened))
    if unopened:
        listed = "、".join(f"第{n}号" for n in unopened)
        return f"開いていない添付ファイル ({listed}) があります。確認してから個別に承認してください"
    if rules is None:
        return "この規程の版は一括承認を定めていません"
    row = _row(rules, candidate.matter)
    name = MATTER_NAMES.get(candidate.matter, candidate.matter)
    if row is None:
        return f"{name}は一括承認の対象ではありません"
    details = candidate.details or {}
    if row.days_at_most is not None:
        days = float(details.get("days") or 0)
        if days > row.days_at_most:
            return f"{name}{_num(days)}日は一括承認の対象 ({_num(row.days_at_most)}日以内) を超えます"
    if row.within_prefecture_only and not details.get("within_prefecture", False):
        return "県外への出張は一括承認の対象ではありません"
    return None


def too_many(count: int, rules: BulkApproval | None) -> str | None:
    """Why a request of ``count`` items is refused whole (more than the rulebook's limit), or None."""
    limit = rules.max_items if rules is not None else 50
    if count > limit:
        return f"一括承認は1回{limit}件までです ({count}件が指定されました)"
    return None


def _row(rules: BulkApproval, matter: str) -> BulkEligibleMatter | None:
    return next((r for r in rules.matters if r.matter == matter), None)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
