"""Record the histories replayed by test_replay.py: an approval with 合議, a send-back/resubmit/withdraw, 代決,
合議不調, a budget, a 人事異動 reassignment, and of receipts: a 供覧, a reply decided, a 回答期限 ended by closing.

.venv/bin/python -m tests.replay.record            # every history
.venv/bin/python -m tests.replay.record NAME ...   # only these (the others stay as recorded)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from cli.dev import find_temporal, search_attribute_args
from core.calendar import JST
from core.demo_city import generate_city
from core.settings import Settings
from db.migrate import upgrade
from db.seed import seed_demo
from domain.fiscal import fiscal_year_at
from integrations.hr import HttpHrClient
from stubs.finance.app import create_app as create_finance_app
from stubs.hr.app import create_app as create_hr_app
from tests.api.test_receipts import decided, registered
from tests.records.test_disposal import completed
from tests.support.serve import serve_app
from tests.support.stack import Stack, api_stack, holder, in_process_worker, settings_for

OUT = Path(__file__).parent / "histories"


async def _approved(stack: Stack) -> str:
    doc = await stack.draft(holder("somu.somu", "staff"), amount_yen=1_500_000)
    await stack.call(holder("somu.somu", "staff"), "POST", f"/v1/documents/{doc['id']}/submit")
    for approver in (holder("somu.somu", "manager"), holder("somu.zaisei", "manager"), holder("somu", "director")):
        (await stack.act(approver, doc["id"], "approve")).raise_for_status()
    return str(doc["id"])


async def _sent_back_then_withdrawn(stack: Stack) -> str:
    drafter, manager = holder("somu.somu", "staff"), holder("somu.somu", "manager")
    doc = await stack.draft(drafter, amount_yen=300_000)
    await stack.call(drafter, "POST", f"/v1/documents/{doc['id']}/submit")
    (await stack.act(manager, doc["id"], "send_back", comment="見積書を添付してください")).raise_for_status()
    (await stack.act(drafter, doc["id"], "resubmit")).raise_for_status()
    (await stack.act(drafter, doc["id"], "withdraw", comment="取下げ")).raise_for_status()
    return str(doc["id"])


async def _substituted(stack: Stack, hr_url: str) -> str:
    drafter, manager, deputy = (holder("somu.somu", p) for p in ("staff", "manager", "assistant_manager"))
    doc = await stack.submitted(drafter, amount_yen=300_000)
    today = datetime.now(JST).date()
    async with HttpHrClient(hr_url) as hr:
        leave = await hr.add_absence(manager, kind="leave", start=today, end=today)
        try:
            await stack.ok(deputy, doc["id"], "substitute", on_behalf_of=manager)
        finally:
            await hr.delete_absence(leave.id)
    await stack.ok(manager, doc["id"], "post_review")
    return str(doc["id"])


async def _rerouted_and_circulated(stack: Stack) -> str:
    drafter, manager, director = (
        holder("somu.somu", "staff"),
        holder("somu.somu", "manager"),
        holder("somu", "director"),
    )
    units = ["somu.jinji", "somu.keiyaku"]
    doc = await stack.submitted(
        drafter, amount_yen=300_000, consult_units=units, readers=[holder("somu.somu", "chief")]
    )
    await stack.ok(holder("somu.jinji", "manager"), doc["id"], "object", comment="異議あり")
    await stack.ok(holder("somu.keiyaku", "manager"), doc["id"], "consent")
    await stack.ok(manager, doc["id"], "approve")
    await stack.ok(manager, doc["id"], "recall")
    await stack.ok(manager, doc["id"], "approve")
    await stack.ok(director, doc["id"], "send_back", comment="再検討", target_step=1)
    await stack.ok(drafter, doc["id"], "resubmit")
    await stack.ok(manager, doc["id"], "approve")
    await stack.ok(director, doc["id"], "approve")
    await stack.ok(holder("somu.somu", "chief"), doc["id"], "acknowledge")
    return str(doc["id"])


async def _budgeted(stack: Stack) -> str:
    """仮押さえ, 差戻し (released), 再提出 (reserved again), 決裁 (committed)."""
    drafter, manager = holder("somu.somu", "staff"), holder("somu.somu", "manager")
    doc = await stack.submitted(drafter, amount_yen=300_000, budget_code="0201-01-10-001")
    await stack.ok(manager, doc["id"], "send_back", comment="見積を添付")
    await stack.ok(drafter, doc["id"], "resubmit")
    await stack.ok(manager, doc["id"], "approve")
    return str(doc["id"])


async def _issued(stack: Stack) -> str:
    """決裁, 文書番号, 施行 with a 公印, 完結."""
    drafter, manager = holder("somu.somu", "staff"), holder("somu.somu", "manager")
    doc = await stack.submitted(drafter, amount_yen=300_000, needs_issuance=True)
    await stack.ok(manager, doc["id"], "approve")
    body = {
        "clean_copy_on": "2026-11-26",
        "seal": {"name": "市長印"},
        "dispatch_method": "post",
        "dispatched_on": "2026-11-27",
    }
    (await stack.call(drafter, "POST", f"/v1/documents/{doc['id']}/issuance", json=body)).raise_for_status()
    return str(doc["id"])


async def _leave_posted(stack: Stack) -> str:
    """A 休暇 request decided by the 課長, then posted to 人事給与 once."""
    drafter, manager = holder("somu.somu", "staff"), holder("somu.somu", "manager")
    details = {"matter": "leave", "kind": "annual", "start": "2031-07-01", "end": "2031-07-02", "days": 2}
    doc = await stack.submitted(drafter, amount_yen=0, matter="leave", details=details, title="年次有給休暇の申請")
    await stack.ok(manager, doc["id"], "approve")
    return str(doc["id"])


async def _disposal_review(stack: Stack) -> str:
    """A 廃棄決裁: the fiscal year's review of one expiring document, decided, then applied (廃棄)."""
    clerk, manager = holder("somu.somu", "chief"), holder("somu.somu", "manager")  # the chief: records_office
    fiscal_year = fiscal_year_at(datetime.now(JST))
    doc = await completed(stack, "消耗品購入", completed_on=date(fiscal_year - 5, 9, 10))
    review = (await stack.call(clerk, "POST", "/v1/records/disposal-reviews", json={"fiscal_year": fiscal_year})).json()
    path = f"/v1/records/disposal-reviews/{review['id']}"
    (await stack.call(clerk, "PUT", f"{path}/items/{doc['id']}", json={"disposition": "dispose"})).raise_for_status()
    submitted = await stack.call(clerk, "POST", f"{path}/submit", headers={"Idempotency-Key": review["id"]})
    submitted.raise_for_status()
    await stack.ok(manager, submitted.json()["document_id"], "approve")
    return str(submitted.json()["document_id"])


