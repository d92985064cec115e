"""Replay recorded histories against today's DocumentWorkflow: a change that breaks them needs workflow.patched.

Histories are recorded from representative runs with ``python -m tests.replay.record`` (see that module).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from worker.main import WORKFLOWS, workflow_runner

HISTORIES = {p.stem: p.read_text() for p in sorted((Path(__file__).parent / "histories").glob("*.json"))}


@pytest.mark.parametrize("name", sorted(HISTORIES))
async def test_recorded_history_replays(name: str) -> None:
    history = WorkflowHistory.from_json(f"document:{name}", HISTORIES[name])
    replayer = Replayer(
        workflows=list(WORKFLOWS), data_converter=pydantic_data_converter, workflow_runner=workflow_runner()
    )
    await replayer.replay_workflow(history)


def test_histories_are_recorded() -> None:
    assert len(HISTORIES) >= 2, "record representative histories with python -m tests.replay.record"


def test_receipt_workflows_have_histories() -> None:
    """#12: a 供覧 of a receipt, a reply decided, and a 回答期限 are among the replayed histories."""
    types = {
        json.loads(text)["events"][0]["workflowExecutionStartedEventAttributes"]["workflowType"]["name"]
        for text in HISTORIES.values()
    }
    assert {"ReceiptCirculationWorkflow", "ReplyDeadlineWorkflow", "DocumentWorkflow"} <= types
