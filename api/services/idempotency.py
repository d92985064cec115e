"""Idempotency-Key: the same key again is the same request, answered as the first; the same key with a different
request (another operation or body, within the same document) is a client error (422), never silently the first
one's answer.  A request that was refused leaves its key unused (a corrected request may take it); one that
timed out (503) keeps it, since the engine may still apply it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Invalid, RingiError, Unavailable
from db.models import StaffRow
from db.repositories.idempotency import IdempotencyKeyRepository
from db.session import writing

REUSED = "Idempotency-Key reused with a different request"


class KeyReused(Invalid):
    """422: the key names another request (its operation or body differ)."""

    title = REUSED


def fingerprint(operation: str, body: BaseModel | dict[str, Any] | None = None) -> str:
    """SHA-256 of the operation and the body as parsed (canonical JSON: the client's key order and white space
    do not matter)."""
    data = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    canonical = json.dumps([operation, data], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@asynccontextmanager
async def idempotent(
    session: AsyncSession,
    staff: StaffRow,
    key: str | None,
    *,
    scope: str,
    operation: str,
    body: BaseModel | dict[str, Any] | None = None,
) -> AsyncIterator[None]:
    """Around one keyed request of ``staff`` within ``scope`` (e.g. ``document:<id>``): the key's first use is
    recorded before the request goes on (in its own unit of work), a different request under a recorded key is
    refused (422) before anything happens.  No key: nothing to compare (the route makes up its own)."""
    if not key:
        yield
        return
    wanted = fingerprint(operation, body)
    identity = {"staff_id": staff.id, "scope": scope[:80], "key": key[:200]}
    async with writing(session):
        first, fresh = await IdempotencyKeyRepository(session).claim(
            **identity, operation=operation, fingerprint=wanted, at=datetime.now(UTC)
        )
    if first.fingerprint != wanted:
        raise KeyReused(
            f"{REUSED}: the key was first used for another {first.operation} request here; use a new key"
            if first.operation == operation
            else f"{REUSED}: the key was first used for {first.operation}; use a new key for a new request"
        )
    try:
        yield
    except Unavailable:
        raise  # the engine may still apply it: a retry must be the same request
    except RingiError:
        if fresh:  # refused: nothing happened under the key, the corrected request may use it
            await session.rollback()
            async with writing(session):
                await IdempotencyKeyRepository(session).forget(**identity)
        raise
