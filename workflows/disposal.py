"""The yearly disposal review trigger (廃棄・移管の審査), run by a Temporal Schedule.

Every year on February 1 (09:00 JST) the schedule starts ``DisposalReviewTriggerWorkflow``, which opens the
fiscal year's review: the documents whose retention expires on the coming March 31.  February leaves the records
office (総務課) two months to ask the sections about extensions (延長), select what goes to the archives (移管)
and have the 廃棄決裁 decided before the year-end hand-over, and it stays clear of the March/April peak.

The review itself is then a document of its own (matter ``disposal_review``) decided through DocumentWorkflow;
``RecordsLifecycle`` settles it when it closes (workflows/records.py): its 延長 at once, its 廃棄 and 移管 only from
the day after their 満了日.  Every day at 00:05 JST a second schedule starts ``DisposalApplyWorkflow``, which
applies what has come due (a review approved in February is applied on April 1).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from schemas.disposal import DisposalTrigger, DueApplied, DueDisposals, OpenReviewRequest, ReviewOpened

with workflow.unsafe.imports_passed_through():
    from activities.disposal import DisposalActivities

SCHEDULE_ID = "ringi-disposal-review-yearly"
#: February 1, 09:00 JST = February 1, 00:00 UTC (the spec is in UTC: no time-zone database needed).
SCHEDULE_MONTH, SCHEDULE_DAY, SCHEDULE_HOUR_UTC = 2, 1, 0
APPLY_SCHEDULE_ID = "ringi-disposal-apply-daily"
#: Every day 00:05 JST = 15:05 UTC the day before: on April 1 the items expired on March 31 are applied first thing.
APPLY_HOUR_UTC, APPLY_MINUTE = 15, 5
APPLY_WORKFLOW_ID = "disposal-apply:daily"


def trigger_workflow_id(fiscal_year: int | None = None) -> str:
    return f"disposal-review:{fiscal_year if fiscal_year is not None else 'scheduled'}"


@workflow.defn
class DisposalReviewTriggerWorkflow:
    """Opens the fiscal year's disposal review (idempotent: a second run finds the review already open)."""

    @workflow.run
    async def run(self, trigger: DisposalTrigger) -> ReviewOpened:
        opened = await workflow.execute_activity_method(
            DisposalActivities.open_disposal_review,
            OpenReviewRequest(fiscal_year=trigger.fiscal_year, at=workflow.now(), opened_by="system"),
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
        )
        workflow.logger.info(
            "disposal review of FY%d: %s (%d documents)",
            opened.fiscal_year,
            "opened" if opened.created else "already open",
            opened.item_count,
        )
        return opened


@workflow.defn
class DisposalApplyWorkflow:
    """Applies the decided reviews' 廃棄 and 移管 whose retention has expired (idempotent: applied once each)."""

    @workflow.run
    async def run(self, request: DueDisposals | None = None) -> DueApplied:
        applied = await workflow.execute_activity_method(
            DisposalActivities.apply_due_disposals,
            DueDisposals(at=request.at if request else workflow.now()),
            start_to_close_timeout=timedelta(minutes=30),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1)),
        )
        workflow.logger.info("disposal apply: %d applied, %d waiting", applied.applied, applied.waiting)
        return applied
