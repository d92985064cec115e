"""The 原議 renderer on its own: 和暦 dates, surnames for seals, many steps and a long body, the Japanese font."""

from __future__ import annotations

import io
import re
import shutil
from datetime import date
from pathlib import Path

import pypdf
import pytest

from core import fonts
from core.fonts import JapaneseFontMissing, find_japanese_font
from core.print_original import render_original, surname, wareki, wareki_short
from schemas.printing import PrintableDocument, SealBox


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 26), "令和8年11月26日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
    ],
)
def test_wareki(day: date, expected: str) -> None:
    assert wareki(day) == expected


def test_wareki_short_and_surname() -> None:
    assert wareki_short(date(2026, 4, 1)) == "R8.4.1"
    assert wareki_short(date(2019, 4, 30)) == "H31.4.30"
    assert surname("長谷川 誠") == "長谷川"
    assert surname("山田太郎") == "山田"


def _document(seals: int, body_lines: int) -> PrintableDocument:
    return PrintableDocument(
        document_id="doc-1",
        number="萩総第123号",
        title="市道の補修工事について",
        body="\n".join(f"{i}. 補修箇所の説明をここに記載します。" * 3 for i in range(body_lines)),
        amount_yen=12_000_000,
        status="approved",
        drafted_on=date(2026, 11, 2),
        decided_on=date(2026, 11, 20),
        drafter_name="中村 由美",
        drafter_post="主事",
        division="土木課",
        retention_years=10,
        confidentiality=1,
        content_hash="0" * 64,
        seals=[
            SealBox(
                stage_kind="review",
                title=f"第{i}係長",
                assignee_name=f"承認 {i:02d}",
                acted_by_name=f"承認 {i:02d}",
                acted_on=date(2026, 11, 20),
                marks=["引上げ"] if i == 3 else [],
                state="done",
            )
            for i in range(seals)
        ],
    )


def test_many_steps_and_a_long_body_flow_onto_more_rows_and_pages() -> None:
    pdf = render_original(_document(seals=12, body_lines=120), font_path=find_japanese_font())
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "萩総第123号" in text and "令和8年11月2日" in text and "令和8年11月20日" in text
    assert all(f"承認 {i:02d}" in text for i in range(12))
    assert "引上げ" in text and "119. 補修箇所" in text


def test_the_font_is_embedded() -> None:
    pdf = render_original(_document(seals=1, body_lines=1), font_path=find_japanese_font())
    fonts_used = {
        str(font["/BaseFont"])
        for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any(re.match(r"^/[A-Z]{6}\+", name) for name in fonts_used), fonts_used  # a subset of the TTF
    assert b"/FontFile2" in pdf  # an embedded TrueType program


def test_a_configured_font_wins(tmp_path: Path) -> None:
    font = find_japanese_font()
    copy = tmp_path / "city.ttf"
    shutil.copy(font, copy)
    assert find_japanese_font(copy) == copy


def test_the_shipped_ipaex_is_the_default_with_its_licence() -> None:
    font = find_japanese_font()
    assert font == fonts.VENDORED_FONT
    assert font.is_relative_to(Path(fonts.__file__).parent)  # the package's own file, not the system's
    assert font.read_bytes()[:4] == b"\x00\x01\x00\x00"  # a TrueType program (reportlab embeds it)
    assert "IPAフォントライセンスv1.0" in (font.parent / "IPA_Font_License_Agreement_v1.0.txt").read_text("utf-8")


def test_no_japanese_font_says_how_to_configure_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fonts, "VENDORED_FONT", tmp_path / "removed.ttf")
    with pytest.raises(JapaneseFontMissing, match="RINGI_PDF_FONT_PATH"):
        find_japanese_font()
    with pytest.raises(JapaneseFontMissing, match=r"missing\.ttf does not exist"):
        find_japanese_font(tmp_path / "missing.ttf")
