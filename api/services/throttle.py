"""Sign-in throttling and lockout: the failures kept per client address and per staff id (with the address and
network each came from), and the rules of domain/throttle.py over them (state in the database, so every API
process sees the same counts).

The client address is the resolved one (api/origin.py: ringi's walk of ``RINGI_TRUSTED_PROXIES``), never a raw
``X-Forwarded-For``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import TooManyAttempts
from core.settings import Settings
from db.repositories.signin import SignInFailureRepository
from domain.throttle import Assessment, Attempt, Failure, Verdict, assess, locked_until, retry_after_seconds

ADDRESS = "address"
ACCOUNT = "account"


@dataclass(frozen=True)
class History:
    """The failures that bear on one attempt: its address's (any id) and its staff id's (any address)."""

    address: tuple[datetime, ...]
    account: tuple[Failure, ...]

    def with_failure(self, failure: Failure) -> History:
        return replace(self, address=(*self.address, failure.at), account=(*self.account, failure))


async def history(
    session: AsyncSession, settings: Settings, *, client_ip: str, staff_id: str, now: datetime
) -> History:
    rules = settings.sign_in_rules()
    failures = SignInFailureRepository(session)
    return History(
        address=tuple(await failures.since(ADDRESS, client_ip, now - rules.address.window)),
        account=tuple(await failures.of_account(staff_id, rules.forget_before(now))),
    )


def judge(settings: Settings, attempt: Attempt, past: History, *, now: datetime) -> Assessment:
    return assess(
        attempt, address_failures=past.address, account_failures=past.account, now=now, rules=settings.sign_in_rules()
    )


def account_locked(settings: Settings, past: History, *, now: datetime) -> bool:
    """Whether the staff id is locked over every address (a distributed brute force), whatever the network."""
    return locked_until((f.at for f in past.account), now=now, rule=settings.sign_in_rules().account) is not None


def refusal(assessment: Assessment, *, now: datetime) -> TooManyAttempts:
    """429 with Retry-After, for a throttled or locked attempt (and any failure while the id is guarded)."""
    assert assessment.until is not None
    seconds = retry_after_seconds(assessment.until - now)
    if assessment.verdict is Verdict.THROTTLED:
        return TooManyAttempts(
            f"too many failed attempts from this address: retry in {seconds} s", retry_after_seconds=seconds
        )
    return TooManyAttempts(
        f"too many failed sign-ins for this staff id: locked until {assessment.until.isoformat(timespec='seconds')}"
        f" (retry in {seconds} s)",
        retry_after_seconds=seconds,
    )


async def count_failure(
    session: AsyncSession, settings: Settings, *, staff_id: str, failure: Failure, now: datetime
) -> None:
    """Keep one failure under its address and under the staff id (call inside a unit)."""
    forget_before = settings.sign_in_rules().forget_before(now)
    await SignInFailureRepository(session).add(staff_id, failure, forget_before=forget_before)


async def forgive(session: AsyncSession, *, staff_id: str, client_ip: str) -> None:
    """A successful sign-in forgets the staff id's failures from its own address (its owner's typos); those from
    elsewhere stay (they may be a brute force), and so do the address's (they may be a spray)."""
    await SignInFailureRepository(session).clear_account(staff_id, client_ip=client_ip)


async def lift(session: AsyncSession, staff_id: str) -> bool:
    """An administrator lifts every lock of the staff id (解除); False if there was nothing to lift."""
    return await SignInFailureRepository(session).clear_account(staff_id)
