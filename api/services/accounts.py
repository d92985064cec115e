"""Account life cycle (アカウント管理): my password change, an administrator's reset to a one-time password,
deactivation and reactivation.  Every change ends the sessions it must (all of them, or all but the one that
changed the password) in the same unit of work, and is recorded in the access log (アクセスログ).

The rules of a new password are domain/passwords.py; the list of common passwords is rules/passwords/.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from api.origin import Origin
from api.services import throttle
from api.services.auth import count_failure
from core import clock
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.security import hash_password, one_time_password, verify_password
from core.settings import Settings
from db.models import AccessLogRow, StaffRow
from db.repositories.accounts import AccountRepository
from db.repositories.sessions import SessionRepository
from db.repositories.signin import AccessLogRepository, SignInGuardRepository
from db.session import writing
from domain.passwords import PasswordPolicy, PasswordRefused, check
from rules.password_list import load_common_passwords
from schemas.api.accounts import AccountRead, OneTimePassword, PasswordChanged

log = structlog.get_logger("ringi.auth")

SHIPPED_DEMO_PASSWORD = "demo"
WRONG_CURRENT = "現在のパスワードが正しくありません (the current password is wrong)"
CHANGE_REQUIRED = (
    "パスワードの変更が必要です: POST /v1/me/password で変更してください "
    "(password change required: change it with POST /v1/me/password)"
)


class PasswordChangeRequired(Forbidden):
    """Signed in with a one-time password: every route but the password change (and sign-out) is refused."""

    title = "Password change required"


def password_policy(settings: Settings) -> PasswordPolicy:
    return PasswordPolicy(
        min_length=settings.password_min_length,
        common=load_common_passwords(settings.common_passwords_file),
        demo_passwords=frozenset({settings.demo_password, SHIPPED_DEMO_PASSWORD}),
    )


def require_change_done(staff: StaffRow) -> None:
    """``PasswordChangeRequired`` while ``staff`` holds a one-time password."""
    if staff.must_change_password:
        raise PasswordChangeRequired(CHANGE_REQUIRED)


def account_read(staff: StaffRow) -> AccountRead:
    return AccountRead(
        staff_id=staff.id,
        name=staff.name,
        is_admin=staff.is_admin,
        must_change_password=staff.must_change_password,
        password_changed_at=staff.password_changed_at,
        deactivated_at=staff.deactivated_at,
    )


def _require_admin(staff: StaffRow, what: str) -> None:
    if not staff.is_admin:
        raise Forbidden(f"only administrators may {what}")


def _entry(kind: str, outcome: str, reason: str, staff_id: str, origin: Origin, at: datetime) -> AccessLogRow:
    return AccessLogRow(
        at=at,
        kind=kind,
        outcome=outcome,
        reason=reason[:200],
        staff_id=staff_id,
        document_id=None,
        client_ip=origin.client_ip,
        user_agent=origin.user_agent,
    )


async def change_password(
    db: AsyncSession,
    settings: Settings,
    staff: StaffRow,
    *,
    current: str,
    new: str,
    session_id: str | None,
    origin: Origin,
) -> PasswordChanged:
    """パスワード変更: 403 if ``current`` is wrong (counted towards the lockout), 422 with every reason if the policy
    refuses ``new``; otherwise the new hash, the one-time flag cleared and every other session ended."""
    stored = await AccountRepository(db).get(staff.id)
    if stored is None:
        raise NotFound("no such staff member")
    if not await asyncio.to_thread(verify_password, current, stored.password_hash):
        now = clock.now()
        async with writing(db) as unit:
            lockout = await count_failure(unit, settings, staff.id, client_ip=origin.client_ip, now=now)
            AccessLogRepository(unit).add(
                _entry("password_change", "failure", "wrong current password", staff.id, origin, now)
            )
        log.info("auth.password_change_refused", staff_id=staff.id, reason="wrong current password")
        raise lockout or Forbidden(WRONG_CURRENT)
    try:
        check(password_policy(settings), new, staff_id=staff.id, current=current)
    except PasswordRefused as exc:
        refusals = [{"code": r.code, "ja": r.ja, "en": r.en} for r in exc.refusals]
        raise Invalid(exc.message, refusals=refusals) from exc
    fresh = await asyncio.to_thread(hash_password, new)
    now = clock.now()
    async with writing(db) as unit:
        row = await AccountRepository(unit).get(staff.id, for_update=True)
        assert row is not None
        row.password_hash = fresh
        row.must_change_password = False
        row.password_changed_at = now
        ended = await SessionRepository(unit).revoke_others(staff.id, keep=session_id)
        AccessLogRepository(unit).add(_entry("password_change", "success", "password changed", staff.id, origin, now))
    staff.must_change_password = False
    staff.password_changed_at = now
    log.info("auth.password_changed", staff_id=staff.id, sessions_ended=ended)
    return PasswordChanged(changed_at=now, sessions_ended=ended)


async def reset_password(
    db: AsyncSession, settings: Settings, admin: StaffRow, staff_id: str, *, origin: Origin
) -> OneTimePassword:
    """パスワード再設定 by an administrator: a one-time password (answered once, stored hashed) the person must
    change at their next sign-in; every session of theirs ends and their lockout is lifted."""
    _require_admin(admin, "reset passwords")
    password = one_time_password(max(16, settings.password_min_length))
    fresh = await asyncio.to_thread(hash_password, password)
    now = clock.now()
    async with writing(db) as unit:
        row = await AccountRepository(unit).get(staff_id, for_update=True)
        if row is None:
            raise NotFound(f"no staff member {staff_id}")
        if row.deactivated_at is not None:
            raise Conflict(f"{staff_id} is deactivated: reactivate the account before resetting its password")
        row.password_hash = fresh
        row.must_change_password = True
        row.password_changed_at = now
        ended = await SessionRepository(unit).revoke_all(staff_id)
        await throttle.lift(unit, staff_id)
        await SignInGuardRepository(unit).clear(staff_id)
        AccessLogRepository(unit).add(
            _entry("password_reset", "success", f"one-time password issued to {staff_id}", admin.id, origin, now)
        )
    log.info("auth.password_reset", staff_id=staff_id, admin_id=admin.id, sessions_ended=ended)
    return OneTimePassword(staff_id=staff_id, one_time_password=password)


async def set_active(db: AsyncSession, admin: StaffRow, staff_id: str, *, active: bool, origin: Origin) -> AccountRead:
    """Deactivate (無効化: sign-in refused at once, every session ended, the history kept) or reactivate."""
    _require_admin(admin, "deactivate or reactivate accounts")
    if not active and staff_id == admin.id:
        raise Conflict("you may not deactivate your own account (another administrator may)")
    now = clock.now()
    async with writing(db) as unit:
        row = await AccountRepository(unit).get(staff_id, for_update=True)
        if row is None:
            raise NotFound(f"no staff member {staff_id}")
        changed = (row.deactivated_at is None) != active
        if changed:
            row.deactivated_at = None if active else now
            what = "reactivated" if active else "deactivated"
            AccessLogRepository(unit).add(
                _entry("account_status", "success", f"{staff_id} {what} by an administrator", admin.id, origin, now)
            )
        if not active:
            await SessionRepository(unit).revoke_all(staff_id)
        read = account_read(row)
    log.info("auth.account_status", staff_id=staff_id, admin_id=admin.id, active=active, changed=changed)
    return read


async def read_account(db: AsyncSession, admin: StaffRow, staff_id: str) -> AccountRead:
    _require_admin(admin, "read accounts")
    row = await AccountRepository(db).get(staff_id)
    if row is None:
        raise NotFound(f"no staff member {staff_id}")
    return account_read(row)
