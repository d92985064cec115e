"""Contract: ringi's real HR client (``HttpHrClient``) against the HR stand-in (``stubs.hr``), which shares none
of its models.

Every method of ``HrClient`` is called over HTTP; each test asserts what came back against the demo city the stub
was loaded with, and at the end holds every answer against the models the client parses (``Wire.drift``): a field
renamed on either side fails here.  The stub refuses request fields it does not know, so a rename in what the client
sends fails too (422 -> ``HrInvalid``).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from core.demo_city import EFFECTIVE_FROM, generate_city
from integrations.hr import (
    AbsentAnswer,
    HrClient,
    HrInvalid,
    HrNotFound,
    HrRefused,
    HttpHrClient,
    PostingAnswer,
    SubstitutionAnswer,
)
from schemas.general_affairs import LeaveBalances
from schemas.org import Absence, City, OrgUnit, OrgUnitRef, PostRef, StaffRef
from schemas.transfers import TransferAssignment, TransferPlan
from stubs.hr.app import create_app
from tests.contracts.wire import Wire
from tests.support.serve import serve_app

CITY = generate_city()
DAY = date(2026, 6, 1)
_ID = r"[^/]+"

#: What ``HttpHrClient`` parses from each answer of HR.
HR_WIRE = {
    ("GET", "/health"): None,  # ping: only the status is read
    ("GET", f"/staff/{_ID}"): StaffRef,
    ("GET", f"/staff/{_ID}/absent"): AbsentAnswer,
    ("GET", f"/staff/{_ID}/substituting"): list[SubstitutionAnswer],
    ("GET", f"/org-units/{_ID}"): OrgUnit,
    ("GET", "/holders"): list[StaffRef],
    ("GET", "/substitutes"): list[StaffRef],
    ("POST", "/absences"): Absence,
    ("GET", "/absences"): list[Absence],
    ("GET", r"/absences/\d+"): Absence,
    ("DELETE", r"/absences/\d+"): None,
    ("POST", f"/postings/{_ID}"): PostingAnswer,
    ("PUT", f"/org/transfers/{_ID}"): None,
    ("GET", f"/staff/{_ID}/leave-balances"): LeaveBalances,
}


def staff_ref(city: City, staff_id: str) -> StaffRef:
    """The staff member in their (only) post, as the demo city says."""
    (assignment,) = (a for a in city.assignments if a.staff_id == staff_id)
    unit = next(u for u in city.org_units if u.code == assignment.org_unit_code)
    post = next(p for p in city.posts if p.code == assignment.post_code)
    person = next(s for s in city.staff if s.id == staff_id)
    return StaffRef(
        id=staff_id,
        name=person.name,
        org_unit=OrgUnitRef(code=unit.code, name=unit.name),
        post=PostRef(code=post.code, name=post.name),
    )


def holder_ids(org_unit: str, post: str) -> list[str]:
    return sorted(a.staff_id for a in CITY.assignments if a.org_unit_code == org_unit and a.post_code == post)


MANAGER = holder_ids("somu.somu", "manager")[0]  # 総務課長
ASSISTANT = holder_ids("somu.somu", "assistant_manager")[0]  # 総務課長補佐, first 代決 substitute
CHIEFS = holder_ids("somu.somu", "chief")  # 係長, next in line


@pytest.fixture
async def wire(tmp_path: Path) -> AsyncIterator[Wire]:
    """The wire of one test; checked for drift when the test ends."""
    wire = Wire(HR_WIRE)
    yield wire
    assert wire.drift() == []


@pytest.fixture
async def hr_stub(tmp_path: Path) -> AsyncIterator[str]:
    """The HR stand-in's URL (its admin endpoints are no part of the client)."""
    async with serve_app(create_app(tmp_path / "hr.db", city=CITY)) as url:
        yield url


@pytest.fixture
async def hr(hr_stub: str, wire: Wire) -> AsyncIterator[HrClient]:
    async with HttpHrClient(hr_stub, transport=wire.transport) as client:
        yield client


def test_every_method_has_a_contract() -> None:
    methods = {name for name, _ in inspect.getmembers(HrClient, inspect.isfunction) if not name.startswith("_")}
    tests = {name for name in globals() if name.startswith("test_")}
    assert {m for m in methods if not any(f"_{m}_" in f"{t}_" for t in tests)} == set()  # test_<method>[_<method>…]


