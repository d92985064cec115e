"""Who is offered 施行 (the drafter, the drafting division, an administrator; only while it is due) and who may
register absences for others at all (an administrator, an HR administrator, a 係長 and above as 庶務)."""

from __future__ import annotations

from domain.absences import HR_ADMIN_ROLE, may_register_for_others
from domain.records import issuance_due, may_issue
from schemas.org import OrgUnitRef, PostRef, StaffRef


def ref(post: str) -> StaffRef:
    return StaffRef(
        id="s1",
        name="例示 太郎",
        org_unit=OrgUnitRef(code="somu.somu", name="総務課"),
        post=PostRef(code=post, name=post),
    )


def test_issuance_is_due_once_after_the_decision_where_it_is_needed() -> None:
    assert issuance_due(status="approved", needs_issuance=True, issued=False)
    assert not issuance_due(status="approved", needs_issuance=True, issued=True)  # once
    assert not issuance_due(status="approved", needs_issuance=False, issued=False)  # 施行不要
    assert not issuance_due(status="in_review", needs_issuance=True, issued=False)  # before the decision
    assert not issuance_due(status="rejected", needs_issuance=True, issued=False)


def test_the_drafter_the_drafting_division_or_an_administrator_issues() -> None:
    assert may_issue("s1", "s1", is_admin=False, actor_unit=None, document_unit="somu.somu")
    assert may_issue("s2", "s1", is_admin=False, actor_unit="somu.somu", document_unit="somu.somu")
    assert may_issue("s2", "s1", is_admin=True, actor_unit=None, document_unit="somu.somu")
    assert not may_issue("s2", "s1", is_admin=False, actor_unit="somu.jinji", document_unit="somu.somu")
    assert not may_issue("s2", "s1", is_admin=False, actor_unit=None, document_unit="somu.somu")


def test_who_registers_absences_for_others_at_all() -> None:
    none: frozenset[str] = frozenset()
    assert may_register_for_others(is_admin=True, roles=none, actor=None)
    assert may_register_for_others(is_admin=False, roles=frozenset({HR_ADMIN_ROLE}), actor=ref("staff"))
    assert may_register_for_others(is_admin=False, roles=none, actor=ref("chief"))
    assert may_register_for_others(is_admin=False, roles=none, actor=ref("manager"))
    assert not may_register_for_others(is_admin=False, roles=none, actor=ref("staff"))
    assert not may_register_for_others(is_admin=False, roles=none, actor=None)
