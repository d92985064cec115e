"""bench/search.py in small (200 documents, PostgreSQL): it loads, rebuilds its index and times the API's query."""

from __future__ import annotations

import asyncio
import os

import pytest

from bench.search import UNITS, _load, _prepare, _time
from bench.stack import throwaway_database
from db.migrate import upgrade
from domain.visibility import Viewer

POSTGRES_URL = os.environ.get("RINGI_TEST_POSTGRES_URL")


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="RINGI_TEST_POSTGRES_URL is not set")
def test_the_search_bench_runs_on_200_documents() -> None:
    assert POSTGRES_URL
    with throwaway_database(POSTGRES_URL) as url:
        upgrade(url)
        asyncio.run(_prepare(url))
        assert asyncio.run(_load(url, 200, seed=1)) > 0
        office = Viewer(staff_id="bench-01", records_office=True)
        times, _ = asyncio.run(_time(url, office, 3, seed=1))
        assert len(times) == 3 and all(t > 0 for t in times)
        division = Viewer(staff_id="bench-00", units=frozenset({UNITS[0]}))
        assert len(asyncio.run(_time(url, division, 3, seed=1))[0]) == 3
