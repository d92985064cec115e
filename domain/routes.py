"""Route building (pure): document facts + a rulebook version + an org snapshot -> stages with assignees, each
citing the rulebook row that put it there.

- 回議: up the drafter's direct line, from the first post above the drafter to the decider (決裁の順序).
- 決裁: the level ``domain.rulebook.evaluate.rule_on`` gives (authority matrix, escalation, non-delegable rows);
  nobody grants their own 庶務 request (a 課長's leave goes to the 部長).
- 合議 (mandatory ones from the rulebook, then those the drafter names): a division of the drafter's own
  department right after the drafting 課長; another department after the drafting 部長 when the 部長 is not the
  decider (otherwise before the decider); always before the decision.
- 文書審査 (法規審査): the holder of the examination row's post in its unit (e.g. 総務課長 for 条例・規則案), right
  before the decider; they approve or send back, like a 回議.
- 供覧: the readers the drafter names, after the decision.

Building happens in two passes over the same rules: ``lookups`` says which HR facts a route needs (so that they
are gathered once each, see ``integrations.org_snapshot``), ``build_route`` builds the route from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from domain.levels import LEVELS
from domain.rulebook.evaluate import NoRule, Ruling, rule_on, with_special_case
from schemas.document import DocumentFacts, Route, Stage
from schemas.general_affairs import OvertimeDetails
from schemas.org import POST_RANKS, OrgUnit, StaffRef
from schemas.rules import ConsultRule, Rulebook


class RouteUnresolvable(Exception):
    """The rules and the org chart give no complete route (nobody holds a post, unknown drafter, no rulebook …)."""


@dataclass(frozen=True)
class OrgSnapshot:
    """What HR says, as of one day, that one route needs (a key HR did not know is absent)."""

    on: date
    drafter: StaffRef
    unit: OrgUnit
    #: The org units 合議 name, by code.
    units: Mapping[str, OrgUnit] = field(default_factory=dict)
    #: (post, org unit) -> the holders of that post there (first first).
    holders: Mapping[tuple[str, str], tuple[StaffRef, ...]] = field(default_factory=dict)
    #: The 供覧 readers, by staff id.
    readers: Mapping[str, StaffRef] = field(default_factory=dict)


@dataclass(frozen=True)
class Lookups:
    """The HR facts a route needs beyond the drafter and their unit (each asked once)."""

    units: frozenset[str]
    holders: frozenset[tuple[str, str]]
    readers: frozenset[str]


def unit_for_level(level: str, unit: OrgUnit) -> str | None:
    """Which org unit's holder of ``level`` is on the line above a document of ``unit``."""
    if level == "manager":
        return unit.code if unit.kind == "division" else None
    if level == "director":
        return unit.parent_code if unit.kind == "division" else unit.code if unit.kind == "department" else None
    return "executive"


def department_of(unit: OrgUnit) -> str | None:
    return unit.parent_code if unit.kind == "division" else unit.code if unit.kind == "department" else None


def quantities_of(facts: DocumentFacts) -> dict[str, float | int | None]:
    """The facts a band can measure (see ``schemas.rules.QUANTITIES``)."""
    return {
        "amount_yen": facts.amount_yen,
        "days": facts.days,
        "hours": facts.hours,
        "monthly_overtime_hours": facts.monthly_overtime_hours,
    }


def ruling_for(book: Rulebook, facts: DocumentFacts, *, consult_failed: bool = False) -> Ruling:
    """``rule_on`` for a document: spending and contracts without an expense class are その他."""
    classed = facts.matter in ("spending", "contract")
    ruling = rule_on(
        book,
        matter=facts.matter,
        expense_class=(facts.expense_class or "other") if classed else None,
        quantities=quantities_of(facts),
        flags=facts.flags,
        consult_failed=consult_failed,
        category=facts.category if facts.matter == "general" else None,
    )
    details = facts.details
    if isinstance(details, OvertimeDetails) and details.special_case and book.overtime_limits is not None:
        ruling = with_special_case(ruling, book.overtime_limits.special_case)  # 特例業務
    return ruling


def route_ruling(book: Rulebook, facts: DocumentFacts, *, escalate: bool = False) -> Ruling:
    """``ruling_for``, refusing as ``RouteUnresolvable`` when the rulebook has no band for the matter."""
    try:
        return ruling_for(book, facts, consult_failed=escalate)
    except NoRule as exc:
        raise RouteUnresolvable(str(exc)) from exc


