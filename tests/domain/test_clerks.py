"""代理申請 (domain.clerks): the 庶務担当 grant, its dates and unit, and who may submit."""

from __future__ import annotations

from datetime import date

from domain import acting, clerks
from domain.clerks import ClerkGrant

GRANT = ClerkGrant("c1", "somu.somu", date(2026, 4, 1), date(2027, 3, 31))


def refusal(on: date, *, unit: str | None = "somu.somu", matter: str = "leave", target: str = "p1") -> str | None:
    return clerks.refusal_to_draft_for(
        actor_id="c1", target_id=target, matter=matter, target_unit=unit, grants=[GRANT], on=on
    )


def test_a_grant_covers_its_dates_inclusive() -> None:
    assert refusal(date(2026, 4, 1)) is None and refusal(date(2027, 3, 31)) is None
    assert "付与期間外" in (refusal(date(2026, 3, 31)) or "")
    assert "付与期間外" in (refusal(date(2027, 4, 1)) or "")
    assert ClerkGrant("c1", "x", date(2026, 4, 1)).covers(date(2099, 1, 1))


def test_only_its_units_staff_and_only_affairs() -> None:
    on = date(2026, 6, 1)
    assert "所属の職員ではありません" in (refusal(on, unit="somu.jinji") or "")
    assert "配置されていません" in (refusal(on, unit=None) or "")
    assert "庶務の申請" in (refusal(on, matter="spending") or "")
    assert "本人の申請" in (refusal(on, target="c1") or "")
    none = clerks.refusal_to_draft_for(
        actor_id="c2", target_id="p1", matter="trip", target_unit="somu.somu", grants=[GRANT], on=on
    )
    assert "権限がありません" in (none or "")


def test_the_person_or_their_clerk_submits() -> None:
    assert acting.may_submit(drafter_id="p1", actor_id="c1", status="draft", drafted_by="c1")
    assert acting.may_submit(drafter_id="p1", actor_id="p1", status="draft", drafted_by="c1")
    assert not acting.may_submit(drafter_id="p1", actor_id="c2", status="draft", drafted_by="c1")
    assert not acting.may_submit(drafter_id="p1", actor_id="c1", status="draft")
    assert clerks.check_grant_period(date(2026, 4, 1), date(2026, 3, 31)) is not None


def test_the_person_or_their_clerk_resubmits_and_only_admins_or_hr_grant() -> None:
    assert clerks.may_resubmit_for(drafter_id="p1", drafted_by="c1", actor_id="c1")
    assert clerks.may_resubmit_for(drafter_id="p1", drafted_by="c1", actor_id="p1")
    assert not clerks.may_resubmit_for(drafter_id="p1", drafted_by="c1", actor_id="c2")
    assert not clerks.may_resubmit_for(drafter_id="p1", drafted_by=None, actor_id="c1")
    assert clerks.may_grant(is_admin=True, roles=())
    assert clerks.may_grant(is_admin=False, roles={"hr_admin"})
    assert not clerks.may_grant(is_admin=False, roles={"records_office"})
