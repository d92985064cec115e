"""Reports where they meet the API: 滞留 (where documents wait, per post and person, aged in 開庁日), its CSV and
its bar chart drawn as SVG text, and the monthly 事務報告 counts as CSV.

The rules (buckets, who reads which units, which titles a report may print, what is overdue, the counting) are
``domain.pending``; the business-day count is ``core.calendar``'s; the queries ``db.repositories.reports``.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time
from xml.sax.saxutils import escape

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services import visibility
from core.calendar import JST, business_days_between
from core.errors import Forbidden
from db.models import DocumentRow, ReceiptRow, RouteStepRow, StaffRow
from db.repositories.reports import Holder, ReportRepository
from domain import pending
from domain.visibility import Audience, Viewer
from schemas.api.reports import PendingItemRead

NOT_A_READER = (
    "the 滞留 and 事務報告 reports are for a 課長 or 部長 (of their own units), the records office or an admin"
)
WITHHELD = "（機密性2以上のため件名非表示）"

_NOBODY = Holder("", "", "", "", "")


async def scope_of(
    app: AppState, session: AsyncSession, staff: StaffRow, *, today: date
) -> tuple[pending.ReportScope, Viewer]:
    """The units ``staff`` may read reports of, and ``staff`` as the visibility rule sees them; 403 for anyone else."""
    viewer = await visibility.viewer(app, session, staff, today=today)
    repo = ReportRepository(session)
    posts = await repo.posts_held(staff.id, as_of=today)
    departments = {p.org_unit_code for p in posts if p.post_code == "director"}
    scope = pending.report_scope(viewer, posts, await repo.divisions_of(departments))
    if scope is None:
        raise Forbidden(NOT_A_READER)
    return scope, viewer


def waited(since: datetime | None, today: date) -> int:
    """開庁日 from the day a step became pending to ``today`` (0 on the same day, never negative)."""
    if since is None:
        return 0
    return max(business_days_between(since.astimezone(JST).date(), today), 0)


async def pending_report(
    app: AppState, session: AsyncSession, staff: StaffRow, *, today: date
) -> list[PendingItemRead]:
    """Every wait in the reader's units, oldest first (most business days, then the earliest since)."""
    scope, viewer = await scope_of(app, session, staff, today=today)
    repo = ReportRepository(session)
    steps = await repo.pending_steps(scope)
    receipts = await repo.overdue_receipts(scope, today=today)
    holders = await repo.holders({s.assignee_id for s, _ in steps}, as_of=today)
    units = await repo.unit_names({d.org_unit_code for _, d in steps} | {r.assigned_unit for r in receipts})
    titles = await _document_titles(repo, viewer, [d for _, d in steps])
    receipt_titles = await _receipt_titles(repo, viewer, receipts)
    items = [_step_item(step, doc, holders, units, titles, today) for step, doc in steps]
    items += [_receipt_item(r, units, receipt_titles, today) for r in receipts]
    return sorted(items, key=_oldest_first)


def _oldest_first(item: PendingItemRead) -> tuple[int, datetime, str, int, str]:
    since = item.since or (
        datetime.combine(item.reply_by, time(), JST).astimezone(UTC)
        if item.reply_by
        else datetime.min.replace(tzinfo=UTC)
    )
    return (
        -item.age_business_days,
        since,
        item.document_id or item.receipt_id or "",
        item.stage_index or 0,
        item.assignee_id or "",
    )


async def _document_titles(repo: ReportRepository, viewer: Viewer, docs: list[DocumentRow]) -> dict[str, str | None]:
    """The title each document may show: 機密性2+ ones are checked against their whole audience."""
    guarded = {
        d.id for d in docs if d.confidentiality >= 2 and not viewer.sees_all and d.org_unit_code not in viewer.units
    }
    routes = await repo.routes(guarded)
    reviewers = await repo.post_reviewers(guarded)
    shown: dict[str, str | None] = {}
    for doc in docs:
        if doc.id not in guarded:
            shown[doc.id] = doc.title
            continue
        route = routes.get(doc.id, [])
        audience = Audience(
            drafter_id=doc.drafter_id,
            org_unit_code=doc.org_unit_code,
            route=frozenset(s.assignee_id for s in route) | frozenset(s.acted_by for s in route if s.acted_by),
            post_reviewers=reviewers.get(doc.id, frozenset()),
            pending=frozenset(s.assignee_id for s in route if s.state == "pending"),
        )
        shown[doc.id] = pending.shown_title(viewer, audience, confidentiality=doc.confidentiality, title=doc.title)
    return shown


