"""通知設定 (notification preferences): which channels carry my notices, and my quiet hours."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentStaff, SessionDep
from api.services.preferences import preferences_of, replace_preferences
from schemas.api.notifications import NotificationPreferences

router = APIRouter(prefix="/v1/me", tags=["notifications"])


@router.get("/notification-preferences")
async def my_preferences(session: SessionDep, staff: CurrentStaff) -> NotificationPreferences:
    """My channels (chat, email), their addresses and quiet hours (JST); none chosen = in-app notices only."""
    return await preferences_of(session, staff.id)


@router.put("/notification-preferences")
async def put_my_preferences(
    preferences: NotificationPreferences, session: SessionDep, staff: CurrentStaff
) -> NotificationPreferences:
    """Replace my preferences; during quiet hours chat and mail wait until they end (nothing is dropped)."""
    return await replace_preferences(session, staff.id, preferences)
