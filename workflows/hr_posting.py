"""The 人事給与 posting of one decided 庶務 request (休暇, 時間外勤務, 出張), driven by DocumentWorkflow.

Once the chain is decided, the request is posted to HR exactly once: one idempotency key per document, so a
retried activity (a lost answer, a worker killed after HR's write) finds the posting already there.  A refusal by
HR (e.g. 年次有給休暇 beyond the balance) is recorded on the document and notified; the decision stands.
"""

from __future__ import annotations

from datetime import timedelta, timezone

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from domain.statuses import DECIDED
from schemas.document import ChainState
from schemas.general_affairs import DocumentHrPosting, HrPostingProjection, HrPostingRequest
from workflows.budget_saga import cause_message

with workflow.unsafe.imports_passed_through():
    from activities.hr_postings import HrPostingActivities

JST = timezone(timedelta(hours=9))
#: ``ringi worker``'s HR client gives up after 5 s; transport errors are retried with the same key.
HR_TRY = timedelta(seconds=10)
HR_GIVE_UP = timedelta(hours=24)


class HrPosting:
    """Holds the document's posting state; the workflow calls ``settle`` after each transition."""

    def __init__(self, document_id: str) -> None:
        self.document_id = document_id
        self.posting = DocumentHrPosting()

    async def settle(self, state: ChainState) -> bool:
        """Post a decided 庶務 request not posted yet, and project the outcome; True if it did."""
        details = state.facts.details
        if details is None or self.posting.state != "none" or state.status not in DECIDED:
            return False
        request = HrPostingRequest(
            document_id=self.document_id,
            staff_id=state.drafter_id,
            decided_on=state.updated_at.astimezone(JST).date(),
            details=details,
            key=f"{self.document_id}:hr-posting",
        )
        try:
            result = await workflow.execute_activity_method(
                HrPostingActivities.post_to_hr,
                request,
                start_to_close_timeout=HR_TRY,
                schedule_to_close_timeout=HR_GIVE_UP,
                retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=30)),
            )
            self.posting = DocumentHrPosting(state="posted", posting_id=result.posting_id)
        except ActivityError as error:
            self.posting = DocumentHrPosting(state="refused", error=f"人事給与 refused: {cause_message(error)}")
        await workflow.execute_local_activity_method(
            HrPostingActivities.project_hr_posting,
            HrPostingProjection(document_id=self.document_id, posting=self.posting),
            start_to_close_timeout=timedelta(seconds=10),
        )
        return True
