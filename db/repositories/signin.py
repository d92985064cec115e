"""Sign-in state: TOTP enrolments, recovery codes, lockout counters, and the access log (アクセスログ)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AccessLogRow, RecoveryCodeRow, SignInFailureRow, SignInGuardRow, StaffTotpRow
from domain.throttle import Failure


class SignInGuardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def locked_row(self, staff_id: str) -> SignInGuardRow:
        """The staff id's counter, created if missing and locked for this transaction (concurrent failures
        of one id count one by one)."""
        dialect = self._session.bind.dialect.name if self._session.bind is not None else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        await self._session.execute(
            insert(SignInGuardRow).values(staff_id=staff_id, failures=0).on_conflict_do_nothing()
        )
        stmt = select(SignInGuardRow).where(SignInGuardRow.staff_id == staff_id).with_for_update()
        return (await self._session.scalars(stmt)).one()

    async def clear(self, staff_id: str) -> bool:
        """Forget the failures and lift the lock; False if there was nothing to clear."""
        result = await self._session.execute(delete(SignInGuardRow).where(SignInGuardRow.staff_id == staff_id))
        return bool(getattr(result, "rowcount", 0))


class TotpRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, staff_id: str, *, for_update: bool = False) -> StaffTotpRow | None:
        stmt = select(StaffTotpRow).where(StaffTotpRow.staff_id == staff_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self._session.scalars(stmt)).one_or_none()

    def add(self, row: StaffTotpRow) -> None:
        self._session.add(row)

    async def remove(self, row: StaffTotpRow) -> None:
        """The enrolment and its recovery codes."""
        await self._session.execute(delete(RecoveryCodeRow).where(RecoveryCodeRow.staff_id == row.staff_id))
        await self._session.delete(row)

    async def replace_recovery_codes(self, staff_id: str, hashes: Sequence[str], *, at: datetime) -> None:
        await self._session.execute(delete(RecoveryCodeRow).where(RecoveryCodeRow.staff_id == staff_id))
        self._session.add_all(RecoveryCodeRow(staff_id=staff_id, code_hash=h, created_at=at) for h in hashes)
        await self._session.flush()

    async def use_recovery_code(self, staff_id: str, code_hashes: Sequence[str], *, at: datetime) -> bool:
        """Mark the code used (its hash under any of the keys); False if it is unknown or was used before (a code
        is good once)."""
        result = await self._session.execute(
            update(RecoveryCodeRow)
            .where(
                RecoveryCodeRow.staff_id == staff_id,
                RecoveryCodeRow.code_hash.in_(code_hashes),
                RecoveryCodeRow.used_at.is_(None),
            )
            .values(used_at=at)
        )
        return bool(getattr(result, "rowcount", 0))


@dataclass(frozen=True)
class AccessLogFilter:
    staff_id: str | None = None
    kind: str | None = None
    outcome: str | None = None
    document_id: str | None = None
    client_ip: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class AccessLogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, row: AccessLogRow) -> None:
        """Text as the client sent it, cut to the column and without NUL (PostgreSQL refuses it)."""
        for field, limit in (("reason", 200), ("staff_id", 40), ("document_id", 64), ("client_ip", 45)):
            value = getattr(row, field)
            if value is not None:
                setattr(row, field, value.replace("\x00", "")[:limit])
        row.user_agent = (row.user_agent or "").replace("\x00", "")[:400]
        self._session.add(row)

    async def search(self, where: AccessLogFilter, *, limit: int, offset: int) -> tuple[list[AccessLogRow], int]:
        """Matching entries, newest first, and how many match in all."""
        conditions = []
        for column, value in (
            (AccessLogRow.staff_id, where.staff_id),
            (AccessLogRow.kind, where.kind),
            (AccessLogRow.outcome, where.outcome),
            (AccessLogRow.document_id, where.document_id),
            (AccessLogRow.client_ip, where.client_ip),
        ):
            if value is not None:
                conditions.append(column == value)
        if where.since is not None:
            conditions.append(AccessLogRow.at >= where.since)
        if where.until is not None:
            conditions.append(AccessLogRow.at < where.until)
        total = await self._session.scalar(select(func.count()).select_from(AccessLogRow).where(*conditions))
        stmt = (
            select(AccessLogRow)
            .where(*conditions)
            .order_by(AccessLogRow.at.desc(), AccessLogRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list((await self._session.scalars(stmt)).all()), int(total or 0)


class SignInFailureRepository:
    """Failed attempts, each kept twice: under its client address (scope ``address``, for the address's back-off)
    and under the staff id as typed (scope ``account``, with the address and network it came from, for the locks)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def since(self, scope: str, key: str, since: datetime) -> list[datetime]:
        stmt = select(SignInFailureRow.at).where(
            SignInFailureRow.scope == scope, SignInFailureRow.key == key[:45], SignInFailureRow.at > since
        )
        return list((await self._session.scalars(stmt)).all())

    async def of_account(self, staff_id: str, since: datetime) -> list[Failure]:
        stmt = select(SignInFailureRow).where(
            SignInFailureRow.scope == "account", SignInFailureRow.key == staff_id[:45], SignInFailureRow.at > since
        )
        return [
            Failure(at=row.at, address=row.client_ip or "", office=row.office)
            for row in (await self._session.scalars(stmt)).all()
        ]

    async def accounts(self, since: datetime, *, limit: int, offset: int = 0) -> tuple[list[str], int]:
        """The staff ids (as typed) with failures after ``since``, the latest failure first; and how many in all."""
        where = (SignInFailureRow.scope == "account", SignInFailureRow.at > since)
        total = await self._session.scalar(select(func.count(func.distinct(SignInFailureRow.key))).where(*where))
        stmt = (
            select(SignInFailureRow.key)
            .where(*where)
            .group_by(SignInFailureRow.key)
            .order_by(func.max(SignInFailureRow.at).desc(), SignInFailureRow.key)
            .limit(limit)
            .offset(offset)
        )
        return list((await self._session.scalars(stmt)).all()), int(total or 0)

    async def add(self, staff_id: str, failure: Failure, *, forget_before: datetime) -> None:
        """One failure under its address and under the staff id; every failure before ``forget_before`` goes (of
        any key: a sprayed id that is never tried again leaves nothing behind)."""
        await self._session.execute(delete(SignInFailureRow).where(SignInFailureRow.at <= forget_before))
        for scope, key in (("address", failure.address), ("account", staff_id)):
            self._session.add(
                SignInFailureRow(
                    scope=scope, key=key[:45], at=failure.at, client_ip=failure.address[:45], office=failure.office
                )
            )

    async def clear_account(self, staff_id: str, *, client_ip: str | None = None) -> bool:
        """Forget the staff id's failures (only those from ``client_ip``, if given); False if there were none."""
        conditions = [SignInFailureRow.scope == "account", SignInFailureRow.key == staff_id[:45]]
        if client_ip is not None:
            conditions.append(SignInFailureRow.client_ip == client_ip[:45])
        result = await self._session.execute(delete(SignInFailureRow).where(*conditions))
        return bool(getattr(result, "rowcount", 0))
