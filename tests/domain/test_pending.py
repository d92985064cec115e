"""滞留 and 事務報告 rules: the buckets at their boundaries, who reads which units, withheld titles, overdue replies,
the monthly counts (domain.pending)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.pending import (
    BUCKET_LABELS,
    HeldPost,
    ReportScope,
    SectionCount,
    bucket_counts,
    bucket_of,
    count_by_section,
    reply_overdue,
    report_scope,
    shown_title,
)
from domain.visibility import Audience, Viewer


@pytest.mark.parametrize(
    ("age", "bucket"),
    [(-1, "0–1"), (0, "0–1"), (1, "0–1"), (2, "2–3"), (3, "2–3"), (4, "4–7"), (7, "4–7"), (8, "8+"), (400, "8+")],
)
def test_the_buckets_at_their_boundaries(age: int, bucket: str) -> None:
    assert bucket_of(age) == bucket


def test_bucket_counts_list_every_bucket_in_order() -> None:
    assert bucket_counts([0, 1, 8, 9, 3]) == {"0–1": 2, "2–3": 1, "4–7": 0, "8+": 2}
    assert list(bucket_counts([])) == list(BUCKET_LABELS)


DIVISIONS = {"norin": ["norin.nosei", "norin.rinsei"]}


def test_a_manager_reads_their_division_a_director_their_department() -> None:
    me = Viewer(staff_id="s1")
    assert report_scope(me, [HeldPost("norin.nosei", "manager")], DIVISIONS) == ReportScope(
        units=frozenset({"norin.nosei"})
    )
    assert report_scope(me, [HeldPost("norin", "director")], DIVISIONS) == ReportScope(
        units=frozenset({"norin", "norin.nosei", "norin.rinsei"})
    )
    both = report_scope(me, [HeldPost("norin.nosei", "manager"), HeldPost("shoko.kanko", "manager")], DIVISIONS)
    assert both is not None and both.units == {"norin.nosei", "shoko.kanko"}  # 兼務


@pytest.mark.parametrize("post", ["staff", "chief", "assistant_manager"])
def test_others_read_no_report(post: str) -> None:
    assert report_scope(Viewer(staff_id="s1"), [HeldPost("norin.nosei", post)], DIVISIONS) is None
    assert report_scope(Viewer(staff_id="s1"), [], DIVISIONS) is None


def test_the_records_office_and_admins_read_everything() -> None:
    for viewer in (Viewer(staff_id="s1", records_office=True), Viewer(staff_id="s1", is_admin=True)):
        scope = report_scope(viewer, [HeldPost("somu.somu", "staff")], DIVISIONS)
        assert scope is not None and scope.everything and scope.covers("anything")


def test_a_confidential_title_is_shown_to_its_audience_only() -> None:
    audience = Audience(drafter_id="d", org_unit_code="norin.rinsei", route=frozenset({"m"}))
    director = Viewer(staff_id="x", units=frozenset({"norin"}))
    assert shown_title(director, audience, confidentiality=1, title="t") == "t"
    assert shown_title(director, audience, confidentiality=2, title="t") is None
    assert shown_title(director, audience, confidentiality=3, title="t") is None
    assert shown_title(Viewer(staff_id="m"), audience, confidentiality=3, title="t") == "t"
    assert shown_title(Viewer(staff_id="x", records_office=True), audience, confidentiality=3, title="t") == "t"


@pytest.mark.parametrize(
    ("reply_by", "outcome", "overdue"),
    [
        (date(2026, 12, 2), "none", True),
        (date(2026, 12, 2), "replying", True),
        (date(2026, 12, 3), "none", False),  # due today: not yet passed
        (date(2026, 12, 2), "replied", False),
        (date(2026, 12, 2), "closed", False),
        (date(2026, 12, 2), "circulating", False),  # 供覧 owes no reply (as the 回答期限 reminders agree)
        (date(2026, 12, 2), "circulated", False),
        (None, "none", False),
    ],
)
def test_a_reply_is_overdue_once_past_unsettled(reply_by: date | None, outcome: str, overdue: bool) -> None:
    assert reply_overdue(reply_by=reply_by, outcome=outcome, today=date(2026, 12, 3)) is overdue


def test_the_monthly_counts_by_section_within_the_scope() -> None:
    counts = count_by_section(
        drafted=["b", "a", "a", "z"],
        decided=["a"],
        received=["c", "c"],
        scope=ReportScope(units=frozenset({"a", "b", "c"})),
    )
    assert counts == [
        SectionCount("a", drafted=2, decided=1, received=0),
        SectionCount("b", drafted=1),
        SectionCount("c", received=2),
    ]
