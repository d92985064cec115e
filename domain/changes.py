"""前回承認時からの変更: what changed in a document since the version an approver last approved.

Pure: two snapshots in, the differences out.  The snapshot of the approved content is kept in the approval's
audit event (``detail["content"]``, recorded by the projection since this rule exists); the attachments at that
moment are replayed from the chain's ``attach`` / ``detach`` events.  For an approval recorded before snapshots
were kept, only the names of the fields the ``edit`` events changed are known (``changed_fields``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

#: Audit actions that are an approval of the version then in force.
APPROVALS = ("approve", "consent", "pull_up", "substitute")
#: The fields compared, in the order they are shown.
FIELDS = ("title", "body", "amount_yen")


@dataclass(frozen=True)
class Event:
    """The part of an audit event this rule reads."""

    seq: int
    action: str
    actor_id: str
    version: int
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot:
    """A document's content as an approver saw it: 件名, 本文, 金額 and its attachments (number -> file name)."""

    title: str
    body: str
    amount_yen: int
    attachments: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """One difference: a field's value before and now, or an attachment added or removed."""

    kind: Literal["field", "attachment_added", "attachment_removed"]
    name: str  # the field (title, body, amount_yen) or the attachment's file name
    before: str | int | None = None
    after: str | int | None = None


@dataclass(frozen=True)
class SinceApproval:
    """What the viewer approved (its version) and what changed since; ``known`` is False when no snapshot was kept
    (then ``changes`` names the edited fields only, without their values)."""

    approved_version: int
    current_version: int
    changes: tuple[Change, ...]
    known: bool


def diff(before: Snapshot, after: Snapshot) -> tuple[Change, ...]:
    """The differences between two snapshots: fields in ``FIELDS`` order, then attachments removed, then added."""
    changes = [
        Change("field", name, getattr(before, name), getattr(after, name))
        for name in FIELDS
        if getattr(before, name) != getattr(after, name)
    ]
    removed = sorted(set(before.attachments) - set(after.attachments))
    added = sorted(set(after.attachments) - set(before.attachments))
    changes += [Change("attachment_removed", before.attachments[n]) for n in removed]
    changes += [Change("attachment_added", after.attachments[n]) for n in added]
    return tuple(changes)


def attachments_at(events: Iterable[Event], seq: int) -> dict[int, str]:
    """The attachments the document had just after event ``seq``, replayed from ``attach`` / ``detach``."""
    held: dict[int, str] = {}
    for event in sorted(events, key=lambda e: e.seq):
        if event.seq > seq:
            break
        n = event.detail.get("n")
        if not isinstance(n, int):
            continue
        if event.action == "attach":
            held[n] = str(event.detail.get("filename", n))
        elif event.action == "detach":
            held.pop(n, None)
    return held


def last_approval(events: Iterable[Event], staff_id: str) -> Event | None:
    """The latest approval ``staff_id`` gave (by seq), or None."""
    mine = [e for e in events if e.actor_id == staff_id and e.action in APPROVALS]
    return max(mine, key=lambda e: e.seq, default=None)


def since_last_approval(events: Sequence[Event], staff_id: str, now: Snapshot, version: int) -> SinceApproval | None:
    """What changed since ``staff_id`` last approved, when the document has a newer version than that approval.

    None when they never approved or the current version is the one they approved.
    """
    approval = last_approval(events, staff_id)
    if approval is None or approval.version >= version:
        return None
    content = approval.detail.get("content")
    if isinstance(content, Mapping):
        before = Snapshot(
            title=str(content.get("title", "")),
            body=str(content.get("body", "")),
            amount_yen=int(content.get("amount_yen") or 0),
            attachments=attachments_at(events, approval.seq),
        )
        return SinceApproval(approval.version, version, diff(before, now), known=True)
    return SinceApproval(approval.version, version, changed_fields(events, approval.seq, now), known=False)


def changed_fields(events: Iterable[Event], seq: int, now: Snapshot) -> tuple[Change, ...]:
    """Without a snapshot: the fields the ``edit`` events after ``seq`` changed (names only) and the attachments
    added or removed since (replayed, so these are exact)."""
    later = [e for e in events if e.seq > seq and e.action == "edit"]
    names = {str(n) for e in later for n in e.detail.get("changed", ())}
    fields = [Change("field", name) for name in FIELDS if name in names]
    before = Snapshot(now.title, now.body, now.amount_yen, attachments_at(events, seq))
    return (*fields, *(c for c in diff(before, now) if c.kind != "field"))
