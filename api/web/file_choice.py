"""簿冊の提案 for the drafting forms (起案 and 庶務申請): one call to ``FileService.proposal`` (the service behind
``GET /v1/files/proposal``), shown by the one partial ``_file_choice.html``."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import StateDep
from api.services.files import FileService
from api.web.deps import Viewer, today
from api.web.messages import FIELD
from core.errors import RingiError
from schemas.api.files import FileProposal

#: The select's option for 未整理 (no file yet, even when a file is proposed): the API's ``filing: "none"``.
UNFILED = "none"


async def draft_file_choice(
    app: StateDep, session: AsyncSession, viewer: Viewer, *, matter: str, category: str | None, title: str
) -> FileProposal | None:
    """The proposal and the candidates for a draft of the viewer's section this 年度 (None: no post today)."""
    try:
        return await FileService(app, session).proposal(
            viewer.staff,
            matter=matter,
            category=category,
            expense_class=None,
            title=title,
            sender="",
            unit=None,
            fiscal_year=None,
            today=today(),
        )
    except RingiError:  # no post today: the form says so when it is saved
        return None


def file_choice_of(value: str) -> dict[str, str]:
    """The select's value as the API's fields: a file's id, 未整理 (``filing: "none"``) or nothing (the proposal)."""
    if value == UNFILED:
        return {"filing": "none"}
    return {"file_id": value} if value else {}


def file_error(error: str) -> str:
    """A refusal of the chosen 簿冊 (a Japanese message naming it), shown beside the select; else ""."""
    prefix = f"{FIELD['file_id']}："
    return error.removeprefix(prefix) if error.startswith(prefix) else ""
