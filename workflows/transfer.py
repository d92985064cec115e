"""TransferWorkflow: one 人事異動 (org chart change), applied at 00:00 JST of its effective date (異動日).

Started when the transfer is uploaded; a durable timer sleeps until the effective date, then one activity
applies it (new assignments into HR and ringi's mirror, pending steps of every document in flight moved to the
new holders).  Applying is idempotent, so an earlier manual apply (API or ``ringi org apply-transfer``), a retry
after a crash, or both, leave the same result.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from schemas.transfers import TransferApplied, TransferInput

with workflow.unsafe.imports_passed_through():
    from activities.transfers import TransferActivities


def transfer_workflow_id(transfer_id: str) -> str:
    return f"transfer:{transfer_id}"


@workflow.defn
class TransferWorkflow:
    @workflow.run
    async def run(self, transfer: TransferInput) -> TransferApplied:
        wait = transfer.apply_at - workflow.now()
        if wait > timedelta(0):
            await workflow.sleep(wait)
        return await workflow.execute_activity_method(
            TransferActivities.apply_transfer,
            transfer.transfer_id,
            start_to_close_timeout=timedelta(hours=2),
            heartbeat_timeout=timedelta(minutes=2),
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=5)),
        )
