"""The reports' parts outside the domain: the age of a wait in 開庁日 (core.calendar, in Japan's dates), a month's
bounds in Japan, and the SVG chart (self-contained, accessible)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest

from api.services.reports import bucket_chart_svg, month_bounds, waited


@pytest.mark.parametrize(
    ("since", "today", "age"),
    [
        # 2026-11-02 is a Monday; 11-03 文化の日 is closed.
        (datetime(2026, 11, 2, 1, 0, tzinfo=UTC), date(2026, 11, 2), 0),
        (datetime(2026, 11, 2, 1, 0, tzinfo=UTC), date(2026, 11, 3), 0),  # 文化の日
        (datetime(2026, 11, 2, 1, 0, tzinfo=UTC), date(2026, 11, 4), 1),
        (datetime(2026, 11, 2, 1, 0, tzinfo=UTC), date(2026, 11, 5), 2),
        (datetime(2026, 11, 2, 1, 0, tzinfo=UTC), date(2026, 11, 9), 4),  # over the weekend
        (datetime(2026, 11, 2, 1, 0, tzinfo=UTC), date(2026, 11, 12), 7),
        (datetime(2026, 11, 2, 1, 0, tzinfo=UTC), date(2026, 11, 13), 8),
        # 2026-11-01T15:30Z is already Monday 11-02 00:30 in Japan: the wait starts on the Japanese date.
        (datetime(2026, 11, 1, 15, 30, tzinfo=UTC), date(2026, 11, 2), 0),
        (datetime(2026, 12, 28, 1, 0, tzinfo=UTC), date(2027, 1, 4), 1),  # 年末年始 closed
        (None, date(2026, 11, 2), 0),
        (datetime(2026, 11, 5, 1, 0, tzinfo=UTC), date(2026, 11, 2), 0),  # a clock skew never gives a negative age
    ],
)
def test_the_age_is_counted_in_business_days_in_japan(since: datetime | None, today: date, age: int) -> None:
    assert waited(since, today) == age


def test_a_month_is_japans() -> None:
    start, end, first, last = month_bounds(date(2026, 12, 1))
    assert start == datetime(2026, 11, 30, 15, 0, tzinfo=UTC) and end == datetime(2026, 12, 31, 15, 0, tzinfo=UTC)
    assert (first, last) == (date(2026, 12, 1), date(2026, 12, 31))
    assert month_bounds(date(2027, 2, 1))[3] == date(2027, 2, 28)


def test_the_chart_is_self_contained_svg_with_a_title_and_a_description() -> None:
    svg = bucket_chart_svg({"0–1": 3, "2–3": 0, "4–7": 1, "8+": 2}, today=date(2026, 12, 3))
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.get("role") == "img"
    assert "計6件" in (root.findtext(f"{ns}title") or "")
    assert (root.findtext(f"{ns}desc") or "").endswith("0–1日 3件、2–3日 0件、4–7日 1件、8+日 2件")
    assert len(root.findall(f"{ns}rect")) == 1 + 4  # the background and one bar per bucket
    assert "href" not in svg and "<script" not in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
