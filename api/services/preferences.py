"""通知設定: read and replace a staff member's notification preferences."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import NotificationPreferenceRow
from db.repositories.deliveries import PreferenceRepository
from db.session import writing
from schemas.api.notifications import NotificationPreferences, QuietHours


def _read(row: NotificationPreferenceRow | None) -> NotificationPreferences:
    if row is None:
        return NotificationPreferences()
    quiet = QuietHours(start=row.quiet_start, end=row.quiet_end) if row.quiet_start and row.quiet_end else None
    return NotificationPreferences(
        channels=[c for c in row.channels if c in ("chat", "email")],
        email=row.email,
        chat_user_id=row.chat_user_id,
        quiet_hours=quiet,
    )


async def preferences_of(session: AsyncSession, staff_id: str) -> NotificationPreferences:
    return _read(await PreferenceRepository(session).get(staff_id))


async def replace_preferences(
    session: AsyncSession, staff_id: str, preferences: NotificationPreferences
) -> NotificationPreferences:
    async with writing(session):
        row = await PreferenceRepository(session).put(
            staff_id=staff_id,
            channels=list(preferences.channels),
            email=preferences.email,
            chat_user_id=preferences.chat_user_id,
            quiet_start=preferences.quiet_hours.start if preferences.quiet_hours else None,
            quiet_end=preferences.quiet_hours.end if preferences.quiet_hours else None,
            updated_at=datetime.now(UTC),
        )
        return _read(row)
