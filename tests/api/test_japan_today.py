"""Today is Japan's date everywhere: at 2026-04-01 00:30 JST (2026-03-31 15:30 UTC) the API answers for 04-01.

The clock is frozen at ``core.clock.now`` (the one function every "today" reads).  A 人事異動 takes effect on
04-01: the signed-in staff member's post, the staff list and the budget's 年度 all follow the JST date, where
the server's UTC date would still say 03-31 (年度 2025).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from temporalio.client import Client

from core import clock
from core.fiscal import fiscal_year_of
from db.models import PostAssignmentRow
from db.session import create_engine, create_sessionmaker
from tests.api.support import DRAFTER
from tests.support.stack import api_stack, settings_for

#: 2026-04-01 00:30 in Japan, still March 31 in UTC.
FROZEN = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)
TRANSFER_DAY = date(2026, 4, 1)
NEW_UNIT, NEW_POST = "shimin.zeimu", "staff"
BUDGET = "0201-01-17-001"


def test_the_clock_gives_the_date_in_japan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: FROZEN)
    assert FROZEN.date() == date(2026, 3, 31)
    assert clock.today_in_japan() == TRANSFER_DAY
    assert clock.now_in_japan().hour == 0 and clock.now_in_japan().minute == 30
    assert fiscal_year_of(clock.today_in_japan()) == 2026


async def transfer_on_april_first(database_url: str, staff_id: str) -> None:
    """The staff member leaves their post on 03-31 and holds NEW_POST in NEW_UNIT from 04-01 (人事異動)."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await session.execute(
                update(PostAssignmentRow)
                .where(PostAssignmentRow.staff_id == staff_id, PostAssignmentRow.effective_to.is_(None))
                .values(effective_to=TRANSFER_DAY)
            )
            session.add(
                PostAssignmentRow(
                    staff_id=staff_id, org_unit_code=NEW_UNIT, post_code=NEW_POST, effective_from=TRANSFER_DAY
                )
            )
    finally:
        await engine.dispose()


async def test_staff_me_and_budgets_use_the_date_in_japan(
    seeded_database_url: str,
    temporal_client: Client,
    hr_url: str,
    finance_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await transfer_on_april_first(seeded_database_url, DRAFTER)
    settings = settings_for(
        database_url=seeded_database_url,
        temporal=temporal_client,
        hr_url=hr_url,
        finance_url=finance_url,
        data_dir=tmp_path,
    )
    monkeypatch.setattr(clock, "now", lambda: FROZEN)
    async with api_stack(settings, temporal_client) as stack:
        me = await stack.call(DRAFTER, "GET", "/v1/me")
        assert me.status_code == 200, me.text
        assert me.json()["org_unit"]["code"] == NEW_UNIT

        listed = await stack.call(DRAFTER, "GET", "/v1/staff", params={"org_unit": NEW_UNIT, "limit": 200})
        assert listed.status_code == 200, listed.text
        assert DRAFTER in {ref["id"] for ref in listed.json()["items"]}

        budget = await stack.call(DRAFTER, "GET", f"/v1/budgets/{BUDGET}")
        assert budget.status_code == 200, budget.text
        assert budget.json()["fiscal_year"] == 2026
