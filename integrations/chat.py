"""Chat (チャット): Slack-compatible delivery of notices.

``ChatClient`` is what the notice dispatcher depends on; ``SlackChatClient`` is the real one (``slack_sdk``): with a
Web API base URL and token it posts ``chat.postMessage`` to the recipient (a direct message), else it posts to the
incoming webhook, mentioning the recipient.  Both addresses are configurable, so a closed-network chat server
that speaks Slack's API (Mattermost, Rocket.Chat …) works too.  Any failure raises ``ChatError``: the dispatcher
records it and retries later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient


def escape(text: str) -> str:
    """Slack's (and Mattermost's) message formatting: ``&``, ``<`` and ``>`` escaped, so a title cannot carry
    ``<!channel>``, a mention ``<@U…>`` or a disguised link ``<http://x|y>`` (plain URLs still link)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ChatError(Exception):
    """The chat server did not take the message."""


@dataclass(frozen=True)
class ChatMessage:
    """One notice for one person: plain text (the client escapes it for the chat's markup), no document content
    beyond what the notice may say."""

    recipient: str  # the chat user id (e.g. U024BE7LH)
    text: str
    dedupe_key: str  # the same notice sent again carries the same key (in the message metadata)


class ChatClient(Protocol):
    async def send(self, message: ChatMessage) -> str:
        """Post the message; returns the server's message id (``ts``) or ``""``.  Raises ``ChatError``."""
        ...


class SlackChatClient:
    """``chat.postMessage`` (Web API base URL + token) or, failing those, an incoming webhook."""

    def __init__(self, *, base_url: str = "", token: str = "", webhook_url: str = "", timeout: int = 10) -> None:
        if not base_url and not webhook_url:
            raise ValueError("a chat client needs a Web API base URL or an incoming webhook URL")
        # No client-side retries: the dispatcher owns retrying (and records every attempt).
        self._web = (
            AsyncWebClient(token=token or None, base_url=base_url.rstrip("/") + "/", timeout=timeout, retry_handlers=[])
            if base_url
            else None
        )
        self._webhook = AsyncWebhookClient(webhook_url, timeout=timeout, retry_handlers=[]) if webhook_url else None

    async def send(self, message: ChatMessage) -> str:
        try:
            if self._web is not None:
                response = await self._web.chat_postMessage(
                    channel=message.recipient,
                    text=escape(message.text),
                    unfurl_links=False,
                    metadata={"event_type": "ringi_notice", "event_payload": {"dedupe_key": message.dedupe_key}},
                )
                return str(response.get("ts") or "")
            assert self._webhook is not None
            text = f"<@{escape(message.recipient)}> {escape(message.text)}"
            hook = await self._webhook.send(text=text, unfurl_links=False)
        except SlackApiError as exc:
            raise ChatError(f"chat.postMessage refused: {exc.response.get('error', exc.response.status_code)}") from exc
        except (SlackClientError, OSError, TimeoutError) as exc:
            raise ChatError(f"chat unreachable: {exc!r}") from exc
        except Exception as exc:  # aiohttp's errors and undecodable answers: a failed attempt, nothing more
            raise ChatError(f"chat failed: {exc!r}") from exc
        if hook.status_code != 200:
            raise ChatError(f"webhook answered {hook.status_code}: {hook.body[:200]}")
        return ""
