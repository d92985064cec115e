"""合議不調: a 合議 that did not agree sends the decision one level up; the stages after it are resolved again.

Pure: no clock, no I/O.
"""

from __future__ import annotations

from schemas.document import ChainState

#: The reason recorded on the reroute.
ONE_LEVEL_UP_REASON = "合議不調のため一段上位で決裁"


def goes_one_level_up(before: ChainState, after: ChainState) -> bool:
    """Whether the transition from ``before`` to ``after`` is the one in which a 合議 failed, still in review."""
    return after.consult_failed and not before.consult_failed and after.status == "in_review"
