"""The notice dispatcher beside the Temporal worker: channels from settings, one loop per worker process."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from activities.delivery import NoticeDispatcher
from core.settings import Settings
from integrations.chat import ChatClient, SlackChatClient
from integrations.hr import HrClient
from integrations.mail import MailClient, SmtpMailClient

log = structlog.get_logger("ringi.worker")


def build_chat(settings: Settings) -> ChatClient | None:
    """Slack-compatible chat, or None while neither a Web API base nor a webhook is configured."""
    if not settings.chat_base_url and not settings.chat_webhook_url:
        return None
    return SlackChatClient(
        base_url=settings.chat_base_url,
        token=settings.chat_token.get_secret_value(),
        webhook_url=settings.chat_webhook_url,
    )


def build_mail(settings: Settings) -> MailClient | None:
    """SMTP, or None while no host is configured."""
    if not settings.smtp_host:
        return None
    return SmtpMailClient(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value(),
        starttls=settings.smtp_starttls,
    )


def build_dispatcher(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], hr: HrClient | None
) -> NoticeDispatcher:
    return NoticeDispatcher(sessions, settings, chat=build_chat(settings), mail=build_mail(settings), hr=hr)


@contextlib.asynccontextmanager
async def running_dispatcher(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], hr: HrClient | None
) -> AsyncIterator[NoticeDispatcher]:
    """The dispatcher's loop as a task for the length of the block (cancelled on the way out)."""
    dispatcher = build_dispatcher(settings, sessions, hr)
    task = asyncio.create_task(dispatcher.run(), name="notice-dispatcher")
    log.info(
        "delivery.started",
        chat=bool(settings.chat_base_url or settings.chat_webhook_url),
        mail=bool(settings.smtp_host),
    )
    try:
        yield dispatcher
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
