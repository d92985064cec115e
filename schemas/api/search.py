"""HTTP models of the search (文書検索): one hit, a document or a receipt, never the body of a 機密性2+ one."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class SearchHit(BaseModel):
    """A search result: what identifies a document or a receipt (件名, 番号, 簿冊, 状態, 日付); ``snippet`` and
    ``counterparty`` only for 機密性1 (``content_omitted`` says they were left out)."""

    kind: Literal["document", "receipt"]
    id: str
    title: str
    number: str | None = Field(description="文書番号 of a document, 収受番号 of a receipt")
    fiscal_year: int
    org_unit: str
    status: str = Field(description="a document's status, a receipt's outcome")
    confidentiality: int
    dated_at: datetime = Field(description="起案 of a document, 収受 (registration) of a receipt")
    completed_at: datetime | None
    drafter_id: str | None = None
    counterparty: str | None = Field(default=None, description="相手先 (a receipt's sender)")
    file_id: str | None
    file_title: str | None
    classification_code: str | None
    score: int = Field(description="relevance: per term 3 in the 件名, 1 elsewhere")
    snippet: str = Field(default="", description="the text around the first term (機密性1 only)")
    content_omitted: bool = False