def rulebook_for(book: Rulebook | None, facts: DocumentFacts, on: date) -> Rulebook:
    """The version a route follows: the pinned one (``facts.rulebook_version``), else the one in force ``on``;
    ``book`` is what the caller found for that question (None: nothing)."""
    if book is None:
        if facts.rulebook_version:
            raise RouteUnresolvable(f"unknown rulebook version {facts.rulebook_version}")
        raise RouteUnresolvable(f"no rulebook version is in force on {on}")
    return book


def _decider_level(ruling: Ruling, facts: DocumentFacts, requester: StaffRef) -> tuple[str, str]:
    """Nobody grants their own 庶務 request: a 課長's leave goes to the 部長, a 部長's to the 副市長."""
    if not facts.details:
        return ruling.level, ""
    rank = POST_RANKS.get(requester.post.code, 0)
    higher = [step for step in LEVELS if POST_RANKS[step] > rank]
    if POST_RANKS[ruling.level] > rank or not higher:
        return ruling.level, ""
    return higher[0], f" → 本人が{requester.post.name}のため上位"


def _line_posts(level: str, unit: OrgUnit, drafter: StaffRef) -> list[tuple[str, str]]:
    """(level, org unit) from the first post above the drafter up to the decider, who is last."""
    if unit_for_level(level, unit) is None:
        raise RouteUnresolvable(f"no {level} above org unit {unit.code}")
    line: list[tuple[str, str]] = []
    for step in LEVELS[: LEVELS.index(level) + 1]:
        step_unit = unit_for_level(step, unit)
        # Nobody reviews their own draft, nor does anyone below the drafter.
        if step_unit is not None and POST_RANKS[step] > POST_RANKS.get(drafter.post.code, 0):
            line.append((step, step_unit))
    if not line:
        raise RouteUnresolvable(f"the drafter ({drafter.post.name}) is above the deciding level {level}")
    return line


def _mandatory(ruling: Ruling, unit: OrgUnit) -> list[ConsultRule]:
    return [c for c in ruling.consultations if c.org_unit != unit.code]


def _named(facts: DocumentFacts, mandatory: list[ConsultRule]) -> list[str]:
    return [c for c in facts.consult_units if c not in {m.org_unit for m in mandatory}]


def lookups(book: Rulebook, facts: DocumentFacts, drafter: StaffRef, unit: OrgUnit, *, escalate: bool) -> Lookups:
    """What ``build_route`` will ask of the snapshot beyond the drafter and their unit."""
    ruling = route_ruling(book, facts, escalate=escalate)
    level, _ = _decider_level(ruling, facts, drafter)
    holders = set(_line_posts(level, unit, drafter))
    mandatory = _mandatory(ruling, unit)
    named = _named(facts, mandatory)
    holders |= {(c.post, c.org_unit) for c in mandatory} | {("manager", code) for code in named}
    holders |= {(e.post, e.org_unit) for e in ruling.examinations}
    units = {c.org_unit for c in mandatory} | set(named)
    return Lookups(units=frozenset(units), holders=frozenset(holders), readers=frozenset(facts.readers))


def build_route(book: Rulebook, facts: DocumentFacts, org: OrgSnapshot, *, escalate: bool = False) -> Route:
    """The route of a document under ``book`` with the org chart ``org`` (``escalate``: 合議不調 moves it up)."""
    ruling = route_ruling(book, facts, escalate=escalate)
    level, above_self = _decider_level(ruling, facts, org.drafter)
    line = [(step, _holder(org, step, code)) for step, code in _line_posts(level, org.unit, org.drafter)]
    *reviews, (_, decider) = line
    review_cite = book.review_citation or ruling.authority.citation
    slots = _consult_slots(ruling, facts, org, [lvl for lvl, _ in reviews])
    stages: list[Stage] = list(slots.get(0, []))
    for position, (_, reviewer) in enumerate(reviews, start=1):
        stages.append(
            Stage(kind="review", assignees=(reviewer,), reason=f"回議: {reviewer.post.name}", rule=review_cite)
        )
        stages.extend(slots.get(position, []))
    stages = _examined(stages, _examinations(ruling, org), decider)
    stages.append(
        Stage(
            kind="decide",
            assignees=(decider,),
            reason=ruling.reason + above_self,
            rule=ruling.citation,
            substitute_allowed=ruling.substitute_allowed,
        )
    )
    if facts.readers:
        readers = tuple(_reader(org, r) for r in facts.readers)
        stages.append(Stage(kind="circulate", assignees=readers, reason="供覧: 起案者指定"))
    return Route(stages=tuple(stages), rulebook_version=book.id)


