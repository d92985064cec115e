"""Rules admin (事務決裁規程): the rulebook versions, each in force from its 適用日."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from api.deps import CurrentStaff, SessionDep, StateDep
from api.paging import Paging
from api.services.rules import RulesService
from core.clock import today_in_japan
from schemas.api.paging import Page
from schemas.rules import Rulebook, RulebookSummary

router = APIRouter(prefix="/v1/rules", tags=["rules"])


def _rules(app: StateDep, session: SessionDep) -> RulesService:
    return RulesService(app, session)


Rules = Annotated[RulesService, Depends(_rules)]

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


@router.get("/versions")
async def list_versions(staff: CurrentStaff, rules: Rules, page: Paging) -> Page[RulebookSummary]:
    """Every rulebook version, oldest 適用日 first, marking the one in force today."""
    return page.slice(await rules.versions(today=today_in_japan()))


@router.get("/versions/{version_id}")
async def get_version(version_id: str, staff: CurrentStaff, rules: Rules) -> Rulebook:
    """One version with its rows (bands, mandatory 合議, non-delegable matters) and their citations."""
    return await rules.version(version_id)


@router.post("/versions", status_code=status.HTTP_201_CREATED, openapi_extra=_UPLOAD_BODY)
async def add_version(request: Request, staff: CurrentStaff, rules: Rules) -> Rulebook:
    """Admin: a new version (YAML or JSON) with its 適用日, after today; validated, stored whole or not at all."""
    media_type = request.headers.get("content-type", "application/yaml")
    return await rules.upload(staff, await request.body(), media_type=media_type, today=today_in_japan())
