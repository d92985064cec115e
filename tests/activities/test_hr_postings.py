"""HR posting activities: a refusal from HR is typed, shown on the document and notified once; transport
errors are left for Temporal to retry."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from temporalio.exceptions import ApplicationError

from activities.hr_postings import HrPostingActivities
from db.models import DocumentRow
from db.repositories.notifications import NotificationRepository
from db.session import create_engine, create_sessionmaker
from integrations.hr import HttpHrClient
from schemas.general_affairs import (
    DocumentHrPosting,
    HrPostingProjection,
    HrPostingRequest,
    LeaveDetails,
)
from tests.activities.test_notifications import DRAFTER, make_document
from tests.support.stack import holder

PERSONNEL = holder("somu.jinji", "manager")  # 人事課長


def too_long_leave(document_id: str) -> HrPostingRequest:
    details = LeaveDetails(kind="annual", start=date(2033, 4, 1), end=date(2033, 4, 30), days=21)
    return HrPostingRequest(
        document_id=document_id, staff_id=DRAFTER, decided_on=date(2033, 3, 1), details=details, key=document_id
    )


async def test_a_refusal_is_typed_and_notified_once(seeded_database_url: str, hr_url: str) -> None:
    engine = create_engine(seeded_database_url)
    sessions = create_sessionmaker(engine)
    document = make_document(confidentiality=2)
    async with sessions() as session, session.begin():
        session.add(document)
    try:
        async with HttpHrClient(hr_url) as hr:
            activities = HrPostingActivities(hr, sessions)
            with pytest.raises(ApplicationError) as refused:
                await activities.post_to_hr(too_long_leave(document.id))
            assert (refused.value.type, refused.value.non_retryable) == ("HrRefused", True)
            projection = HrPostingProjection(
                document_id=document.id, posting=DocumentHrPosting(state="refused", error=refused.value.message)
            )
            assert await activities.project_hr_posting(projection) == [DRAFTER, PERSONNEL]
            await activities.project_hr_posting(projection)  # a retried activity
        async with sessions() as session:
            row = await session.get(DocumentRow, document.id)
            assert row is not None and (row.hr_state, row.hr_posting_id) == ("refused", None)
            for recipient in (DRAFTER, PERSONNEL):
                notices = await NotificationRepository(session).for_recipient(recipient)
                mine = [n for n in notices if n.document_id == document.id]
                assert [n.kind for n in mine] == ["hr_refused"]
                assert document.title not in mine[0].subject  # 機密性2: no title in a notice
    finally:
        await engine.dispose()


async def test_transport_errors_propagate_for_a_retry(seeded_database_url: str) -> None:
    def unavailable(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"detail": "injected fault"})

    engine = create_engine(seeded_database_url)
    try:
        async with HttpHrClient("http://hr.invalid", transport=httpx.MockTransport(unavailable)) as hr:
            activities = HrPostingActivities(hr, create_sessionmaker(engine))
            with pytest.raises(httpx.HTTPStatusError):
                await activities.post_to_hr(too_long_leave("d-503"))
    finally:
        await engine.dispose()
