"""The records lifecycle machine (domain/records.py): numbering moment, 施行, 完結 and what it fixes.

A small driver plays the durable shell: it carries out each effect with a fake outcome and feeds it back, so the
tests see the same sequence the workflow would run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import records
from domain.errors import ChainError
from domain.fiscal import fiscal_year_at
from domain.statuses import DECIDED, TERMINAL
from schemas.document import ChainState, DocumentFacts, Status
from schemas.records import DocumentNumber, IssuanceInput, Numbering

T0 = datetime(2027, 3, 31, 14, 0, tzinfo=UTC)  # 23:00 JST on the last day of FY2026
ISSUANCE = IssuanceInput(
    actor_id="clerk", clean_copy_on=date(2027, 4, 1), dispatch_method="post", dispatched_on=date(2027, 4, 1)
)


def chain_at(status: Status, at: datetime, *, needs_issuance: bool = False, matter: str = "spending") -> ChainState:
    facts = DocumentFacts.model_validate(
        {
            "matter": matter,
            "amount_yen": 1000,
            "org_unit_code": "soumu",
            "version": 1,
            "content_hash": "sha256:v1",
            "needs_issuance": needs_issuance,
        }
    )
    return ChainState(
        document_id="d1", drafter_id="drafter", status=status, facts=facts, stages=(), current=None, updated_at=at
    )


@dataclass
class Shell:
    """Carries out the effects as the workflow does, with fake outcomes; keeps a log of what it ran."""

    now: datetime = T0
    state: records.Records = field(default_factory=records.Records)
    log: list[records.Effect] = field(default_factory=list)
    serial: int = 0

    def drive(self, event: records.Event) -> None:
        self.state, due = records.apply(self.state, event, self.now)
        while due:
            effect = due.pop(0)
            self.log.append(effect)
            self.now += timedelta(seconds=1)  # each activity takes a moment
            self.state, more = records.apply(self.state, self._outcome(effect), self.now)
            due = more + due

    def _take(self, at: datetime) -> DocumentNumber:
        if self.state.number is not None:
            return self.state.number
        self.serial += 1
        return DocumentNumber(symbol="萩総", fiscal_year=fiscal_year_at(at), serial=self.serial, display="萩総第1号")

    def _outcome(self, effect: records.Effect) -> records.Event:
        match effect:
            case records.TakeNumber(at=at):
                return records.Numbered(self._take(at))
            case records.RecordIssuance(at=at):
                return records.Issued(at)
            case records.Complete(at=at, number_at=number_at):
                return records.Completed(at, self._take(number_at) if number_at else self.state.number)
            case records.SettleDisposal():
                return records.DisposalSettled()
        raise AssertionError(effect)

    def kinds(self) -> list[str]:
        return [type(effect).__name__ for effect in self.log]


def test_numbering_at_drafting_takes_the_number_with_the_submission() -> None:
    shell = Shell()
    shell.drive(records.Submitted(chain=chain_at("in_review", T0), numbering="at_drafting"))
    assert shell.kinds() == ["TakeNumber"] and shell.state.number is not None
    shell.drive(records.Transitioned(chain=chain_at("approved", T0 + timedelta(hours=1))))
    assert shell.kinds() == ["TakeNumber", "Complete"]
    assert shell.log[-1] == records.Complete(cause="decision", at=T0 + timedelta(hours=1), number_at=None)


def test_numbering_at_decision_numbers_in_the_completion_write() -> None:
    shell = Shell()
    shell.drive(records.Submitted(chain=chain_at("in_review", T0), numbering="at_decision"))
    assert shell.log == [] and shell.state.number is None
    decided = T0 + timedelta(hours=2)  # 01:00 JST on April 1: FY2027
    shell.drive(records.Transitioned(chain=chain_at("approved", decided)))
    assert shell.log == [records.Complete(cause="decision", at=decided, number_at=decided)]
    assert shell.state.number is not None and shell.state.number.fiscal_year == 2027
    assert shell.state.completed_at == decided


def test_issuance_due_waits_then_completes_at_the_issuance() -> None:
    shell = Shell()
    decided = chain_at("approved", T0, needs_issuance=True)
    shell.drive(records.Transitioned(chain=decided))
    assert shell.kinds() == ["TakeNumber"] and records.awaits_issuance(shell.state, decided)
    assert shell.state.completed_at is None
    shell.now = T0 + timedelta(days=1)
    shell.drive(records.IssueRequested(chain=decided, issuance=ISSUANCE))
    assert shell.kinds() == ["TakeNumber", "RecordIssuance", "Complete"]
    assert shell.log[-1] == records.Complete(cause="issuance", at=T0 + timedelta(days=1))
    assert shell.state.issued_at == shell.state.completed_at == T0 + timedelta(days=1)


def test_an_issue_right_after_the_decision_is_written_once_the_number_is_taken() -> None:
    shell = Shell()
    decided = chain_at("approved", T0, needs_issuance=True)
    shell.drive(records.IssueRequested(chain=decided, issuance=ISSUANCE))  # before the run loop numbered it
    assert shell.kinds() == ["TakeNumber", "RecordIssuance", "Complete"]
    issuance = shell.log[1]
    assert isinstance(issuance, records.RecordIssuance) and issuance.at == T0 + timedelta(seconds=1)
    assert shell.state.issuing is None and shell.state.number is not None


@pytest.mark.parametrize(
    ("status", "needs_issuance", "reason"),
    [
        ("in_review", True, "comes after the decision"),
        ("approved", False, "does not need issuance"),
    ],
)
def test_issue_refusals(status: Status, needs_issuance: bool, reason: str) -> None:
    with pytest.raises(ChainError, match=reason) as refused:
        records.check_issue(records.Records(), chain_at(status, T0, needs_issuance=needs_issuance))
    assert refused.value.kind == "conflict"


def test_issue_twice_is_refused_and_before_submission_too() -> None:
    with pytest.raises(ChainError, match="already been issued"):
        records.check_issue(records.Records(issued_at=T0), chain_at("approved", T0, needs_issuance=True))
    with pytest.raises(ChainError, match="the document is draft"):
        records.check_issue(records.Records(), None)


@pytest.mark.parametrize(("status", "cause"), [("rejected", "rejected"), ("withdrawn", "withdrawn")])
def test_rejected_and_withdrawn_complete_unnumbered(status: Status, cause: str) -> None:
    shell = Shell()
    shell.drive(records.Transitioned(chain=chain_at(status, T0, needs_issuance=True)))
    assert shell.log == [records.Complete(cause=cause, at=T0)]  # type: ignore[arg-type]
    assert shell.state.number is None


def test_a_disposal_review_settles_once_before_it_completes() -> None:
    shell = Shell()
    closed = chain_at("approved", T0, matter="disposal_review")
    shell.drive(records.Transitioned(chain=closed))
    shell.drive(records.Transitioned(chain=closed))
    assert shell.kinds() == ["SettleDisposal", "Complete"]


def test_circulation_completes_when_the_readers_confirmed() -> None:
    shell = Shell()
    shell.drive(records.Transitioned(chain=chain_at("circulating", T0)))
    assert shell.kinds() == ["TakeNumber"] and shell.state.completed_at is None
    shell.drive(records.Transitioned(chain=chain_at("completed", T0 + timedelta(days=3))))
    assert shell.log[-1] == records.Complete(cause="circulation", at=T0 + timedelta(days=3))


# --- properties -----------------------------------------------------------------------------------------------------

PATHS: tuple[tuple[Status, ...], ...] = (
    ("in_review", "approved"),
    ("in_review", "sent_back", "in_review", "approved"),
    ("in_review", "circulating", "completed"),
    ("in_review", "rejected"),
    ("in_review", "withdrawn"),
    ("in_review", "sent_back", "withdrawn"),
)


@given(
    path=st.sampled_from(PATHS),
    numbering=st.sampled_from(get_args(Numbering)),
    needs_issuance=st.booleans(),
    matter=st.sampled_from(["spending", "disposal_review"]),
    gaps=st.lists(st.integers(min_value=1, max_value=400 * 24 * 3600), min_size=5, max_size=5),
    issue_after=st.lists(st.booleans(), min_size=5, max_size=5),
    settles=st.lists(st.integers(min_value=1, max_value=3), min_size=5, max_size=5),
)
def test_the_lifecycle_keeps_its_order(
    path: tuple[Status, ...],
    numbering: Numbering,
    needs_issuance: bool,
    matter: str,
    gaps: list[int],
    issue_after: list[bool],
    settles: list[int],
) -> None:
    """Completion never before the decision (or the issuance due), once; a number once, before completion."""
    shell = Shell()
    at = T0
    decided_at: datetime | None = None
    terminal_at: datetime | None = None
    for step, status in enumerate(path):
        at = max(at, shell.now) + timedelta(seconds=gaps[step])
        shell.now = at
        chain = chain_at(status, at, needs_issuance=needs_issuance, matter=matter)
        if step == 0:
            shell.drive(records.Submitted(chain=chain, numbering=numbering))
        if status in DECIDED and decided_at is None:
            decided_at = at
        if status in TERMINAL and terminal_at is None:
            terminal_at = at
        for _ in range(settles[step]):  # the run loop may come round more than once
            shell.drive(records.Transitioned(chain=chain))
        try:
            records.check_issue(shell.state, chain)
        except ChainError:
            allowed = False
        else:
            allowed = True
        assert allowed == (status in DECIDED and needs_issuance and shell.state.issued_at is None)
        if allowed and issue_after[step]:
            shell.drive(records.IssueRequested(chain=chain, issuance=ISSUANCE))
            shell.drive(records.Transitioned(chain=chain))
    kinds = shell.kinds()
    assert kinds.count("Complete") <= 1 and kinds.count("RecordIssuance") <= 1
    assert kinds.count("TakeNumber") + sum(
        1 for e in shell.log if isinstance(e, records.Complete) and e.number_at is not None
    ) == (1 if numbering == "at_drafting" or decided_at is not None else 0)
    assert kinds.count("SettleDisposal") == (1 if matter == "disposal_review" and terminal_at else 0)
    if shell.state.completed_at is not None:
        assert terminal_at is not None and shell.state.completed_at >= terminal_at
        if decided_at is not None:
            assert shell.state.number is not None
            if needs_issuance:
                assert shell.state.issued_at is not None and shell.state.completed_at >= shell.state.issued_at
        assert kinds.index("Complete") == len(kinds) - 1  # nothing after completion
    else:  # only an issuance still owed keeps a finished document open
        assert terminal_at is None or (decided_at is not None and needs_issuance and shell.state.issued_at is None)
    if "RecordIssuance" in kinds:
        assert decided_at is not None and kinds.index("RecordIssuance") > kinds.index("TakeNumber")


@given(
    completed_at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)),
    years=st.sampled_from([0, 1, 3, 5, 10, 30]),
    permanent=st.booleans(),
)
def test_retention_follows_the_fiscal_year_of_the_completion_in_japan(
    completed_at: datetime, years: int, permanent: bool
) -> None:
    done = records.completion(completed_at, years, permanent=permanent)
    jst_day = (completed_at + timedelta(hours=9)).date()
    fiscal_year = jst_day.year if jst_day.month >= 4 else jst_day.year - 1
    assert done.fiscal_year == fiscal_year
    if permanent:
        assert (done.retention_starts_on, done.retention_expires_on) == (date(fiscal_year + 1, 4, 1), None)
    elif years == 0:  # 1年未満: from completion to the end of its fiscal year
        assert (done.retention_starts_on, done.retention_expires_on) == (jst_day, date(fiscal_year + 1, 3, 31))
    else:
        assert done.retention_starts_on == date(fiscal_year + 1, 4, 1)
        assert done.retention_expires_on == date(fiscal_year + years + 1, 3, 31)


def test_completion_at_midnight_in_japan_belongs_to_the_new_fiscal_year() -> None:
    assert records.completion(datetime(2027, 3, 31, 14, 59, 59, tzinfo=UTC), 5).fiscal_year == 2026
    late = records.completion(datetime(2027, 3, 31, 15, 0, tzinfo=UTC), 5)
    assert (late.fiscal_year, late.retention_expires_on) == (2027, date(2033, 3, 31))
