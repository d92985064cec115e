"""滞留 (where work is stuck) and 事務報告 (the monthly counts): the pure rules of the reports.

* the **age buckets** of a wait counted in 開庁日 (business days; the count itself is ``core.calendar``'s):
  0–1, 2–3, 4–7 and 8 or more;
* **who may read which report**: a 課長 the documents of their division (課), a 部長 those of their department (部)
  and its divisions, the records office (文書担当課) and administrators every unit's; anyone else nothing;
* **what a report may name**: a 機密性2+ document's (or receipt's) title only to a reader in its audience
  (``domain.visibility.sees``); the report still lists it, with the title withheld;
* a receipt's **回答期限 overdue**: its reply_by has passed and it is neither 回答済 nor closed;
* the **事務報告 counts** (起案, 決裁, 収受) of a month by section.

No clock and no I/O: today, the ages and the facts are arguments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from domain.receipts import REPLY_OWED_OUTCOMES
from domain.visibility import Audience, Viewer, sees

#: The age buckets in business days: (label, lowest age, highest age or None for open-ended).
BUCKETS: tuple[tuple[str, int, int | None], ...] = (("0–1", 0, 1), ("2–3", 2, 3), ("4–7", 4, 7), ("8+", 8, None))
BUCKET_LABELS: tuple[str, ...] = tuple(label for label, _, _ in BUCKETS)

#: The posts that read the 滞留 report of their own units: 課長 (their division), 部長 (their department).
REPORTING_POSTS: frozenset[str] = frozenset({"manager", "director"})


def bucket_of(age: int) -> str:
    """The bucket of a wait of ``age`` business days (a negative age, a clock skew, counts as 0)."""
    age = max(age, 0)
    for label, low, high in BUCKETS:
        if age >= low and (high is None or age <= high):
            return label
    raise AssertionError("the buckets cover every age")  # pragma: no cover


def bucket_counts(ages: Iterable[int]) -> dict[str, int]:
    """How many waits fall in each bucket, every bucket listed (zero included), in bucket order."""
    counted = Counter(bucket_of(a) for a in ages)
    return {label: counted.get(label, 0) for label in BUCKET_LABELS}


@dataclass(frozen=True)
class ReportScope:
    """Which org units' documents a report shows: every unit's, or those listed (the documents' 起案課 and the
    receipts' 担当課)."""

    everything: bool = False
    units: frozenset[str] = frozenset()

    def covers(self, org_unit_code: str) -> bool:
        return self.everything or org_unit_code in self.units


@dataclass(frozen=True)
class HeldPost:
    """A post the reader holds today: the org unit and the post code (``manager``, ``director`` …)."""

    org_unit_code: str
    post_code: str


def report_scope(
    viewer: Viewer, posts: Iterable[HeldPost], divisions_of: Mapping[str, Collection[str]]
) -> ReportScope | None:
    """The units whose 滞留 and 事務報告 ``viewer`` may read; None when they may read none (a 主事, a 係長).

    ``divisions_of`` maps a department's code to its divisions' codes (a 部長 reads them all).  Several posts
    (兼務) add up.
    """
    if viewer.sees_all:
        return ReportScope(everything=True)
    units: set[str] = set()
    for post in posts:
        if post.post_code not in REPORTING_POSTS:
            continue
        units.add(post.org_unit_code)
        if post.post_code == "director":
            units.update(divisions_of.get(post.org_unit_code, ()))
    return ReportScope(units=frozenset(units)) if units else None


def shown_title(viewer: Viewer, audience: Audience, *, confidentiality: int, title: str) -> str | None:
    """The title a report may print for ``viewer``: a 機密性1 title always, a 機密性2+ one only to its audience;
    None: withheld (a report reader outside the audience learns that something waits, not what)."""
    if confidentiality < 2 or sees(viewer, audience):
        return title
    return None


def reply_overdue(*, reply_by: date | None, outcome: str, today: date) -> bool:
    """回答期限超過: the deadline has passed (the day after it at the latest) and a reply is still owed (the same
    outcomes as the 回答期限 reminders: 回答済, 供覧 and closed owe none)."""
    return reply_by is not None and reply_by < today and outcome in REPLY_OWED_OUTCOMES


@dataclass(frozen=True)
class SectionCount:
    """One line of the 事務報告: a section's 起案, 決裁 and 収受 of the month."""

    org_unit_code: str
    drafted: int = 0
    decided: int = 0
    received: int = 0


def count_by_section(
    *, drafted: Iterable[str], decided: Iterable[str], received: Iterable[str], scope: ReportScope
) -> list[SectionCount]:
    """The month's counts by section (one org unit code per document or receipt), for the units of ``scope``,
    by unit code; a section with nothing in the month is left out."""
    drafts, decisions, receipts = Counter(drafted), Counter(decided), Counter(received)
    units = sorted(u for u in set(drafts) | set(decisions) | set(receipts) if scope.covers(u))
    return [SectionCount(org_unit_code=u, drafted=drafts[u], decided=decisions[u], received=receipts[u]) for u in units]
