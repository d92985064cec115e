"""The bare Temporal baseline for ``bench.approvals``: the same shape of work as one ringi document, nothing else.

One workflow per document; each "decision" is an update whose handler awaits one no-op local activity (as ringi's
handler awaits its projection) and returns.  The workflow ends after ``decisions`` updates, once every handler
has finished.  Arguments are plain dataclasses (default data converter, no pydantic), so the sandbox imports
nothing but this module and temporalio.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow


@dataclass(frozen=True)
class BareDocument:
    document_id: str
    decisions: int = 3


@dataclass(frozen=True)
class BareDecision:
    actor_id: str
    action: str = "approve"


@dataclass(frozen=True)
class BareState:
    document_id: str
    decided: int
    status: str


@activity.defn(name="bench_bare_noop")
async def noop(decided: int) -> int:
    """Stands in for ringi's projection (a short DB write), minus the write."""
    return decided


@workflow.defn(name="BenchBareDocument")
class BareWorkflow:
    @workflow.init
    def __init__(self, document: BareDocument) -> None:
        self._document = document
        self._decided = 0

    @workflow.run
    async def run(self, document: BareDocument) -> BareState:
        await workflow.wait_condition(lambda: self._decided >= document.decisions)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state()

    @workflow.update
    async def decide(self, decision: BareDecision) -> BareState:
        await workflow.execute_local_activity(noop, self._decided + 1, start_to_close_timeout=timedelta(seconds=10))
        self._decided += 1
        return self._state()

    def _state(self) -> BareState:
        done = self._decided >= self._document.decisions
        return BareState(
            document_id=self._document.document_id,
            decided=self._decided,
            status="approved" if done else "in_review",
        )
