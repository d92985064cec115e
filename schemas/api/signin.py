"""Request and response bodies of sign-in for telework: TOTP enrolment and the access log."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TotpEnrolment(BaseModel):
    """Scan the QR code (or type the secret) into an authenticator app, then confirm with its first code."""

    otpauth_uri: str
    secret: str
    qr_svg: str
    qr_data_url: str


class TotpConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=6, max_length=6, pattern=r"^[0-9]{6}$")


class TotpConfirmed(BaseModel):
    """Each recovery code signs in once in place of a one-time code; they are shown only now."""

    recovery_codes: list[str]
    confirmed_at: datetime


AccessKind = Literal[
    "sign_in", "document_read", "audit_read", "password_change", "password_reset", "account_status", "payload_decode"
]
AccessOutcome = Literal["success", "failure"]


class AccessLogEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    kind: str
    outcome: str
    reason: str
    staff_id: str
    document_id: str | None
    client_ip: str
    user_agent: str


class LockoutRead(BaseModel):
    """A staff id's failed sign-ins on record and its locks (ロックアウト): ``locked`` until ``locked_until``, over
    every address (``locked_everywhere``, a brute force from many) or only from ``locked_addresses``."""

    staff_id: str
    failures: int
    locked: bool
    locked_until: datetime | None
    locked_everywhere: bool = False
    locked_addresses: list[str] = []
    last_failure_at: datetime | None


class SessionRead(BaseModel):
    """One of the signed-in person's sessions (a browser's cookie or a bearer token)."""

    id: str
    kind: Literal["web", "api"]
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    client_ip: str
    user_agent: str
    #: The session this request was made with.
    current: bool
