"""Builders for the dispatcher tests: documents, notices and preferences written straight into the database."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.notice_text import display_name, subject
from db.models import DocumentRow
from db.repositories.deliveries import PreferenceRepository
from db.repositories.notifications import NotificationRepository
from tests.support.documents import document_row
from tests.support.stack import holder

DRAFTER = holder("somu.somu", "staff")  # 総務課 主事
MANAGER = holder("somu.somu", "manager")  # 総務課長
DEPUTY = holder("somu.somu", "assistant_manager")  # 総務課長補佐: the 課長's first 代決者
SECRET_TITLE = "職員の懲戒処分について"
SECRET_BODY = "懲戒対象者の氏名と非違行為の詳細(非公開)"
OPEN_TITLE = "庁用車の購入について"
OPEN_BODY = "庁用車一台を購入してよろしいか伺います(本文)"


async def add_document(
    sessions: async_sessionmaker[AsyncSession], *, confidentiality: int, title: str, body: str
) -> DocumentRow:
    document = document_row(
        title=title, body=body, confidentiality=confidentiality, status="in_review", drafter_id=DRAFTER
    )
    async with sessions() as session, session.begin():
        session.add(document)
    return document


async def add_notice(
    sessions: async_sessionmaker[AsyncSession],
    document: DocumentRow,
    recipient: str,
    kind: str = "assigned",
    detail: dict[str, Any] | None = None,
) -> str:
    detail = {"stage_kind": "decide", "stage_index": 0} if detail is None and kind == "assigned" else detail or {}
    key = f"{document.id}:{kind}:{uuid.uuid4().hex[:8]}:{recipient}"
    async with sessions() as session, session.begin():
        await NotificationRepository(session).add_once(
            dedupe_key=key,
            recipient_id=recipient,
            document_id=document.id,
            kind=kind,
            subject=subject(kind, display_name(document), detail),
            created_at=datetime.now(UTC),
            detail=detail,
        )
    return key


async def set_preferences(
    sessions: async_sessionmaker[AsyncSession],
    staff_id: str,
    channels: list[str],
    *,
    email: str | None = None,
    chat_user_id: str | None = None,
    quiet: tuple[str, str] | None = None,
) -> None:
    async with sessions() as session, session.begin():
        await PreferenceRepository(session).put(
            staff_id=staff_id,
            channels=channels,
            email=email,
            chat_user_id=chat_user_id,
            quiet_start=quiet[0] if quiet else None,
            quiet_end=quiet[1] if quiet else None,
            updated_at=datetime.now(UTC),
        )


def mail_leaks(raw: bytes, secret: str) -> bool:
    """Whether ``secret`` is in a raw SMTP message: its bytes, or any decoded header or text part."""
    if secret.encode() in raw:
        return True
    message = message_from_bytes(raw, policy=policy.default)
    decoded = [str(value) for value in message.values()]
    decoded += [str(part.get_content()) for part in message.walk() if part.get_content_maintype() == "text"]
    return any(secret in text for text in decoded)


def chat_leaks(raw: bytes, secret: str) -> bool:
    """Whether ``secret`` is in a raw HTTP body: its bytes, its JSON escape, or the decoded JSON anywhere."""
    if secret.encode() in raw or json.dumps(secret)[1:-1].encode() in raw:
        return True
    try:
        decoded = json.dumps(json.loads(raw), ensure_ascii=False)
    except ValueError:
        decoded = raw.decode("utf-8", "replace")
    return secret in decoded
