"""HTTP models of absences (不在)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.org import AbsenceKind


class AbsenceCreate(BaseModel):
    """不在 from ``start`` to ``end`` (both inclusive); ``staff_id`` defaults to the signed-in staff member."""

    model_config = ConfigDict(extra="forbid")

    staff_id: str | None = Field(None, max_length=40)
    kind: AbsenceKind
    start: date
    end: date
    note: str = Field("", max_length=2000)

    @model_validator(mode="after")
    def _end_not_before_start(self) -> AbsenceCreate:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self
