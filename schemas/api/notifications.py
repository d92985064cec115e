"""HTTP models of 通知設定 (notification preferences)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

Channel = Literal["chat", "email"]
#: A time of day in Japan time, "HH:MM" from 00:00 to 23:59.
HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class QuietHours(BaseModel):
    """通知を控える時間帯 (JST): chat and mail wait until ``end``; may span midnight ("22:00" to "07:00")."""

    model_config = ConfigDict(extra="forbid")

    start: str = Field(pattern=HHMM, examples=["22:00"])
    end: str = Field(pattern=HHMM, examples=["07:00"])

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start == self.end:
            raise ValueError("quiet hours must not start and end at the same time")
        return self


class NotificationPreferences(BaseModel):
    """Which channels carry my notices, where to, and when not.  Without any, notices stay in-app only."""

    model_config = ConfigDict(extra="forbid")

    channels: list[Channel] = Field(default_factory=list, examples=[["email"]])
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    chat_user_id: str | None = Field(None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")
    quiet_hours: QuietHours | None = None

    @model_validator(mode="after")
    def _addresses_for_channels(self) -> Self:
        if len(set(self.channels)) != len(self.channels):
            raise ValueError("each channel may be named once")
        if "email" in self.channels and not self.email:
            raise ValueError("the email channel needs an email address")
        if "chat" in self.channels and not self.chat_user_id:
            raise ValueError("the chat channel needs a chat_user_id")
        return self
