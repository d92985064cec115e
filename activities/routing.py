"""Route resolution (activity): the rulebook version in force, the org snapshot HR gives as of a date, and the
pure route builder (``domain.routes``); the same pair the API's route preview calls
(``integrations.org_snapshot.resolve_route``).
"""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.clock import today_in_japan
from domain.routes import RouteUnresolvable
from integrations.hr import HrClient
from integrations.org_snapshot import resolve_route
from rules.sources import RulebookSource
from schemas.document import Route, RouteRequest


class RouteActivities:
    def __init__(self, hr: HrClient, rulebooks: RulebookSource) -> None:
        self._hr = hr
        self._rulebooks = rulebooks

    @activity.defn(name="resolve_route")
    async def resolve_route(self, request: RouteRequest) -> Route:
        try:
            route = await resolve_route(self._hr, self._rulebooks, request, on=today_in_japan())
        except RouteUnresolvable as exc:
            raise ApplicationError(str(exc), type="RouteUnresolvable", non_retryable=True) from exc
        activity.logger.info("route resolved for %s: %d stages", request.document_id, len(route.stages))
        return route
