"""Route resolution (activity): document facts + the rulebook version in force + the org chart as of a date ->
stages with assignees, each citing the rulebook row that put it there.

- 回議: up the drafter's direct line, from the first post above the drafter to the decider (決裁の順序).
- 決裁: the level ``rules.evaluate.rule_on`` gives (authority matrix, escalation, non-delegable rows).
- 合議 (mandatory ones from the rulebook, then those the drafter names): a division of the drafter's own
  department right after the drafting 課長; another department after the drafting 部長 when the 部長 is not the
  decider (otherwise before the decider); always before the decision.
- 供覧: the readers the drafter names, after the decision.

The rulebook version is the one pinned in the facts (the version in force when the document was first
submitted) or else the one in force on ``as_of``; every HR look-up is as of that same date.
"""

from __future__ import annotations

from datetime import date

from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.clock import today_in_japan
from integrations.hr import HrClient, HrNotFound
from rules.evaluate import LEVELS, NoRule, Ruling, rule_on
from rules.sources import RulebookSource
from schemas.document import DocumentFacts, Route, RouteRequest, Stage
from schemas.org import POST_RANKS, OrgUnit, StaffRef
from schemas.rules import ConsultRule, Rulebook


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
    return rule_on(
        book,
        matter=facts.matter,
        expense_class=(facts.expense_class or "other") if classed else None,
        quantities=quantities_of(facts),
        flags=facts.flags,
        consult_failed=consult_failed,
    )


def _above_requester(level: str, requester: StaffRef) -> tuple[str, str]:
    """Nobody grants their own 庶務 request: a 課長's leave goes to the 部長, a 部長's to the 副市長."""
    rank = POST_RANKS.get(requester.post.code, 0)
    higher = [step for step in LEVELS if POST_RANKS[step] > rank]
    if POST_RANKS[level] > rank or not higher:
        return level, ""
    return higher[0], f" → 本人が{requester.post.name}のため上位"


class RouteUnresolvable(Exception):
    """The rules and the org chart give no complete route (nobody holds a post, unknown drafter, no rulebook …)."""


class RouteActivities:
    def __init__(self, hr: HrClient, rulebooks: RulebookSource) -> None:
        self._hr = hr
        self._rulebooks = rulebooks

    @activity.defn(name="resolve_route")
    async def resolve_route(self, request: RouteRequest) -> Route:
        try:
            route = await RouteResolver(self._hr, self._rulebooks).resolve(request)
        except RouteUnresolvable as exc:
            raise ApplicationError(str(exc), type="RouteUnresolvable", non_retryable=True) from exc
        activity.logger.info("route resolved for %s: %d stages", request.document_id, len(route.stages))
        return route


