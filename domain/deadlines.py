"""Which deadline of the current stage comes next: the reminder (督促) to its assignees, then the escalation to
their superiors, each once per stage.  The dates themselves (business days) come from the projection.

Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from schemas.document import ChainState, Deadlines

DeadlineKind = Literal["remind", "escalate"]
#: What identifies "the same stage" for a watch: the status, the current stage and since when it is current.
StageKey = tuple[str, int | None, datetime | None]


def stage_key(state: ChainState) -> StageKey:
    since = state.stages[state.current].became_current_at if state.current is not None else None
    return state.status, state.current, since


def next_due(state: ChainState, deadlines: Deadlines) -> tuple[DeadlineKind, datetime] | None:
    """The current stage's next deadline not yet fired, or None (nobody is waited for, or both are past)."""
    if state.current is None or not state.pending_ids:
        return None
    stage = state.stages[state.current]
    if stage.reminded_at is None and deadlines.remind_at is not None:
        return "remind", deadlines.remind_at
    if stage.escalated_at is None and deadlines.escalate_at is not None:
        return "escalate", deadlines.escalate_at
    return None
