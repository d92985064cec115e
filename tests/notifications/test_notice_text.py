"""Notice texts and quiet hours (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from activities.notice_text import display_name, render, subject
from core.quiet_hours import JST, parse_hhmm, quiet_until
from integrations import chat
from tests.activities.test_notifications import SECRET_BODY, make_document

KINDS = ["assigned", "remind", "escalate", "sent_back", "decided", "records"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("confidentiality", [2, 3])
def test_classified_notices_name_a_placeholder_and_link(kind: str, confidentiality: int) -> None:
    document = make_document(confidentiality=confidentiality)
    text = render(kind, document, {"stage_kind": "decide"}, public_url="https://ringi.example.lg.jp/")
    assert f"「機密性{confidentiality}の文書」({document.id[:8]})" in text.subject
    assert text.link == f"https://ringi.example.lg.jp/documents/{document.id}"
    for out in (text.subject, text.mail_body, text.chat_text):
        assert document.title not in out and SECRET_BODY not in out


def test_open_notices_name_the_title_but_never_carry_the_body() -> None:
    document = make_document(confidentiality=1, title="庁用車の購入")
    text = render("assigned", document, {"stage_kind": "consult"}, public_url="http://127.0.0.1:8000")
    assert text.subject == "【合議】「庁用車の購入」 があなたの合議を待っています"
    assert SECRET_BODY not in text.mail_body and SECRET_BODY not in text.chat_text


def test_a_document_number_replaces_the_placeholder_and_level_names_are_the_citys() -> None:
    document = make_document(confidentiality=2)
    assert display_name(document, number="萩総第123号") == "萩総第123号"
    assert display_name(document, names={2: "重要性II"}).startswith("「重要性IIの文書」")
    assert subject("decided", "X", {"result": "rejected"}) == "【却下】X は却下されました"
    assert subject("assigned", "X", {"stage_kind": "decide", "on_behalf_of": "s1"}).startswith("【代決】X")


def test_quiet_hours_across_midnight() -> None:
    start, end = parse_hhmm("22:00"), parse_hhmm("07:00")
    assert quiet_until(datetime(2026, 12, 1, 21, 59, tzinfo=JST), start, end) is None
    assert quiet_until(datetime(2026, 12, 1, 22, 0, tzinfo=JST), start, end) == datetime(2026, 12, 2, 7, 0, tzinfo=JST)
    assert quiet_until(datetime(2026, 12, 2, 6, 59, tzinfo=JST), start, end) == datetime(2026, 12, 2, 7, 0, tzinfo=JST)
    assert quiet_until(datetime(2026, 12, 2, 7, 0, tzinfo=JST), start, end) is None
    # Given in UTC: 2026-12-01 14:30 UTC is 23:30 JST
    assert quiet_until(datetime(2026, 12, 1, 14, 30, tzinfo=UTC), start, end) == datetime(2026, 12, 2, 7, 0, tzinfo=JST)


def test_quiet_hours_within_a_day() -> None:
    start, end = parse_hhmm("12:00"), parse_hhmm("13:00")
    assert quiet_until(datetime(2026, 12, 1, 12, 30, tzinfo=JST), start, end) == datetime(
        2026, 12, 1, 13, 0, tzinfo=JST
    )
    assert quiet_until(datetime(2026, 12, 1, 13, 0, tzinfo=JST), start, end) is None
    assert quiet_until(datetime(2026, 12, 1, 11, 0, tzinfo=JST), start, end) is None


@pytest.mark.parametrize("bad", ["7:00", "24:00", "07:60", "07:00:00", "", "seven"])
def test_times_are_hh_mm(bad: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_hhmm(bad)


def test_a_title_with_line_breaks_makes_a_one_line_subject() -> None:
    """Titles stored before they were checked may hold CR/LF: the subject (a mail header) is still one line."""
    document = make_document(confidentiality=1, title="庁用車\r\nBcc: all@city.example.lg.jp\x85の購入")
    text = render("remind", document, {}, public_url="https://ringi.example.lg.jp")
    assert text.subject == "【督促】「庁用車 Bcc: all@city.example.lg.jp の購入」 があなたの処理を待っています"
    assert not any(c in text.subject for c in "\r\n\x85")
    assert "\r" not in subject("records", "X", {"reason": "a\r\nb"})


def test_chat_markup_is_escaped_by_the_chat_client() -> None:
    assert chat.escape("<!channel> <http://evil.example|ringi> & <@U1>") == (
        "&lt;!channel&gt; &lt;http://evil.example|ringi&gt; &amp; &lt;@U1&gt;"
    )