async def _reassigned(stack: Stack) -> str:
    """人事異動: the pending 課長 step moves to the new holder, who decides."""
    drafter, manager = holder("somu.somu", "staff"), holder("somu.somu", "manager")
    successor, admin = holder("somu.jinji", "assistant_manager"), "admin"
    doc = await stack.submitted(drafter, amount_yen=300_000)
    tomorrow = (datetime.now(JST) + timedelta(days=1)).date().isoformat()
    plan = {
        "effective_on": tomorrow,
        "end": [{"staff_id": manager, "org_unit": "somu.somu", "post": "manager"}],
        "start": [{"staff_id": successor, "org_unit": "somu.somu", "post": "manager"}],
    }
    transfer = (await stack.call(admin, "POST", "/v1/org/transfers", json=plan)).raise_for_status().json()
    (await stack.call(admin, "POST", f"/v1/org/transfers/{transfer['id']}/apply")).raise_for_status()
    await stack.ok(successor, doc["id"], "approve")
    return str(doc["id"])


async def _receipt_circulated(stack: Stack) -> str:
    """供覧 of a received document: two readers asked, one reminded never (both read in time), completed."""
    clerk, readers = holder("somu.somu", "staff"), [holder("somu.somu", "manager"), holder("somu.somu", "chief")]
    row = await registered(stack, clerk, assigned_unit="somu.somu")
    path = f"/v1/receipts/{row['id']}/circulation"
    (await stack.call(clerk, "POST", path, json={"readers": readers})).raise_for_status()
    for reader in readers:
        (await stack.call(reader, "POST", f"{path}/read", json={"comment": "確認"})).raise_for_status()
    return f"receipt-circulation:{row['id']}"


