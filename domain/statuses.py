"""The document statuses, grouped once by what they mean (a status set is written here and nowhere else).

The statuses themselves are ``schemas.document.Status``: draft → in_review ⇄ sent_back → approved (→ circulating
→ completed), or rejected / withdrawn.  A recalled (引戻し) document is a draft again.
"""

from __future__ import annotations

from typing import get_args

from schemas.document import Status

ALL: frozenset[str] = frozenset(get_args(Status))
#: 修正: the drafter may edit the document (and the drafter's division may attach files).
EDITABLE: frozenset[str] = frozenset({"draft", "sent_back"})
#: A stage is current: someone is asked to act (回議・合議・決裁, or 供覧).
IN_ROUTING: frozenset[str] = frozenset({"in_review", "circulating"})
#: 決裁済: the decision is taken (供覧 may still follow); numbering, finance commitment and HR postings follow it.
DECIDED: frozenset[str] = frozenset({"approved", "circulating", "completed"})
#: The chain takes no further step (only a 後閲 may still be owed); 完結 follows, once issued where 施行 is due.
TERMINAL: frozenset[str] = frozenset({"approved", "rejected", "withdrawn", "completed"})
#: Submitted and still pursued, or decided: what counts against a limit (e.g. a month's 時間外勤務命令).
PURSUED: frozenset[str] = frozenset({"in_review"}) | DECIDED
#: Not (or no longer) pursued: the document holds no budget reservation in these.
NOT_PURSUED: frozenset[str] = ALL - PURSUED
#: Nothing more is added to the document: no attachments (a decided, not yet completed one still takes them).
ATTACHMENTS_CLOSED: frozenset[str] = frozenset({"rejected", "withdrawn", "completed"})
