"""What a notice says: a subject, a link, and nothing of the document's content.

For 機密性1 a notice names the document by its title; for 機密性2 and 3 only by a placeholder (its document number
once it has one, else 「機密性2の文書」 and a short id) — never the title, never the body, never an attachment.
What each level is called is configurable (the reference city says 重要性 I / II).  Texts are rendered when a
notice is delivered, from the document as it is then: a document made confidential after the notice was written
is still named by its placeholder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from db.models import DocumentRow, ReceiptRow
from schemas.text import one_line

DEFAULT_LEVEL_NAMES: Mapping[int, str] = {1: "機密性1", 2: "機密性2", 3: "機密性3"}
STAGE_LABELS = {"review": "回議", "consult": "合議", "examine": "文書審査", "decide": "決裁", "circulate": "供覧"}
FOOTER = "この通知には文書の本文・添付ファイルは含まれません。内容は ringi でご確認ください。"


def level_name(confidentiality: int, names: Mapping[int, str] = DEFAULT_LEVEL_NAMES) -> str:
    return names.get(confidentiality) or f"機密性{confidentiality}"


def display_name(
    document: DocumentRow, *, names: Mapping[int, str] = DEFAULT_LEVEL_NAMES, number: str | None = None
) -> str:
    """The title for 機密性1; for 2+ the document number if known, else the level's placeholder and a short id."""
    if document.confidentiality <= 1:
        return f"「{document.title}」"
    if number:
        return number
    return f"「{level_name(document.confidentiality, names)}の文書」({document.id[:8]})"


def receipt_name(receipt: ReceiptRow, *, names: Mapping[int, str] = DEFAULT_LEVEL_NAMES) -> str:
    """How a notice names a receipt (収受文書): its title for 機密性1; for 2+ only its 収受番号 and level — never the
    title, the sender or the summary."""
    if receipt.confidentiality <= 1:
        return f"「{receipt.title}」"
    return f"収受文書 {receipt.receipt_number}({level_name(receipt.confidentiality, names)})"


def subject(kind: str, name: str, detail: Mapping[str, Any]) -> str:
    """One line (no CR/LF or other controls: it is a mail Subject) saying what happened to ``name``; chat
    markup is the chat client's to escape (``integrations.chat``)."""
    return one_line(_subject(kind, name, detail))


def _subject(kind: str, name: str, detail: Mapping[str, Any]) -> str:
    if kind == "assigned":
        if detail.get("on_behalf_of"):
            return f"【代決】{name} の決裁者が不在です。代決をお願いします"
        label = STAGE_LABELS.get(str(detail.get("stage_kind")), "処理")
        return f"【{label}】{name} があなたの{label}を待っています"
    if kind == "remind":
        return f"【督促】{name} があなたの処理を待っています"
    if kind == "escalate":
        return f"【期限超過】{name} の処理が期限を過ぎています"
    if kind == "sent_back":
        if detail.get("role") == "target":
            return f"【差戻し】{name} が差し戻されました(再提出後はあなたの段階から再開します)"
        return f"【差戻し】{name} が差し戻されました"
    if kind == "decided":
        return (
            f"【却下】{name} は却下されました"
            if detail.get("result") == "rejected"
            else f"【決裁】{name} が決裁されました"
        )
    if kind == "circulate":
        return f"【供覧】{name} の供覧(閲覧の確認)をお願いします"
    if kind == "circulation_remind":
        return f"【督促】{name} の供覧がまだ確認されていません"
    if kind == "reply_remind":
        return f"【回答期限】{name} の回答期限は {detail.get('reply_by', '')} です"
    if kind == "reply_overdue":
        return f"【回答期限超過】{name} の回答期限 {detail.get('reply_by', '')} を過ぎましたが未回答です"
    if kind == "filed_for_you":
        return f"【代理申請】庶務担当 {detail.get('drafted_by', '')} があなたの {name} を提出しました(取下げできます)"
    if kind == "records":
        return f"【要確認】{name}: {detail.get('reason', '')}"[:400]
    return f"【通知】{name}"


def document_link(public_url: str, document_id: str) -> str:
    return f"{public_url.rstrip('/')}/documents/{document_id}"


@dataclass(frozen=True)
class NoticeText:
    subject: str
    link: str

    @property
    def mail_body(self) -> str:
        return f"{self.subject}\n\n{self.link}\n\n--\n{FOOTER}\n"

    @property
    def chat_text(self) -> str:
        return f"{self.subject}\n{self.link}"


def render(
    kind: str,
    document: DocumentRow,
    detail: Mapping[str, Any],
    *,
    public_url: str,
    names: Mapping[int, str] = DEFAULT_LEVEL_NAMES,
    number: str | None = None,
) -> NoticeText:
    return NoticeText(
        subject=subject(kind, display_name(document, names=names, number=number), detail),
        link=document_link(public_url, document.id),
    )


def receipt_link(public_url: str, receipt_id: str) -> str:
    return f"{public_url.rstrip('/')}/receipts/{receipt_id}"


def render_receipt(
    kind: str, receipt: ReceiptRow, detail: Mapping[str, Any], *, public_url: str, names: Mapping[int, str]
) -> NoticeText:
    """A receipt's notice (供覧, 回答期限) for mail and chat: named as ``receipt_name`` names it — for 機密性2+ only
    its 収受番号 and level, never its title, sender or summary — and a link to its page."""
    return NoticeText(
        subject=subject(kind, receipt_name(receipt, names=names), detail), link=receipt_link(public_url, receipt.id)
    )