async def _receipt_replied(stack: Stack) -> str:
    """回答の起案 from a receipt, decided by the 課長: the reply's DocumentWorkflow (it completes the receipt)."""
    clerk = holder("shimin.zeimu", "staff")
    row = await registered(stack, clerk, reply_by="2031-06-30")
    draft = (await stack.call(clerk, "POST", f"/v1/receipts/{row['id']}/reply")).raise_for_status().json()
    await decided(stack, clerk, draft["id"])
    return f"document:{draft['id']}"


async def _reply_deadline_closed(stack: Stack) -> str:
    """A receipt with a 回答期限, closed before the first reminder: its ReplyDeadlineWorkflow settles."""
    clerk = holder("shimin.zeimu", "staff")
    row = await registered(stack, clerk, reply_by="2031-07-31")
    await asyncio.sleep(1)  # its plan is made and its first timer started
    close = await stack.call(clerk, "POST", f"/v1/receipts/{row['id']}/close", json={"reason": "回答不要"})
    close.raise_for_status()
    return f"receipt-reply:{row['id']}"


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        url = f"sqlite+aiosqlite:///{data / 'ringi.db'}"
        upgrade(url)
        await seed_demo(Settings(database_url=url, data_dir=data))
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(find_temporal()),
            dev_server_extra_args=search_attribute_args(),
            data_converter=pydantic_data_converter,
        )
        try:
            async with (
                serve_app(create_hr_app(data / "hr.db", city=generate_city())) as hr_url,
                serve_app(create_finance_app(data / "finance.db")) as finance_url,
            ):
                settings = settings_for(
                    database_url=url, temporal=env.client, hr_url=hr_url, finance_url=finance_url, data_dir=data
                )
                async with in_process_worker(settings, env.client), api_stack(settings, env.client) as stack:
                    # A scenario answers its document's id, or (receipts) the workflow id itself.
                    scenarios: dict[str, Callable[[], Awaitable[str]]] = {
                        "approved": lambda: _approved(stack),
                        "withdrawn": lambda: _sent_back_then_withdrawn(stack),
                        "substituted": lambda: _substituted(stack, hr_url),
                        "rerouted_and_circulated": lambda: _rerouted_and_circulated(stack),
                        "budgeted": lambda: _budgeted(stack),
                        "issued": lambda: _issued(stack),
                        "leave_posted": lambda: _leave_posted(stack),
                        "disposal_review": lambda: _disposal_review(stack),
                        "receipt_circulated": lambda: _receipt_circulated(stack),
                        "receipt_replied": lambda: _receipt_replied(stack),
                        "reply_deadline_closed": lambda: _reply_deadline_closed(stack),
                        "reassigned": lambda: _reassigned(stack),  # last: it changes the org chart
                    }
                    wanted = set(sys.argv[1:]) or set(scenarios)
                    for name, scenario in scenarios.items():
                        if name not in wanted:
                            continue
                        answer = await scenario()
                        workflow_id = answer if ":" in answer else f"document:{answer}"
                        handle = env.client.get_workflow_handle(workflow_id)
                        await asyncio.wait_for(handle.result(), timeout=30)
                        history = await handle.fetch_history()
                        (OUT / f"{name}.json").write_text(history.to_json())
                        print(f"recorded {name}: {workflow_id}")
        finally:
            await env.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
