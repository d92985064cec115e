"""Who may register or cancel a 不在 (absence: 休暇, 出張) for whom — absences switch on 代決, so this is a power.

Anyone for themselves; for someone else only an administrator, an HR administrator (人事担当: the ``hr_admin``
role granted in the org data — not every member of 人事課), or the 庶務 of that person's own 課: a 係長 or above
of the same org unit, ranked above them.  Nobody else, the 市長's colleagues in 人事課 included.
"""

from __future__ import annotations

from schemas.org import POST_RANKS, StaffRef

#: The role that lets its holder register absences for anyone.
HR_ADMIN_ROLE = "hr_admin"
#: 係長 and above act as 庶務 for their 課.
CLERK_RANK = POST_RANKS["chief"]


def may_register_for(
    actor_id: str,
    target_id: str,
    *,
    is_admin: bool,
    roles: frozenset[str],
    actor: StaffRef | None,
    target: StaffRef | None,
) -> bool:
    """Whether ``actor_id`` may register (or cancel) an absence of ``target_id``; ``actor`` / ``target`` are their
    posts today (None if they hold none)."""
    if actor_id == target_id or is_admin or HR_ADMIN_ROLE in roles:
        return True
    if actor is None or target is None or actor.org_unit.code != target.org_unit.code:
        return False
    mine, theirs = POST_RANKS.get(actor.post.code, 0), POST_RANKS.get(target.post.code, 0)
    return mine >= CLERK_RANK and mine > theirs


def may_register_for_others(*, is_admin: bool, roles: frozenset[str], actor: StaffRef | None) -> bool:
    """Whether ``actor`` may register an absence for anybody but themselves at all (which persons, ``may_register_for``
    says): an administrator, an HR administrator, or a 係長 and above (as 庶務 of their 課)."""
    if is_admin or HR_ADMIN_ROLE in roles:
        return True
    return actor is not None and POST_RANKS.get(actor.post.code, 0) >= CLERK_RANK
