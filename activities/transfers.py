"""人事異動 (activity and service): preview and apply an uploaded org chart.

Applying writes the new assignments into HR (the one source of truth for routing look-ups as of a date) and
ringi's org mirror, then moves every unanswered step of a leaving post holder to the new holder of the same post
by an update on each affected DocumentWorkflow (bounded concurrency), and tells the records office (文書担当)
about steps whose post is abolished or vacant.  Every part is idempotent: HR and the mirror record the
transfer once, the plan is recomputed from what is still unmoved, and each document's update id is derived from
the transfer and its moves — so applying twice changes nothing, and applying again after a crash finishes the
rest.  The impact preview is the same plan, so it shows exactly what applying does.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from activities.notifications import RECORDS_OFFICE, safe_name
from core.errors import NotFound
from core.transfers import leavers, leaving_staff, plan_moves, positions_of_interest
from db.models import DocumentRow, OrgTransferRow, PostRow
from db.repositories.accounts import AccountRepository
from db.repositories.notifications import NotificationRepository
from db.repositories.sessions import SessionRepository
from db.repositories.transfers import TransferRepository
from db.session import begin_write
from integrations.hr import HrClient
from schemas.document import ChainState
from schemas.transfers import (
    ReassignInput,
    Reassignment,
    TransferApplied,
    TransferImpact,
    TransferMove,
    TransferPlan,
)

log = structlog.get_logger("ringi.transfers")

#: Updates in flight at once: enough to keep the server busy, few enough not to starve the API's own updates.
DEFAULT_CONCURRENCY = 24
Progress = Callable[[int, int], None]


def document_workflow_id(document_id: str) -> str:
    return f"document:{document_id}"  # = workflows.document.workflow_id (not imported: activities sit below it)


class TransferApplier:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        hr: HrClient,
        temporal: Client,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        rpc_timeout: timedelta = timedelta(seconds=30),
    ) -> None:
        self._sessions = sessions
        self._hr = hr
        self._temporal = temporal
        self._concurrency = concurrency
        self._rpc_timeout = rpc_timeout

    async def impact(self, transfer_id: str) -> TransferImpact:
        """Before the first apply: what applying would do now; after it: the plan it fixed, with progress."""
        row, plan = await self._load(transfer_id)
        async with self._sessions() as session:
            moves = await self._plan(session, plan) if row.status == "draft" else await self._fixed(session, row.id)
        return TransferImpact(
            transfer_id=row.id,
            status=row.status,
            effective_on=row.effective_on,
            documents=len({m.document_id for m in moves}),
            moves=tuple(moves),
        )

    async def apply(self, transfer_id: str, *, progress: Progress | None = None) -> TransferApplied:
        row, plan = await self._load(transfer_id)
        if row.status == "applied":
            return TransferApplied(
                transfer_id=transfer_id, status="applied", reassigned_documents=0, needs_decision=0, skipped_documents=0
            )
        await self._hr.apply_transfer(transfer_id, plan)
        await self._fix_plan_and_write_mirror(transfer_id, plan)
        async with self._sessions() as session:
            open_moves = [m for m in await self._fixed(session, transfer_id) if not m.done]
        undecided = [m for m in open_moves if m.outcome == "needs_decision"]
        await self._tell_records_office(transfer_id, plan, undecided)
        by_document: dict[str, list[TransferMove]] = {}
        for move in open_moves:
            if move.outcome == "reassign":
                by_document.setdefault(move.document_id, []).append(move)
        done, skipped = await self._reassign_all(transfer_id, plan, by_document, progress)
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            stored = await TransferRepository(session).get(transfer_id, for_update=True)
            assert stored is not None
            stored.status = "applied"
            stored.applied_at = datetime.now(UTC)
        log.info(
            "transfer.applied", transfer_id=transfer_id, reassigned=done, skipped=skipped, undecided=len(undecided)
        )
        return TransferApplied(
            transfer_id=transfer_id,
            status="applied",
            reassigned_documents=done,
            needs_decision=len(undecided),
            skipped_documents=skipped,
        )

    async def _load(self, transfer_id: str) -> tuple[OrgTransferRow, TransferPlan]:
        async with self._sessions() as session:
            row = await TransferRepository(session).get(transfer_id)
        if row is None:
            raise NotFound(f"no transfer {transfer_id}")
        return row, TransferPlan.model_validate(row.plan)

    @staticmethod
    async def _plan(session: AsyncSession, plan: TransferPlan) -> list[TransferMove]:
        repo = TransferRepository(session)
        steps = await repo.held_steps(leaving_staff(plan))
        holders = await repo.holders_on(positions_of_interest(plan), as_of=plan.effective_on)
        return plan_moves(plan, steps, holders)

    @staticmethod
    async def _fixed(session: AsyncSession, transfer_id: str) -> list[TransferMove]:
        return await TransferRepository(session).moves(transfer_id)

    async def _fix_plan_and_write_mirror(self, transfer_id: str, plan: TransferPlan) -> None:
        """One transaction: the plan (from the org chart before the transfer) and the new assignments."""
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            repo = TransferRepository(session)
            row = await repo.get(transfer_id, for_update=True)
            assert row is not None
            if row.status != "draft":
                return  # fixed and written by an earlier (maybe interrupted) apply
            await repo.add_moves(transfer_id, await self._plan(session, plan))
            await repo.write_plan(plan)
            await _deactivate_leavers(session, plan)
            row.status = "applying"

    async def _reassign_all(
        self,
        transfer_id: str,
        plan: TransferPlan,
        by_document: dict[str, list[TransferMove]],
        progress: Progress | None,
    ) -> tuple[int, int]:
        post_names = await self._post_names()
        gate = asyncio.Semaphore(self._concurrency)
        total = len(by_document)
        counts = {"done": 0, "skipped": 0}
        reason = f"人事異動 ({plan.effective_on.isoformat()} 付)"

        finished: list[str] = []

        async def one(document_id: str, moves: list[TransferMove]) -> None:
            request = ReassignInput(
                transfer_id=transfer_id,
                moves=tuple(
                    Reassignment(old_id=m.old_assignee_id, new_id=m.new_assignee_id or "", new_post=post_names(m))
                    for m in moves
                ),
                reason=reason,
            )
            async with gate:
                moved = await self._reassign(document_id, request)
            finished.append(document_id)
            counts["done" if moved else "skipped"] += 1
            if progress is not None:
                progress(counts["done"] + counts["skipped"], total)

        # Every document gets its chance before a failure surfaces (a re-apply then finishes the rest).
        outcomes = await asyncio.gather(*(one(d, m) for d, m in sorted(by_document.items())), return_exceptions=True)
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            await TransferRepository(session).mark_done(transfer_id, finished, outcome="reassign")
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        if failures:
            log.error(
                "transfer.reassign_failed", transfer_id=transfer_id, failed=len(failures), first=repr(failures[0])
            )
            raise failures[0]
        return counts["done"], counts["skipped"]

    async def _reassign(self, document_id: str, request: ReassignInput) -> bool:
        """One document's update; False if its workflow has closed or refuses (it has moved on)."""
        digest = hashlib.sha256(request.model_dump_json().encode()).hexdigest()[:16]
        handle = self._temporal.get_workflow_handle(document_workflow_id(document_id))
        try:
            await handle.execute_update(
                "reassign",
                request,
                id=f"transfer:{request.transfer_id}:{digest}",
                result_type=ChainState,
                rpc_timeout=self._rpc_timeout,
            )
        except WorkflowUpdateFailedError as exc:
            log.warning("transfer.reassign_refused", document_id=document_id, cause=repr(exc.cause))
            return False
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            log.info("transfer.reassign_skipped_closed", document_id=document_id)
            return False
        return True

    async def _post_names(self) -> Callable[[TransferMove], str]:
        async with self._sessions() as session:
            names = {code: name for code, name in (await session.execute(select(PostRow.code, PostRow.name))).all()}
        return lambda move: names.get(move.post, move.post)

    async def _tell_records_office(self, transfer_id: str, plan: TransferPlan, moves: list[TransferMove]) -> None:
        """文書担当 (総務課長 on the effective date) hears of each step whose post has no successor."""
        if not moves:
            return
        office = (RECORDS_OFFICE, "manager")
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            recipients = (await TransferRepository(session).holders_on([office], as_of=plan.effective_on))[office]
            notices = NotificationRepository(session)
            for move in moves:
                document = await session.get(DocumentRow, move.document_id)
                if document is None:
                    continue
                subject = f"【要確認】{safe_name(document)}: 人事異動 {move.org_unit} {move.post} — {move.reason}"
                for recipient in recipients:
                    await notices.add_once(
                        dedupe_key=f"{move.document_id}:transfer:{transfer_id}:{move.stage_index}:{recipient}",
                        recipient_id=recipient,
                        document_id=move.document_id,
                        kind="records",
                        subject=subject[:400],
                        created_at=datetime.now(UTC),
                    )
            await TransferRepository(session).mark_done(
                transfer_id, [m.document_id for m in moves], outcome="needs_decision"
            )


