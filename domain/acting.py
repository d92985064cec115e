"""Who may act, and in what capacity: the drafter's own acts, 代決 (substitute decision), 引上げ承認 and 後閲.

Each rule is written once, over plain facts, so that every caller asks the same question and gets the same
answer: the chain's checks (and so the workflow's update validators and ``chain.allowed_actions``, which the web
buttons and ``GET …/actions/allowed`` draw from), the inbox (受信箱) over the read model, and the notice
dispatcher that forwards an absent decider's 決裁 notice to their 代決者.  Refusals raise ``ChainError``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from domain import clerks
from domain.errors import ChainError
from domain.statuses import EDITABLE
from schemas.document import ActionName, PostReview, StageKind, StageState

#: 重要 / 異例 / 疑義: such a matter may not be decided by 代決 unless pre-instructed (事前指示) or urgent (至急).
#: (先例 escalates the matter but does not bar 代決.)
NON_DELEGABLE_FLAGS: frozenset[str] = frozenset({"important", "unusual", "doubtful"})
#: What an assignee does with a pending step of each kind (the inbox's item, the chain's hint).
STEP_ACTION: dict[StageKind, ActionName] = {
    "review": "approve",
    "examine": "approve",  # 文書審査: 審査済 (or send back)
    "decide": "approve",
    "consult": "consent",
    "circulate": "acknowledge",
}


# --- the drafter -----------------------------------------------------------------------------------------------


def check_drafter(*, drafter_id: str, actor_id: str, to: str) -> None:
    """起案者のみ: submitting, resubmitting and withdrawing are the drafter's alone (``to``: what, for the reason)."""
    if actor_id != drafter_id:
        raise ChainError("forbidden", f"only the drafter may {to}")


def check_submitter(*, drafter_id: str, actor_id: str, drafted_by: str | None = None) -> None:
    """提出: the drafter, or the 庶務担当 who drafted it for them (代理申請, ``domain.clerks``)."""
    if not clerks.may_submit_for(drafter_id=drafter_id, drafted_by=drafted_by, actor_id=actor_id):
        raise ChainError(
            "forbidden", "only the drafter (or the 庶務担当 who drafted it for them) may submit the document"
        )


def check_resubmitter(*, drafter_id: str, actor_id: str, drafted_by: str | None = None) -> None:
    """再提出: the drafter, or the 庶務担当 who filed the 代理申請 (``domain.clerks.may_resubmit_for``)."""
    if not clerks.may_resubmit_for(drafter_id=drafter_id, drafted_by=drafted_by, actor_id=actor_id):
        raise ChainError(
            "forbidden", "only the drafter (or the 庶務担当 who drafted it for them) may resubmit the document"
        )


def may_submit(*, drafter_id: str, actor_id: str, status: str, drafted_by: str | None = None) -> bool:
    """提出: the drafter (or the clerk of a 代理申請), while the document is a draft (a recalled one is resubmitted
    the same way)."""
    return clerks.may_submit_for(drafter_id=drafter_id, drafted_by=drafted_by, actor_id=actor_id) and status == "draft"


def may_edit(*, drafter_id: str, actor_id: str, status: str, drafted_by: str | None = None) -> bool:
    """修正: the drafter (or the clerk of a 代理申請), while the document is a draft or sent back."""
    return clerks.may_submit_for(drafter_id=drafter_id, drafted_by=drafted_by, actor_id=actor_id) and status in EDITABLE


# --- 代決 ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delegation:
    """What decides whether a 決裁 may be taken by 代決 at all, wherever it is read from: the chain state, or the
    read model (the decide step's ``substitute_allowed`` and the document's flags and 合議不調)."""

    #: False when the rulebook reserves the matter to its decider in person (専決・代決不可).
    substitute_allowed: bool = True
    #: The rulebook row(s) behind the decide stage, for the reason.
    rule: str = ""
    flags: Collection[str] = ()
    pre_instructed: bool = False  # 事前指示
    urgent_reason: str = ""  # 至急, with its reason
    consult_failed: bool = False  # 合議不調


def flag_bar(delegation: Delegation) -> str | None:
    """Why the matter's flags or a failed 合議 bar 代決 (None if they do not): lifted by 事前指示 or 至急."""
    if delegation.pre_instructed or delegation.urgent_reason.strip():
        return None
    flagged = sorted(set(delegation.flags) & NON_DELEGABLE_FLAGS)
    if flagged:
        return f"a matter flagged {', '.join(flagged)} cannot be decided by 代決"
    if delegation.consult_failed:
        return "the 合議 failed (不調): this matter cannot be decided by 代決"
    return None


def delegable(delegation: Delegation) -> bool:
    """Whether anyone could decide the matter by 代決 (whoever is absent): the rulebook and the flags allow it."""
    return delegation.substitute_allowed and flag_bar(delegation) is None


def designated_substitute(order: Sequence[str], absent_ids: Collection[str]) -> str | None:
    """代決順位: the first substitute in ``order`` who is present today, if any."""
    return next((s for s in order if s not in absent_ids), None)


def check_substitute(
    delegation: Delegation, *, decider_id: str, actor_id: str, absent_ids: Collection[str], substitutes: Sequence[str]
) -> None:
    """代決: the decider is absent, the actor is the first present substitute, and the matter allows it.

    ``substitutes`` is the 代決順位 of the decider's post and ``absent_ids`` who HR reports absent today.  The
    caller has checked that ``decider_id`` holds the pending 決裁.
    """
    if not delegation.substitute_allowed:
        raise ChainError("conflict", f"the rulebook bars 代決 for this matter ({delegation.rule}): the decider decides")
    if decider_id not in absent_ids:
        raise ChainError("conflict", f"{decider_id} is not absent today: 代決 is only for an absent decider")
    first = designated_substitute(substitutes, absent_ids)
    if first is None or actor_id != first:
        line = f": {first} is first in line (代決順位)" if first else ""
        raise ChainError("forbidden", f"you are not the designated substitute (代決者) for {decider_id}{line}")
    bar = flag_bar(delegation)
    if bar is not None:
        raise ChainError("conflict", bar)


def may_substitute(
    delegation: Delegation, *, decider_id: str, actor_id: str, absent_ids: Collection[str], substitutes: Sequence[str]
) -> bool:
    """``check_substitute`` as a question (the inbox asks it of each absent decider's pending 決裁)."""
    try:
        check_substitute(
            delegation, decider_id=decider_id, actor_id=actor_id, absent_ids=absent_ids, substitutes=substitutes
        )
    except ChainError:
        return False
    return True


# --- 引上げ承認 -------------------------------------------------------------------------------------------------


def check_pull_up(passed_over: Iterable[StageState], absent_ids: Collection[str]) -> None:
    """引上げ承認: a later approver may pass over the stages before theirs only if each is a 回議 whose pending
    approvers are all absent (a 合議 or a present approver is never passed over)."""
    for stage in passed_over:
        if stage.kind != "review":
            raise ChainError("conflict", f"a {stage.kind} stage cannot be passed over by 引上げ承認")
        present = [s for s in stage.pending_ids if s not in absent_ids]
        if present:
            raise ChainError("conflict", f"{', '.join(present)} is not absent: 引上げ承認 passes over absent approvers")


# --- 後閲 ------------------------------------------------------------------------------------------------------


def owes_post_review(post_reviews: Iterable[PostReview], staff_id: str) -> bool:
    """後閲: the absent decider (代決) or a passed-over approver (引上げ承認) owes it until they acknowledge."""
    return any(p.staff_id == staff_id and p.acknowledged_at is None for p in post_reviews)
