"""Gather what HR knows that a route needs (``domain.routes.OrgSnapshot``), each fact asked once, and resolve a
document's route from it: the one pair the route activity and the API's route preview both call.

Every HR look-up is as of one date; an org unit or reader HR does not know is left out, and the pure builder
says what is missing.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import TypeVar

from domain import routes
from domain.routes import OrgSnapshot, RouteUnresolvable
from integrations.hr import HrClient, HrNotFound
from rules.sources import RulebookSource
from schemas.document import DocumentFacts, Route, RouteRequest
from schemas.rules import Rulebook

T = TypeVar("T")


async def _known(lookup: Awaitable[T]) -> T | None:
    try:
        return await lookup
    except HrNotFound:
        return None


async def org_snapshot(
    hr: HrClient, book: Rulebook, facts: DocumentFacts, *, drafter_id: str, on: date, escalate: bool = False
) -> OrgSnapshot:
    """The org chart on ``on`` as far as the route of ``facts`` under ``book`` reaches."""
    routes.route_ruling(book, facts, escalate=escalate)  # no band: refuse before asking HR anything
    try:
        drafter = await hr.get_staff(drafter_id, as_of=on)
        unit = await hr.get_org_unit(facts.org_unit_code, as_of=on)
    except HrNotFound as exc:
        raise RouteUnresolvable(str(exc)) from exc
    needed = routes.lookups(book, facts, drafter, unit, escalate=escalate)
    units = {code: found for code in sorted(needed.units) if (found := await _known(hr.get_org_unit(code, as_of=on)))}
    holders = {}
    for post, code in sorted(needed.holders):
        found_holders = await _known(hr.holders(code, post, as_of=on))
        if found_holders is not None:
            holders[post, code] = tuple(found_holders)
    readers = {}
    for staff_id in sorted(needed.readers):
        reader = await _known(hr.get_staff(staff_id, as_of=on))
        if reader is not None:
            readers[staff_id] = reader
    return OrgSnapshot(on=on, drafter=drafter, unit=unit, units=units, holders=holders, readers=readers)


async def rulebook_of(rulebooks: RulebookSource, facts: DocumentFacts, on: date) -> Rulebook:
    """The pinned version, or the one in force ``on``."""
    if facts.rulebook_version:
        book = await rulebooks.version(facts.rulebook_version)
    else:
        book = await rulebooks.in_force(on)
    return routes.rulebook_for(book, facts, on)


async def resolve_route(hr: HrClient, rulebooks: RulebookSource, request: RouteRequest, *, on: date) -> Route:
    """The route of ``request`` as of ``on`` (``request.as_of`` when given wins); ``RouteUnresolvable`` if none."""
    on = request.as_of or on
    book = await rulebook_of(rulebooks, request.facts, on)
    org = await org_snapshot(hr, book, request.facts, drafter_id=request.drafter_id, on=on, escalate=request.escalate)
    return routes.build_route(book, request.facts, org, escalate=request.escalate)
