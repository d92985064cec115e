"""Sign-in (認証) for telework: password (argon2), a TOTP second factor outside the office network, lockout after
repeated failures, and an access-log entry for every attempt.  Transport-free: the token route and the web UI's
sign-in page both call ``authenticate``.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.services import throttle
from core import clock
from core.errors import Forbidden, NotFound, RingiError, Unauthorized
from core.network import within
from core.second_factor import (
    SecretBox,
    looks_like_totp,
    matching_counter,
    recovery_code_hashes,
)
from core.security import hash_password, needs_rehash, verify_password
from core.settings import Settings, parse_networks
from db.models import AccessLogRow, StaffRow
from db.repositories.org import OrgRepository
from db.repositories.sessions import SessionRepository
from db.repositories.signin import AccessLogRepository, SignInFailureRepository, SignInGuardRepository, TotpRepository
from db.session import writing
from domain.throttle import Attempt, Failure, Verdict, lock_state
from schemas.api.paging import Page, PageRequest
from schemas.api.signin import LockoutRead

log = structlog.get_logger("ringi.auth")

WRONG_CREDENTIALS = "unknown staff id or wrong password"
ENROL_FIRST = "second factor required: enrol from the office network"
OTP_REQUIRED = (
    "second factor required: outside the office network, send the one-time code of your authenticator app "
    "(otp) or one of your recovery codes"
)
WRONG_OTP = "the one-time code is wrong, expired or already used"
UNREADABLE = "second factor required: the enrolment can no longer be read; enrol again from the office network"


class WrongCredentials(Unauthorized):
    """Unknown staff id or wrong password: one answer for both."""


class SecondFactorRequired(Unauthorized):
    """Outside the office network an enrolled staff member must send a one-time or recovery code."""


class WrongSecondFactor(Unauthorized):
    """The one-time code or recovery code does not match, has expired, or was used before."""


class SecondFactorNotEnrolled(Forbidden):
    """Outside the office network, and no second factor enrolled: enrol from the office first."""


def in_office(client_ip: str, settings: Settings) -> bool:
    return within(client_ip, parse_networks(settings.office_networks))


@functools.cache
def _decoy_hash() -> str:
    """A hash to check unknown staff ids against, so they cost the same time as known ones."""
    return hash_password("ringi-decoy-password")


def _password_matches(password: str, stored: str | None) -> bool:
    """Unknown ids (``stored`` None) pay for a hash check too, so their answer takes as long."""
    matches = verify_password(password, stored if stored is not None else _decoy_hash())
    return matches and stored is not None


@dataclass(frozen=True)
class _Attempt:
    staff_id: str
    password_ok: bool
    known: bool
    deactivated: bool
    otp: str | None
    office: bool
    client_ip: str
    user_agent: str


async def authenticate(
    session: AsyncSession,
    settings: Settings,
    staff_id: str,
    password: str,
    otp: str | None,
    client_ip: str,
    user_agent: str,
) -> StaffRow:
    """The staff member, if the credentials hold; a ``RingiError`` with the reason otherwise.

    ``session`` (the request's) is read from (the staff member); the attempt's record (failures, access log,
    rehash, the code's use) is written in a unit of its own (``writing``), committed before a refusal is raised,
    so it stands whatever the caller does next.

    Refusals: ``WrongCredentials`` (401, the same answer whether the id exists), ``SecondFactorRequired`` (401:
    outside the office, ask for ``otp``), ``WrongSecondFactor`` (401), ``SecondFactorNotEnrolled`` (403) and
    ``TooManyAttempts`` (429 + Retry-After: the address backed off, or the id locked for this attempt —
    domain/throttle.py).
    """
    now = clock.now()
    otp = (otp or "").strip() or None
    office = in_office(client_ip, settings)
    before = throttle.judge(
        settings,
        Attempt(address=client_ip, office=office, second_factor=otp is not None),
        await throttle.history(session, settings, client_ip=client_ip, staff_id=staff_id, now=now),
        now=now,
    )
    if before.verdict in (Verdict.THROTTLED, Verdict.LOCKED):  # no password check: it neither costs a hash nor counts
        refused = throttle.refusal(before, now=now)
        async with writing(session) as record:
            _log(record, _refused_attempt(staff_id, client_ip, user_agent), now, before.verdict.value, refused)
        log.info("auth.sign_in_throttled", staff_id=staff_id, client_ip=client_ip, verdict=before.verdict.value)
        raise refused
    staff = await OrgRepository(session).get_staff(staff_id)
    stored = staff.password_hash if staff is not None else None
    password_ok = await asyncio.to_thread(_password_matches, password, stored)
    attempt = _Attempt(
        staff_id=staff_id,
        password_ok=password_ok,
        known=staff is not None,
        deactivated=staff is not None and staff.deactivated_at is not None,
        otp=otp,
        office=office,
        client_ip=client_ip,
        user_agent=user_agent,
    )
    fresh_hash = None
    if password_ok and staff is not None and needs_rehash(staff.password_hash):
        fresh_hash = await asyncio.to_thread(hash_password, password)
    async with writing(session) as record:
        refusal = await _record(record, settings, attempt, now=now, fresh_hash=fresh_hash)
    if refusal is not None:
        log.info("auth.sign_in_refused", staff_id=staff_id, client_ip=client_ip, status=refusal.status)
        raise refusal
    assert staff is not None
    log.info("auth.signed_in", staff_id=staff_id, client_ip=client_ip, office=attempt.office)
    return staff


def _refused_attempt(staff_id: str, client_ip: str, user_agent: str) -> _Attempt:
    return _Attempt(
        staff_id=staff_id,
        password_ok=False,
        known=False,
        deactivated=False,
        otp=None,
        office=False,
        client_ip=client_ip,
        user_agent=user_agent,
    )


async def unlock(session: AsyncSession, admin: StaffRow, staff_id: str) -> None:
    """An administrator lifts a lockout (解除) before it lapses: every failure of the id is forgotten."""
    if not admin.is_admin:
        raise Forbidden("only administrators may lift a lockout")
    async with writing(session):
        lifted = await throttle.lift(session, staff_id)
        guarded = await SignInGuardRepository(session).clear(staff_id)
        if not (lifted or guarded):
            raise NotFound(f"{staff_id} has no failed sign-ins on record")
    log.info("auth.unlocked", staff_id=staff_id, admin_id=admin.id)


async def lockouts(
    session: AsyncSession, settings: Settings, admin: StaffRow, *, page: PageRequest
) -> Page[LockoutRead]:
    """ロック中のアカウント: the staff ids (as typed) with failed sign-ins on record, the latest failure first, with
    their locks now: over every address, or per address (admins only)."""
    if not admin.is_admin:
        raise Forbidden("only administrators may see the lockouts")
    now, rules = clock.now(), settings.sign_in_rules()
    since = rules.forget_before(now)
    failures = SignInFailureRepository(session)
    ids, total = await failures.accounts(since, limit=page.limit, offset=page.offset)
    found = []
    for staff_id in ids:
        kept = await failures.of_account(staff_id, since)
        state = lock_state(kept, now=now, rules=rules)
        found.append(
            LockoutRead(
                staff_id=staff_id,
                failures=len(kept),
                locked=state.locked,
                locked_until=state.until,
                locked_everywhere=state.account_until is not None,
                locked_addresses=sorted(state.pairs),
                last_failure_at=max(f.at for f in kept),
            )
        )
    return page.page(found, total)


async def count_failure(
    session: AsyncSession, settings: Settings, staff_id: str, *, client_ip: str, now: datetime
) -> RingiError | None:
    """A wrong password given elsewhere than at sign-in (the current password of a change) counts towards the
    lockout as a failed sign-in from that address does; the lockout refusal if the attempt is (now) held back
    (call inside a unit)."""
    attempt = Attempt(address=client_ip, office=in_office(client_ip, settings), second_factor=False)
    return await _failure(session, settings, staff_id, attempt, now=now, guarded=False)


async def _record(
    session: AsyncSession, settings: Settings, attempt: _Attempt, *, now: datetime, fresh_hash: str | None
) -> RingiError | None:
    """Apply the attempt to the failures (under the id's row lock, so concurrent ones count one by one, judged
    again with what they wrote) and log it; the refusal to raise, if any."""
    await SignInGuardRepository(session).locked_row(attempt.staff_id)
    rules_attempt = Attempt(address=attempt.client_ip, office=attempt.office, second_factor=attempt.otp is not None)
    past = await throttle.history(session, settings, client_ip=attempt.client_ip, staff_id=attempt.staff_id, now=now)
    now_judged = throttle.judge(settings, rules_attempt, past, now=now)
    if now_judged.verdict in (Verdict.THROTTLED, Verdict.LOCKED):  # a concurrent failure got there first
        return _log(session, attempt, now, now_judged.verdict.value, throttle.refusal(now_judged, now=now))
    guarded = now_judged.verdict is Verdict.GUARDED
    if not attempt.password_ok:
        reason = "wrong password" if attempt.known else "unknown staff id"
        lockout = await _failure(session, settings, attempt.staff_id, rules_attempt, now=now, guarded=guarded)
        return _log(session, attempt, now, reason, lockout or WrongCredentials(WRONG_CREDENTIALS))
    if attempt.deactivated:  # the same answer as a wrong password: a deactivated account reveals nothing
        refusal: RingiError = throttle.refusal(now_judged, now=now) if guarded else WrongCredentials(WRONG_CREDENTIALS)
        return _log(session, attempt, now, "account deactivated", refusal)
    second_factor = "office network"
    if not attempt.office:
        factor_refusal, second_factor = await _check_second_factor(session, settings, attempt, now)
        if factor_refusal is not None:
            lockout = None
            if isinstance(factor_refusal, WrongSecondFactor):
                lockout = await _failure(session, settings, attempt.staff_id, rules_attempt, now=now, guarded=guarded)
            elif guarded:  # locked over every address: never tell which of password and code was wrong
                lockout = throttle.refusal(now_judged, now=now)
            return _log(session, attempt, now, second_factor, lockout or factor_refusal)
    guard = await SignInGuardRepository(session).locked_row(attempt.staff_id)
    guard.failures = 0
    guard.locked_until = None
    await throttle.forgive(session, staff_id=attempt.staff_id, client_ip=attempt.client_ip)
    if fresh_hash is not None:
        staff = await session.get(StaffRow, attempt.staff_id)
        if staff is not None:
            staff.password_hash = fresh_hash
    _log(session, attempt, now, second_factor + (" (id locked elsewhere)" if guarded else ""), None)
    return None


async def _check_second_factor(
    session: AsyncSession, settings: Settings, attempt: _Attempt, now: datetime
) -> tuple[RingiError | None, str]:
    """(refusal or None, what the access log says)."""
    totp = await TotpRepository(session).get(attempt.staff_id, for_update=True)
    if totp is None or totp.secret_sealed is None:
        return SecondFactorNotEnrolled(ENROL_FIRST), "second factor not enrolled"
    if attempt.otp is None:
        return SecondFactorRequired(OTP_REQUIRED), "second factor missing"
    keys = settings.totp_keys()
    if looks_like_totp(attempt.otp):
        box = SecretBox(keys)
        try:
            secret = box.open(totp.secret_sealed)
            resealed = box.reseal(totp.secret_sealed) if len(keys) > 1 else None
        except ValueError:  # RINGI_TOTP_ENCRYPTION_KEY changed since enrolment (not kept in RINGI_TOTP_PREVIOUS_KEYS)
            log.error("auth.totp_secret_unreadable", staff_id=attempt.staff_id)
            return SecondFactorNotEnrolled(UNREADABLE), "second factor unreadable (key changed)"
        counter = matching_counter(secret, attempt.otp, now=now, after=totp.last_counter)
        if counter is None:
            return WrongSecondFactor(WRONG_OTP), "wrong one-time code"
        totp.last_counter = counter
        if resealed is not None:  # a key rotation: the secret moves to the current key
            totp.secret_sealed = resealed
        return None, "second factor: totp"
    hashes = recovery_code_hashes(attempt.otp, staff_id=attempt.staff_id, keys=keys)
    if not await TotpRepository(session).use_recovery_code(attempt.staff_id, hashes, at=now):
        return WrongSecondFactor(WRONG_OTP), "wrong recovery code"
    return None, "second factor: recovery code"


async def _failure(
    session: AsyncSession, settings: Settings, staff_id: str, attempt: Attempt, *, now: datetime, guarded: bool
) -> RingiError | None:
    """Count a failure; the lock refusal if, with it, the attempt is held back (or the id was guarded already).

    When this failure locks the id over every address (a distributed brute force), every session of the id ends:
    whoever is guessing may already hold one.  A lock of one (id, address) pair ends nothing (an outsider must not
    be able to sign a decider out)."""
    failure = Failure(at=now, address=attempt.address, office=attempt.office)
    past = await throttle.history(session, settings, client_ip=attempt.address, staff_id=staff_id, now=now)
    after = past.with_failure(failure)
    await throttle.count_failure(session, settings, staff_id=staff_id, failure=failure, now=now)
    guard = await SignInGuardRepository(session).locked_row(staff_id)
    guard.failures = (guard.failures or 0) + 1
    guard.last_failure_at = now
    if throttle.account_locked(settings, after, now=now) and not throttle.account_locked(settings, past, now=now):
        revoked = await SessionRepository(session).revoke_all(staff_id)
        log.info("auth.sessions_revoked", staff_id=staff_id, reason="lockout", sessions=revoked)
    judged = throttle.judge(settings, attempt, after, now=now)
    # A back-off that begins with this failure shows at the next attempt; a lock at once (and, while the id is
    # guarded, every failure answers alike).
    if judged.verdict is Verdict.GO or (judged.verdict is Verdict.THROTTLED and not guarded):
        return None
    return throttle.refusal(judged, now=now)


def _log(
    session: AsyncSession, attempt: _Attempt, now: datetime, reason: str, refusal: RingiError | None
) -> RingiError | None:
    AccessLogRepository(session).add(
        AccessLogRow(
            at=now,
            kind="sign_in",
            outcome="failure" if refusal is not None else "success",
            reason=reason,
            staff_id=attempt.staff_id,
            document_id=None,
            client_ip=attempt.client_ip,
            user_agent=attempt.user_agent,
        )
    )
    return refusal
