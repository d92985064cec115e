"""Document rows written straight to the database, for tests that need a document without going through the API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from core.audit import content_hash
from db.models import DocumentRow
from tests.support.stack import holder


def document_row(
    *,
    title: str = "t",
    body: str = "b",
    amount_yen: int = 0,
    confidentiality: int = 1,
    status: str = "draft",
    org_unit: str = "somu.somu",
    **columns: Any,
) -> DocumentRow:
    """A spending document of ``org_unit``'s 主事, with its content hash; ``columns`` set or override the rest."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "title": title,
        "body": body,
        "matter": "spending",
        "amount_yen": amount_yen,
        "confidentiality": confidentiality,
        "retention_years": 5,
        "drafter_id": holder(org_unit, "staff"),
        "org_unit_code": org_unit,
        "status": status,
        "version": 1,
        "content_hash": content_hash(title=title, body=body, amount_yen=amount_yen, matter="spending"),
        "projected_seq": 0,
        "created_at": now,
        "updated_at": now,
    }
    return DocumentRow(**{**values, **columns})
