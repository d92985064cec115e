"""ファイル管理簿 PDF: the register of files as a landscape A4 table (the same columns as its CSV), repeated header
row on every page.  Pure: a title, the column names and the rows in, PDF bytes out."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from core.print_original import FONT, _p, _styles

#: Relative widths of the 12 register columns (分類コード … 管理者).
WIDTHS = (16, 34, 52, 22, 18, 20, 14, 20, 22, 14, 16, 22)


def render_register(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], *, font_path: Path) -> bytes:
    """The register as PDF bytes, the Japanese TrueType font at ``font_path`` embedded (subset)."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(font_path)))
    s = _styles()
    small = s["small"]
    page = landscape(A4)
    usable = page[0] - 20 * mm
    scale = usable / sum(WIDTHS[: len(columns)])
    data: list[list[Paragraph]] = [[_p(c, small) for c in columns]]
    data += [[_p(cell, small) for cell in row] for row in rows]
    table = LongTable(data, colWidths=[w * scale for w in WIDTHS[: len(columns)]], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story: list[Flowable] = [_p(title, s["base"]), Spacer(1, 3 * mm), table]
    if not rows:
        story.append(_p("登録されている簿冊はありません。", s["base"]))

    def footer(canvas: Canvas, template: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.grey)
        canvas.drawRightString(page[0] - 10 * mm, 7 * mm, f"{canvas.getPageNumber()}")
        canvas.restoreState()

    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=page,
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=12 * mm,
        title=title,
        subject="ファイル管理簿",
        creator="ringi",
    )
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
