"""Every action's authorisation through the API: the wrong person 403, the wrong state 409, bad input 422.

Each refusal is an RFC 9457 problem whose ``detail`` names the reason, and it leaves the document exactly as it
was: the document as read (status, pending, steps, version), its audit trail (events, verification) and the
workflow's own chain state.

A "scene" is a document brought into one state (waiting for a 回議, a 合議 group, the 決裁, a 供覧, sent back,
recalled, decided by 代決 with a 後閲 owed, closed).  Each is built once per database and shared by every case
that reads it: none of the cases may succeed, and each checks that nothing changed.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import pytest_asyncio

from core.calendar import JST
from integrations.hr import HttpHrClient
from tests.api.support import (
    ADMIN,
    BIG,
    DIRECTOR,
    DRAFTER,
    FINANCE,
    MANAGER,
    SMALL,
    STRANGER,
    assert_problem,
    snapshot,
)
from tests.support.stack import Stack, holder
from workflows.document import DocumentWorkflow, workflow_id

DEPUTY = holder("somu.somu", "assistant_manager")  # 総務課長補佐: first 代決者 of the 総務課長
READER = holder("somu.somu", "chief")  # 総務課 係長: 供覧先, and next in the 総務課長's 代決順位
JINJI = holder("somu.jinji", "manager")  # 人事課長
KEIYAKU = holder("somu.keiyaku", "manager")  # 契約監理課長
KIKAKU = holder("seisaku.kikaku", "manager")  # 企画政策課長

WHO = {
    DRAFTER: "drafter",
    MANAGER: "manager",
    DEPUTY: "deputy",
    READER: "reader",
    FINANCE: "finance",
    DIRECTOR: "director",
    JINJI: "jinji",
    KEIYAKU: "keiyaku",
    STRANGER: "stranger",
    ADMIN: "admin",
}

# Reasons the API gives (fragments of the problem's ``detail``).
UNSEEN = "neither the drafter nor on this document's route"
NOT_YOUR_STEP = "not your step"
ANSWERED = "already answered this stage"
OWE_NONE = "owe no post-review"
CLOSED = "no further action is possible"
ONLY_DRAFTER_WITHDRAWS = "only the drafter may withdraw"
ONLY_DRAFTER_RESUBMITS = "only the drafter (or the 庶務担当 who drafted it for them) may resubmit"
ONLY_DECIDER_REJECTS = "only the decider may reject"
ONLY_LATER_PULLS_UP = "only an approver later in the route may pull up"
ONLY_LAST_RECALLS = "may recall"
NOT_SUBSTITUTE = "you are not the designated substitute"
ROUTE_ONLY_COMMENTS = "only the drafter and those on the route may comment"


# --- the document, before and after ----------------------------------------------------------------------


async def state_of(stack: Stack, document_id: str) -> dict[str, Any]:
    """``snapshot`` (document and audit trail) with its key facts spelled out, and the workflow's own state."""
    snap = await snapshot(stack, DRAFTER, document_id)
    doc, audit = snap["document"], snap["audit"]
    handle = stack.temporal.get_workflow_handle(workflow_id(document_id))
    chain = await handle.query(DocumentWorkflow.state)
    return {
        "facts": {
            "status": doc["status"],
            "pending": doc["pending"],
            "version": doc["version"],
            "steps": doc["steps"],
            "post_reviews": doc["post_reviews"],
            "audit_events": len(audit["events"]),
            "audit_verified": audit["verified"],
        },
        "snapshot": snap,
        "workflow": {
            "history_length": (await handle.describe()).history_length,
            "state": chain.model_dump(mode="json") if chain is not None else None,
        },
    }


