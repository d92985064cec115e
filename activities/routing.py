"""Route resolution (activity): document facts + the org chart from HR -> stages with assignees.

For now the default 支出負担行為 matrix decides the level; the versioned rulebook replaces it later.
"""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.authority import FINANCE_DIVISION, LEVELS, decider_band, general_affairs_rule, needs_finance_consult
from integrations.hr import HrClient, HrNotFound
from schemas.document import DocumentFacts, Route, RouteRequest, Stage
from schemas.general_affairs import ESCALATION_NAMES
from schemas.org import POST_RANKS, OrgUnit, StaffRef


def unit_for_level(level: str, unit: OrgUnit) -> str | None:
    """Which org unit's holder of ``level`` is on the line above a document of ``unit``."""
    if level == "manager":
        return unit.code if unit.kind == "division" else None
    if level == "director":
        return unit.parent_code if unit.kind == "division" else unit.code if unit.kind == "department" else None
    return "executive"


_FLAG_NAMES = {"important": "重要", "unusual": "異例", "precedent": "先例", "doubtful": "疑義"}


def _escalated(level: str, citation: str, request: RouteRequest) -> tuple[str, str]:
    """重要・異例・先例・疑義 matters, and those whose 合議 failed, are decided one level up."""
    why = [_FLAG_NAMES[f] for f in request.facts.flags] + [
        _escalation_name(e, request.facts) for e in request.facts.escalations
    ]
    if request.escalate:
        why.append("合議不調")
    if not why or level == LEVELS[-1]:
        return level, citation
    return LEVELS[LEVELS.index(level) + 1], f"{citation} → {'・'.join(why)}のため一段上位"


def _escalation_name(escalation: str, facts: DocumentFacts) -> str:
    if escalation == "overtime_month_over_20h" and facts.overtime_month_hours is not None:
        return f"{ESCALATION_NAMES[escalation]} (当月計 {facts.overtime_month_hours:g}時間)"
    return ESCALATION_NAMES[escalation]


def decider_rule(facts: DocumentFacts) -> tuple[str, str]:
    """The level the matrix names for the document, and the row it cites (before escalations)."""
    if facts.details is not None:
        rule = general_affairs_rule(facts.details)
        return rule.level, rule.citation
    band = decider_band(facts.amount_yen)
    return band.level, band.citation


def _above_requester(level: str, citation: str, requester: StaffRef) -> tuple[str, str]:
    """Nobody grants their own 庶務 request: a 課長's leave goes to the 部長, a 部長's to the 副市長."""
    rank = POST_RANKS.get(requester.post.code, 0)
    higher = [step for step in LEVELS if POST_RANKS[step] > rank]
    if POST_RANKS[level] > rank or not higher:
        return level, citation
    return higher[0], f"{citation} → 本人が{requester.post.name}のため上位"


class RouteUnresolvable(Exception):
    """The rules and the org chart give no complete route (nobody holds a post, unknown drafter …)."""


class RouteActivities:
    def __init__(self, hr: HrClient) -> None:
        self._hr = hr

    @activity.defn(name="resolve_route")
    async def resolve_route(self, request: RouteRequest) -> Route:
        try:
            route = await RouteResolver(self._hr).resolve(request)
        except RouteUnresolvable as exc:
            raise ApplicationError(str(exc), type="RouteUnresolvable", non_retryable=True) from exc
        activity.logger.info("route resolved for %s: %d stages", request.document_id, len(route.stages))
        return route


class RouteResolver:
    """Shared by the activity and the API's route preview (a read-only look-up)."""

    def __init__(self, hr: HrClient) -> None:
        self._hr = hr

    async def resolve(self, request: RouteRequest) -> Route:
        """回議 up the drafter's line to the decider, 合議 with 財政課 when the amount requires it, then 決裁."""
        try:
            drafter = await self._hr.get_staff(request.drafter_id)
            unit = await self._hr.get_org_unit(request.facts.org_unit_code)
        except HrNotFound as exc:
            raise RouteUnresolvable(str(exc)) from exc
        level, citation = _escalated(*decider_rule(request.facts), request)
        if request.facts.details is not None:
            level, citation = _above_requester(level, citation, drafter)
        decider_unit = unit_for_level(level, unit)
        if decider_unit is None:
            raise RouteUnresolvable(f"no {level} above org unit {unit.code}")
        line: list[StaffRef] = []
        for step in LEVELS[: LEVELS.index(level) + 1]:
            step_unit = unit_for_level(step, unit)
            # Nobody reviews their own draft, nor does anyone below the drafter.
            if step_unit is not None and POST_RANKS[step] > POST_RANKS.get(drafter.post.code, 0):
                line.append(await self._holder(step, step_unit))
        if not line:
            raise RouteUnresolvable(f"the drafter ({drafter.post.name}) is above the deciding level {level}")
        stages = [Stage(kind="review", assignees=(h,), reason=f"回議: {h.post.name}") for h in line[:-1]]
        if needs_finance_consult(request.facts.amount_yen) and unit.code != FINANCE_DIVISION:
            finance = await self._holder("manager", FINANCE_DIVISION)
            stages.append(Stage(kind="consult", assignees=(finance,), reason="合議: 支出100万円以上は財政課"))
        if request.facts.consult_units:
            members = tuple([await self._holder("manager", code) for code in request.facts.consult_units])
            stages.append(
                Stage(kind="consult", assignees=members, quorum=request.facts.consult_quorum, reason="合議: 起案者指定")
            )
        stages.append(Stage(kind="decide", assignees=(line[-1],), reason=citation))
        if request.facts.readers:
            readers = tuple([await self._staff(r) for r in request.facts.readers])
            stages.append(Stage(kind="circulate", assignees=readers, reason="供覧: 起案者指定"))
        return Route(stages=tuple(stages))

    async def _staff(self, staff_id: str) -> StaffRef:
        try:
            return await self._hr.get_staff(staff_id)
        except HrNotFound as exc:
            raise RouteUnresolvable(f"unknown reader {staff_id}") from exc

    async def _holder(self, level: str, unit: str) -> StaffRef:
        try:
            holders = await self._hr.holders(unit, level)
        except HrNotFound as exc:
            raise RouteUnresolvable(f"unknown org unit {unit}") from exc
        if not holders:
            raise RouteUnresolvable(f"nobody holds post {level} in {unit}")
        return holders[0]
