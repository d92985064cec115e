"""Who is in a document's audience (機密性 confidentiality): the visibility rule, over plain facts.

A document is visible to its drafter, everyone on its route (assignees — 回議, 合議 members, the decider, 供覧
readers —, whoever acted on a step), who owes its 後閲, a 代決者 standing in for the holder of a pending step,
the staff of the drafter's org unit at drafting (its division), the records office (文書担当: whoever holds the
``records_office`` role — a grant in the org data, not membership of 総務課) and administrators.  What a refusal
says (403 for 機密性1, 404 above it) is the API's business.

The rule is monotone: every fact can only add to the audience.  A caller may therefore ask it first with the
facts it holds for free (the document and its steps) and gather the costlier ones (the viewer's posts, HR's
absences) only when the answer is still no.  The document lists filter in SQL with the same rule
(``db/repositories/visibility.py``, ``visible_to``); a test holds the two together.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Viewer:
    """A staff member as the visibility rule sees them today."""

    staff_id: str
    is_admin: bool = False
    #: The org units of the posts they hold today.
    units: frozenset[str] = frozenset()
    #: 文書担当 (records office: holds the ``records_office`` role, see ``viewer_of``): sees every document.
    records_office: bool = False
    #: Absent staff whose pending steps they may take as 代決者 today.
    substituting_for: frozenset[str] = frozenset()

    @property
    def sees_all(self) -> bool:
        return self.is_admin or self.records_office


#: The role (``schemas.org.StaffRole``) that makes its holder the records office.
RECORDS_OFFICE_ROLE = "records_office"


def viewer_of(staff_id: str, *, is_admin: bool, units: frozenset[str], roles: frozenset[str]) -> Viewer:
    """The viewer a staff member is, from their posts' units and their role grants (the records office is a role)."""
    return Viewer(staff_id=staff_id, is_admin=is_admin, units=units, records_office=RECORDS_OFFICE_ROLE in roles)


@dataclass(frozen=True)
class Audience:
    """A document's facts that decide who sees it."""

    drafter_id: str
    #: The drafter's org unit at drafting (起案課).
    org_unit_code: str
    #: Everyone on the route: the assignees of every step and whoever acted on one.
    route: frozenset[str] = frozenset()
    #: Who owes (or gave) a 後閲.
    post_reviewers: frozenset[str] = frozenset()
    #: The assignees of the pending steps (their 代決者 see the document).
    pending: frozenset[str] = frozenset()


def sees(viewer: Viewer, document: Audience) -> bool:
    """Whether ``viewer`` is in the document's audience."""
    return (
        viewer.sees_all
        or viewer.staff_id == document.drafter_id
        or viewer.staff_id in document.route
        or viewer.staff_id in document.post_reviewers
        or document.org_unit_code in viewer.units
        or bool(document.pending & viewer.substituting_for)
    )


#: From this 機密性 up a document's existence is not revealed to those outside its audience (404, as if missing),
#: lists carry no body or details of it, and its 引用起案 stays within its drafting division.
SECRET_LEVEL = 2


def is_secret(confidentiality: int) -> bool:
    """機密性2 and above."""
    return confidentiality >= SECRET_LEVEL


def content_listed(confidentiality: int) -> bool:
    """Whether a list may carry the document's body and details: only for 機密性1 (the document's own page shows
    them to its audience, and records that read)."""
    return not is_secret(confidentiality)


def may_copy(viewer: Viewer, document: Audience, confidentiality: int) -> bool:
    """引用起案: anyone in the audience may copy a 機密性1 document; a 機密性2+ one only its drafting division (and
    the records office and administrators) — the copy lands in the copier's division, so a copy made elsewhere
    would hand the source's content to a new audience."""
    if not sees(viewer, document):
        return False
    return not is_secret(confidentiality) or viewer.sees_all or document.org_unit_code in viewer.units


def highest_level(levels: list[int]) -> int:
    """The confidentiality of a document that lists others (e.g. the disposal review): the highest it lists."""
    return max(levels, default=1)