async def _deactivate_leavers(session: AsyncSession, plan: TransferPlan) -> None:
    """退職・離職: the leavers' accounts are deactivated and every session of theirs ends, with the new org chart."""
    gone = await AccountRepository(session).deactivate(leavers(plan), at=datetime.now(UTC))
    sessions = SessionRepository(session)
    for staff_id in gone:
        await sessions.revoke_all(staff_id)
    if gone:
        log.info("transfer.leavers_deactivated", staff=len(gone), effective_on=str(plan.effective_on))


class TransferActivities:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], hr: HrClient) -> None:
        self._sessions = sessions
        self._hr = hr

    @activity.defn(name="apply_transfer")
    async def apply_transfer(self, transfer_id: str) -> TransferApplied:
        """Apply at the effective date (TransferWorkflow's timer); heartbeats while it works."""
        applier = TransferApplier(self._sessions, self._hr, activity.client())
        beating = asyncio.create_task(_heartbeat_every(timedelta(seconds=20)))
        try:
            result = await applier.apply(transfer_id)
        except NotFound as exc:
            raise ApplicationError(exc.detail, type="TransferNotFound", non_retryable=True) from exc
        finally:
            beating.cancel()
        activity.logger.info("transfer %s applied: %d documents reassigned", transfer_id, result.reassigned_documents)
        return result


async def _heartbeat_every(interval: timedelta) -> None:
    while True:
        activity.heartbeat()
        await asyncio.sleep(interval.total_seconds())
