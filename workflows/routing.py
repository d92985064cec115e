"""Route resolution for DocumentWorkflow: the HR look-ups run in a local activity, the rules in ``domain/``."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

from domain import chain
from domain.consult import ONE_LEVEL_UP_REASON
from schemas.document import ChainEvent, ChainState, Route, RouteRequest

with workflow.unsafe.imports_passed_through():
    from activities.routing import RouteActivities


async def resolve_route(request: RouteRequest) -> Route:
    # A few HR look-ups: a local activity, so a submit costs no extra round trips through the server.
    return await workflow.execute_local_activity_method(
        RouteActivities.resolve_route,
        request,
        start_to_close_timeout=timedelta(seconds=10),
        schedule_to_close_timeout=timedelta(minutes=5),
    )


async def go_one_level_up(state: ChainState, events: list[ChainEvent]) -> tuple[ChainState, list[ChainEvent]]:
    """合議不調: the decision moves one level up; the stages after the 合議 are resolved again."""
    route = await resolve_route(
        RouteRequest(document_id=state.document_id, drafter_id=state.drafter_id, facts=state.facts, escalate=True)
    )
    tail = chain.escalation_tail(state, route)
    state, more = chain.reroute(
        state, tail, workflow.now(), reason=ONE_LEVEL_UP_REASON, after=chain.failed_consult(state)
    )
    return state, [*events, *more]
