"""Mail (メール): notices over SMTP (``aiosmtplib``).

``MailClient`` is what the notice dispatcher depends on; ``SmtpMailClient`` is the real one.  Each message has a
``Message-ID`` derived from the notice and channel, so a notice sent twice (a crash between the SMTP answer and
the dispatcher's record of it: at-least-once) can be recognised as one by the mail system and the reader.
Any failure raises ``MailError``: the dispatcher records it and retries later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Protocol

import aiosmtplib

from schemas.text import one_line


class MailError(Exception):
    """The SMTP server did not take the message."""


@dataclass(frozen=True)
class MailMessage:
    to: str
    subject: str
    text: str
    message_id: str  # without the angle brackets, e.g. notice-12.email@ringi.example.jp


class MailClient(Protocol):
    async def send(self, message: MailMessage) -> None:
        """Hand the message to the mail system.  Raises ``MailError``."""
        ...


class SmtpMailClient:
    def __init__(
        self,
        *,
        host: str,
        port: int = 25,
        sender: str,
        sender_name: str = "ringi 電子決裁",
        username: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._sender_name = sender_name
        self._username = username or None
        self._password = password or None
        self._starttls = starttls
        self._timeout = timeout

    @property
    def domain(self) -> str:
        """The sender's domain: the right-hand side of our Message-IDs."""
        return self._sender.rpartition("@")[2] or "ringi.invalid"

    def compose(self, message: MailMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = formataddr((self._sender_name, self._sender))
        email["To"] = message.to
        email["Subject"] = one_line(message.subject)  # a CR/LF would forge a header (or fail every retry)
        email["Date"] = format_datetime(datetime.now(UTC))
        email["Message-ID"] = f"<{message.message_id}>"
        email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to notices
        email.set_content(message.text)
        return email

    async def send(self, message: MailMessage) -> None:
        try:
            await aiosmtplib.send(
                self.compose(message),
                hostname=self._host,
                port=self._port,
                username=self._username,
                password=self._password,
                start_tls=self._starttls,
                timeout=self._timeout,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise MailError(f"SMTP {self._host}:{self._port} refused or unreachable: {exc!r}") from exc
