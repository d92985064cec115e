"""Sign-in throttling: the failures kept per client address and per staff id, and the back-off of
domain/throttle.py over them (state in the database, so every API process sees the same counts).

The client address is the resolved one (api/origin.py: ringi's walk of ``RINGI_TRUSTED_PROXIES``), never a raw
``X-Forwarded-For``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import TooManyAttempts
from core.settings import Settings
from db.repositories.signin import SignInFailureRepository
from domain.throttle import retry_after_seconds, wait_before_next

ADDRESS = "address"
ACCOUNT = "account"


async def refusal(
    session: AsyncSession, settings: Settings, *, client_ip: str, staff_id: str, now: datetime
) -> TooManyAttempts | None:
    """429 with Retry-After while the address or the staff id is in its back-off; None when the attempt may go."""
    by_address, by_account = settings.throttle_rules()
    failures = SignInFailureRepository(session)
    wait = max(
        wait_before_next(await failures.since(ADDRESS, client_ip, now - by_address.window), now=now, rule=by_address),
        wait_before_next(await failures.since(ACCOUNT, staff_id, now - by_account.window), now=now, rule=by_account),
    )
    if wait <= timedelta(0):
        return None
    seconds = retry_after_seconds(wait)
    return TooManyAttempts(
        f"too many failed attempts from this address or for this staff id: retry in {seconds} s",
        retry_after_seconds=seconds,
    )


async def count_failure(
    session: AsyncSession, settings: Settings, *, client_ip: str, staff_id: str | None, now: datetime
) -> None:
    """Keep one failure under the address and (if given) the staff id (call inside a unit)."""
    window = max(rule.window for rule in settings.throttle_rules())
    keys = [(ADDRESS, client_ip)] + ([(ACCOUNT, staff_id)] if staff_id is not None else [])
    await SignInFailureRepository(session).add(keys, at=now, forget_before=now - window)


async def forgive(session: AsyncSession, staff_id: str) -> None:
    """A successful sign-in: the staff id's failures are forgotten (the address's stay: they may be a spray)."""
    await SignInFailureRepository(session).clear(ACCOUNT, staff_id)
