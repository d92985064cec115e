"""Records fields of a draft (文書管理): the retention class, issuance, follow-ups (の2), paper originals."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from core.clock import today_in_japan
from core.errors import Conflict, Forbidden, Invalid
from core.settings import Settings
from db.models import DocumentRow, StaffRow
from db.repositories.documents import DocumentRepository
from db.repositories.visibility import viewer_on
from schemas.api.models import PaperOriginal

#: Whether a matter's decision is issued (施行: clean copy, 公印, dispatch) by default.  A 支出 decision is an
#: internal act (the voucher goes to 財務会計); a draft that sends a letter says so with ``needs_issuance``.
ISSUANCE_BY_MATTER: dict[str, bool] = {"spending": False}


def issuance_default(matter: str) -> bool:
    return ISSUANCE_BY_MATTER.get(matter, False)


def paper_columns(paper: PaperOriginal | None) -> dict[str, str | None]:
    return {
        "paper_original_reason": paper.reason if paper else None,
        "paper_original_location": paper.kept_at if paper else None,
    }


def check_retention(row: DocumentRow, settings: Settings) -> None:
    """The retention class must be one the city keeps (422 otherwise)."""
    if row.retention_permanent:
        if not settings.retention_permanent_allowed:
            raise Invalid("retention_permanent: 永年 is not a retention class of this city")
        return
    if row.retention_years not in settings.retention_years_allowed:
        allowed = ", ".join(str(y) for y in settings.retention_years_allowed)
        raise Invalid(f"retention_years must be one of {allowed} (0 = 1年未満), or set retention_permanent (永年)")


async def check_follow_up(session: AsyncSession, row: DocumentRow) -> None:
    """A follow-up names a document that exists and already has its 文書番号."""
    if row.follow_up_of is None:
        return
    parent = await DocumentRepository(session).get(row.follow_up_of) if "\x00" not in row.follow_up_of else None
    if parent is None:
        raise Invalid(f"follow_up_of: there is no document {row.follow_up_of}")
    if parent.number_display is None:
        raise Conflict("follow_up_of: that document has no 文書番号 yet, so it has no sub-numbers to give")


async def require_records_office(app: AppState, session: AsyncSession, staff: StaffRow) -> None:
    """The records office (文書担当: the ``records_office`` role) or an administrator; anyone else is refused (403)."""
    if not (await viewer_on(session, staff, as_of=today_in_japan())).sees_all:
        raise Forbidden("only the records office (文書担当) may do this")
