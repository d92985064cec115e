"""The yearly disposal review Schedule on the dev server (the time-skipping server has no Schedules): created
once (idempotently), it fires every February 1 at 09:00 JST, and a fire opens the fiscal year's review."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, date, datetime
from pathlib import Path

from temporalio.client import Client, ScheduleActionStartWorkflow
from temporalio.service import RPCError

from db.repositories.disposal import DisposalRepository
from db.session import create_engine, create_sessionmaker
from domain.fiscal import fiscal_year_at
from tests.support.stack import in_process_worker, settings_for
from tests.workflows.test_disposal_trigger import expiring_document
from worker.schedule import ensure_disposal_schedule
from workflows.disposal import SCHEDULE_ID


async def test_the_schedule_is_created_once_fires_each_february_and_opens_the_review(
    seeded_database_url: str, temporal_client: Client, hr_url: str, tmp_path: Path
) -> None:
    settings = settings_for(
        database_url=seeded_database_url, temporal=temporal_client, hr_url=hr_url, data_dir=tmp_path
    )
    fiscal_year = fiscal_year_at(datetime.now(UTC))
    engine = create_engine(seeded_database_url)
    sessions = create_sessionmaker(engine)
    async with sessions() as session, session.begin():
        session.add(expiring_document(date(fiscal_year + 1, 3, 31)))
    handle = temporal_client.get_schedule_handle(SCHEDULE_ID)
    with contextlib.suppress(RPCError):  # the dev server is shared: a `ringi worker` of another test made one
        await handle.delete()
    try:
        async with in_process_worker(settings, temporal_client):
            assert await ensure_disposal_schedule(temporal_client, settings.temporal_task_queue) is True
            assert await ensure_disposal_schedule(temporal_client, "another-queue") is False
            assert await ensure_disposal_schedule(temporal_client, settings.temporal_task_queue) is False
            action = (await handle.describe()).schedule.action
            assert isinstance(action, ScheduleActionStartWorkflow) and action.task_queue == settings.temporal_task_queue

            upcoming = (await handle.describe()).info.next_action_times[:3]
            assert [(t.month, t.day, t.hour, t.minute) for t in upcoming] == [(2, 1, 0, 0)] * 3  # 09:00 JST
            assert [t.year for t in upcoming] == [upcoming[0].year + n for n in range(3)]  # once a year

            await handle.trigger()  # what February 1 does
            review = None
            for _ in range(200):
                async with sessions() as session:
                    review = await DisposalRepository(session).live(fiscal_year)
                    items = await DisposalRepository(session).items(review.id) if review else []
                if review is not None:
                    break
                await asyncio.sleep(0.05)
            assert review is not None and review.opened_by == "system" and review.status == "open"
            assert len(items) == 1
    finally:
        await handle.delete()
        await engine.dispose()
