"""The order in which pytest-xdist hands out the suite's work: the longest tests first, one by one.

``--dist loadscope`` keeps a module on one worker (its module fixtures, e.g. the API stack, start once) and, by
default, hands out the modules with the most tests first.  The longest tests are the opposite: a few tests per
module (one per backend) that each run for half a minute or more, so they came last and one worker ran them
alone while the other sat idle.  Here the modules listed in ``LONGEST`` (longest first, as ``--durations`` shows)
are split into one unit per test and handed out before everything else; the rest keeps loadscope's order.

Registered from tests/conftest.py; only the xdist controller calls the hook.
"""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

#: Modules whose every test runs for many seconds on its own fixtures, longest first.
LONGEST = (
    "tests/reliability/test_chaos_short.py",
    "tests/reliability/test_finance_crash.py",
    "tests/reliability/test_hr_posting_crash.py",
    "tests/api/test_fuzz.py",
    "tests/integration/test_reliability.py",
    "tests/browser/test_approval_in_browser.py",
    "tests/domain/test_chain_properties.py",
    "tests/domain/test_offers.py",
)


def _rank(nodeid: str) -> int | None:
    path = nodeid.split("::", 1)[0]
    return LONGEST.index(path) if path in LONGEST else None


class LongestFirstScheduling(LoadScopeScheduling):
    """loadscope, with each test of a ``LONGEST`` module a unit of its own, handed out first."""

    def _split_scope(self, nodeid: str) -> str:
        return nodeid if _rank(nodeid) is not None else super()._split_scope(nodeid)

    def _assign_work_unit(self, node: Any) -> None:
        longest = [scope for scope in self.workqueue if _rank(scope) is not None]
        if longest:  # loadscope pops the queue's first unit: make it the longest left
            self.workqueue.move_to_end(min(longest, key=lambda scope: _rank(scope) or 0), last=False)
        super()._assign_work_unit(node)


@pytest.hookimpl(optionalhook=True)  # unknown when xdist is off (-p no:xdist)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling | None:
    return LongestFirstScheduling(config, log) if config.getoption("dist") == "loadscope" else None
