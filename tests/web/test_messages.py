"""The one catalogue of what a person reads: the API's and the chain's reasons and pydantic's messages in Japanese."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

import api.web
from api.web import messages
from api.web.forms import parse_action, parse_draft
from api.web.messages import japanese
from api.web.render import ACTION, ACTION_HELP, DONE, EVENT, RECEIPT_EVENT
from schemas.document import ActionName, EventAction

ROOT = Path(api.web.__file__).parents[2]


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("a send-back (差戻し) needs a reason in the comment", "差戻しには理由（コメント）の記入が必要です。"),
        ("an objection (異議) needs a reason in the comment", "異議には理由（コメント）の記入が必要です。"),
        ("not your step: the document is waiting for somu.somu.manager", "あなたの順番ではありません"),
        ("no document 0f3e-unknown", "文書 0f3e-unknown は見つかりません。"),
        (
            "2,000,000 yen requested, 500,000 yen available on 0201-01 (2026) (available: 500,000 yen)",
            "予算が不足しています：予算科目 0201-01（2026年度）の執行可能額は500,000円、要求額は2,000,000円です。",
        ),
        ("injected refusal (available: 0 yen)", "予算が不足しています（執行可能額 0円）"),
        ("only the drafter may edit the document", "文書を修正できるのは起案者だけです。"),
        ("cannot approve: the document is approved", "文書が決裁済のため、この操作はできません。"),
        ("this is a consult stage: use consent or object", "この段階は合議です。同意または異議を選んでください。"),
        ("too many failed attempts from this address: retry in 4 s", "4秒後にやり直してください。"),
        (
            "too many failed sign-ins for this staff id: locked until 2026-12-04T09:15:00+00:00 (retry in 900 s)",
            "この職員番号は一時的にロックされています。900秒後",
        ),
    ],
)
def test_known_reasons_are_shown_in_japanese(reason: str, expected: str) -> None:
    assert expected in japanese(reason)


def test_an_unknown_reason_is_shown_as_it_came_and_parts_are_translated_one_by_one() -> None:
    assert japanese("something new happened") == "something new happened"
    both = japanese("no document x; something new")
    assert both == "文書 x は見つかりません。／something new"


def test_the_empty_drafting_forms_messages_name_the_field_in_japanese() -> None:
    with pytest.raises(ValueError, match="金額") as bad:
        parse_draft({"title": "t", "amount_yen": "abc"})
    assert "Input should" not in str(bad.value) and "半角数字" in str(bad.value)
    with pytest.raises(ValueError) as empty:
        parse_draft({"title": "", "amount_yen": ""})
    assert "件名" in str(empty.value) and "Input should" not in str(empty.value)
    with pytest.raises(ValueError) as action:
        parse_action({"choice": "dance"})
    assert "操作：選択肢から選んでください。" in str(action.value)


def test_every_audit_event_kind_has_a_japanese_label() -> None:
    """The chain's events, and every kind the services and the workflow append (found in their source)."""
    kinds = set(get_args(EventAction)) | set(get_args(ActionName))
    appended = re.compile(
        r'append(?:_for)?\(\s*\w+,\s*"([a-z_]+)"|action="([a-z_]+)"|_audit\(\s*\w+,\s*\w+,\s*"([a-z_]+)"'
    )
    for folder in ("api/services", "activities"):
        for path in (ROOT / folder).glob("*.py"):
            for match in appended.finditer(path.read_text(encoding="utf-8")):
                kinds.add(next(g for g in match.groups() if g))
    kinds |= {"number", "seal_use", "issue", "complete", "file", "refile", "transfer", "skip"}
    kinds -= set(RECEIPT_EVENT)  # a receipt's events (their own table), not a document's
    missing = sorted(k for k in kinds if k not in EVENT)
    assert missing == []
    assert all(re.search(r"[^\x00-\x7f]", EVENT[k]) for k in kinds)  # Japanese, not the raw name


def test_every_action_has_help_and_a_confirmation() -> None:
    assert set(ACTION_HELP) == set(ACTION) and set(ACTION) <= set(DONE)
    assert ACTION_HELP["approve"] != ACTION_HELP["consent"]


def test_no_reason_has_two_translations() -> None:
    """A rule shadowed by an earlier one of the same pattern would never be used (two merges wrote one each)."""
    patterns = [pattern for pattern, _ in messages._RULES]
    assert sorted({p for p in patterns if patterns.count(p) > 1}) == []
