"""人事異動: stored transfers, the org facts that validate and plan them, and writing the new assignments."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TypeVar

from sqlalchemy import Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.transfers import HeldStep, PositionKey
from db.models import (
    DocumentRow,
    OrgTransferMoveRow,
    OrgTransferRow,
    OrgUnitRow,
    PostAssignmentRow,
    PostRow,
    RouteStepRow,
    StaffRow,
)
from domain.statuses import IN_ROUTING
from schemas.transfers import TransferMove, TransferPlan

UNANSWERED = ("pending", "waiting")
_CHUNK = 500  # ids per IN (...): well under every backend's bound-parameter limit

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _in_force(as_of: date) -> object:
    return and_(
        PostAssignmentRow.effective_from <= as_of,
        or_(PostAssignmentRow.effective_to.is_(None), PostAssignmentRow.effective_to > as_of),
    )


class TransferRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, transfer: OrgTransferRow) -> None:
        self._session.add(transfer)

    async def get(self, transfer_id: str, *, for_update: bool = False) -> OrgTransferRow | None:
        stmt = select(OrgTransferRow).where(OrgTransferRow.id == transfer_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self._session.scalars(stmt)).one_or_none()

    async def all(self) -> list[OrgTransferRow]:
        stmt = select(OrgTransferRow).order_by(
            OrgTransferRow.effective_on.desc(), OrgTransferRow.created_at.desc(), OrgTransferRow.id
        )
        return list((await self._session.scalars(stmt)).all())

    # --- the plan fixed at the first apply ------------------------------------------------------------------

    async def add_moves(self, transfer_id: str, moves: Sequence[TransferMove]) -> None:
        rows = [
            {
                "transfer_id": transfer_id,
                "document_id": m.document_id,
                "stage_index": m.stage_index,
                "stage_kind": m.stage_kind,
                "old_assignee_id": m.old_assignee_id,
                "org_unit_code": m.org_unit,
                "post_code": m.post,
                "new_assignee_id": m.new_assignee_id,
                "outcome": m.outcome,
                "reason": m.reason,
                "done": False,
            }
            for m in moves
        ]
        for chunk in _chunks(rows, 1000):
            await self._session.execute(insert(OrgTransferMoveRow), list(chunk))

    async def moves(self, transfer_id: str) -> list[TransferMove]:
        stmt = (
            select(OrgTransferMoveRow)
            .where(OrgTransferMoveRow.transfer_id == transfer_id)
            .order_by(OrgTransferMoveRow.document_id, OrgTransferMoveRow.stage_index, OrgTransferMoveRow.id)
        )
        return [
            TransferMove(
                document_id=r.document_id,
                stage_index=r.stage_index,
                stage_kind=r.stage_kind,
                old_assignee_id=r.old_assignee_id,
                org_unit=r.org_unit_code,
                post=r.post_code,
                new_assignee_id=r.new_assignee_id,
                outcome=r.outcome,
                reason=r.reason,
                done=r.done,
            )
            for r in (await self._session.scalars(stmt)).all()
        ]

    async def mark_done(self, transfer_id: str, document_ids: Sequence[str], *, outcome: str) -> None:
        for chunk in _chunks(sorted(document_ids)):
            await self._session.execute(
                update(OrgTransferMoveRow)
                .where(
                    OrgTransferMoveRow.transfer_id == transfer_id,
                    OrgTransferMoveRow.outcome == outcome,
                    OrgTransferMoveRow.document_id.in_(chunk),
                )
                .values(done=True)
            )

    # --- what the org mirror knows ---------------------------------------------------------------------------

    async def known_staff(self, staff_ids: Iterable[str]) -> set[str]:
        ids = sorted(set(staff_ids))
        known: set[str] = set()
        for chunk in _chunks(ids):
            known.update((await self._session.scalars(select(StaffRow.id).where(StaffRow.id.in_(chunk)))).all())
        return known

    async def org_unit_codes(self) -> set[str]:
        return set((await self._session.scalars(select(OrgUnitRow.code))).all())

    async def post_codes(self) -> set[str]:
        return set((await self._session.scalars(select(PostRow.code))).all())

    async def held(self, staff_ids: Iterable[str], *, as_of: date) -> set[tuple[str, str, str]]:
        """(staff, org unit, post) in force on ``as_of`` for these staff."""
        ids = sorted(set(staff_ids))
        held: set[tuple[str, str, str]] = set()
        cols = (PostAssignmentRow.staff_id, PostAssignmentRow.org_unit_code, PostAssignmentRow.post_code)
        for chunk in _chunks(ids):
            stmt = select(*cols).where(_in_force(as_of), PostAssignmentRow.staff_id.in_(chunk))  # type: ignore[arg-type]
            held.update((s, u, p) for s, u, p in (await self._session.execute(stmt)).all())
        return held

    async def occupants(self, units: Iterable[str], *, as_of: date) -> set[tuple[str, str, str]]:
        """(staff, org unit, post) in force on ``as_of`` in these org units."""
        codes = sorted(set(units))
        found: set[tuple[str, str, str]] = set()
        cols = (PostAssignmentRow.staff_id, PostAssignmentRow.org_unit_code, PostAssignmentRow.post_code)
        for chunk in _chunks(codes):
            stmt = select(*cols).where(_in_force(as_of), PostAssignmentRow.org_unit_code.in_(chunk))  # type: ignore[arg-type]
            found.update((s, u, p) for s, u, p in (await self._session.execute(stmt)).all())
        return found

    async def holders_on(self, positions: Iterable[PositionKey], *, as_of: date) -> dict[PositionKey, list[str]]:
        """Holders on ``as_of`` of the given (org unit, post) positions (one query per 500 org units)."""
        wanted = set(positions)
        units = sorted({u for u, _ in wanted})
        found: dict[PositionKey, list[str]] = {key: [] for key in wanted}
        cols = (PostAssignmentRow.org_unit_code, PostAssignmentRow.post_code, PostAssignmentRow.staff_id)
        for chunk in _chunks(units):
            stmt = select(*cols).where(_in_force(as_of), PostAssignmentRow.org_unit_code.in_(chunk))  # type: ignore[arg-type]
            for unit, post, staff_id in (await self._session.execute(stmt)).all():
                if (unit, post) in found:
                    found[(unit, post)].append(staff_id)
        return found

    async def held_steps(self, assignee_ids: Iterable[str]) -> list[HeldStep]:
        """Unanswered steps (pending or waiting) of documents in flight held by these staff."""
        ids = sorted(set(assignee_ids))
        steps: list[HeldStep] = []
        cols = (RouteStepRow.document_id, RouteStepRow.stage_index, RouteStepRow.stage_kind, RouteStepRow.assignee_id)
        for chunk in _chunks(ids):
            stmt = (
                select(*cols)
                .join(DocumentRow, DocumentRow.id == RouteStepRow.document_id)
                .where(
                    RouteStepRow.assignee_id.in_(chunk),
                    RouteStepRow.state.in_(UNANSWERED),
                    DocumentRow.status.in_(IN_ROUTING),
                )
            )
            steps.extend(HeldStep(d, i, k, a) for d, i, k, a in (await self._session.execute(stmt)).all())
        return steps

    # --- writing the next org chart --------------------------------------------------------------------------

    async def write_plan(self, plan: TransferPlan) -> None:
        """New units and posts, ended and started assignments, as of ``plan.effective_on`` (batched)."""
        on = plan.effective_on
        known_units = await self.org_unit_codes()
        for unit in sorted(plan.new_org_units, key=lambda u: u.code.count(".")):
            if unit.code not in known_units:
                self._session.add(
                    OrgUnitRow(
                        code=unit.code, name=unit.name, kind=unit.kind, parent_code=unit.parent_code, symbol=unit.symbol
                    )
                )
                await self._session.flush()
        known_posts = await self.post_codes()
        self._session.add_all(
            PostRow(code=p.code, name=p.name, rank=p.rank) for p in plan.new_posts if p.code not in known_posts
        )
        await self._session.flush()
        connection = await self._session.connection()
        table = PostAssignmentRow.__table__
        assert isinstance(table, Table)
        if plan.end:
            ending = (
                update(table)
                .where(
                    table.c.staff_id == bindparam("b_staff"),
                    table.c.org_unit_code == bindparam("b_unit"),
                    table.c.post_code == bindparam("b_post"),
                    table.c.effective_from < on,
                    or_(table.c.effective_to.is_(None), table.c.effective_to > on),
                )
                .values(effective_to=on)
            )
            rows = [{"b_staff": r.staff_id, "b_unit": r.org_unit, "b_post": r.post} for r in plan.end]
            await connection.execute(ending, rows)
        started = await self.held((r.staff_id for r in plan.start), as_of=on)
        new = [
            {"staff_id": r.staff_id, "org_unit_code": r.org_unit, "post_code": r.post, "effective_from": on}
            for r in plan.start
            if (r.staff_id, r.org_unit, r.post) not in started
        ]
        if new:
            await connection.execute(insert(table), new)