async def test_get_staff(hr: HrClient) -> None:
    assert await hr.get_staff(MANAGER) == staff_ref(CITY, MANAGER)
    assert await hr.get_staff(MANAGER, as_of=EFFECTIVE_FROM) == staff_ref(CITY, MANAGER)
    with pytest.raises(HrNotFound, match="holds no post"):  # the date reaches HR
        await hr.get_staff(MANAGER, as_of=EFFECTIVE_FROM - timedelta(days=1))
    with pytest.raises(HrNotFound, match="unknown staff"):
        await hr.get_staff("s9999")


async def test_get_org_unit(hr: HrClient) -> None:
    for unit in (CITY.org_units[0], next(u for u in CITY.org_units if u.code == "somu.somu")):
        assert await hr.get_org_unit(unit.code) == unit  # a division: parent_code and symbol are set
    with pytest.raises(HrNotFound, match="unknown org unit"):
        await hr.get_org_unit("nowhere")


async def test_holders(hr: HrClient) -> None:
    assert await hr.holders("somu.somu", "chief") == [staff_ref(CITY, s) for s in CHIEFS]
    assert await hr.holders("somu.somu", "chief", as_of=EFFECTIVE_FROM - timedelta(days=1)) == []
    with pytest.raises(HrNotFound, match="unknown post"):
        await hr.holders("somu.somu", "shogun")


async def test_substitutes(hr: HrClient) -> None:
    expected = [staff_ref(CITY, s) for s in (ASSISTANT, *CHIEFS)]
    assert await hr.substitutes("somu.somu", "manager", as_of=EFFECTIVE_FROM) == expected
    assert await hr.substitutes("somu.somu", "manager", as_of=EFFECTIVE_FROM - timedelta(days=1)) == []
    with pytest.raises(HrNotFound, match="unknown org unit"):
        await hr.substitutes("nowhere", "manager")


async def test_add_absence_get_absence_list_absences_absences_is_absent(hr: HrClient) -> None:
    leave = await hr.add_absence(
        MANAGER, kind="leave", start=DAY, end=DAY + timedelta(days=2), note="年休", idempotency_key="a"
    )
    assert (leave.staff_id, leave.kind, leave.start, leave.end, leave.note) == (
        MANAGER,
        "leave",
        DAY,
        DAY + timedelta(days=2),
        "年休",
    )
    again = await hr.add_absence(
        MANAGER, kind="leave", start=DAY, end=DAY + timedelta(days=2), note="年休", idempotency_key="a"
    )
    assert again == leave  # the key reached HR: nothing new
    trip = await hr.add_absence(ASSISTANT, kind="trip", start=DAY + timedelta(days=2), end=DAY + timedelta(days=2))

    assert await hr.get_absence(leave.id) == leave
    assert await hr.list_absences() == [leave, trip]
    assert await hr.list_absences(staff_id=ASSISTANT) == [trip]
    assert await hr.list_absences(on=DAY) == [leave]
    assert await hr.absences(MANAGER, on=DAY + timedelta(days=2)) == [leave]
    assert await hr.absences(MANAGER, on=DAY + timedelta(days=3)) == []
    assert await hr.is_absent(MANAGER, on=DAY)
    assert not await hr.is_absent(MANAGER, on=DAY - timedelta(days=1))

    with pytest.raises(HrInvalid, match="end is before start"):
        await hr.add_absence(MANAGER, kind="leave", start=DAY, end=DAY - timedelta(days=1))
    with pytest.raises(HrInvalid, match="unknown staff"):
        await hr.add_absence("s9999", kind="trip", start=DAY, end=DAY)


async def test_substituting(hr: HrClient) -> None:
    await hr.add_absence(MANAGER, kind="trip", start=DAY, end=DAY)
    assert await hr.substituting(ASSISTANT, on=DAY) == [staff_ref(CITY, MANAGER)]
    assert await hr.substituting(ASSISTANT, on=DAY + timedelta(days=1)) == []


async def test_delete_absence(hr: HrClient) -> None:
    absence = await hr.add_absence(MANAGER, kind="trip", start=DAY, end=DAY)
    await hr.delete_absence(absence.id)
    with pytest.raises(HrNotFound):
        await hr.get_absence(absence.id)
    with pytest.raises(HrNotFound):
        await hr.delete_absence(absence.id)


