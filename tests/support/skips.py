"""A loud end of run: every group of skipped tests and why (a missing system package is a skip, never silent).

Registered from tests/conftest.py.  Under pytest-xdist the workers' reports reach the controller, which prints
the summary once.
"""

from __future__ import annotations

from collections import Counter

import pytest

_SKIPPED: Counter[tuple[str, str]] = Counter()


def _group(nodeid: str) -> str:
    """``tests/browser/test_pages.py::test_x[sqlite]`` → ``tests/browser``."""
    path = nodeid.split("::", 1)[0]
    return path.rsplit("/", 1)[0] if "/" in path else path


def _reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return text.removeprefix("Skipped: ")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _SKIPPED[(_group(report.nodeid), _reason(report))] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _SKIPPED:
        return
    total = sum(_SKIPPED.values())
    terminalreporter.write_sep("=", f"{total} tests SKIPPED, by group and reason", yellow=True, bold=True)
    for (group, reason), count in sorted(_SKIPPED.items()):
        terminalreporter.write_line(f"SKIPPED {count:4d} in {group}: {reason}", yellow=True)
