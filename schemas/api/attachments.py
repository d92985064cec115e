"""HTTP models of attachments (添付ファイル)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class AttachmentRead(BaseModel):
    """One attachment: its number on the document, name, type, size and SHA-256, who uploaded it and when."""

    n: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