async def test_post_record(hr: HrClient) -> None:
    leave = {"staff_id": MANAGER, "kind": "annual", "start": DAY.isoformat(), "days": 15, "document_id": "d1"}
    first = await hr.post_record("leave", leave, key="leave:d1")
    assert await hr.post_record("leave", leave, key="leave:d1") == first  # the key reached HR
    assert await hr.post_record("overtime", {"staff_id": MANAGER, "hours": 2}, key="overtime:d2") != first
    with pytest.raises(HrRefused) as refused:
        await hr.post_record("leave", leave | {"document_id": "d3"}, key="leave:d3")
    assert refused.value.type == "leave_balance_insufficient"
    assert "残" in refused.value.detail


async def test_leave_balances(hr: HrClient, hr_stub: str) -> None:
    fresh = await hr.leave_balances(MANAGER, year=DAY.year)
    assert (fresh.staff_id, fresh.year) == (MANAGER, DAY.year)
    assert (fresh.annual.granted_days, fresh.annual.carried_over_days, fresh.annual.remaining_days) == (20, 0, 20)
    assert (fresh.hourly.limit_hours, fresh.hourly.remaining_hours) == (38.75, 38.75)  # 5 days of 7.75 hours
    assert {s.kind: s.remaining_days for s in fresh.special} == {"summer": 5, "volunteer": 5}

    async with httpx.AsyncClient(base_url=hr_stub) as admin:  # HR's own 付与: set by the test
        grants = {"year": DAY.year, "annual_days": 20, "carried_over_days": 4, "special": {"summer": 3}}
        assert (await admin.put(f"/admin/leave-grants/{MANAGER}", json=grants)).status_code == 204
    leave = {"staff_id": MANAGER, "kind": "annual", "start": DAY.isoformat(), "days": 3, "document_id": "d1"}
    await hr.post_record("leave", leave, key="leave:d1")
    hourly = leave | {"days": 1, "hours": 7.75, "document_id": "d2"}
    await hr.post_record("leave", hourly, key="leave:d2")
    summer = leave | {"kind": "special", "special_kind": "summer", "days": 2, "document_id": "d3"}
    await hr.post_record("leave", summer, key="leave:d3")

    after = await hr.leave_balances(MANAGER, year=DAY.year)
    assert (after.annual.carried_over_days, after.annual.used_days, after.annual.remaining_days) == (4, 4, 20)
    assert (after.hourly.used_hours, after.hourly.remaining_hours) == (7.75, 31)
    assert {s.kind: s.remaining_days for s in after.special} == {"summer": 1, "volunteer": 5}
    assert (await hr.leave_balances(MANAGER, year=DAY.year + 1)).annual.remaining_days == 20  # by calendar year
    with pytest.raises(HrRefused, match="夏季休暇の残日数が不足"):
        await hr.post_record("leave", summer | {"document_id": "d4"}, key="leave:d4")
    with pytest.raises(HrNotFound, match="unknown staff"):
        await hr.leave_balances("s9999", year=DAY.year)


async def test_apply_transfer(hr: HrClient) -> None:
    on = date(2026, 10, 1)
    plan = TransferPlan(
        effective_on=on,
        end=(TransferAssignment(staff_id=ASSISTANT, org_unit="somu.somu", post="assistant_manager"),),
        start=(TransferAssignment(staff_id=ASSISTANT, org_unit="somu.somu", post="chief"),),
    )
    await hr.apply_transfer("t1", plan)
    await hr.apply_transfer("t1", plan)  # once per id
    assert [s.id for s in await hr.holders("somu.somu", "chief", as_of=on)] == sorted((ASSISTANT, *CHIEFS))
    assert await hr.holders("somu.somu", "assistant_manager", as_of=on) == []
    assert await hr.holders("somu.somu", "assistant_manager", as_of=on - timedelta(days=1)) == [
        staff_ref(CITY, ASSISTANT)
    ]
    unknown = TransferPlan(
        effective_on=on, start=(TransferAssignment(staff_id="s9999", org_unit="somu", post="staff"),)
    )
    with pytest.raises(HrInvalid, match="unknown staff"):
        await hr.apply_transfer("t2", unknown)


async def test_ping(hr: HrClient) -> None:
    await hr.ping(within=2.0)  # HR's /health answers: /ready counts it up
    async with HttpHrClient("http://127.0.0.1:9") as closed:  # nothing listens on the discard port
        with pytest.raises(httpx.HTTPError):
            await closed.ping(within=0.5)
