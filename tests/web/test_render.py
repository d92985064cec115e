"""What the pages show: 和暦 with the Gregorian date at hand, yen with 3-digit commas, waiting times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import api.web
from api.web.render import create_templates, jdate, waited, yen


def test_dates_show_wareki_with_the_gregorian_date_in_the_title() -> None:
    at = datetime(2026, 11, 26, 6, 5, tzinfo=UTC)  # 15:05 in Japan
    html = str(jdate(at))
    assert "令和8年11月26日 15:05" in html and 'title="2026-11-26 15:05"' in html
    assert str(jdate(date(2019, 5, 1))).endswith(">令和元年5月1日</time>")
    assert str(jdate(None)) == "—"


def test_amounts_have_commas() -> None:
    assert yen(1_500_000) == "¥1,500,000"
    assert yen(0) == "¥0"


def test_waiting_time() -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert waited(now - timedelta(minutes=5), now) == "5分"
    assert waited(now - timedelta(hours=4, minutes=10), now) == "4時間10分"
    assert waited(now - timedelta(days=2, hours=3), now) == "2日3時間"
    assert waited(None, now) == "—"


def test_every_template_compiles() -> None:
    env = create_templates().env
    names = sorted(p.name for p in (Path(api.web.__file__).parent / "templates").glob("*.html"))
    assert "document.html" in names
    for name in names:
        env.get_template(name)
