"""GET /metrics: request counts by route template, latencies, problem titles, and ringi's figures from the DB."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from api.metrics import ApiMetrics
from db.repositories.operations import OperationsSnapshot
from domain.chain import DECISION_ACTIONS
from tests.api.support import DRAFTER, MANAGER, SMALL, submitted
from tests.support.stack import Stack

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
ACTIONS = "/v1/documents/{document_id}/actions"


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(stack: Stack) -> Samples:
    r = await stack.http.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return parse(r.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_a_decision_counts_its_request_its_latency_and_the_decision(stack: Stack) -> None:
    doc = await submitted(stack, amount_yen=SMALL)
    before = await scrape(stack)
    await stack.ok(MANAGER, doc["id"], "approve")
    after = await scrape(stack)

    labels = {"method": "POST", "route": ACTIONS, "status": "200"}
    assert (
        value(after, "ringi_http_requests_total", **labels) == value(before, "ringi_http_requests_total", **labels) + 1
    )
    timed = {"method": "POST", "route": ACTIONS}
    count = "ringi_http_request_duration_seconds_count"
    assert value(after, count, **timed) == value(before, count, **timed) + 1
    assert value(after, "ringi_http_request_duration_seconds_bucket", **timed, le="+Inf") >= 1
    approvals = value(after, "ringi_decisions_total", action="approve")
    assert approvals >= value(before, "ringi_decisions_total", action="approve") + 1
    assert value(after, "ringi_documents", status="approved") >= 1
    # the raw path (with the document's id) never becomes a label
    assert not any(doc["id"] in label for _, labels_ in after for _, label in labels_)


async def test_only_decisions_count_as_decisions(stack: Stack) -> None:
    """提出 and 意見 are audit events, not decisions: they never appear under ringi_decisions_total."""
    doc = await submitted(stack, amount_yen=SMALL)
    await stack.ok(MANAGER, doc["id"], "comment", comment="金額の根拠を添付してください")
    samples = await scrape(stack)
    counted = {dict(labels)["action"] for name, labels in samples if name == "ringi_decisions_total"}
    assert counted <= DECISION_ACTIONS
    assert not counted & {"submit", "comment"}
    await stack.ok(MANAGER, doc["id"], "approve")
    assert value(await scrape(stack), "ringi_decisions_total", action="approve") == (
        value(samples, "ringi_decisions_total", action="approve") + 1
    )


async def test_problems_are_counted_by_route_template_and_title(stack: Stack) -> None:
    missing = f"/v1/documents/{uuid.uuid4()}"
    before = await scrape(stack)
    assert (await stack.call(DRAFTER, "GET", missing)).status_code == 404
    assert (await stack.http.get("/no/such/page")).status_code == 404
    after = await scrape(stack)

    known = {"route": "/v1/documents/{document_id}", "status": "404", "title": "Not found"}
    assert value(after, "ringi_http_problems_total", **known) == value(before, "ringi_http_problems_total", **known) + 1
    unmatched = {"method": "GET", "route": "<unmatched>", "status": "404"}
    assert value(after, "ringi_http_requests_total", **unmatched) == (
        value(before, "ringi_http_requests_total", **unmatched) + 1
    )


async def test_a_pending_step_has_an_age(stack: Stack) -> None:
    await submitted(stack, amount_yen=SMALL)
    samples = await scrape(stack)
    assert value(samples, "ringi_oldest_pending_step_age_seconds") > 0
    assert value(samples, "ringi_documents", status="in_review") >= 1


def test_ages_are_measured_from_the_scrape_and_zero_when_nothing_waits() -> None:
    metrics = ApiMetrics()
    at = datetime(2026, 4, 1, 9, tzinfo=UTC)
    waiting = OperationsSnapshot(
        decisions_by_action={"approve": 3},
        documents_by_status={"in_review": 2},
        outbox_depth=4,
        oldest_undelivered_at=at - timedelta(minutes=5),
        oldest_pending_step_since=at - timedelta(days=2),
    )
    metrics.ringi.update(waiting, at)
    samples = parse(generate_latest(metrics.registry).decode())
    assert value(samples, "ringi_outbox_depth") == 4
    assert value(samples, "ringi_outbox_oldest_age_seconds") == 300
    assert value(samples, "ringi_oldest_pending_step_age_seconds") == 2 * 86400
    assert value(samples, "ringi_decisions_total", action="approve") == 3

    idle = OperationsSnapshot({}, {}, 0, None, None)
    metrics.ringi.update(idle, at)
    samples = parse(generate_latest(metrics.registry).decode())
    assert value(samples, "ringi_outbox_oldest_age_seconds") == 0
    assert value(samples, "ringi_oldest_pending_step_age_seconds") == 0
