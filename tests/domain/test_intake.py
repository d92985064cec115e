"""電子申請の収受, the pure rules: which mapping version and row route a form, the receipt's fields and title,
and a CSV export read row by row (encodings, line numbers, the reason of each bad row)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from domain.intake import (
    CsvUnreadable,
    Routed,
    Unrouted,
    arrival_problem,
    decode_csv,
    read_csv,
    receipt_fields,
    received_on,
    render_title,
    route_application,
    template_problems,
)
from schemas.intake import FormRule, IntakeApplication, IntakeRulebook


def rule(**overrides: Any) -> FormRule:
    fields: dict[str, Any] = {
        "form_id": "certificate-tax",
        "form_name": "税務証明書交付申請",
        "assigned_unit": "shimin.zeimu",
        "category": "certificate",
        "branch": "reply",
        "title": "{form_name} ({applicant_name})",
    }
    return FormRule.model_validate(fields | overrides)


def book(effective_from: str, *rules: FormRule) -> IntakeRulebook:
    return IntakeRulebook.model_validate({"適用日": effective_from, "title": "例示", "forms": list(rules)})


def application(**overrides: Any) -> IntakeApplication:
    fields: dict[str, Any] = {
        "source": "e-shinsei",
        "form_id": "certificate-tax",
        "application_id": "A-1",
        "submitted_at": "2026-03-31T15:30:00+00:00",  # 2026-04-01 00:30 in Japan
        "applicant": {"name": "山田 太郎"},
        "answers": {"種類": "納税証明書", "部数": 2, "郵送": True},
    }
    return IntakeApplication.model_validate(fields | overrides)


def test_the_day_of_arrival_is_japans() -> None:
    assert received_on(application()) == date(2026, 4, 1)


def test_the_version_in_force_on_the_day_routes_the_form() -> None:
    old = book("2025-04-01", rule(assigned_unit="shimin.shimin"))
    new = book("2026-04-01", rule())
    routed = route_application([new, old], application())
    assert isinstance(routed, Routed) and routed.rule.assigned_unit == "shimin.zeimu" and routed.version is new
    earlier = route_application([new, old], application(submitted_at="2026-03-31T14:00:00+00:00"))
    assert isinstance(earlier, Routed) and earlier.rule.assigned_unit == "shimin.shimin"


def test_an_unmapped_form_or_a_day_before_any_version_is_unrouted() -> None:
    books = [book("2026-04-01", rule())]
    unknown = route_application(books, application(form_id="nope"))
    assert isinstance(unknown, Unrouted) and "nope" in unknown.reason
    before = route_application(books, application(submitted_at="2020-01-01T00:00:00+09:00"))
    assert isinstance(before, Unrouted) and "2020-01-01" in before.reason
    assert isinstance(route_application([], application()), Unrouted)


def test_the_receipt_is_an_online_application_of_confidentiality_two_at_least() -> None:
    fields = receipt_fields(application(), rule(), addressee="萩市長")
    assert fields["channel"] == "online_application"
    assert fields["confidentiality"] == 2
    assert (fields["sender"], fields["sender_reference"], fields["addressee"]) == ("山田 太郎", "A-1", "萩市長")
    assert fields["title"] == "税務証明書交付申請 (山田 太郎)"
    assert fields["summary"].splitlines() == ["種類: 納税証明書", "部数: 2", "郵送: はい"]
    assert receipt_fields(application(), rule(confidentiality=3), addressee="x")["confidentiality"] == 3
    with pytest.raises(ValueError, match="confidentiality"):
        rule(confidentiality=1)


def test_titles_take_answers_and_never_look_anything_else_up() -> None:
    app = application()
    assert render_title("{form_name} {answers.種類} {answers.無い}", app, form_name="証明") == "証明 納税証明書"
    assert render_title("{applicant_name.__class__}", app, form_name="x") == "{applicant_name.__class__}"
    assert render_title("{answers.無い}", app, form_name="様式") == "様式"
    odd = application(answers={"種類": "納税\x1b[2J証明書\u2028\x00写し"})
    assert render_title("{answers.種類}", odd, form_name="様式") == "納税 [2J証明書 写し"  # one line, no controls
    assert template_problems("{form_name} {answers.x}") == []
    assert template_problems("{nope}") and template_problems("{answers.}")


def test_decoding_accepts_utf8_with_or_without_bom_and_shift_jis() -> None:
    text = "申請番号,氏名\r\nA-1,髙橋\r\n"
    assert decode_csv(b"\xef\xbb\xbf" + text.encode()) == (text, "utf-8-bom")
    assert decode_csv(text.encode()) == (text, "utf-8")
    assert decode_csv(text.encode("cp932")) == (text, "shift_jis")
    assert decode_csv(text.encode("cp932"), charset="Shift_JIS") == (text, "shift_jis")
    with pytest.raises(CsvUnreadable, match="not utf-8"):
        decode_csv(text.encode("cp932"), charset="utf-8")
    with pytest.raises(CsvUnreadable, match="neither"):
        decode_csv(b"abc,\x85\x40")
    with pytest.raises(CsvUnreadable, match="unknown"):
        decode_csv(b"a", charset="klingon")


HEADER = "申請番号,様式ID,申請日時,氏名,住所,証明書の種類\n"


def test_rows_are_read_one_by_one_with_their_line_numbers() -> None:
    text = HEADER + (
        "A-1,certificate-tax,2026/12/01 10:15,山田 太郎,萩市,納税証明書\n"  # line 2
        "\n"  # line 3: blank
        'A-2,certificate-tax,2026-12-01T10:16:00+09:00,鈴木 花子,"萩市\n椿東",所得証明書\n'  # lines 4-5
        "A-3,certificate-tax,12月1日,佐藤,萩市,x\n"  # line 6: bad date
        "A-4,certificate-tax,2026/12/01 10:17,,萩市,x\n"  # line 7: no name
        "A-5,certificate-tax,2026/12/01 10:18\n"  # line 8: too few fields
        "A 6,certificate-tax,2026/12/01 10:19,田中,萩市,x\n"  # line 9: a space in the id
    )
    rows = read_csv(text, source="e-shinsei")
    assert [r.line for r in rows] == [2, 4, 6, 7, 8, 9]
    good = [r.application for r in rows if r.application is not None]
    assert [a.application_id for a in good] == ["A-1", "A-2"]
    first = good[0]
    assert first.submitted_at.isoformat() == "2026-12-01T10:15:00+09:00"
    assert first.applicant.name == "山田 太郎" and first.applicant.address == "萩市"
    assert first.answers == {"証明書の種類": "納税証明書"} and first.source == "e-shinsei"
    assert good[1].applicant.address == "萩市\n椿東"
    reasons = {r.line: r.reason for r in rows if r.application is None}
    assert "申請日時" in reasons[6]
    assert "氏名" in reasons[7] or "applicant" in reasons[7]
    assert "3 fields" in reasons[8]
    assert "申請番号" in reasons[9]
    assert {r.line: r.application_id for r in rows}[6] == "A-3"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty"),
        ("申請番号,様式ID,申請日時\n", "applicant_name"),
        ("申請番号,application_id,様式ID,申請日時,氏名\n", "both"),
        ("申請番号,様式ID,申請日時,氏名,氏名\n", "twice"),
        ("申請番号,,様式ID,申請日時,氏名\n", "no name"),
    ],
)
def test_a_bad_header_refuses_the_whole_file(text: str, match: str) -> None:
    with pytest.raises(CsvUnreadable, match=match):
        read_csv(text, source="e-shinsei")


def test_the_application_names_each_bad_field() -> None:
    with pytest.raises(ValueError, match="submitted_at"):
        application(submitted_at="2026-12-01T10:00:00")  # no offset
    with pytest.raises(ValueError, match="content"):
        application(attachments=[{"name": "a.pdf", "content_type": "application/pdf", "content": "***"}])
    with pytest.raises(ValueError, match="name"):
        application(attachments=[{"name": "../a.pdf", "content_type": "application/pdf", "content": "QQ=="}])
    ok = application(attachments=[{"name": "a.txt", "content_type": "text/plain", "content": "QUJD"}])
    assert ok.attachments[0].size() == 3 and ok.attachments[0].data() == b"ABC"


def test_an_application_is_not_submitted_after_it_arrives() -> None:
    app = application(submitted_at="2026-12-03T10:00:00+09:00")
    now = datetime.fromisoformat("2026-12-03T09:59:30+09:00")
    assert arrival_problem(app, now=now, skew=timedelta(seconds=60)) is None
    assert "submitted_at" in (arrival_problem(app, now=now, skew=timedelta(seconds=10)) or "")
