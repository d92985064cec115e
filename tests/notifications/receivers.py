"""Real local receivers for the notification channels: an SMTP server (aiosmtpd) and a Slack-compatible chat API.

Both keep the raw bytes of everything they were sent, so tests can search them for what must never leave ringi,
and both can be told to refuse the next N messages (a failing channel).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from tests.support.serve import serve_app


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MailReceived:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        body = self.message.get_body(("plain",))
        assert body is not None
        return str(body.get_content())


@dataclass
class SmtpReceiver:
    """What the SMTP server accepted; ``refuse_next`` messages are answered 451 (try again later)."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[MailReceived] = field(default_factory=list)
    refuse_next: int = 0
    refused: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)  # set by the first message taken

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_next > 0:
            self.refuse_next -= 1
            self.refused += 1
            return "451 4.3.0 try again later"
        raw = envelope.original_content or b""
        self.messages.append(MailReceived(str(envelope.mail_from), [str(r) for r in envelope.rcpt_tos], raw))
        self.arrived.set()
        return "250 OK"

    def to(self, address: str) -> list[MailReceived]:
        return [m for m in self.messages if address in m.recipients]

    def raw_bytes(self) -> bytes:
        return b"\n".join(m.raw for m in self.messages)


@contextlib.contextmanager
def smtp_server() -> Iterator[SmtpReceiver]:
    """aiosmtpd in its own thread on a free port of 127.0.0.1."""
    receiver = SmtpReceiver()
    receiver.port = _free_port()
    controller = Controller(receiver, hostname=receiver.host, port=receiver.port)
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()


@dataclass
class ChatPost:
    path: str
    raw: bytes
    headers: dict[str, str]

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.raw)
        return data


@dataclass
class ChatReceiver:
    """Slack's ``chat.postMessage`` and an incoming webhook; ``fail_next`` requests get a 500."""

    url: str = ""
    posts: list[ChatPost] = field(default_factory=list)
    fail_next: int = 0
    failed: int = 0

    @property
    def api_base(self) -> str:
        return f"{self.url}/api/"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/hooks/T000/B000/XXXX"

    def to(self, channel: str) -> list[ChatPost]:
        return [p for p in self.posts if p.path.endswith("chat.postMessage") and p.json.get("channel") == channel]

    def raw_bytes(self) -> bytes:
        return b"\n".join(p.raw for p in self.posts)


def chat_app(receiver: ChatReceiver) -> FastAPI:
    app = FastAPI()

    async def _failing() -> bool:
        if receiver.fail_next > 0:
            receiver.fail_next -= 1
            receiver.failed += 1
            return True
        return False

    @app.post("/api/chat.postMessage")
    async def post_message(request: Request) -> Response:
        raw = await request.body()
        if await _failing():
            return JSONResponse({"ok": False, "error": "internal_error"}, status_code=500)
        post = ChatPost("/api/chat.postMessage", raw, dict(request.headers))
        receiver.posts.append(post)
        ts = f"1700000000.{len(receiver.posts):06d}"
        return JSONResponse({"ok": True, "channel": post.json.get("channel"), "ts": ts, "message": {"ts": ts}})

    @app.post("/hooks/{path:path}")
    async def webhook(path: str, request: Request) -> Response:
        raw = await request.body()
        if await _failing():
            return PlainTextResponse("internal_error", status_code=500)
        receiver.posts.append(ChatPost(f"/hooks/{path}", raw, dict(request.headers)))
        return PlainTextResponse("ok")

    return app


@contextlib.asynccontextmanager
async def chat_server() -> AsyncIterator[ChatReceiver]:
    receiver = ChatReceiver()
    async with serve_app(chat_app(receiver)) as url:
        receiver.url = url
        yield receiver
