"""The audit hash chain: each event's SHA-256 covers its content and the previous event's hash."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_time(at: datetime) -> str:
    """Microsecond UTC text, identical whether the value came from Python, SQLite or PostgreSQL."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    prev_hash: str,
    document_id: str,
    seq: int,
    action: str,
    actor_id: str,
    at: datetime,
    version: int,
    content_hash: str,
    detail: dict[str, Any],
) -> str:
    payload = {
        "prev_hash": prev_hash,
        "document_id": document_id,
        "seq": seq,
        "action": action,
        "actor_id": actor_id,
        "at": canonical_time(at),
        "version": version,
        "content_hash": content_hash,
        "detail": detail,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def content_hash(*, title: str, body: str, amount_yen: int, matter: str, details: dict[str, Any] | None = None) -> str:
    """SHA-256 of what an approver approves (attachments join this when they exist).

    ``details`` (a 庶務 request's) joins only when present, so the hashes of other documents stay as they were.
    """
    content: dict[str, Any] = {"title": title, "body": body, "amount_yen": amount_yen, "matter": matter}
    if details is not None:
        content["details"] = details
    text = json.dumps(
        content,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()
