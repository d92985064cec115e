"""添付ファイルの追加・削除 (who may add or delete an attachment, and when): one rule for the API and the pages.

The drafter may add files until the document is closed (却下・取下げ・完結); the drafter's division too while the
document is a draft or sent back.  Deleting is for the drafter or the division, only before anyone approved and
only while the document is a draft or sent back (改ざん防止: afterwards a corrected file is added instead).
"""

from __future__ import annotations

from domain.statuses import ATTACHMENTS_CLOSED, EDITABLE


def may_add(*, status: str, is_drafter: bool, in_division: bool) -> bool:
    """Whether the person may attach a file now."""
    if status in ATTACHMENTS_CLOSED:
        return False
    return is_drafter or (status in EDITABLE and in_division)


def may_delete(*, status: str, is_drafter: bool, in_division: bool, approved: bool) -> bool:
    """Whether the person may delete an attachment now (``approved``: anyone has approved any version)."""
    return (is_drafter or in_division) and not approved and status in EDITABLE
