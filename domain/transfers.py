"""人事異動 on one document: the unanswered steps of each person who left a post go to its new holder, move by
move in the order given.

Pure: no clock (time is an argument), no I/O.
"""

from __future__ import annotations

from datetime import datetime

from domain import chain
from schemas.document import ChainEvent, ChainState
from schemas.transfers import ReassignInput


def reassign_all(state: ChainState, request: ReassignInput, now: datetime) -> tuple[ChainState, list[ChainEvent]]:
    """The state after every move of ``request`` and the events they made (none: nothing was left to move)."""
    events: list[ChainEvent] = []
    for move in request.moves:
        state, more = chain.reassign(state, move.old_id, move.new_id, now, reason=request.reason, post=move.new_post)
        events += more
    return state, events
