"""Deadline notices: to the right people, once, and never with classified content."""

from __future__ import annotations

from datetime import UTC, datetime

from activities.notifications import NotificationActivities, subject_for
from db.models import DocumentRow
from db.repositories.notifications import NotificationRepository
from db.session import create_engine, create_sessionmaker
from integrations.hr import HttpHrClient
from schemas.document import DeadlineNotice
from tests.support.documents import document_row
from tests.support.stack import holder

DRAFTER = holder("somu.somu", "staff")
MANAGER = holder("somu.somu", "manager")  # 総務課長
DIRECTOR = holder("somu", "director")  # 総務部長
SECRET_BODY = "非公開の人事案件の詳細"


def make_document(*, confidentiality: int, title: str = "職員の懲戒について") -> DocumentRow:
    return document_row(
        title=title, body=SECRET_BODY, confidentiality=confidentiality, status="in_review", drafter_id=DRAFTER
    )


def test_subjects_never_carry_the_body_and_hide_classified_titles() -> None:
    open_doc = make_document(confidentiality=1, title="庁用車の購入")
    classified = make_document(confidentiality=2)
    assert "庁用車の購入" in subject_for(open_doc, "remind")
    for kind in ("remind", "escalate"):
        for doc in (open_doc, classified):
            assert SECRET_BODY not in subject_for(doc, kind)
        assert classified.title not in subject_for(classified, kind)


async def test_escalation_goes_to_the_superior_once(seeded_database_url: str, hr_url: str) -> None:
    engine = create_engine(seeded_database_url)
    sessions = create_sessionmaker(engine)
    document = make_document(confidentiality=2)
    async with sessions() as session, session.begin():
        session.add(document)
    notice = DeadlineNotice(
        document_id=document.id,
        kind="escalate",
        stage_index=0,
        stage_since=datetime(2026, 11, 20, 1, 0, tzinfo=UTC),
        assignee_ids=(MANAGER,),
    )
    try:
        async with HttpHrClient(hr_url) as hr:
            activities = NotificationActivities(sessions, hr)
            assert await activities.notify_deadline(notice) == [DIRECTOR]
            await activities.notify_deadline(notice)  # a retried activity
            reminder = notice.model_copy(update={"kind": "remind"})
            assert await activities.notify_deadline(reminder) == [MANAGER]
        async with sessions() as session:
            repo = NotificationRepository(session)
            escalations = await repo.for_recipient(DIRECTOR)
            reminders = await repo.for_recipient(MANAGER)
        assert [(n.kind, n.document_id) for n in escalations] == [("escalate", document.id)]
        assert [n.kind for n in reminders] == ["remind"]
        assert all(document.title not in n.subject and SECRET_BODY not in n.subject for n in escalations + reminders)
    finally:
        await engine.dispose()
