"""The records lifecycle of one document (文書管理) as a pure machine: 文書番号, 施行 (issuance) and 完結.

- 文書番号 is taken with the submission when the city numbers at drafting (起案時採番), else at the decision
  (決裁時採番); a decided document is numbered at the latest when it is issued or completed.
- 施行 (clean copy, 公印, dispatch) comes once, after the decision, for the documents that need it.
- 完結 comes at the decision when no issuance is due, else at issuance; for a 供覧 when all readers confirmed; for a
  rejected or withdrawn document at that point (they are records too).  It fixes the completion fiscal year and the
  retention period (``domain.retention``).
- A 廃棄決裁 (disposal review) that closed settles its items once, before the document completes.

``apply(records, event, now)`` answers the new state and the effects the durable shell must carry out now, in
order; each effect's outcome comes back as another event (``Numbered``, ``Issued``, ``Completed``,
``DisposalSettled``), which may call for more (a 施行 waits for the number it carries).

Pure: no clock (time comes in the events), no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from domain.era import jst_date
from domain.errors import ChainError
from domain.fiscal import fiscal_year_at
from domain.retention import RetentionPeriod, retention_period
from domain.statuses import DECIDED, TERMINAL
from schemas.disposal import DISPOSAL_REVIEW_MATTER
from schemas.document import ChainState
from schemas.records import CompletionCause, DocumentNumber, IssuanceInput, Numbering, RecordsState


@dataclass(frozen=True)
class Records:
    """The records side of one document as the workflow holds it."""

    numbering: Numbering = "at_decision"
    number: DocumentNumber | None = None
    issued_at: datetime | None = None
    completed_at: datetime | None = None
    disposal_settled: bool = False  # a disposal review's items applied (or released) once it closed
    issuing: IssueRequested | None = None  # a 施行 under way (waiting for its number or its write)

    @property
    def number_display(self) -> str | None:
        return self.number.display if self.number else None

    @property
    def view(self) -> RecordsState:
        return RecordsState(number=self.number, issued_at=self.issued_at, completed_at=self.completed_at)


# --- events: what happened to the document (from the chain) or what an effect achieved ---------------------------


@dataclass(frozen=True)
class Submitted:
    """起案 → 回議: the chain accepted the submission."""

    chain: ChainState
    numbering: Numbering


@dataclass(frozen=True)
class Transitioned:
    """The chain settled after a transition (or the run loop came round): number, settle, complete as due."""

    chain: ChainState


@dataclass(frozen=True)
class IssueRequested:
    """施行 asked for (the ``issue`` update); it is written at the ``now`` once the document holds its number."""

    chain: ChainState
    issuance: IssuanceInput


@dataclass(frozen=True)
class Numbered:
    number: DocumentNumber


@dataclass(frozen=True)
class Issued:
    at: datetime


@dataclass(frozen=True)
class Completed:
    at: datetime
    number: DocumentNumber | None  # the number the completion write answered (taken with it, or held)


@dataclass(frozen=True)
class DisposalSettled:
    pass


Event = Submitted | Transitioned | IssueRequested | Numbered | Issued | Completed | DisposalSettled


# --- effects: what the shell must carry out, in order --------------------------------------------------------------


@dataclass(frozen=True)
class TakeNumber:
    """Take the 文書番号; ``at`` fixes its fiscal year."""

    at: datetime


@dataclass(frozen=True)
class RecordIssuance:
    """Write the 施行 (and its 公印使用簿 row) with the number the document holds by then."""

    issuance: IssuanceInput
    at: datetime


@dataclass(frozen=True)
class Complete:
    """Write the 完結; ``number_at``: take the number first, in the same write (decided, not yet numbered)."""

    cause: CompletionCause
    at: datetime
    number_at: datetime | None = None


@dataclass(frozen=True)
class SettleDisposal:
    """廃棄決裁 closed: apply each item (decided) or release the review (rejected / withdrawn)."""

    status: str
    at: datetime


Effect = TakeNumber | RecordIssuance | Complete | SettleDisposal


# --- the rules ------------------------------------------------------------------------------------------------------


def awaits_issuance(records: Records, chain: ChainState) -> bool:
    """施行待ち: decided, needs issuance, not yet issued."""
    return chain.status in DECIDED and chain.facts.needs_issuance and records.issued_at is None


def may_issue(actor_id: str, drafter_id: str, *, is_admin: bool, actor_unit: str | None, document_unit: str) -> bool:
    """Who may carry out 施行: the drafter, a member of the drafting division (its 課) today, or an administrator."""
    return is_admin or actor_id == drafter_id or (actor_unit is not None and actor_unit == document_unit)


def issuance_due(*, status: str, needs_issuance: bool, issued: bool) -> bool:
    """施行待ち as the stored document says: decided, needing issuance, not yet issued."""
    return status in DECIDED and needs_issuance and not issued


def check_issue(records: Records, chain: ChainState | None) -> None:
    """施行 is allowed only after the decision, only once, only where issuance is due."""
    if chain is None or chain.status not in DECIDED:
        status = chain.status if chain else "draft"
        raise ChainError("conflict", f"issuance (施行) comes after the decision; the document is {status}")
    if records.issued_at is not None:
        raise ChainError("conflict", "the document has already been issued (施行済)")
    if not chain.facts.needs_issuance:
        raise ChainError("conflict", "this document does not need issuance (施行不要)")


def completion_cause(records: Records, chain: ChainState) -> CompletionCause:
    if chain.status == "rejected":
        return "rejected"
    if chain.status == "withdrawn":
        return "withdrawn"
    if chain.status == "completed":
        return "circulation"
    return "issuance" if records.issued_at is not None else "decision"


def completion_time(records: Records, chain: ChainState) -> datetime:
    """完結 is the later of the chain's last step and the issuance."""
    if records.issued_at is not None and records.issued_at > chain.updated_at:
        return records.issued_at
    return chain.updated_at


