"""人事異動 (April-1 transfers), pure: validate an uploaded org chart and plan what it does to documents in flight.

A pending step follows the post, not the person: when its assignee leaves the post they held the day before
the effective date, the step goes to whoever holds the same post (org unit + 職位) on the effective date; if the
post is abolished or left vacant, the records office (文書担当) must decide.  The plan is a function of the
steps still held by leaving staff and the holders on the effective date, so computing it again after a partial
apply gives exactly what is left to do.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from core.errors import Invalid
from schemas.transfers import Position, TransferMove, TransferPlan

PositionKey = tuple[str, str]  # (org unit, post)


@dataclass(frozen=True)
class HeldStep:
    """An unanswered step (pending or waiting) of a document in flight."""

    document_id: str
    stage_index: int
    stage_kind: str
    assignee_id: str


def day_before(plan: TransferPlan) -> date:
    return plan.effective_on - timedelta(days=1)


def leaving_staff(plan: TransferPlan) -> set[str]:
    """Who leaves a position (an ``end`` row, or any holder of an abolished post or unit is named in ``end``)."""
    return {row.staff_id for row in plan.end}


def leavers(plan: TransferPlan) -> set[str]:
    """Who leaves the service (退職・離職) on the effective date: their accounts are deactivated at the apply."""
    return {row.staff_id for row in plan.leavers}


def named_staff(plan: TransferPlan) -> set[str]:
    """Every staff member the plan names (ends, starts, leavers)."""
    return {r.staff_id for r in (*plan.end, *plan.start)} | leavers(plan)


def abolished(plan: TransferPlan) -> set[PositionKey]:
    return {(p.org_unit, p.post) for p in plan.abolished_posts}


def check_plan(
    plan: TransferPlan,
    *,
    today: date,
    staff: Collection[str],
    org_units: Collection[str],
    posts: Collection[str],
    held: Collection[tuple[str, str, str]],
    occupied: Collection[tuple[str, str, str]] = (),
) -> None:
    """Raise ``Invalid`` naming the first offending row; nothing is stored when this raises.

    Args:
        today: today in Japan; the effective date may not be earlier.
        staff, org_units, posts: what ringi's org mirror knows.
        held: (staff, org unit, post) held the day before the effective date by the staff the plan names.
        occupied: (staff, org unit, post) held the day before in the units and posts the plan abolishes; each
            must be ended by the plan (nobody may be left in a post that no longer exists).
    """
    if plan.effective_on < today:
        raise Invalid(f"effective_on {plan.effective_on} is in the past (today is {today})")
    units = set(org_units)
    new_units = [u.code for u in plan.new_org_units]
    for i, unit in enumerate(plan.new_org_units):
        if unit.code in units or new_units.index(unit.code) != i:
            raise Invalid(f"new_org_units[{i}]: org unit {unit.code!r} already exists")
        if unit.parent_code is not None and unit.parent_code not in units and unit.parent_code not in new_units:
            raise Invalid(f"new_org_units[{i}]: unknown parent org unit {unit.parent_code!r}")
    for i, code in enumerate(plan.abolished_org_units):
        if code not in units:
            raise Invalid(f"abolished_org_units[{i}]: unknown org unit {code!r}")
    all_units = units | set(new_units)
    all_posts = set(posts) | {p.code for p in plan.new_posts}
    for i, post in enumerate(plan.new_posts):
        if post.code in posts:
            raise Invalid(f"new_posts[{i}]: post {post.code!r} already exists")
    for i, position in enumerate(plan.abolished_posts):
        _check_position(f"abolished_posts[{i}]", position, all_units, all_posts)
    known = set(staff)
    ended = set()
    for i, row in enumerate(plan.end):
        where = f"end[{i}]"
        _check_staff(where, row.staff_id, known)
        _check_position(where, row, all_units, all_posts)
        if (row.staff_id, row.org_unit, row.post) not in held:
            raise Invalid(f"{where}: {row.staff_id} does not hold {row.post} in {row.org_unit} on {day_before(plan)}")
        ended.add((row.staff_id, row.org_unit, row.post))
    gone = set(plan.abolished_org_units)
    closed = abolished(plan)
    for occupant in sorted(occupied):
        _, unit_code, post_code = occupant
        if (unit_code in gone or (unit_code, post_code) in closed) and occupant not in ended:
            raise Invalid(f"{post_code} in {unit_code} is abolished but {occupant[0]} still holds it: add them to end")
    for i, row in enumerate(plan.start):
        where = f"start[{i}]"
        _check_staff(where, row.staff_id, known)
        _check_position(where, row, all_units, all_posts)
        if row.org_unit in gone or (row.org_unit, row.post) in closed:
            raise Invalid(f"{where}: {row.post} in {row.org_unit} is abolished by this transfer")
        if (row.staff_id, row.org_unit, row.post) in held and (row.staff_id, row.org_unit, row.post) not in ended:
            raise Invalid(f"{where}: {row.staff_id} already holds {row.post} in {row.org_unit}")
    _check_leavers(plan, known, held, ended)


def _check_leavers(
    plan: TransferPlan, known: set[str], held: Collection[tuple[str, str, str]], ended: set[tuple[str, str, str]]
) -> None:
    """A leaver is known, named once, ends every post they hold the day before and starts none."""
    starting = {row.staff_id for row in plan.start}
    seen: set[str] = set()
    for i, row in enumerate(plan.leavers):
        where = f"leavers[{i}]"
        _check_staff(where, row.staff_id, known)
        if row.staff_id in seen:
            raise Invalid(f"{where}: {row.staff_id} is named twice")
        seen.add(row.staff_id)
        if row.staff_id in starting:
            raise Invalid(f"{where}: {row.staff_id} leaves the service but starts a post in start")
        for staff_id, unit, post in sorted(held):
            if staff_id == row.staff_id and (staff_id, unit, post) not in ended:
                raise Invalid(f"{where}: {staff_id} leaves but still holds {post} in {unit}: add it to end")


def _check_staff(where: str, staff_id: str, known: set[str]) -> None:
    if staff_id not in known:
        raise Invalid(f"{where}: unknown staff {staff_id!r}")


def _check_position(where: str, position: Position, units: set[str], posts: set[str]) -> None:
    if position.org_unit not in units:
        raise Invalid(f"{where}: unknown org unit {position.org_unit!r}")
    if position.post not in posts:
        raise Invalid(f"{where}: unknown post {position.post!r}")


def holders_after(plan: TransferPlan, holders_on: Mapping[PositionKey, Iterable[str]]) -> dict[PositionKey, list[str]]:
    """Who holds each position on the effective date once the transfer is written (idempotent: the same
    answer whether ``holders_on`` was read before or after writing it)."""
    after = {key: set(ids) for key, ids in holders_on.items()}
    for row in plan.end:
        after.setdefault((row.org_unit, row.post), set()).discard(row.staff_id)
    for row in plan.start:
        after.setdefault((row.org_unit, row.post), set()).add(row.staff_id)
    return {key: sorted(ids) for key, ids in after.items()}


def plan_moves(
    plan: TransferPlan,
    steps: Iterable[HeldStep],
    holders_on: Mapping[PositionKey, Iterable[str]],
) -> list[TransferMove]:
    """Every unanswered step whose assignee leaves their post, with where it goes.

    Args:
        steps: unanswered steps of documents in flight held by leaving staff.
        holders_on: holders on the effective date of the positions the leaving staff leave.
    """
    left: dict[str, list[PositionKey]] = {}
    for row in plan.end:
        left.setdefault(row.staff_id, []).append((row.org_unit, row.post))
    after = holders_after(plan, holders_on)
    gone = set(plan.abolished_org_units)
    closed = abolished(plan)
    moves = []
    for step in sorted(steps, key=lambda s: (s.document_id, s.stage_index, s.assignee_id)):
        positions = left.get(step.assignee_id)
        if not positions:
            continue
        unit, post = positions[0]
        base = {
            "document_id": step.document_id,
            "stage_index": step.stage_index,
            "stage_kind": step.stage_kind,
            "old_assignee_id": step.assignee_id,
            "org_unit": unit,
            "post": post,
        }
        successors = [s for s in after.get((unit, post), []) if s != step.assignee_id]
        if unit in gone or (unit, post) in closed:
            moves.append(TransferMove(**base, outcome="needs_decision", reason="post abolished -> needs a decision"))
        elif not successors:
            moves.append(TransferMove(**base, outcome="needs_decision", reason="post vacant -> needs a decision"))
        else:
            moves.append(TransferMove(**base, new_assignee_id=successors[0], outcome="reassign"))
    return moves


def positions_of_interest(plan: TransferPlan) -> set[PositionKey]:
    """The positions whose holders on the effective date the plan needs."""
    return {(row.org_unit, row.post) for row in plan.end}