class RouteResolver:
    """Shared by the activity and the API's route preview (a read-only look-up)."""

    def __init__(self, hr: HrClient, rulebooks: RulebookSource) -> None:
        self._hr = hr
        self._rulebooks = rulebooks

    async def rulebook(self, facts: DocumentFacts, on: date) -> Rulebook:
        """The pinned version, or the one in force ``on``."""
        if facts.rulebook_version:
            book = await self._rulebooks.version(facts.rulebook_version)
            if book is None:
                raise RouteUnresolvable(f"unknown rulebook version {facts.rulebook_version}")
            return book
        book = await self._rulebooks.in_force(on)
        if book is None:
            raise RouteUnresolvable(f"no rulebook version is in force on {on}")
        return book

    async def resolve(self, request: RouteRequest) -> Route:
        on = request.as_of or today_in_japan()
        facts = request.facts
        book = await self.rulebook(facts, on)
        try:
            ruling = ruling_for(book, facts, consult_failed=request.escalate)
        except NoRule as exc:
            raise RouteUnresolvable(str(exc)) from exc
        try:
            drafter = await self._hr.get_staff(request.drafter_id, as_of=on)
            unit = await self._hr.get_org_unit(facts.org_unit_code, as_of=on)
        except HrNotFound as exc:
            raise RouteUnresolvable(str(exc)) from exc
        level, above_self = _above_requester(ruling.level, drafter) if facts.details else (ruling.level, "")
        line = await self._line(level, unit, drafter, on)
        *reviews, (_, decider) = line
        review_cite = book.review_citation or ruling.authority.citation
        slots = await self._consult_slots(ruling, facts, unit, [lvl for lvl, _ in reviews], on)
        stages: list[Stage] = list(slots.get(0, []))
        for position, (_, reviewer) in enumerate(reviews, start=1):
            stages.append(
                Stage(kind="review", assignees=(reviewer,), reason=f"回議: {reviewer.post.name}", rule=review_cite)
            )
            stages.extend(slots.get(position, []))
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
            readers = tuple([await self._staff(r, on) for r in facts.readers])
            stages.append(Stage(kind="circulate", assignees=readers, reason="供覧: 起案者指定"))
        return Route(stages=tuple(stages), rulebook_version=book.id)

    async def _line(self, level: str, unit: OrgUnit, drafter: StaffRef, on: date) -> list[tuple[str, StaffRef]]:
        """(level, holder) from the first post above the drafter up to the decider, who is last."""
        if unit_for_level(level, unit) is None:
            raise RouteUnresolvable(f"no {level} above org unit {unit.code}")
        line: list[tuple[str, StaffRef]] = []
        for step in LEVELS[: LEVELS.index(level) + 1]:
            step_unit = unit_for_level(step, unit)
            # Nobody reviews their own draft, nor does anyone below the drafter.
            if step_unit is not None and POST_RANKS[step] > POST_RANKS.get(drafter.post.code, 0):
                line.append((step, await self._holder(step, step_unit, on)))
        if not line:
            raise RouteUnresolvable(f"the drafter ({drafter.post.name}) is above the deciding level {level}")
        return line

    async def _consult_slots(
        self, ruling: Ruling, facts: DocumentFacts, unit: OrgUnit, review_levels: list[str], on: date
    ) -> dict[int, list[Stage]]:
        """合議 stages by position (the number of reviews before them)."""
        own_department = department_of(unit)
        after_manager = sum(1 for lvl in review_levels if POST_RANKS[lvl] <= POST_RANKS["manager"])
        after_director = sum(1 for lvl in review_levels if POST_RANKS[lvl] <= POST_RANKS["director"])

        async def position(code: str) -> int:
            other = await self._unit(code, on)
            same = own_department is not None and department_of(other) == own_department
            return after_manager if same else after_director

        slots: dict[int, list[Stage]] = {}
        mandatory: list[ConsultRule] = [c for c in ruling.consultations if c.org_unit != unit.code]
        for consult in mandatory:
            holder = await self._holder(consult.post, consult.org_unit, on)
            stage = Stage(
                kind="consult",
                assignees=(holder,),
                reason=f"合議: {holder.org_unit.name}{holder.post.name}"
                + (f" ({consult.note})" if consult.note else ""),
                rule=consult.citation,
            )
            slots.setdefault(await position(consult.org_unit), []).append(stage)
        named = [c for c in facts.consult_units if c not in {m.org_unit for m in mandatory}]
        groups: dict[int, list[str]] = {}
        for code in named:
            groups.setdefault(await position(code), []).append(code)
        if facts.consult_quorum is not None and groups:
            groups = {max(groups): named}  # a quorum counts the whole group: keep it together, the later place
        for at, codes in groups.items():
            members = tuple([await self._holder("manager", code, on) for code in codes])
            stage = Stage(kind="consult", assignees=members, quorum=facts.consult_quorum, reason="合議: 起案者指定")
            slots.setdefault(at, []).append(stage)
        return slots

    async def _unit(self, code: str, on: date) -> OrgUnit:
        try:
            return await self._hr.get_org_unit(code, as_of=on)
        except HrNotFound as exc:
            raise RouteUnresolvable(f"unknown org unit {code}") from exc

    async def _staff(self, staff_id: str, on: date) -> StaffRef:
        try:
            return await self._hr.get_staff(staff_id, as_of=on)
        except HrNotFound as exc:
            raise RouteUnresolvable(f"unknown reader {staff_id}") from exc

    async def _holder(self, level: str, unit: str, on: date) -> StaffRef:
        try:
            holders = await self._hr.holders(unit, level, as_of=on)
        except HrNotFound as exc:
            raise RouteUnresolvable(f"unknown org unit {unit}") from exc
        if not holders:
            raise RouteUnresolvable(f"nobody holds post {level} in {unit} on {on}")
        return holders[0]
