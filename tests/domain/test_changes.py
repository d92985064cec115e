"""前回承認時からの変更: the differences between the version an approver approved and the current one (pure)."""

from __future__ import annotations

from typing import Any

from domain.changes import Change, Event, Snapshot, attachments_at, diff, since_last_approval

MANAGER = "s0022"
NOW = Snapshot("備品の購入（修正）", "見積書を添付しました。", 1_200_000, {1: "見積書.pdf"})


def event(seq: int, action: str, actor: str = MANAGER, version: int = 1, **detail: Any) -> Event:
    return Event(seq=seq, action=action, actor_id=actor, version=version, detail=detail)


APPROVED = {"title": "備品の購入", "body": "購入を伺います。", "amount_yen": 1_500_000}


def test_diff_lists_the_changed_fields_in_order_then_attachments() -> None:
    before = Snapshot("備品の購入", "購入を伺います。", 1_500_000, {1: "旧見積.pdf"})
    after = Snapshot("備品の購入", "購入を伺います（修正）。", 1_200_000, {2: "見積書.pdf"})
    assert diff(before, after) == (
        Change("field", "body", "購入を伺います。", "購入を伺います（修正）。"),
        Change("field", "amount_yen", 1_500_000, 1_200_000),
        Change("attachment_removed", "旧見積.pdf"),
        Change("attachment_added", "見積書.pdf"),
    )
    assert diff(after, after) == ()


def test_attachments_are_replayed_from_attach_and_detach_up_to_an_event() -> None:
    events = [
        event(1, "attach", "s0026", n=1, filename="a.pdf"),
        event(2, "attach", "s0026", n=2, filename="b.pdf"),
        event(3, "detach", "s0026", n=1, filename="a.pdf"),
        event(4, "attach", "s0026", n=3, filename="c.pdf"),
    ]
    assert attachments_at(events, 2) == {1: "a.pdf", 2: "b.pdf"}
    assert attachments_at(events, 4) == {2: "b.pdf", 3: "c.pdf"}
    assert attachments_at(events, 0) == {}


def test_a_re_approver_sees_every_change_since_their_approval() -> None:
    events = [
        event(1, "submit", "s0026"),
        event(2, "approve", content=APPROVED),
        event(3, "send_back", "s0035"),
        event(4, "edit", "s0026", version=2, changed=["title", "body", "amount_yen"]),
        event(5, "attach", "s0026", version=2, n=1, filename="見積書.pdf"),
        event(6, "resubmit", "s0026", version=2),
    ]
    since = since_last_approval(events, MANAGER, NOW, version=2)
    assert since is not None and since.known and (since.approved_version, since.current_version) == (1, 2)
    assert [(c.kind, c.name) for c in since.changes] == [
        ("field", "title"),
        ("field", "body"),
        ("field", "amount_yen"),
        ("attachment_added", "見積書.pdf"),
    ]
    assert since.changes[2] == Change("field", "amount_yen", 1_500_000, 1_200_000)


def test_nothing_is_shown_to_who_never_approved_or_approved_the_current_version() -> None:
    events = [event(1, "submit", "s0026"), event(2, "approve", content=APPROVED)]
    assert since_last_approval(events, "s0021", NOW, version=2) is None  # never approved
    assert since_last_approval(events, MANAGER, NOW, version=1) is None  # approved this very version
    objected = [event(1, "object", "s0035", comment="異議")]
    assert since_last_approval(objected, "s0035", NOW, version=2) is None  # an objection is no approval


def test_the_latest_approval_counts_and_a_consent_is_one() -> None:
    events = [
        event(1, "consent", "s0035", content=APPROVED),
        event(2, "edit", "s0026", version=2, changed=["body"]),
        event(3, "consent", "s0035", version=2, content={**APPROVED, "title": NOW.title, "body": NOW.body}),
        event(4, "edit", "s0026", version=3, changed=["amount_yen"]),
    ]
    since = since_last_approval(events, "s0035", NOW, version=3)
    assert since is not None and since.approved_version == 2
    assert [c.name for c in since.changes] == ["amount_yen", "見積書.pdf"]


def test_without_a_snapshot_the_edited_fields_are_named_without_values() -> None:
    events = [
        event(1, "approve"),  # recorded before approvals kept their content
        event(2, "edit", "s0026", version=2, changed=["amount_yen", "title"]),
        event(3, "attach", "s0026", version=2, n=1, filename="見積書.pdf"),
    ]
    since = since_last_approval(events, MANAGER, NOW, version=2)
    assert since is not None and not since.known
    assert since.changes == (
        Change("field", "title"),
        Change("field", "amount_yen"),
        Change("attachment_added", "見積書.pdf"),
    )
