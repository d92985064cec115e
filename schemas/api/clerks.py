"""代理申請: granting the 庶務担当 right (an administrator or 人事担当)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class ClerkGrantCreate(BaseModel):
    """``staff_id`` becomes 庶務担当 of ``org_unit`` from ``valid_from`` to ``valid_to`` (inclusive; None: open)."""

    model_config = ConfigDict(extra="forbid")

    staff_id: str = Field(min_length=1, max_length=40)
    org_unit: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.]+$")
    valid_from: date
    valid_to: date | None = None


class ClerkGrantRead(BaseModel):
    id: str
    staff_id: str
    org_unit: str
    valid_from: date
    valid_to: date | None
    granted_by: str
    granted_at: datetime
