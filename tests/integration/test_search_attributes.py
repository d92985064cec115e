"""検索属性: operators find "waiting on s0022" with a visibility query, in the SDK and with the temporal CLI."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

from temporalio.client import Client

from cli.dev import find_temporal
from tests.support.stack import full_stack, holder
from workflows.search import KEYS

DRAFTER, MANAGER = holder("somu.somu", "staff"), holder("somu.somu", "manager")  # s0026 -> s0022 (総務課長)


async def listed(client: Client, query: str, *, expected: int = 1) -> list[str]:
    """Workflow ids matching ``query``, polled briefly (visibility is eventually consistent)."""
    ids: list[str] = []
    for _ in range(100):
        ids = [execution.id async for execution in client.list_workflows(query)]
        if len(ids) == expected:
            return ids
        await asyncio.sleep(0.1)
    raise AssertionError(f"{query!r} listed {ids}, expected {expected}")


async def test_documents_are_listed_by_assignee_status_and_number(
    seeded_database_url: str, temporal_client: Client, hr_url: str, finance_url: str, tmp_path: Path
) -> None:
    async with full_stack(
        seeded_database_url, temporal_client, hr_url=hr_url, finance_url=finance_url, data_dir=tmp_path
    ) as stack:
        doc = await stack.submitted(DRAFTER, amount_yen=300_000, title="個人情報を含む件名")
        this = f'WorkflowId = "document:{doc["id"]}"'
        assert await listed(temporal_client, f'RingiAssignees = "{MANAGER}" AND {this}') == [f"document:{doc['id']}"]
        await listed(temporal_client, f'RingiStatus = "in_review" AND RingiMatter = "spending" AND {this}')
        await listed(temporal_client, f'RingiOrgUnit = "somu.somu" AND {this}')

        decided = await stack.ok(MANAGER, doc["id"], "approve")
        await listed(temporal_client, f'RingiAssignees = "{MANAGER}" AND {this}', expected=0)
        await listed(temporal_client, f'RingiStatus IN ("approved", "completed") AND {this}')
        number = None
        for _ in range(100):  # 文書番号 is taken just after the decision answers
            number = (await stack.call(DRAFTER, "GET", f"/v1/documents/{decided['id']}")).json()["number_display"]
            if number:
                break
            await asyncio.sleep(0.05)
        assert number
        await listed(temporal_client, f'RingiDocumentNumber = "{number}" AND {this}')

        described = await temporal_client.get_workflow_handle(f"document:{doc['id']}").describe()
        shown = described.raw_description.workflow_execution_info.search_attributes.indexed_fields
        assert {key.name for key in KEYS} - {"RingiAssignees"} <= set(shown)  # nobody is assigned any more
        # codes and ids only: no title, no names
        assert "個人情報" not in str(described.raw_description.workflow_execution_info.search_attributes)


async def test_the_temporal_cli_lists_what_waits_on_a_staff_member(
    seeded_database_url: str, temporal_client: Client, hr_url: str, finance_url: str, tmp_path: Path
) -> None:
    async with full_stack(
        seeded_database_url, temporal_client, hr_url=hr_url, finance_url=finance_url, data_dir=tmp_path
    ) as stack:
        doc = await stack.submitted(DRAFTER, amount_yen=300_000)
        query = f'RingiAssignees = "{MANAGER}" AND WorkflowId = "document:{doc["id"]}"'
        await listed(temporal_client, query)
        address = temporal_client.service_client.config.target_host
        argv = [str(find_temporal()), "workflow", "list", "--address", address, "--query", query, "-o", "json"]
        listing = await asyncio.to_thread(subprocess.run, argv, capture_output=True, text=True, check=True)
        assert [run["execution"]["workflowId"] for run in json.loads(listing.stdout)] == [f"document:{doc['id']}"]
