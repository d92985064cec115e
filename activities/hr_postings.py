"""人事給与 postings (activities): a decided 庶務 request (休暇, 時間外勤務, 出張) is posted to HR once.

``post_to_hr`` carries the idempotency key the workflow derived from the document, so a retry after a lost answer
(or a worker killed before it could report) finds the posting HR already stored.  HR's business refusals (e.g. the
annual leave balance is insufficient) become a non-retryable ``ApplicationError`` of type ``HrRefused``; transport
errors and 5xx propagate and Temporal retries them.  ``project_hr_posting`` writes the outcome onto the document
and, for a refusal, notifies the drafter and 人事課 (the decision stands: HR's refusal is for people to settle).
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.notifications import safe_name
from db.models import DocumentRow
from db.repositories.documents import DocumentRepository
from db.repositories.notifications import NotificationRepository
from db.session import begin_write
from integrations.hr import HrClient, HrInvalid, HrRefused
from schemas.general_affairs import HrPostingProjection, HrPostingRequest, HrPostingResult

log = structlog.get_logger("ringi.hr_postings")

HR_DIVISION = "somu.jinji"  # 人事課: keeps 人事給与 and settles what it refuses


class HrPostingActivities:
    def __init__(self, hr: HrClient, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._hr = hr
        self._sessions = sessions

    @activity.defn(name="post_to_hr")
    async def post_to_hr(self, request: HrPostingRequest) -> HrPostingResult:
        """Post the decided request to 人事給与 under ``request.key``: the posting id HR keeps."""
        kind = request.details.matter
        try:
            posting_id = await self._hr.post_record(kind, request.payload(), key=request.key)
        except HrRefused as exc:
            log.info("hr.posting_refused", document_id=request.document_id, refusal=exc.type)
            raise ApplicationError(exc.detail, exc.type, type="HrRefused", non_retryable=True) from exc
        except HrInvalid as exc:
            raise ApplicationError(str(exc), type="HrInvalid", non_retryable=True) from exc
        log.info("hr.posted", document_id=request.document_id, kind=kind, posting_id=posting_id)
        return HrPostingResult(posting_id=posting_id)

    @activity.defn(name="project_hr_posting")
    async def project_hr_posting(self, projection: HrPostingProjection) -> list[str]:
        """The posting's outcome onto the document; a refusal also to the drafter and 人事課長: who was told."""
        posting = projection.posting
        recipients: list[str] = []
        if posting.state == "refused":
            recipients = [s.id for s in await self._hr.holders(HR_DIVISION, "manager")]
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            document = await DocumentRepository(session).get(projection.document_id, for_update=True)
            if document is None:
                raise ApplicationError(f"document {projection.document_id} is not in the database", non_retryable=True)
            document.hr_state = posting.state
            document.hr_posting_id = posting.posting_id
            document.hr_error = posting.error
            if posting.state == "refused":
                recipients = list(dict.fromkeys([document.drafter_id, *recipients]))
                await self._notify(session, document, posting.error, recipients)
        log.info("document.hr_projected", document_id=projection.document_id, state=posting.state)
        return recipients

    @staticmethod
    async def _notify(session: AsyncSession, document: DocumentRow, reason: str, recipients: list[str]) -> None:
        for recipient in recipients:
            await NotificationRepository(session).add_once(
                dedupe_key=f"{document.id}:hr_refused:{recipient}",
                recipient_id=recipient,
                document_id=document.id,
                kind="hr_refused",
                subject=f"【人事給与 要確認】{safe_name(document)}: {reason}"[:400],
                created_at=datetime.now(UTC),
            )
