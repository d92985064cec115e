"""Rules admin and route preview over HTTP: the shipped rulebook, the decider at thresholds with the cited rule,
validated uploads (422 naming the row, nothing stored), and a future version that applies from its 適用日 while a
document submitted before keeps the version it was submitted under."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx
import yaml

from core.calendar import JST
from rules.loader import REPOSITORY_DIR
from tests.api.support import ADMIN, DIRECTOR, DRAFTER, FINANCE, MANAGER, assert_problem
from tests.support.paging import every_item
from tests.support.stack import Stack, holder

SHIPPED = "2021-04-01"
TODAY = datetime.now(JST).date()
VICE = holder("executive", "deputy_mayor")


def shipped(effective: date, **changes: Any) -> dict[str, Any]:
    """The shipped rulebook as an upload body, with a new 適用日 and some sections replaced."""
    data = yaml.safe_load((REPOSITORY_DIR / f"{SHIPPED}.yaml").read_text(encoding="utf-8"))
    data["適用日"] = effective.isoformat()
    data.update(changes)
    return dict(data)


async def upload(stack: Stack, data: dict[str, Any] | str, staff_id: str = ADMIN) -> httpx.Response:
    if isinstance(data, str):
        headers = {"Content-Type": "application/yaml"}
        return await stack.call(staff_id, "POST", "/v1/rules/versions", content=data.encode(), headers=headers)
    return await stack.call(staff_id, "POST", "/v1/rules/versions", json=data)


async def preview(stack: Stack, document_id: str, as_of: date | None = None) -> dict[str, Any]:
    params = {"as_of": as_of.isoformat()} if as_of else {}
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{document_id}/route-preview", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def stages(view: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(s["kind"], s["assignees"][0]["id"], s["rule"]) for s in view["stages"]]


async def version_ids(stack: Stack) -> list[str]:
    return [v["id"] for v in await every_item(stack, DRAFTER, "/v1/rules/versions")]


async def test_the_shipped_version_is_listed_with_its_cited_rows(stack: Stack) -> None:
    assert SHIPPED in await version_ids(stack)
    listed = await every_item(stack, DRAFTER, "/v1/rules/versions")
    assert [v["id"] for v in listed if v["in_force"]] == [SHIPPED]
    r = await stack.call(DRAFTER, "GET", f"/v1/rules/versions/{SHIPPED}")
    assert r.status_code == 200, r.text
    book = r.json()
    assert book["適用日"] == SHIPPED
    other = [row for row in book["authority"] if row["matter"] == "spending" and row["expense_class"] == "other"]
    assert [(row["以上"], row["未満"], row["level"]) for row in other] == [
        (0, 1_000_000, "manager"),
        (1_000_000, 5_000_000, "director"),
        (5_000_000, 10_000_000, "deputy_mayor"),
        (10_000_000, None, "mayor"),
    ]
    assert all(row["citation"] for row in book["authority"] + book["consultations"] + book["non_delegable"])
    assert_problem(await stack.call(DRAFTER, "GET", "/v1/rules/versions/1999-01-01"), 404)


async def test_preview_picks_the_decider_at_the_threshold_and_cites_the_rule(stack: Stack) -> None:
    below = await stack.draft(DRAFTER, amount_yen=999_999)
    at = await stack.draft(DRAFTER, amount_yen=1_000_000)
    construction = await stack.draft(DRAFTER, amount_yen=1_999_999, expense_class="construction")
    assert stages(await preview(stack, below["id"])) == [("decide", MANAGER, "別表第1 第1項(3)ア")]
    assert stages(await preview(stack, construction["id"])) == [  # 工事 < 200万: 課長, after the 財政課 合議
        ("consult", FINANCE, "第6条第1項第1号"),
        ("decide", MANAGER, "別表第1 第1項(1)ア"),
    ]
    view = await preview(stack, at["id"])
    assert view["rulebook_version"] == SHIPPED and view["as_of"] == TODAY.isoformat()
    assert stages(view) == [
        ("review", MANAGER, "第4条 (決裁の順序)"),
        ("consult", FINANCE, "第6条第1項第1号"),
        ("decide", DIRECTOR, "別表第1 第1項(3)イ"),
    ]
    flagged = await stack.draft(DRAFTER, amount_yen=999_999, flags=["doubtful"])
    assert stages(await preview(stack, flagged["id"]))[-1] == (
        "decide",
        DIRECTOR,
        "別表第1 第1項(3)ア; 第5条 (専決の制限)",
    )

    submitted = await stack.submitted(DRAFTER, amount_yen=1_000_000)
    assert submitted["rulebook_version"] == SHIPPED
    assert [(s["stage_kind"], s["rule"]) for s in submitted["steps"]] == [
        ("review", "第4条 (決裁の順序)"),
        ("consult", "第6条第1項第1号"),
        ("decide", "別表第1 第1項(3)イ"),
    ]
    read = await stack.call(DRAFTER, "GET", f"/v1/documents/{submitted['id']}")
    assert [s["rule"] for s in read.json()["steps"]] == [s["rule"] for s in submitted["steps"]]
    assert "財政課" in read.json()["steps"][1]["reason"]


async def test_a_leave_document_has_no_expense_class(stack: Stack) -> None:
    r = await stack.call(
        DRAFTER,
        "POST",
        "/v1/documents",
        json={"title": "休暇", "matter": "leave", "amount_yen": 0, "expense_class": "other"},
    )
    assert_problem(r, 422)


async def test_bad_uploads_are_refused_naming_the_row_and_store_nothing(stack: Stack) -> None:
    before = await version_ids(stack)
    future = TODAY + timedelta(days=400)
    base = shipped(future)
    authority = base["authority"]

    overlapping = [dict(row) for row in authority]
    overlapping[5]["以上"] = 900_000
    r = await upload(stack, shipped(future, authority=overlapping))
    body = assert_problem(r, 422)
    assert "authority[5]" in body["detail"] and "別表第1 第1項(3)イ" in body["detail"] and "overlaps" in body["detail"]
    assert body["errors"][0]["index"] == 5

    gap = [dict(row) for row in authority]
    gap[5]["以上"] = 1_100_000
    assert "gap" in assert_problem(await upload(stack, shipped(future, authority=gap)), 422)["detail"]

    negative = [dict(row) for row in authority]
    negative[4]["以上"] = -5
    assert "negative" in assert_problem(await upload(stack, shipped(future, authority=negative)), 422)["detail"]

    unknown = [dict(c) for c in base["consultations"]]
    unknown[0]["post"] = "kacho"
    unknown[1]["org_unit"] = "somu.nowhere"
    body = assert_problem(await upload(stack, shipped(future, consultations=unknown)), 422)
    assert {e["message"].split(" '")[0] for e in body["errors"]} == {"unknown post code", "unknown org unit"}

    assert "not after today" in assert_problem(await upload(stack, shipped(TODAY)), 422)["detail"]
    assert "適用日" in assert_problem(await upload(stack, "適用日: [nonsense\n"), 422)["detail"] + "適用日"
    assert_problem(await upload(stack, base, staff_id=DRAFTER), 403)
    assert await version_ids(stack) == before

    r = await upload(stack, base)
    assert r.status_code == 201, r.text
    assert_problem(await upload(stack, base), 409)
    assert await version_ids(stack) == sorted([*before, future.isoformat()])  # ids are 適用日: listed in order


async def test_a_future_version_applies_from_its_date_and_submitted_documents_keep_theirs(stack: Stack) -> None:
    effective = TODAY + timedelta(days=30)
    stricter = [dict(row) for row in shipped(effective)["authority"]]
    stricter[4]["未満"] = 500_000  # その他: the 課長 decides only below 50万 from then on
    stricter[5]["以上"] = 500_000
    text = yaml.safe_dump(shipped(effective, authority=stricter), allow_unicode=True)
    r = await upload(stack, text)
    assert r.status_code == 201, r.text
    assert r.json()["適用日"] == effective.isoformat()

    draft = await stack.draft(DRAFTER, amount_yen=600_000)
    assert stages(await preview(stack, draft["id"]))[-1][:2] == ("decide", MANAGER)
    later = await preview(stack, draft["id"], as_of=effective)
    assert later["rulebook_version"] == effective.isoformat()
    assert stages(later)[-1][:2] == ("decide", DIRECTOR)
    day_before = await preview(stack, draft["id"], as_of=effective - timedelta(days=1))
    assert day_before["rulebook_version"] == SHIPPED
    # The as-of date reaches HR: before the demo city's org chart (2026-04-01) nobody holds a post.
    r = await stack.call(DRAFTER, "POST", f"/v1/documents/{draft['id']}/route-preview", params={"as_of": "2026-03-31"})
    assert "2026-03-31" in assert_problem(r, 409)["detail"]

    submitted = await stack.submitted(DRAFTER, amount_yen=600_000)
    assert submitted["rulebook_version"] == SHIPPED and submitted["pending"] == [MANAGER]
    kept = await preview(stack, submitted["id"], as_of=effective)
    assert kept["rulebook_version"] == SHIPPED
    assert stages(kept)[-1][:2] == ("decide", MANAGER)


async def test_the_sole_finance_objection_sends_the_decision_one_level_up(stack: Stack) -> None:
    """合議不調 when the objection completes the 合議: the 部長 now reviews and the 副市長 decides (第5条)."""
    doc = await stack.submitted(DRAFTER, amount_yen=1_500_000)
    await stack.ok(MANAGER, doc["id"], "approve")
    after = await stack.ok(FINANCE, doc["id"], "object", comment="財源の見通しが立たない")
    assert after["consult_failed"] is True and after["pending"] == [DIRECTOR]
    assert [(s["stage_kind"], s["assignee_id"]) for s in after["steps"]] == [
        ("review", MANAGER),
        ("consult", FINANCE),
        ("review", DIRECTOR),
        ("decide", VICE),
    ]
    assert "第5条" in after["steps"][-1]["rule"] and "合議不調" in after["steps"][-1]["reason"]
    await stack.ok(DIRECTOR, doc["id"], "approve")
    decided = await stack.ok(VICE, doc["id"], "approve")
    assert decided["status"] == "approved"
