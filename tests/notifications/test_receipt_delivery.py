"""A receipt's notices (供覧, 回答期限) go by mail and chat too, as a document's do: a 機密性1 receipt named by its
title, a 機密性2+ one only by its 収受番号 and level (never its title, sender or summary), with a link to its page;
a city that keeps classified matters out of chat keeps classified receipts out too."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.notice_text import receipt_name, subject
from db.models import ReceiptRow
from db.repositories.notifications import NotificationRepository
from tests.notifications.builders import MANAGER, chat_leaks, mail_leaks, set_preferences
from tests.notifications.conftest import PUBLIC_URL
from tests.notifications.test_delivery import NOON, World, world  # noqa: F401  (the dispatcher's world)

SECRET_TITLE = "滞納者の財産調査について（照会）"
SECRET_SENDER = "山口地方法務局 差押担当"
SECRET_SUMMARY = "滞納者 山田太郎 の預金口座の照会"
KINDS: list[tuple[str, dict[str, Any]]] = [
    ("circulate", {}),
    ("circulation_remind", {}),
    ("reply_remind", {"reply_by": "2026-12-04"}),
    ("reply_overdue", {"reply_by": "2026-11-30"}),
]


async def add_receipt(
    sessions: async_sessionmaker[AsyncSession], *, confidentiality: int, title: str, serial: int
) -> ReceiptRow:
    receipt = ReceiptRow(
        id=str(uuid.uuid4()),
        number_symbol="萩税",
        fiscal_year=2026,
        receipt_serial=serial,
        receipt_number=f"萩税第{serial}号",
        received_on=date(2026, 12, 1),
        channel="paper",
        sender=SECRET_SENDER,
        addressee="萩市長",
        title=title,
        sender_reference="山法第1号",
        sender_dated_on=None,
        reply_by=None,
        assigned_unit="shimin.zeimu",
        confidentiality=confidentiality,
        summary=SECRET_SUMMARY,
        registered_by=MANAGER,
        registered_at=datetime.now(UTC),
        branch="circulation",
        outcome="circulating",
        outcome_reason="",
    )
    async with sessions() as session, session.begin():
        session.add(receipt)
    return receipt


async def add_receipt_notice(
    sessions: async_sessionmaker[AsyncSession], receipt: ReceiptRow, kind: str, detail: dict[str, Any]
) -> None:
    async with sessions() as session, session.begin():  # as activities/receipts.py writes them
        await NotificationRepository(session).add_all_once(
            [
                {
                    "dedupe_key": f"receipt:{receipt.id}:{kind}:{uuid.uuid4().hex[:8]}",
                    "recipient_id": MANAGER,
                    "document_id": None,
                    "receipt_id": receipt.id,
                    "kind": kind,
                    "subject": subject(kind, receipt_name(receipt), detail),
                    "created_at": datetime.now(UTC),
                    "detail": detail,
                }
            ]
        )


async def test_receipt_notices_go_by_mail_and_chat_without_a_classified_receipts_content(world: World) -> None:  # noqa: F811
    secret = await add_receipt(world.sessions, confidentiality=2, title=SECRET_TITLE, serial=901)
    open_ = await add_receipt(world.sessions, confidentiality=1, title="広報紙の送付について", serial=902)
    await set_preferences(
        world.sessions, MANAGER, ["chat", "email"], email="kacho@city.example.lg.jp", chat_user_id="U0MANAGER"
    )
    for receipt in (secret, open_):
        for kind, detail in KINDS:
            await add_receipt_notice(world.sessions, receipt, kind, detail)

    report = await world.dispatcher().run_once(NOON)

    assert report.sent == 2 * len(KINDS) * 2, report
    mails = world.smtp.to("kacho@city.example.lg.jp")
    assert len(mails) == len(world.chat.to("U0MANAGER")) == 2 * len(KINDS)
    for secret_text in (SECRET_TITLE, SECRET_SENDER, SECRET_SUMMARY):
        assert not any(mail_leaks(m.raw, secret_text) for m in world.smtp.messages), secret_text
        assert not any(chat_leaks(p.raw, secret_text) for p in world.chat.posts), secret_text
    classified = [m for m in mails if "萩税第901号" in m.subject]
    assert len(classified) == len(KINDS) and all("機密性" in m.subject for m in classified)
    assert all(f"{PUBLIC_URL}/receipts/{secret.id}" in m.text for m in classified)
    assert sum("「広報紙の送付について」" in m.subject for m in mails) == len(KINDS)
    assert any(m.subject.startswith("【回答期限超過】収受文書 萩税第901号") for m in mails)
    assert all(f"{PUBLIC_URL}/receipts/" in p.json["text"] for p in world.chat.posts)


async def test_a_city_may_keep_classified_receipts_out_of_chat(world: World) -> None:  # noqa: F811
    secret = await add_receipt(world.sessions, confidentiality=2, title=SECRET_TITLE, serial=903)
    await set_preferences(
        world.sessions, MANAGER, ["chat", "email"], email="kacho@city.example.lg.jp", chat_user_id="U0MANAGER"
    )
    await add_receipt_notice(world.sessions, secret, "circulate", {})

    report = await world.dispatcher(chat_max_confidentiality=1).run_once(NOON)

    assert (report.sent, report.skipped) == (1, 0)  # the chat delivery was planned as skipped, with its reason
    assert len(world.smtp.to("kacho@city.example.lg.jp")) == 1 and world.chat.to("U0MANAGER") == []