def _consult_slots(
    ruling: Ruling, facts: DocumentFacts, org: OrgSnapshot, review_levels: list[str]
) -> dict[int, list[Stage]]:
    """合議 stages by position (the number of reviews before them)."""
    own_department = department_of(org.unit)
    after_manager = sum(1 for lvl in review_levels if POST_RANKS[lvl] <= POST_RANKS["manager"])
    after_director = sum(1 for lvl in review_levels if POST_RANKS[lvl] <= POST_RANKS["director"])

    def position(code: str) -> int:
        other = org.units.get(code)
        if other is None:
            raise RouteUnresolvable(f"unknown org unit {code}")
        same = own_department is not None and department_of(other) == own_department
        return after_manager if same else after_director

    slots: dict[int, list[Stage]] = {}
    mandatory = _mandatory(ruling, org.unit)
    for consult in mandatory:
        holder = _holder(org, consult.post, consult.org_unit)
        stage = Stage(
            kind="consult",
            assignees=(holder,),
            reason=f"合議: {holder.org_unit.name}{holder.post.name}" + (f" ({consult.note})" if consult.note else ""),
            rule=consult.citation,
        )
        slots.setdefault(position(consult.org_unit), []).append(stage)
    named = _named(facts, mandatory)
    groups: dict[int, list[str]] = {}
    for code in named:
        groups.setdefault(position(code), []).append(code)
    if facts.consult_quorum is not None and groups:
        groups = {max(groups): named}  # a quorum counts the whole group: keep it together, the later place
    for at, codes in groups.items():
        members = tuple(_holder(org, "manager", code) for code in codes)
        stage = Stage(kind="consult", assignees=members, quorum=facts.consult_quorum, reason="合議: 起案者指定")
        slots.setdefault(at, []).append(stage)
    return slots


def _examinations(ruling: Ruling, org: OrgSnapshot) -> list[Stage]:
    """文書審査 (法規審査): one stage per examination row, in the rulebook's order, just before the decision."""
    stages = []
    for row in ruling.examinations:
        examiner = _holder(org, row.post, row.org_unit)
        note = f" ({row.note})" if row.note else ""
        reason = f"文書審査: {examiner.org_unit.name}{examiner.post.name}{note}"
        stages.append(Stage(kind="examine", assignees=(examiner,), reason=reason, rule=row.citation))
    return stages


def _examined(stages: list[Stage], examinations: list[Stage], decider: StaffRef) -> list[Stage]:
    """Add the 文書審査 stages before the decision, except where the examiner already signs the document: a
    reviewer who is also the examiner (a 総務課 draft examined by 総務課長) examines at their 回議 step, and a
    decider who is also the examiner examines in deciding; nobody is asked twice."""
    stages = list(stages)
    for examination in examinations:
        examiner = examination.assignees[0]
        if examiner.id == decider.id:
            continue
        at = next((n for n, s in enumerate(stages) if s.kind == "review" and s.assignees[0].id == examiner.id), None)
        if at is None:
            stages.append(examination)
        else:
            reason = examination.reason.replace("文書審査: ", "文書審査 (回議を兼ねる): ", 1)
            rule = f"{stages[at].rule} / {examination.rule}" if stages[at].rule else examination.rule
            stages[at] = examination.model_copy(update={"reason": reason, "rule": rule})
    return stages


def _holder(org: OrgSnapshot, post: str, unit: str) -> StaffRef:
    holders = org.holders.get((post, unit))
    if holders is None:
        raise RouteUnresolvable(f"unknown org unit {unit}")
    if not holders:
        raise RouteUnresolvable(f"nobody holds post {post} in {unit} on {org.on}")
    return holders[0]


def _reader(org: OrgSnapshot, staff_id: str) -> StaffRef:
    reader = org.readers.get(staff_id)
    if reader is None:
        raise RouteUnresolvable(f"unknown reader {staff_id}")
    return reader
