"""Who decides a 庶務 request: leave and trips up to 2 days the 課長, longer the 部長; overtime the 課長."""

from __future__ import annotations

from datetime import date, time

import pytest

from activities.routing import decider_rule
from core.authority import GENERAL_AFFAIRS, general_affairs_rule
from schemas.document import DocumentFacts
from schemas.general_affairs import AffairDetails, LeaveDetails, OvertimeDetails, TripDetails

START = date(2027, 4, 5)


def leave(days: float) -> LeaveDetails:
    return LeaveDetails(kind="annual", start=START, end=date(2027, 4, 30), days=days)


def trip(days: int) -> TripDetails:
    return TripDetails(destination="東京都", purpose="要望活動", start=START, end=date(2027, 4, 30), days=days)


OVERTIME = OvertimeDetails(work_date=START, start_time=time(17, 30), end_time=time(21, 30), hours=4, reason="議会対応")


@pytest.mark.parametrize(
    ("details", "level"),
    [
        (leave(0.5), "manager"),
        (leave(2), "manager"),  # 2日以内
        (leave(2.5), "director"),
        (leave(3), "director"),
        (trip(1), "manager"),
        (trip(2), "manager"),
        (trip(3), "director"),
        (OVERTIME, "manager"),
    ],
)
def test_the_decider_of_each_request(details: AffairDetails, level: str) -> None:
    rule = general_affairs_rule(details)
    assert rule.level == level
    assert rule.matter == details.matter
    facts = DocumentFacts(
        matter=details.matter, amount_yen=0, org_unit_code="x", version=1, content_hash="", details=details
    )
    assert decider_rule(facts) == (level, rule.citation)


def test_every_matter_has_an_unbounded_last_row() -> None:
    for matter in ("leave", "overtime", "trip"):
        rows = [r for r in GENERAL_AFFAIRS if r.matter == matter]
        assert rows[-1].up_to is None
        assert all(r.up_to is not None for r in rows[:-1])
