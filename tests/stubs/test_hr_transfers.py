"""The HR stub takes a 人事異動 once per transfer id: assignments end and start on the effective date."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from core.demo_city import generate_city
from integrations.hr import HrInvalid, HttpHrClient
from schemas.transfers import TransferPlan
from stubs.hr.app import create_app
from tests.support.serve import serve_app
from tests.support.stack import holder

ON = date(2027, 4, 1)
MANAGER = holder("somu.somu", "manager")
SUCCESSOR = holder("somu.jinji", "assistant_manager")


def swap() -> TransferPlan:
    return TransferPlan.model_validate(
        {
            "effective_on": ON,
            "end": [{"staff_id": MANAGER, "org_unit": "somu.somu", "post": "manager"}],
            "start": [{"staff_id": SUCCESSOR, "org_unit": "somu.somu", "post": "manager"}],
            "new_org_units": [{"code": "seisaku.ai", "name": "AI推進室", "kind": "division", "parent_code": "seisaku"}],
        }
    )


@pytest.fixture
async def hr(tmp_path: Path) -> AsyncIterator[HttpHrClient]:
    async with serve_app(create_app(tmp_path / "hr.db", city=generate_city())) as url, HttpHrClient(url) as client:
        yield client


async def test_a_transfer_changes_the_holders_from_its_date_once(hr: HttpHrClient) -> None:
    await hr.apply_transfer("t1", swap())
    await hr.apply_transfer("t1", swap())  # again: nothing changes
    before = await hr.holders("somu.somu", "manager", as_of=date(2027, 3, 31))
    after = await hr.holders("somu.somu", "manager", as_of=ON)
    assert [h.id for h in before] == [MANAGER]
    assert [h.id for h in after] == [SUCCESSOR]
    assert (await hr.get_org_unit("seisaku.ai")).name == "AI推進室"
    assert (await hr.get_staff(SUCCESSOR, as_of=ON)).post.code == "manager"


async def test_unknown_staff_are_refused_and_nothing_is_written(hr: HttpHrClient) -> None:
    stranger = {"staff_id": "zz", "org_unit": "somu.somu", "post": "manager"}
    bad = TransferPlan.model_validate({**swap().model_dump(), "end": [stranger]})
    with pytest.raises(HrInvalid, match="zz"):
        await hr.apply_transfer("t2", bad)
    assert [h.id for h in await hr.holders("somu.somu", "manager", as_of=ON)] == [MANAGER]


async def test_a_transfer_with_leavers_is_taken(hr: HttpHrClient) -> None:
    """退職: the leaver ends their post; HR takes the plan with its ``leavers`` (ringi deactivates the account)."""
    plan = TransferPlan.model_validate(
        {
            "effective_on": ON,
            "end": [{"staff_id": MANAGER, "org_unit": "somu.somu", "post": "manager"}],
            "leavers": [{"staff_id": MANAGER, "reason": "retired"}],
        }
    )
    await hr.apply_transfer("t-leavers", plan)
    assert await hr.holders("somu.somu", "manager", as_of=ON) == []