def assert_unchanged(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert after["facts"] == before["facts"]
    assert after["snapshot"] == before["snapshot"]
    assert after["workflow"] == before["workflow"]


@contextlib.asynccontextmanager
async def absent(hr_url: str, *staff_ids: str) -> AsyncIterator[None]:
    """The staff members are on leave today (HR's record), for the length of the block."""
    today = datetime.now(JST).date()
    async with HttpHrClient(hr_url) as hr:
        records = []
        try:
            for staff_id in staff_ids:
                records.append(await hr.add_absence(staff_id, kind="leave", start=today, end=today, note="年次休暇"))
            yield
        finally:
            for record in records:
                await hr.delete_absence(record.id)


# --- scenes: one document per state, built on first use -----------------------------------------------------


async def _reviewing(stack: Stack, hr_url: str) -> str:
    """1.5M yen: 総務課長 (回議, pending) -> 財政課長 (合議) -> 総務部長 (決裁)."""
    doc = await stack.submitted(DRAFTER, BIG)
    assert doc["pending"] == [MANAGER]
    assert [s["stage_kind"] for s in doc["steps"]] == ["review", "consult", "decide"]
    return str(doc["id"])


async def _handed_on(stack: Stack, hr_url: str) -> str:
    """1.5M yen, the 課長 and the 財政課長 have approved: the 総務部長 decides."""
    doc_id = await _reviewing(stack, hr_url)
    await stack.ok(MANAGER, doc_id, "approve")
    after = await stack.ok(FINANCE, doc_id, "approve")
    assert after["pending"] == [DIRECTOR]
    return doc_id


async def _consulting(stack: Stack, hr_url: str) -> str:
    """300k yen with a 合議 of three 課長 (2 answers needed); the 人事課長 has consented."""
    units = ["somu.jinji", "somu.keiyaku", "seisaku.kikaku"]
    doc = await stack.submitted(DRAFTER, SMALL, consult_units=units, consult_quorum=2)
    assert [s["stage_kind"] for s in doc["steps"]] == ["consult"] * 3 + ["decide"]
    after = await stack.ok(JINJI, doc["id"], "consent")
    assert sorted(after["pending"]) == sorted([KEIYAKU, KIKAKU])
    return str(doc["id"])


async def _deciding(stack: Stack, hr_url: str) -> str:
    """300k yen with a 供覧 to the 係長: the 総務課長 decides (pending), then the 係長 reads."""
    doc = await stack.submitted(DRAFTER, SMALL, readers=[READER])
    assert doc["pending"] == [MANAGER]
    assert [s["stage_kind"] for s in doc["steps"]] == ["decide", "circulate"]
    return str(doc["id"])


async def _circulating(stack: Stack, hr_url: str) -> str:
    """Decided, in 供覧 to the 係長 and the 人事課長; the 係長 has acknowledged."""
    doc = await stack.submitted(DRAFTER, SMALL, readers=[READER, JINJI])
    decided = await stack.ok(MANAGER, doc["id"], "approve")
    assert decided["status"] == "circulating"
    after = await stack.ok(READER, doc["id"], "acknowledge")
    assert (after["status"], after["pending"]) == ("circulating", [JINJI])
    return str(doc["id"])


async def _sent_back(stack: Stack, hr_url: str) -> str:
    """1.5M yen: the 課長 approved, the 財政課長 sent it back to the drafter."""
    doc_id = await _reviewing(stack, hr_url)
    await stack.ok(MANAGER, doc_id, "approve")
    after = await stack.ok(FINANCE, doc_id, "send_back", comment="財源を確認してください")
    assert (after["status"], after["pending"]) == ("sent_back", [])
    return doc_id


async def _recalled(stack: Stack, hr_url: str) -> str:
    """1.5M yen, recalled (引戻し) by the drafter before anyone acted: a draft again, its workflow open."""
    doc_id = await _reviewing(stack, hr_url)
    after = await stack.ok(DRAFTER, doc_id, "recall")
    assert (after["status"], after["pending"]) == ("draft", [])
    return doc_id


async def _post_review_owed(stack: Stack, hr_url: str) -> str:
    """300k yen decided by 代決 (the 課長補佐, the 課長 on leave): approved, the 課長 owes a 後閲."""
    doc = await stack.submitted(DRAFTER, SMALL)
    async with absent(hr_url, MANAGER):
        after = await stack.ok(DEPUTY, doc["id"], "substitute", on_behalf_of=MANAGER)
    assert after["status"] == "approved"
    assert [(p["staff_id"], p["acknowledged_at"]) for p in after["post_reviews"]] == [(MANAGER, None)]
    return str(doc["id"])


async def _closed(stack: Stack, hr_url: str) -> str:
    """300k yen approved by the 総務課長, nothing owed: the workflow has finished."""
    doc = await stack.submitted(DRAFTER, SMALL)
    await stack.ok(MANAGER, doc["id"], "approve")
    handle = stack.temporal.get_workflow_handle_for(DocumentWorkflow.run, workflow_id(doc["id"]))
    assert (await handle.result()).status == "approved"
    return str(doc["id"])


SCENES: dict[str, Callable[[Stack, str], Awaitable[str]]] = {
    "reviewing": _reviewing,
    "handed_on": _handed_on,
    "consulting": _consulting,
    "deciding": _deciding,
    "circulating": _circulating,
    "sent_back": _sent_back,
    "recalled": _recalled,
    "post_review_owed": _post_review_owed,
    "closed": _closed,
}


class Scenes:
    """Each scene's document, built on first use, with its state as built: every refusal must leave it so."""

    def __init__(self, stack: Stack, hr_url: str) -> None:
        self._stack = stack
        self._hr_url = hr_url
        self._built: dict[str, tuple[str, dict[str, Any]]] = {}

    async def get(self, name: str) -> tuple[str, dict[str, Any]]:
        if name not in self._built:
            document_id = await SCENES[name](self._stack, self._hr_url)
            self._built[name] = document_id, await state_of(self._stack, document_id)
        return self._built[name]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def scenes(stack: Stack, hr_url: str) -> Scenes:
    return Scenes(stack, hr_url)


# --- the matrix -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    scene: str
    actor: str
    action: str
    status: int
    reason: str
    comment: str = ""
    target_step: int | None = None
    on_behalf_of: str | None = None
    absent: tuple[str, ...] = ()

    def body(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if self.target_step is not None:
            extra["target_step"] = self.target_step
        if self.on_behalf_of is not None:
            extra["on_behalf_of"] = self.on_behalf_of
        return extra


def case(
    scene: str,
    actor: str,
    action: str,
    status: int,
    reason: str,
    *,
    name: str = "",
    marks: Any = (),
    **options: Any,
) -> Any:
    refusal = Case(scene, actor, action, status, reason, **options)
    label = f"{action}-{status}-{scene}-by-{WHO[actor]}"
    if refusal.absent:
        label += "-while-" + "-".join(WHO[a] for a in refusal.absent) + "-absent"
    return pytest.param(refusal, id=f"{label}-{name}" if name else label, marks=marks)


WHY = "理由を記載します"

APPROVE = [
    case("reviewing", FINANCE, "approve", 403, NOT_YOUR_STEP, name="later-stage"),
    case("reviewing", DRAFTER, "approve", 403, NOT_YOUR_STEP),
    case("reviewing", STRANGER, "approve", 403, UNSEEN),
    case("handed_on", MANAGER, "approve", 403, f"already answered; the document is now waiting for {DIRECTOR}"),
    case("consulting", MANAGER, "approve", 403, NOT_YOUR_STEP, name="decider-during-consult"),
    case("closed", MANAGER, "approve", 409, "approved", name="after-approved"),
    case("post_review_owed", MANAGER, "approve", 409, "cannot approve: the document is approved"),
    case("consulting", JINJI, "approve", 409, ANSWERED, name="twice"),
    case("circulating", MANAGER, "approve", 409, "cannot approve: the document is circulating"),
    case("sent_back", DIRECTOR, "approve", 409, "cannot approve: the document is sent_back"),
    case("recalled", MANAGER, "approve", 409, "cannot approve: the document is draft"),
]
CONSENT = [
    case("consulting", MANAGER, "consent", 403, NOT_YOUR_STEP),
    case("consulting", DRAFTER, "consent", 403, NOT_YOUR_STEP),
    case("reviewing", FINANCE, "consent", 403, NOT_YOUR_STEP, name="before-the-consult"),
    case("consulting", JINJI, "consent", 409, ANSWERED, name="twice"),
    case("reviewing", MANAGER, "consent", 409, "this is a review stage: use approve"),
    case("deciding", MANAGER, "consent", 409, "this is a decide stage: use approve"),
    case("sent_back", FINANCE, "consent", 409, "cannot consent: the document is sent_back"),
    case("closed", MANAGER, "consent", 409, CLOSED),
]
OBJECT = [
    case("consulting", MANAGER, "object", 403, NOT_YOUR_STEP, comment=WHY),
    case("reviewing", DIRECTOR, "object", 403, NOT_YOUR_STEP, comment=WHY),
    case("consulting", JINJI, "object", 409, ANSWERED, comment=WHY, name="after-consenting"),
    case("deciding", MANAGER, "object", 409, "this is a decide stage", comment=WHY),
    case("circulating", JINJI, "object", 409, "cannot object: the document is circulating", comment=WHY),
    case("consulting", KEIYAKU, "object", 422, "needs a reason", name="without-reason"),
    case("consulting", KEIYAKU, "object", 422, "needs a reason", comment=" \n ", name="blank-reason"),
]
SEND_BACK = [
    case("reviewing", DIRECTOR, "send_back", 403, NOT_YOUR_STEP, comment=WHY, name="decider-early"),
    case("consulting", MANAGER, "send_back", 403, NOT_YOUR_STEP, comment=WHY),
    case("reviewing", STRANGER, "send_back", 403, UNSEEN, comment=WHY),
    case("sent_back", FINANCE, "send_back", 409, "cannot send back: the document is sent_back", comment=WHY),
    case("circulating", MANAGER, "send_back", 409, "cannot send back: the document is circulating", comment=WHY),
    case("consulting", JINJI, "send_back", 409, ANSWERED, comment=WHY),
    case("post_review_owed", MANAGER, "send_back", 409, "the document is approved", comment=WHY),
    case("reviewing", MANAGER, "send_back", 422, "needs a reason", name="without-reason"),
    case("reviewing", MANAGER, "send_back", 422, "needs a reason", comment="  \n ", name="blank-reason"),
    case("reviewing", MANAGER, "send_back", 422, "from 0 to 0", comment=WHY, target_step=1, name="target-ahead"),
    case("handed_on", DIRECTOR, "send_back", 422, "from 0 to 2", comment=WHY, target_step=3, name="target-ahead"),
    case("reviewing", MANAGER, "send_back", 422, "target_step", comment=WHY, target_step=-1, name="target-negative"),
    case("reviewing", MANAGER, "send_back", 422, "target_step", comment=WHY, target_step=101, name="target-huge"),
]
RECALL = [
    case("reviewing", MANAGER, "recall", 403, "may recall", name="before-acting"),
    case("reviewing", STRANGER, "recall", 403, UNSEEN),
    case("consulting", KEIYAKU, "recall", 403, ONLY_LAST_RECALLS, name="someone-elses-answer"),
    case("handed_on", DIRECTOR, "recall", 403, ONLY_LAST_RECALLS, name="before-acting"),
    case("handed_on", MANAGER, "recall", 409, "recall", name="after-the-next-approver-acted"),
    case("consulting", DRAFTER, "recall", 409, "recall", name="after-an-approver-acted"),
    case("sent_back", DRAFTER, "recall", 409, "cannot recall (引戻し): the document is sent_back"),
    case("recalled", DRAFTER, "recall", 409, "cannot recall (引戻し): the document is draft", name="twice"),
    case("circulating", READER, "recall", 409, "the document is circulating", name="acknowledgement"),
    case("post_review_owed", DEPUTY, "recall", 409, "the document is approved", name="substitute-decision"),
    case("closed", MANAGER, "recall", 409, CLOSED, name="decision"),
]
WITHDRAW = [
    case("reviewing", MANAGER, "withdraw", 403, ONLY_DRAFTER_WITHDRAWS, comment=WHY),
    case("reviewing", STRANGER, "withdraw", 403, UNSEEN, comment=WHY),
    case("sent_back", DIRECTOR, "withdraw", 403, ONLY_DRAFTER_WITHDRAWS, comment=WHY),
    case("circulating", JINJI, "withdraw", 403, ONLY_DRAFTER_WITHDRAWS, comment=WHY),
    case("post_review_owed", DEPUTY, "withdraw", 403, ONLY_DRAFTER_WITHDRAWS, comment=WHY),
    case("circulating", DRAFTER, "withdraw", 409, "cannot withdraw: the document is circulating", comment=WHY),
    case("post_review_owed", DRAFTER, "withdraw", 409, "cannot withdraw: the document is approved", comment=WHY),
    case("closed", DRAFTER, "withdraw", 409, "approved", comment=WHY, name="after-decision"),
]
REJECT = [
    case("deciding", DRAFTER, "reject", 403, ONLY_DECIDER_REJECTS, comment=WHY),
    case("deciding", READER, "reject", 403, ONLY_DECIDER_REJECTS, comment=WHY),
    case("handed_on", FINANCE, "reject", 403, ONLY_DECIDER_REJECTS, comment=WHY),
    case("deciding", STRANGER, "reject", 403, UNSEEN, comment=WHY),
    case(
        "deciding",
        READER,
        "reject",
        403,
        f"{DEPUTY} is first in line",
        comment=WHY,
        on_behalf_of=MANAGER,
        absent=(MANAGER,),
        name="as-substitute",
    ),
    case("reviewing", MANAGER, "reject", 409, "only the decision stage (決裁) can reject", comment=WHY),
    case("consulting", KEIYAKU, "reject", 409, "only the decision stage (決裁) can reject", comment=WHY),
    case("circulating", MANAGER, "reject", 409, "cannot reject: the document is circulating", comment=WHY),
    case("sent_back", DIRECTOR, "reject", 409, "cannot reject: the document is sent_back", comment=WHY),
    case("post_review_owed", MANAGER, "reject", 409, "cannot reject: the document is approved", comment=WHY),
    case("deciding", MANAGER, "reject", 422, "needs a reason", name="without-reason"),
    case("handed_on", DIRECTOR, "reject", 422, "needs a reason", comment=" ", name="blank-reason"),
]
PULL_UP = [
    case("reviewing", DRAFTER, "pull_up", 403, ONLY_LATER_PULLS_UP),
    case("reviewing", MANAGER, "pull_up", 403, ONLY_LATER_PULLS_UP, name="current-approver"),
    case("deciding", READER, "pull_up", 403, ONLY_LATER_PULLS_UP, name="circulation-reader"),
    case("handed_on", DIRECTOR, "pull_up", 403, ONLY_LATER_PULLS_UP, name="current-decider"),
    case("reviewing", DIRECTOR, "pull_up", 409, f"{MANAGER} is not absent"),
    case("reviewing", FINANCE, "pull_up", 409, f"{MANAGER} is not absent"),
    case("reviewing", DIRECTOR, "pull_up", 409, "a consult stage cannot be passed over", absent=(MANAGER,)),
    case("consulting", MANAGER, "pull_up", 409, "a consult stage cannot be passed over"),
    case("sent_back", DIRECTOR, "pull_up", 409, "cannot pull up (引上げ承認): the document is sent_back"),
    case("post_review_owed", MANAGER, "pull_up", 409, "the document is approved"),
]
SUBSTITUTE = [
    # The 課長補佐 works in the drafter's division, so sees the document: the chain refuses.
    case("deciding", DEPUTY, "substitute", 409, f"{MANAGER} is not absent today", on_behalf_of=MANAGER, name="at-work"),
    case("deciding", READER, "substitute", 403, f"{DEPUTY} is first in line", on_behalf_of=MANAGER, absent=(MANAGER,)),
    case("deciding", DRAFTER, "substitute", 403, NOT_SUBSTITUTE, on_behalf_of=MANAGER, absent=(MANAGER,)),
    case("handed_on", FINANCE, "substitute", 403, NOT_SUBSTITUTE, on_behalf_of=DIRECTOR, absent=(DIRECTOR,)),
    case("deciding", READER, "substitute", 409, f"{MANAGER} is not absent today", on_behalf_of=MANAGER),
    case("reviewing", DIRECTOR, "substitute", 409, "代決 is for the decision stage", on_behalf_of=MANAGER),
    case("handed_on", MANAGER, "substitute", 409, "代決 is for the decision stage", on_behalf_of=FINANCE),
    case("sent_back", MANAGER, "substitute", 409, "the document is sent_back", on_behalf_of=DIRECTOR),
    case("post_review_owed", DEPUTY, "substitute", 409, "the document is approved", on_behalf_of=MANAGER),
    case("deciding", MANAGER, "substitute", 422, "nobody", on_behalf_of="nobody", name="unknown-decider"),
    case("deciding", READER, "substitute", 422, "on_behalf_of", name="no-decider"),
]
ACKNOWLEDGE = [
    case("circulating", DRAFTER, "acknowledge", 403, NOT_YOUR_STEP),
    case("circulating", MANAGER, "acknowledge", 403, f"now waiting for {JINJI}", name="decider"),
    case("circulating", STRANGER, "acknowledge", 403, UNSEEN),
    case("deciding", READER, "acknowledge", 409, "cannot acknowledge: the document is in_review", name="too-early"),
    case("reviewing", MANAGER, "acknowledge", 409, "cannot acknowledge: the document is in_review"),
    case("circulating", READER, "acknowledge", 409, ANSWERED, name="twice"),
    case("post_review_owed", MANAGER, "acknowledge", 409, "cannot acknowledge: the document is approved"),
]
POST_REVIEW = [
    case("post_review_owed", STRANGER, "post_review", 403, UNSEEN),
    case("reviewing", STRANGER, "post_review", 403, UNSEEN),
    case("post_review_owed", DEPUTY, "post_review", 409, OWE_NONE, name="the-substitute"),
    case("post_review_owed", DRAFTER, "post_review", 409, OWE_NONE),
    case("post_review_owed", ADMIN, "post_review", 409, OWE_NONE),
    case("reviewing", MANAGER, "post_review", 409, OWE_NONE, name="none-owed"),
    case("closed", MANAGER, "post_review", 409, CLOSED),
]
COMMENT = [
    case("deciding", ADMIN, "comment", 403, ROUTE_ONLY_COMMENTS, comment=WHY),
    case("deciding", DEPUTY, "comment", 403, ROUTE_ONLY_COMMENTS, comment=WHY, absent=(MANAGER,), name="substitute"),
    case("reviewing", STRANGER, "comment", 403, UNSEEN, comment=WHY),
    case("closed", DRAFTER, "comment", 409, CLOSED, comment=WHY),
    case("deciding", MANAGER, "comment", 422, "a comment needs", name="empty"),
    case("circulating", JINJI, "comment", 422, "a comment needs", comment="\t ", name="blank"),
]
RESUBMIT = [
    case("sent_back", MANAGER, "resubmit", 403, ONLY_DRAFTER_RESUBMITS),
    case("sent_back", FINANCE, "resubmit", 403, ONLY_DRAFTER_RESUBMITS),
    case("recalled", MANAGER, "resubmit", 403, ONLY_DRAFTER_RESUBMITS),
    case("reviewing", STRANGER, "resubmit", 403, UNSEEN),
    case("reviewing", DRAFTER, "resubmit", 409, "cannot resubmit: the document is in_review"),
    case("circulating", DRAFTER, "resubmit", 409, "cannot resubmit: the document is circulating"),
    case("post_review_owed", DRAFTER, "resubmit", 409, "cannot resubmit: the document is approved"),
    case("closed", DRAFTER, "resubmit", 409, CLOSED),
]

MATRIX = {
    "approve": APPROVE,
    "consent": CONSENT,
    "object": OBJECT,
    "send_back": SEND_BACK,
    "recall": RECALL,
    "withdraw": WITHDRAW,
    "reject": REJECT,
    "pull_up": PULL_UP,
    "substitute": SUBSTITUTE,
    "acknowledge": ACKNOWLEDGE,
    "post_review": POST_REVIEW,
    "comment": COMMENT,
    "resubmit": RESUBMIT,
}
CASES = [c for cases in MATRIX.values() for c in cases]


def test_the_matrix_covers_every_action_with_each_kind_of_refusal() -> None:
    for action, cases in MATRIX.items():
        refusals = [c.values[0] for c in cases]
        assert {r.action for r in refusals} == {action}
        assert {403, 409} <= {r.status for r in refusals}, action
        assert all(r.scene in SCENES for r in refusals)
    reasons_required = {"send_back", "object", "reject", "comment"}
    assert {c.values[0].action for c in CASES if c.values[0].status == 422} >= reasons_required


@pytest.mark.parametrize("refusal", CASES)
async def test_refused_action_changes_nothing(stack: Stack, scenes: Scenes, hr_url: str, refusal: Case) -> None:
    document_id, before = await scenes.get(refusal.scene)
    async with absent(hr_url, *refusal.absent):
        r = await stack.act(refusal.actor, document_id, refusal.action, refusal.comment, **refusal.body())
    problem = assert_problem(r, refusal.status)
    assert refusal.reason in problem["detail"], problem
    assert_unchanged(before, await state_of(stack, document_id))


# --- the dedicated resubmit route answers the same ----------------------------------------------------------


@pytest.mark.parametrize(
    ("scene", "actor", "status", "reason"),
    [
        pytest.param("sent_back", MANAGER, 403, ONLY_DRAFTER_RESUBMITS, id="approver"),
        pytest.param("reviewing", STRANGER, 403, UNSEEN, id="stranger"),
        pytest.param("reviewing", DRAFTER, 409, "cannot resubmit: the document is in_review", id="in-review"),
        pytest.param("closed", DRAFTER, 409, CLOSED, id="closed"),
    ],
)
async def test_resubmit_route_refusals_change_nothing(
    stack: Stack, scenes: Scenes, scene: str, actor: str, status: int, reason: str
) -> None:
    document_id, before = await scenes.get(scene)
    r = await stack.call(actor, "POST", f"/v1/documents/{document_id}/resubmit", json={"comment": "再提出します"})
    assert reason in assert_problem(r, status)["detail"]
    assert_unchanged(before, await state_of(stack, document_id))


# --- the administrators' account routes (#13): every other role is refused, and nothing changes -----------------

ACCOUNT_ROUTES = [
    ("GET", "/v1/admin/staff/{staff_id}"),
    ("POST", "/v1/admin/staff/{staff_id}/password-reset"),
    ("POST", "/v1/admin/staff/{staff_id}/deactivate"),
    ("POST", "/v1/admin/staff/{staff_id}/reactivate"),
]


@pytest.mark.parametrize(("method", "path"), ACCOUNT_ROUTES)
@pytest.mark.parametrize("who", [w for w in WHO if w != ADMIN], ids=lambda w: WHO[w])
async def test_account_routes_refuse_every_role_but_the_administrator(
    stack: Stack, who: str, method: str, path: str
) -> None:
    target = DRAFTER if who != DRAFTER else MANAGER
    problem = assert_problem(await stack.call(who, method, path.format(staff_id=target)), 403)
    assert "only administrators" in problem["detail"]
    assert (await stack.call(target, "GET", "/v1/me")).status_code == 200  # still signed in, still active
    answer = await stack.call(ADMIN, "GET", f"/v1/admin/staff/{target}")
    assert answer.status_code == 200 and answer.json()["deactivated_at"] is None
    assert not answer.json()["must_change_password"]


@pytest.mark.parametrize(("method", "path"), ACCOUNT_ROUTES)
async def test_account_routes_answer_404_for_unknown_staff(stack: Stack, method: str, path: str) -> None:
    assert_problem(await stack.call(ADMIN, method, path.format(staff_id="nobody-0")), 404)
