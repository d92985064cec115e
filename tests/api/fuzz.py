"""Schemathesis over ringi's own ``/openapi.json``, as a real client: generated requests (valid and invalid) to
every operation, signed in as a demo staff member, each answer checked — never a 5xx, and (``conformance``) the
status, content type and body the document promises.

Used by tests/api/test_fuzz.py (a small fixed-seed run in the suite) and ``make fuzz`` (at least 1,000 cases).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

#: Operations the fuzzer does not call: they end the caller's own sessions or change its password (every later
#: case would answer 401).  Unauthenticated variants (401) of every operation are generated as negative cases.
SKIPPED = re.compile(r"^(POST /v1/auth/signout|DELETE /v1/me/sessions/.*|POST /v1/me/password)$")

CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


@dataclass
class Report:
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    by_operation: Counter[tuple[str, int]] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    nonconforming: list[str] = field(default_factory=list)

    @classmethod
    def merged(cls, reports: list[Report]) -> Report:
        """One report of several runs (one per role)."""
        total = cls()
        for report in reports:
            total.cases += report.cases
            total.statuses.update(report.statuses)
            total.by_operation.update(report.by_operation)
            total.server_errors += report.server_errors
            total.nonconforming += report.nonconforming
        return total

    def summary(self) -> str:
        return (
            f"fuzz: {self.cases} cases, {len(self.server_errors)} 5xx, {len(self.nonconforming)} nonconforming;"
            f" statuses {dict(sorted(self.statuses.items()))}"
        )


def operations(document: dict[str, Any]) -> Iterator[Any]:
    schema = schemathesis.openapi.from_dict(document)
    for result in schema.get_all_operations():
        operation = result.ok()
        if not SKIPPED.match(f"{operation.method.upper()} {operation.path}"):
            yield operation


def run(
    document: dict[str, Any],
    *,
    base_url: str,
    headers: dict[str, str],
    cases_per_operation: int,
    seed: int = 13,
    conformance: bool = True,
) -> Report:
    """Call every operation ``cases_per_operation`` times (positive and negative cases); blocking (requests)."""
    report = Report()
    http = requests.Session()
    for operation in operations(document):
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )
        _exercise(operation, strategy, report, http, base_url, headers, cases_per_operation, seed, conformance)
    return report


def _exercise(
    operation: Any,
    strategy: Any,
    report: Report,
    http: requests.Session,
    base_url: str,
    headers: dict[str, str],
    cases: int,
    seed: int,
    conformance: bool,
) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    def one(case: Any) -> None:
        response = case.call(base_url=base_url, session=http, headers=headers, timeout=60)
        report.cases += 1
        report.statuses[response.status_code] += 1
        report.by_operation[(label, response.status_code)] += 1
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except (FailureGroup, AssertionError) as exc:
            report.server_errors.append(f"{label} -> {response.status_code}: {_first_line(exc)} | {case!r}"[:2000])
            return
        if conformance:
            try:
                case.validate_response(response, checks=CONFORMANCE)
            except (FailureGroup, AssertionError) as exc:
                report.nonconforming.append(f"{label} -> {response.status_code}: {_first_line(exc)}"[:600])

    test: Callable[[], None] = hypothesis.seed(seed)(
        hypothesis.settings(
            max_examples=cases,
            deadline=None,
            database=None,
            derandomize=False,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(hypothesis.given(strategy)(one))
    )
    test()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return " / ".join(line for line in text[:6] if line.strip())
