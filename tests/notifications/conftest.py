"""Fixtures of the notification tests: a real SMTP server, a Slack-compatible chat API, and one API stack per
database (Temporal, HR stub, worker, API over HTTP) whose settings point at both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client

from activities.delivery import NoticeDispatcher
from core.settings import Settings
from db.seed import seed_demo
from db.session import create_engine, create_sessionmaker
from integrations.hr import HttpHrClient
from tests.notifications.receivers import ChatReceiver, SmtpReceiver, chat_server, smtp_server
from tests.support.databases import BACKENDS, fresh_database
from tests.support.stack import Stack, api_stack, in_process_worker, settings_for
from worker.delivery import build_dispatcher

PUBLIC_URL = "https://ringi.example.lg.jp"


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with smtp_server() as receiver:
        yield receiver


@pytest_asyncio.fixture(loop_scope="session")
async def chat() -> AsyncIterator[ChatReceiver]:
    async with chat_server() as receiver:
        yield receiver


def channel_settings(smtp: SmtpReceiver, chat: ChatReceiver) -> dict[str, object]:
    return {
        "public_url": PUBLIC_URL,
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "smtp_from": "ringi@city.example.lg.jp",
        "chat_base_url": chat.api_base,
        "chat_token": "xoxb-test-token",
    }


@dataclass
class NotifyStack:
    stack: Stack
    dispatcher: NoticeDispatcher
    smtp: SmtpReceiver
    chat: ChatReceiver


@pytest.fixture(scope="package")
def stack_smtp() -> Iterator[SmtpReceiver]:
    with smtp_server() as receiver:
        yield receiver


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def stack_chat() -> AsyncIterator[ChatReceiver]:
    async with chat_server() as receiver:
        yield receiver


@pytest_asyncio.fixture(scope="package", loop_scope="session", params=BACKENDS)
async def notify_stack(
    request: pytest.FixtureRequest,
    temporal_client: Client,
    hr_url: str,
    stack_smtp: SmtpReceiver,
    stack_chat: ChatReceiver,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[NotifyStack]:
    data_dir: Path = tmp_path_factory.mktemp("notify-stack")
    async with fresh_database(request.param, data_dir) as url:
        await seed_demo(Settings(database_url=url, data_dir=data_dir))
        settings = settings_for(
            database_url=url,
            temporal=temporal_client,
            hr_url=hr_url,
            data_dir=data_dir,
            **channel_settings(stack_smtp, stack_chat),  # type: ignore[arg-type]
        )
        engine = create_engine(url)
        try:
            async with (
                in_process_worker(settings, temporal_client),
                api_stack(settings, temporal_client) as stack,
                HttpHrClient(hr_url) as hr,
            ):
                dispatcher = build_dispatcher(settings, create_sessionmaker(engine), hr)
                yield NotifyStack(stack=stack, dispatcher=dispatcher, smtp=stack_smtp, chat=stack_chat)
        finally:
            await engine.dispose()