async def _receipt_titles(repo: ReportRepository, viewer: Viewer, receipts: list[ReceiptRow]) -> dict[str, str | None]:
    readers = await repo.receipt_readers({r.id for r in receipts if r.confidentiality >= 2})
    return {
        r.id: pending.shown_title(
            viewer,
            Audience(drafter_id=r.registered_by, org_unit_code=r.assigned_unit, route=readers.get(r.id, frozenset())),
            confidentiality=r.confidentiality,
            title=r.title,
        )
        for r in receipts
    }


def _step_item(
    step: RouteStepRow,
    doc: DocumentRow,
    holders: dict[str, Holder],
    units: dict[str, str],
    titles: dict[str, str | None],
    today: date,
) -> PendingItemRead:
    since = step.since or doc.submitted_at
    age = waited(since, today)
    who = holders.get(step.assignee_id, _NOBODY)
    title = titles.get(doc.id)
    return PendingItemRead(
        kind="step",
        document_id=doc.id,
        title=title,
        title_withheld=title is None,
        confidentiality=doc.confidentiality,
        org_unit_code=doc.org_unit_code,
        org_unit_name=units.get(doc.org_unit_code, doc.org_unit_code),
        stage_index=step.stage_index,
        stage_kind=step.stage_kind,
        assignee_id=step.assignee_id,
        assignee_name=who.name or None,
        post_code=who.post_code or None,
        post_name=who.post_name or None,
        assignee_unit_code=who.org_unit_code or None,
        assignee_unit_name=who.org_unit_name or None,
        since=since,
        age_business_days=age,
        bucket=pending.bucket_of(age),
    )


def _receipt_item(
    receipt: ReceiptRow, units: dict[str, str], titles: dict[str, str | None], today: date
) -> PendingItemRead:
    assert receipt.reply_by is not None  # the query asks for overdue ones only
    age = max(business_days_between(receipt.reply_by, today), 0)
    title = titles.get(receipt.id)
    return PendingItemRead(
        kind="reply_overdue",
        receipt_id=receipt.id,
        receipt_number=receipt.receipt_number,
        title=title,
        title_withheld=title is None,
        confidentiality=receipt.confidentiality,
        org_unit_code=receipt.assigned_unit,
        org_unit_name=units.get(receipt.assigned_unit, receipt.assigned_unit),
        reply_by=receipt.reply_by,
        age_business_days=age,
        bucket=pending.bucket_of(age),
    )


# --- CSV and SVG ----------------------------------------------------------------------------------------------

PENDING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", "種別"),
    ("document_id", "文書ID"),
    ("receipt_number", "収受番号"),
    ("title", "件名"),
    ("org_unit_name", "起案課・担当課"),
    ("stage_kind", "段階"),
    ("post_name", "職位"),
    ("assignee_name", "担当者"),
    ("assignee_unit_name", "担当者所属"),
    ("since", "滞留開始"),
    ("reply_by", "回答期限"),
    ("age_business_days", "滞留日数(開庁日)"),
    ("bucket", "区分"),
)
KIND_LABELS = {"step": "決裁待ち", "reply_overdue": "回答期限超過"}
STAGE_LABELS = {"review": "回議", "consult": "合議", "decide": "決裁", "examine": "文書審査", "circulate": "供覧"}


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def pending_csv(items: list[PendingItemRead]) -> bytes:
    """The 滞留 list in UTF-8 with BOM (Excel reads it as it is), Japanese headers; a withheld title says so."""
    rows = []
    for item in items:
        values = item.model_dump()
        values["kind"] = KIND_LABELS[item.kind]
        values["title"] = item.title if item.title is not None else WITHHELD
        values["stage_kind"] = STAGE_LABELS.get(item.stage_kind or "", item.stage_kind)
        values["document_id"] = item.document_id or item.receipt_id
        values["since"] = item.since.astimezone(JST).strftime("%Y-%m-%d %H:%M") if item.since else None
        rows.append(["" if values[key] is None else str(values[key]) for key, _ in PENDING_COLUMNS])
    return _csv([label for _, label in PENDING_COLUMNS], rows)


