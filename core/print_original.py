"""原議 PDF: a document printed in the familiar 起案用紙 shape, with its 決裁欄 of electronic seals.

Layout, top to bottom: the form's name and marks (機密性, 未決裁); the header (文書番号, 起案日 and 決裁日 in 和暦,
起案者, 保存期間, 機密性); the 決裁欄, one box per step with the decider on the left and the drafter on the right,
each acted step carrying a red seal with the surname, the date and its marks (代決, 引上げ, 後閲, 異議); the
subject and body; the attachments with their SHA-256.  Pure: a ``PrintableDocument`` in, PDF bytes out.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from domain.era import wareki_date as wareki
from domain.era import wareki_short
from schemas.printing import PrintableDocument, SealBox

FONT = "RingiJapanese"
SEAL_RED = colors.Color(0.8, 0.1, 0.1)
BOXES_PER_ROW = 7
BOX_WIDTH = 24 * mm
BOX_HEIGHT = 34 * mm
STAGE_LABELS = {"review": "回議", "consult": "合議", "examine": "文書審査", "decide": "決裁", "circulate": "供覧"}
STATUS_LABELS = {
    "draft": "起案中",
    "in_review": "回議中",
    "sent_back": "差戻し",
    "approved": "決裁済",
    "rejected": "却下",
    "withdrawn": "取下げ",
    "circulating": "供覧中",
    "completed": "完結",
}


def surname(name: str) -> str:
    """The family name for the seal: the part before the space (山田 太郎 -> 山田), else the first two characters."""
    parts = name.split()
    return parts[0] if len(parts) > 1 else name[:2]


class Seal(Flowable):
    """One box of the 決裁欄 below its heading: marks, the red seal with the surname, the full name, the date."""

    def __init__(self, box: SealBox | None, *, drafter: str | None = None, drafted_on: date | None = None) -> None:
        super().__init__()
        self.box = box
        self.drafter = drafter
        self.drafted_on = drafted_on
        self.width = BOX_WIDTH - 2 * mm
        self.height = BOX_HEIGHT - 10 * mm

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        if self.drafter is not None:
            self._seal(self.drafter, self.drafted_on, marks=[])
            return
        box = self.box
        assert box is not None
        if box.state == "done" and box.acted_by_name:
            self._seal(box.acted_by_name, box.acted_on, marks=box.marks)
        else:
            text = {"pending": "審査中", "skipped": "―", "cancelled": "―", "closed": "―"}.get(box.state, "")
            self._text(text, self.height / 2, size=7, color=colors.grey)
            self._marks(box.marks)

    def _seal(self, name: str, on: date | None, *, marks: list[str]) -> None:
        canvas = self.canv
        cx, cy, radius = self.width / 2, self.height / 2 + 2 * mm, 6.5 * mm
        canvas.setStrokeColor(SEAL_RED)
        canvas.setLineWidth(1.2)
        canvas.circle(cx, cy, radius)
        family = surname(name)
        size = 11 if len(family) <= 2 else 8 if len(family) == 3 else 6
        canvas.setFillColor(SEAL_RED)
        canvas.setFont(FONT, size)
        canvas.drawCentredString(cx, cy - size * 0.35, family)
        self._text(name, 3.5 * mm, size=6)
        if on is not None:
            self._text(wareki_short(on), 0.5 * mm, size=6)
        self._marks(marks)

    def _marks(self, marks: list[str]) -> None:
        if marks:
            self._text(" ".join(marks), self.height - 3 * mm, size=6.5, color=SEAL_RED)

    def _text(self, text: str, y: float, *, size: float, color: Any = colors.black) -> None:
        self.canv.setFillColor(color)
        self.canv.setFont(FONT, size)
        self.canv.drawCentredString(self.width / 2, y, text)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
        "form": ParagraphStyle("form", parent=base, fontSize=18, leading=24, alignment=TA_CENTER),
        "head": ParagraphStyle("head", parent=base, fontSize=7.5, leading=9.5, alignment=TA_CENTER),
        "mark": ParagraphStyle("mark", parent=base, fontSize=11, textColor=SEAL_RED),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _grid(extra: list[tuple[Any, ...]] | None = None) -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            *(extra or []),
        ]
    )


def _header(doc: PrintableDocument, s: dict[str, ParagraphStyle]) -> Table:
    label = s["small"]
    rows = [
        ["文書番号", doc.number or "未採番", "起案日", wareki(doc.drafted_on)],
        ["保存期間", f"{doc.retention_years}年", "決裁日", wareki(doc.decided_on) if doc.decided_on else "未決裁"],
        ["起案者", f"{doc.division} {doc.drafter_post} {doc.drafter_name}", "機密性", f"機密性{doc.confidentiality}"],
        ["金額", f"{doc.amount_yen:,}円", "状態", STATUS_LABELS.get(doc.status, doc.status)],
    ]
    data = [[_p(a, label), _p(b, s["base"]), _p(c, label), _p(d, s["base"])] for a, b, c, d in rows]
    shade = [("BACKGROUND", (col, 0), (col, -1), colors.Color(0.93, 0.93, 0.93)) for col in (0, 2)]
    return Table(data, colWidths=[22 * mm, 78 * mm, 22 * mm, 58 * mm], style=_grid(shade))


def _seal_rows(doc: PrintableDocument, s: dict[str, ParagraphStyle]) -> list[Table]:
    """The 決裁欄: the decider on the left, down to the drafter (起案者) on the right; rows of BOXES_PER_ROW."""
    boxes: list[tuple[str, Flowable]] = [
        (f"{STAGE_LABELS.get(b.stage_kind, b.stage_kind)}\n{b.title}", Seal(b)) for b in reversed(doc.seals)
    ]
    boxes.append((f"起案者\n{doc.drafter_post}", Seal(None, drafter=doc.drafter_name, drafted_on=doc.drafted_on)))
    tables = []
    for start in range(0, len(boxes), BOXES_PER_ROW):
        chunk = boxes[start : start + BOXES_PER_ROW]
        heads = [_p(title, s["head"]) for title, _ in chunk]
        seals = [seal for _, seal in chunk]
        tables.append(
            Table(
                [heads, seals],
                colWidths=[BOX_WIDTH] * len(chunk),
                rowHeights=[10 * mm, BOX_HEIGHT - 10 * mm],
                style=_grid([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("LEFTPADDING", (0, 1), (-1, 1), 1 * mm)]),
                hAlign="LEFT",
            )
        )
    return tables


def _attachments(doc: PrintableDocument, s: dict[str, ParagraphStyle]) -> Table:
    rows = [[_p(t, s["small"]) for t in ("番号", "ファイル名", "大きさ", "SHA-256")]]
    rows += [
        [
            _p(str(a.n), s["small"]),
            _p(a.filename, s["small"]),
            _p(f"{a.size_bytes:,} B", s["small"]),
            _p(f"{a.sha256[:16]}…", s["small"]),
        ]
        for a in doc.attachments
    ]
    return Table(rows, colWidths=[12 * mm, 92 * mm, 28 * mm, 48 * mm], style=_grid(), hAlign="LEFT")


def render_original(doc: PrintableDocument, *, font_path: Path) -> bytes:
    """The 原議 as PDF bytes, the Japanese TrueType font at ``font_path`` embedded (subset)."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(font_path)))
    s = _styles()
    story: list[Flowable] = []
    marks = [f"機密性{doc.confidentiality}"] if doc.confidentiality >= 2 else []
    if doc.decided_on is None:
        marks.append("未決裁")
    story.append(_p("　".join(marks) or " ", s["mark"]))
    story += [_p("起 案 用 紙", s["form"]), Spacer(1, 4 * mm), _header(doc, s), Spacer(1, 4 * mm)]
    story.append(_p("決裁欄", s["small"]))
    story += _seal_rows(doc, s)
    story += [
        Spacer(1, 5 * mm),
        Table([[_p("件名", s["small"]), _p(doc.title, s["base"])]], colWidths=[22 * mm, 158 * mm], style=_grid()),
    ]
    story += [Spacer(1, 4 * mm), *(_p(line, s["base"]) for line in doc.body.splitlines() or [""])]
    if doc.attachments:
        story += [Spacer(1, 5 * mm), _p("添付ファイル", s["small"]), _attachments(doc, s)]

    def footer(canvas: Canvas, template: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(15 * mm, 8 * mm, f"文書ID {doc.document_id}　内容ハッシュ {doc.content_hash[:16]}…")
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, f"{canvas.getPageNumber()}")
        canvas.restoreState()

    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=15 * mm,
        title=doc.title,
        author=doc.drafter_name,
        subject="原議",
        creator="ringi",
    )
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
