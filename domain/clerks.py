"""代理申請: who may draft and submit a 庶務 request (休暇・時間外勤務・出張) on behalf of a colleague.

The power is a grant, not a rank: the 庶務担当 of an org unit is named by an administrator or 人事担当 (``hr_admin``)
for a period (``valid_from`` … ``valid_to``, both inclusive; open-ended when ``valid_to`` is None).  Its holder
drafts a request for a staff member holding a post in that same unit on the day; the person stays the requester
(``drafter_id``: HR posting, limits, balances and 取下げ follow them), the clerk is the drafter of record
(``drafted_by``).  This sits beside ``domain.absences.may_register_for``, the rank-based rule for 不在.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from domain.absences import HR_ADMIN_ROLE
from schemas.general_affairs import AFFAIR_MATTERS

#: The grant's name (``clerk_grants``).
CLERK_GRANT = "shomu_clerk"


@dataclass(frozen=True)
class ClerkGrant:
    """One grant: ``staff_id`` is 庶務担当 of ``org_unit_code`` from ``valid_from`` to ``valid_to`` (inclusive)."""

    staff_id: str
    org_unit_code: str
    valid_from: date
    valid_to: date | None = None

    def covers(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


def may_grant(*, is_admin: bool, roles: Collection[str]) -> bool:
    """付与・取消し and the list of every grant: an administrator or 人事担当 (``hr_admin``)."""
    return is_admin or HR_ADMIN_ROLE in roles


def check_grant_period(valid_from: date, valid_to: date | None) -> str | None:
    """Why a grant's period is not one (None if it is)."""
    if valid_to is not None and valid_to < valid_from:
        return "付与期間の終了日が開始日より前です"
    return None


def refusal_to_draft_for(
    *,
    actor_id: str,
    target_id: str,
    matter: str,
    target_unit: str | None,
    grants: Iterable[ClerkGrant],
    on: date,
) -> str | None:
    """Why ``actor_id`` may not file a ``matter`` request for ``target_id`` on ``on`` (None if they may).

    ``target_unit`` is the person's org unit that day (None if they hold no post), ``grants`` the actor's grants.
    """
    if actor_id == target_id:
        return "代理申請は他の職員のための申請です(本人の申請は通常どおり起案してください)"
    if matter not in AFFAIR_MATTERS:
        return "代理申請できるのは庶務の申請(休暇・時間外勤務・出張)だけです"
    mine = [g for g in grants if g.staff_id == actor_id]
    if not mine:
        return "あなたには庶務担当(代理申請)の権限がありません"
    current = [g for g in mine if g.covers(on)]
    if not current:
        return f"あなたの庶務担当の権限は {on.isoformat()} には有効ではありません(付与期間外)"
    if target_unit is None:
        return f"{target_id} は本日いずれの所属にも配置されていません"
    if not any(g.org_unit_code == target_unit for g in current):
        return f"{target_id} はあなたが庶務担当を務める所属の職員ではありません"
    return None


def may_submit_for(*, drafter_id: str, drafted_by: str | None, actor_id: str) -> bool:
    """提出 of a 代理申請: the person, or the 庶務担当 who drafted it for them (their grant is checked apart)."""
    return actor_id == drafter_id or (drafted_by is not None and actor_id == drafted_by)


def may_resubmit_for(*, drafter_id: str, drafted_by: str | None, actor_id: str) -> bool:
    """再提出 after a 差戻し (or 引戻し): the same people as 提出 — the person, or the 庶務担当 who filed it for them
    (the grant still holding today is checked apart, as at submit).  取下げ stays the person's alone."""
    return may_submit_for(drafter_id=drafter_id, drafted_by=drafted_by, actor_id=actor_id)