_BAR_COLOURS = ("#4a7ebb", "#6aa84f", "#e69138", "#cc0000")


def bucket_chart_svg(counts: dict[str, int], *, today: date) -> str:
    """A bar chart of the buckets as SVG text: no script, no font or asset from outside, a <title> and a <desc>
    (read by screen readers), and each bar's count written beside it."""
    width, height, left, top, bar_h, gap = 480, 200, 90, 40, 26, 12
    most = max([*counts.values(), 1])
    total = sum(counts.values())
    summary = "、".join(f"{label}日 {n}件" for label, n in counts.items())
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' role="img" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">滞留日数の分布（{today.isoformat()}現在、計{total}件）</title>',
        f'<desc id="chart-desc">開庁日で数えた滞留日数ごとの件数: {escape(summary)}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{left}" y="24" font-family="sans-serif" font-size="14" fill="#000000">滞留日数（開庁日）</text>',
    ]
    span = width - left - 60
    for n, (label, count) in enumerate(counts.items()):
        y = top + n * (bar_h + gap)
        w = round(span * count / most)
        lines += [
            f'<text x="{left - 8}" y="{y + bar_h - 8}" text-anchor="end" font-family="sans-serif" font-size="13"'
            f' fill="#000000">{escape(label)}日</text>',
            f'<rect x="{left}" y="{y}" width="{w}" height="{bar_h}" fill="{_BAR_COLOURS[n % len(_BAR_COLOURS)]}">'
            f"<title>{escape(label)}日: {count}件</title></rect>",
            f'<text x="{left + w + 6}" y="{y + bar_h - 8}" font-family="sans-serif" font-size="13"'
            f' fill="#000000">{count}件</text>',
        ]
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


# --- 事務報告 ---------------------------------------------------------------------------------------------------

MONTHLY_HEADER = ["課コード", "課名", "起案", "決裁", "収受"]


def month_bounds(month: date) -> tuple[datetime, datetime, date, date]:
    """The month (its first day) in Japan as UTC instants [start, end) and as dates first .. last."""
    first = month.replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
    )
    start = datetime.combine(first, time(), JST).astimezone(UTC)
    end = datetime.combine(following, time(), JST).astimezone(UTC)
    return start, end, first, date.fromordinal(following.toordinal() - 1)


async def monthly_counts(
    app: AppState, session: AsyncSession, staff: StaffRow, *, month: date, today: date
) -> list[tuple[pending.SectionCount, str]]:
    """The month's 事務報告 counts by section, for the reader's units, with each section's name."""
    scope, _ = await scope_of(app, session, staff, today=today)
    repo = ReportRepository(session)
    start, end, first, last = month_bounds(month)
    counts = pending.count_by_section(
        drafted=await repo.drafted_in(start, end),
        decided=await repo.decided_in(start, end),
        received=await repo.received_in(first, last),
        scope=scope,
    )
    names = await repo.unit_names({c.org_unit_code for c in counts})
    return [(c, names.get(c.org_unit_code, c.org_unit_code)) for c in counts]


def monthly_csv(lines: list[tuple[pending.SectionCount, str]]) -> bytes:
    rows = [[c.org_unit_code, name, str(c.drafted), str(c.decided), str(c.received)] for c, name in lines]
    total = [sum(c.drafted for c, _ in lines), sum(c.decided for c, _ in lines), sum(c.received for c, _ in lines)]
    rows.append(["", "合計", *(str(n) for n in total)])
    return _csv(MONTHLY_HEADER, rows)
