"""Request and response bodies of the account life cycle: password change, an administrator's reset, deactivation."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class PasswordChange(BaseModel):
    """My password: the current one, and the new one the password policy accepts."""

    model_config = ConfigDict(extra="forbid")

    current: str = Field(min_length=1, max_length=200)
    new: str = Field(min_length=1, max_length=200)


class PasswordChanged(BaseModel):
    """Every other session of mine has ended; this one goes on."""

    changed_at: datetime
    sessions_ended: int


class OneTimePassword(BaseModel):
    """The one-time password of an administrator's reset, shown only in this answer (stored hashed): the person
    signs in with it and may then only change it."""

    staff_id: str
    one_time_password: str
    must_change_password: bool = True


class AccountRead(BaseModel):
    """A staff member's account: whether it must change its password, and whether it is deactivated."""

    model_config = ConfigDict(from_attributes=True)

    staff_id: str
    name: str
    is_admin: bool
    must_change_password: bool
    password_changed_at: datetime | None
    deactivated_at: datetime | None