def _settle(records: Records, chain: ChainState) -> list[Effect]:
    effects: list[Effect] = []
    unnumbered = chain.status in DECIDED and records.number is None
    if chain.facts.matter == DISPOSAL_REVIEW_MATTER and not records.disposal_settled and chain.status in TERMINAL:
        effects.append(SettleDisposal(status=chain.status, at=chain.updated_at))
    if records.completed_at is None and chain.status in TERMINAL and not awaits_issuance(records, chain):
        # One write for both when a decision completes the document at once (no issuance due).
        number_at = chain.updated_at if unnumbered else None
        effects.append(Complete(completion_cause(records, chain), completion_time(records, chain), number_at))
    elif unnumbered:
        effects.append(TakeNumber(at=chain.updated_at))
    return effects


def _issue(records: Records, request: IssueRequested, now: datetime) -> tuple[Records, list[Effect]]:
    check_issue(records, request.chain)
    records = replace(records, issuing=request)
    if records.number is None:  # decided a moment ago: not numbered yet
        return records, [TakeNumber(at=request.chain.updated_at)]
    return records, [RecordIssuance(issuance=request.issuance, at=now)]


def _issued(records: Records, at: datetime) -> tuple[Records, list[Effect]]:
    request = records.issuing
    records = replace(records, issued_at=at, issuing=None)
    if request is not None and request.chain.status in TERMINAL:
        return records, [Complete(cause="issuance", at=at)]
    return records, []


def apply(records: Records, event: Event, now: datetime) -> tuple[Records, list[Effect]]:
    """The records state after ``event`` at ``now`` and the effects due now, in order.

    Raises:
        ChainError: an ``IssueRequested`` that ``check_issue`` refuses.
    """
    match event:
        case Submitted(numbering=numbering, chain=chain):
            effects: list[Effect] = [TakeNumber(at=chain.updated_at)] if numbering == "at_drafting" else []
            return replace(records, numbering=numbering), effects
        case Transitioned(chain=chain):
            return records, _settle(records, chain)
        case IssueRequested():
            return _issue(records, event, now)
        case Numbered(number=number):
            records = replace(records, number=number)
            if records.issuing is not None:  # the 施行 that waited for its number
                return records, [RecordIssuance(issuance=records.issuing.issuance, at=now)]
            return records, []
        case Issued(at=at):
            return _issued(records, at)
        case Completed(at=at, number=number):
            return replace(records, completed_at=at, number=number or records.number), []
        case DisposalSettled():
            return replace(records, disposal_settled=True), []
    raise AssertionError(f"unknown records event {event!r}")  # pragma: no cover


# --- 完結: what the completion fixes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    """What 完結 at an instant fixes: the completion fiscal year (JST) and the retention period."""

    fiscal_year: int
    retention: RetentionPeriod

    @property
    def retention_starts_on(self) -> date:
        return self.retention.starts_on

    @property
    def retention_expires_on(self) -> date | None:
        return self.retention.expires_on


def completion(completed_at: datetime, retention_years: int, *, permanent: bool = False) -> Completion:
    """完結 at ``completed_at`` (timezone-aware): the fiscal year is the JST day's, and retention counts from it."""
    period = retention_period(jst_date(completed_at), retention_years, permanent=permanent)
    return Completion(fiscal_year=fiscal_year_at(completed_at), retention=period)
