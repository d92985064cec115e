"""Server-side sessions (セッション): one row per sign-in (web cookie or bearer token), checked on every request.

A request pays one read by primary key; ``last_seen_at`` moves at most once a minute (the idle timeout is
counted in minutes, so a finer mark would only cost writes).  Sign-out, a lockout and a second-factor reset end
every session of the person at once (``revoke_all``); the person sees and ends their own (``/v1/me/sessions``).
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.errors import NotFound, Unauthorized
from core.security import session_ended
from core.settings import Settings
from db.models import SessionRow
from db.repositories.sessions import SessionRepository
from db.session import writing
from schemas.api.signin import SessionRead

log = structlog.get_logger("ringi.auth")

#: How stale ``last_seen_at`` may get before a request moves it (the idle timeout's resolution).
TOUCH_EVERY = timedelta(minutes=1)
SESSION_ENDED = "the session has ended (signed out, timed out or revoked): sign in again"


def idle_timeout(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.session_idle_minutes)


async def open_session(
    db: AsyncSession, settings: Settings, staff_id: str, *, kind: str, client_ip: str, user_agent: str
) -> SessionRow:
    """A new session for a sign-in that succeeded (and the person's sessions that ended by time forgotten)."""
    now = clock.now()
    row = SessionRow(
        id=secrets.token_urlsafe(24),
        staff_id=staff_id,
        kind=kind,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(seconds=settings.jwt_ttl_seconds),
        client_ip=client_ip,
        user_agent=user_agent[:400],
    )
    async with writing(db) as unit:
        repo = SessionRepository(unit)
        await repo.purge_ended(staff_id, now=now, idle_since=now - idle_timeout(settings))
        repo.add(row)
    return row


async def check_live(db: AsyncSession, settings: Settings, *, session_id: str, staff_id: str) -> None:
    """``Unauthorized`` unless the session is there, is ``staff_id``'s, and has not ended by time."""
    now = clock.now()
    row = await SessionRepository(db).get(session_id)
    if row is None or row.staff_id != staff_id:
        raise Unauthorized(SESSION_ENDED)
    ended = session_ended(
        last_seen_at=row.last_seen_at, expires_at=row.expires_at, now=now, idle_timeout=idle_timeout(settings)
    )
    if ended is not None:
        raise Unauthorized(f"{SESSION_ENDED} ({ended})")
    if now - row.last_seen_at >= TOUCH_EVERY:
        async with writing(db) as unit:
            await SessionRepository(unit).touch(session_id, at=now)


async def revoke_all(db: AsyncSession, staff_id: str, *, reason: str) -> None:
    """End every session of ``staff_id`` (a unit of its own)."""
    async with writing(db) as unit:
        count = await SessionRepository(unit).revoke_all(staff_id)
    log.info("auth.sessions_revoked", staff_id=staff_id, reason=reason, sessions=count)


async def list_sessions(db: AsyncSession, settings: Settings, staff_id: str, *, current: str) -> list[SessionRead]:
    """The person's live sessions, newest first (those ended by time are left out)."""
    now = clock.now()
    rows = await SessionRepository(db).of_staff(staff_id)
    return [
        SessionRead(
            id=row.id,
            kind=row.kind,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=row.expires_at,
            client_ip=row.client_ip,
            user_agent=row.user_agent,
            current=row.id == current,
        )
        for row in rows
        if session_ended(
            last_seen_at=row.last_seen_at, expires_at=row.expires_at, now=now, idle_timeout=idle_timeout(settings)
        )
        is None
    ]


async def end_own_session(db: AsyncSession, staff_id: str, session_id: str) -> None:
    """End one of the person's sessions (another device's, or this one); 404 if they have none of that id."""
    async with writing(db) as unit:
        if not await SessionRepository(unit).end(staff_id, session_id):
            raise NotFound("no session of yours has this id")
    log.info("auth.session_ended", staff_id=staff_id)
