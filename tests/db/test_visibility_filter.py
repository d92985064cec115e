"""The document lists' SQL filter (``visible_to``) and the visibility rule (``domain.visibility.sees``) agree.

Random documents — drafters and units, route steps in every state, acted-on steps, 後閲 — and random viewers —
their units, the records office, an administrator, whom they stand in for (代決) — on SQLite and PostgreSQL:
each viewer's list holds exactly the documents the rule lets them see.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy import select

from core.demo_city import EFFECTIVE_FROM
from db.models import DocumentRow, PostReviewRow, RouteStepRow, StaffRow
from db.repositories.visibility import viewer_on, visible_to
from db.session import create_engine, create_sessionmaker
from domain.visibility import Audience, Viewer, sees
from tests.support.documents import document_row
from tests.support.stack import CITY

UNITS = ["somu.somu", "somu.zaisei", "somu.jinji", "seisaku.kikaku"]
STATES = ["done", "pending", "waiting", "skipped", "closed", "cancelled"]


def _people(rng: random.Random, count: int) -> list[str]:
    staff = sorted({a.staff_id for a in CITY.assignments if a.org_unit_code in UNITS})
    return rng.sample(staff, count)


async def test_the_list_filter_and_the_rule_agree(seeded_database_url: str) -> None:
    rng = random.Random(20261202)
    people = _people(rng, 12)
    now = datetime.now(UTC)
    audiences: dict[str, Audience] = {}
    engine = create_engine(seeded_database_url)
    try:
        sessions = create_sessionmaker(engine)
        async with sessions() as session, session.begin():
            for _ in range(40):
                row = document_row(org_unit=rng.choice(UNITS), drafter_id=rng.choice(people))
                session.add(row)
                await session.flush()
                steps = []
                for index in range(rng.randint(0, 4)):
                    state = rng.choice(STATES)
                    acted_by = rng.choice(people) if state == "done" else None
                    steps.append(
                        RouteStepRow(
                            document_id=row.id,
                            stage_index=index,
                            stage_kind="review",
                            assignee_id=rng.choice(people),
                            state=state,
                            acted_by=acted_by,
                        )
                    )
                reviewers = rng.sample(people, rng.choice([0, 0, 1]))
                session.add_all(steps)
                session.add_all(
                    PostReviewRow(
                        document_id=row.id, staff_id=r, stage_index=0, reason="substitute", acted_by="x", owed_since=now
                    )
                    for r in reviewers
                )
                audiences[row.id] = Audience(
                    drafter_id=row.drafter_id,
                    org_unit_code=row.org_unit_code,
                    route=frozenset(s.assignee_id for s in steps) | frozenset(s.acted_by for s in steps if s.acted_by),
                    post_reviewers=frozenset(reviewers),
                    pending=frozenset(s.assignee_id for s in steps if s.state == "pending"),
                )
        viewers = [
            Viewer(
                staff_id=person,
                is_admin=rng.random() < 0.1,
                units=frozenset(rng.sample(UNITS, rng.choice([0, 1, 1, 2]))),
                records_office=rng.random() < 0.1,
                substituting_for=frozenset(rng.sample(people, rng.choice([0, 0, 1, 2]))),
            )
            for person in people
        ]
        seen: list[int] = []
        async with sessions() as session:
            for viewer in viewers:
                stmt = select(DocumentRow.id).where(DocumentRow.id.in_(audiences), visible_to(viewer))
                listed = set((await session.scalars(stmt)).all())
                assert listed == {d for d, audience in audiences.items() if sees(viewer, audience)}, viewer
                seen.append(len(listed))
        assert any(0 < n < len(audiences) for n in seen), seen  # the sample tells the clauses apart
    finally:
        await engine.dispose()


async def test_the_records_office_is_a_grant_not_membership_of_somu(seeded_database_url: str) -> None:
    """Only the granted 総務課長 and 係長 see everything: the rest of 総務課, 主事 included, is an ordinary division."""
    somu = [a for a in CITY.assignments if a.org_unit_code == "somu.somu"]
    granted = {s.id for s in CITY.staff if "records_office" in s.roles}
    assert granted and granted < {a.staff_id for a in somu}
    assert {a.post_code for a in somu if a.staff_id in granted} == {"manager", "chief"}
    engine = create_engine(seeded_database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            for assignment in somu:
                staff = await session.get(StaffRow, assignment.staff_id)
                assert staff is not None
                viewer = await viewer_on(session, staff, as_of=EFFECTIVE_FROM)
                assert viewer.units == frozenset({"somu.somu"})
                assert viewer.records_office is (staff.id in granted), (staff.id, assignment.post_code)
    finally:
        await engine.dispose()
