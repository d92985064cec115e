"""The pages: 受信箱, 自分の文書, 起案 (with the live route preview and budget), the document and its actions.

Transport only: every page calls the same services as the JSON API (DocumentService, DecisionService,
inbox_for), so the same rules and the same authorisation apply.  A refusal (RingiError) is shown with its reason.
Every page works through the request's one session (``SessionDep``), as the JSON routes do.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState, SessionDep, StateDep
from api.origin import origin_of
from api.services.access_log import logged_read
from api.services.attachments import AttachmentService
from api.services.budgets import budget_of
from api.services.bulk import BulkApprovalService
from api.services.decisions import DecisionService
from api.services.documents import DocumentService
from api.services.inbox import inbox_for
from api.services.limits import document_limits
from api.services.people import people
from api.services.reading import read_seen
from api.services.views import from_read_model, settling_of
from api.web.deps import CurrentViewer, FormData, PostingViewer, Viewer, page, today
from api.web.file_choice import draft_file_choice, file_error
from api.web.forms import draft_values, parse_action, parse_draft, parse_edit, values_of
from api.web.messages import japanese, size_label
from api.web.render import DONE, REFUSAL
from core.errors import Invalid, RingiError, Unavailable
from db.models import DocumentRow, RouteStepRow
from db.repositories.documents import DocumentRepository
from db.session import release
from domain.attachments import may_add, may_delete
from domain.changes import APPROVALS, Event, Snapshot, since_last_approval
from schemas.api.files import FileProposal
from schemas.api.limits import LeaveLimitsRead
from schemas.api.models import AllowedActions, BulkApproveCreate, BulkApproveItem, DocumentRead, Settling
from schemas.api.paging import PageRequest
from schemas.document import AllowedAction
from schemas.rules import categories_of

router = APIRouter(include_in_schema=False)

_BUDGET_CODE = r"^[0-9A-Za-z-]{0,40}$"
#: After an action, how long the page waits for the workflow to settle what it settles just after (文書番号, 支出負担
#: 行為 or the release of the 仮押さえ), so that the page shown is the settled state, not the one before.
_SETTLE_WAIT_SECONDS = 3.0
_SETTLE_POLL_SECONDS = 0.1


class DocumentTitle(BaseModel):
    document_id: str
    title: str


def _refused(request: Request, viewer: Viewer, exc: RingiError) -> HTMLResponse:
    title = REFUSAL.get(exc.status, exc.title)
    return page(request, "error.html", viewer, status_code=exc.status, title=title, detail=japanese(exc.detail))


@router.get("/inbox")
async def inbox_page(request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep) -> HTMLResponse:
    """受信箱: my pending steps, decisions I may take as 代決者, the 後閲 I owe — oldest first."""
    items = await inbox_for(session, app.hr, viewer.staff.id, today=today())
    ids = {i.drafter_id for i in items if i.drafter_id} | {i.on_behalf_of for i in items if i.on_behalf_of}
    who = await people(session, ids, as_of=today())
    categories = await _categories(app)
    return page(request, "inbox.html", viewer, items=items, who=who, categories=categories, nav="inbox")


@router.get("/documents")
async def my_documents(
    request: Request,
    viewer: CurrentViewer,
    app: StateDep,
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    """自分の文書: my drafts and submitted documents with their status, newest first."""
    mine = await DocumentService(app, session).mine(viewer.staff, page=PageRequest(offset=offset))
    return page(request, "mine.html", viewer, page_of=mine, nav="mine")


async def _categories(app: StateDep) -> dict[str, str]:
    """The 決裁区分 of general matters (一般事項) in the rulebook in force: key -> the row's words."""
    book = await app.rulebooks.in_force(today())
    return {} if book is None else categories_of(book)


async def _file_choice(
    app: StateDep, session: AsyncSession, viewer: Viewer, values: dict[str, str], categories: dict[str, str]
) -> FileProposal | None:
    """簿冊の提案 for the draft as typed (the first 決裁区分 when a general matter names none, as the form shows)."""
    matter = values.get("matter") or "spending"
    category = (values.get("category") or next(iter(categories), None)) if matter == "general" else None
    return await draft_file_choice(
        app,
        session,
        viewer,
        matter=matter if matter in ("spending", "general") else "spending",
        category=category,
        title=values.get("title", ""),
    )


@router.get("/documents/new")
async def draft_form(request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep) -> HTMLResponse:
    values = {"confidentiality": "1", "retention_years": "5", "matter": "spending"}
    categories = await _categories(app)
    choice = await _file_choice(app, session, viewer, values, categories)
    return page(request, "draft.html", viewer, values=values, error="", nav="new", categories=categories, choice=choice)


@router.post("/documents/new/files")
async def draft_files(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """簿冊の選択 for the draft as typed (htmx fragment): the proposal follows the 事案 and 決裁区分."""
    values = draft_values(form)
    values["file_id"] = ""  # a new kind of matter: its own proposal
    choice = await _file_choice(app, session, viewer, values, await _categories(app))
    return page(
        request,
        "_file_choice.html",
        viewer,
        choice=choice,
        chosen="",
        refresh="/documents/new/files",
        refresh_include="#draft-form",
        refresh_trigger="change from:[name=matter], change from:[name=category]",
    )


@router.post("/documents/new")
async def create_draft(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """起案: the draft is saved; the document page then offers 提出."""
    values = draft_values(form)
    try:
        created = await DocumentService(app, session).create(viewer.staff, parse_draft(values), today=today())
    except (ValueError, RingiError) as exc:
        error = japanese(exc.detail) if isinstance(exc, RingiError) else str(exc)
        if isinstance(exc, RingiError):
            await session.rollback()
        categories = await _categories(app)
        choice = await _file_choice(app, session, viewer, values, categories)
        return page(
            request,
            "draft.html",
            viewer,
            values=values,
            error=error,
            nav="new",
            status_code=422,
            categories=categories,
            choice=choice,
            file_error=file_error(error),
        )
    return RedirectResponse(f"/documents/{created.id}", status_code=303)


@router.get("/documents/{document_id}/edit")
async def edit_form(
    request: Request, document_id: str, viewer: CurrentViewer, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """修正: the drafter changes a draft or a sent-back document (approvals of the older version lapse)."""
    try:
        document, _, _ = await _logged(request, viewer, app, session, document_id)
    except RingiError as exc:
        return _refused(request, viewer, exc)
    categories = await _categories(app)
    return page(
        request,
        "draft.html",
        viewer,
        values=values_of(document),
        error="",
        editing=document,
        nav="mine",
        categories=categories,
    )


@router.post("/documents/{document_id}/edit")
async def edit(
    request: Request, document_id: str, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    documents = DocumentService(app, session)
    values = draft_values(form)
    try:
        await documents.edit(viewer.staff, document_id, parse_edit(values))
    except (ValueError, RingiError) as exc:
        try:
            document = from_read_model(*await documents.read(viewer.staff, document_id))
        except RingiError as unreadable:
            return _refused(request, viewer, unreadable)
        error = japanese(exc.detail) if isinstance(exc, RingiError) else str(exc)
        status = exc.status if isinstance(exc, RingiError) else 422
        values["matter"] = document.matter  # fixed at drafting
        categories = await _categories(app)
        return page(
            request,
            "draft.html",
            viewer,
            values=values,
            error=error,
            editing=document,
            status_code=status,
            categories=categories,
        )
    return RedirectResponse(f"/documents/{document_id}", status_code=303)


@router.post("/documents/new/preview")
async def route_preview(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """The route the draft would take (htmx fragment): who reviews, consults and decides, and why."""
    try:
        preview = await DocumentService(app, session).preview_draft(
            viewer.staff, parse_draft(draft_values(form), preview=True), today=today()
        )
    except (ValueError, RingiError) as exc:
        error = japanese(exc.detail) if isinstance(exc, RingiError) else str(exc)
        return page(request, "_preview.html", viewer, preview=None, error=error)
    return page(request, "_preview.html", viewer, preview=preview, error="")


@router.get("/budgets/check")
async def budget_check(
    request: Request,
    viewer: CurrentViewer,
    app: StateDep,
    session: SessionDep,
    budget_code: Annotated[str, Query(pattern=_BUDGET_CODE)] = "",
    amount_yen: Annotated[str, Query(max_length=30)] = "",
) -> HTMLResponse:
    """予算の執行可能額 for the drafting form (htmx fragment)."""
    amount = amount_yen.replace(",", "").strip()
    budget, error = None, ""
    if budget_code:
        await release(session)  # the viewer's read ends: nothing held while 財務会計 answers
        try:
            budget = await budget_of(app.finance, budget_code, fiscal_year=None, today=today())
        except RingiError as exc:
            error = japanese(exc.detail)
    wanted = int(amount) if amount.isdigit() else None
    return page(request, "_budget.html", viewer, budget=budget, error=error, amount=wanted, code=budget_code)


@router.get("/documents/{document_id}")
async def document_page(
    request: Request,
    document_id: str,
    viewer: CurrentViewer,
    app: StateDep,
    session: SessionDep,
    done: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    """The document; ``done`` (set by the redirect after an action) names the action just applied, to confirm it."""
    try:
        seen = await _logged(request, viewer, app, session, document_id)
    except RingiError as exc:
        return _refused(request, viewer, exc)
    return await _document(request, viewer, app, session, seen, done=DONE.get(done, ""))


Seen = tuple[DocumentRead, DocumentRow, list[RouteStepRow]]
#: A leave request not yet decided: its 残日数 lines count it as requested (after the decision HR holds it as used).
_UNDECIDED = frozenset({"draft", "in_review", "sent_back"})


async def _leave_balance(app: AppState, session: AsyncSession, row: DocumentRow) -> tuple[LeaveLimitsRead | None, str]:
    """A leave request's 残日数 (the person's HR balance less what HR does not hold yet), or why it is unknown."""
    if row.matter != "leave" or row.details is None:
        return None, ""
    try:
        found = await document_limits(app, session, row, None, today=today())
    except RingiError as exc:  # HR not answering (503) or not knowing the person: the page still shows
        return None, japanese(exc.detail)
    return found.leave, ""


async def _logged(request: Request, viewer: Viewer, app: StateDep, session: AsyncSession, document_id: str) -> Seen:
    """The document as read (its one visibility check), with its access-log entry."""
    read = read_seen(app, session, viewer.staff, document_id)
    origin = origin_of(request, app.settings)
    return await logged_read(session, read, "document_read", viewer.staff, document_id, origin)


async def _document(
    request: Request,
    viewer: Viewer,
    app: StateDep,
    session: AsyncSession,
    seen: Seen,
    *,
    error: str = "",
    status_code: int = 200,
    key: str | None = None,
    done: str = "",
    field_errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    """The page of a document already read and checked (``seen``): its audit trail, who is who, its buttons."""
    document, row, steps = seen
    documents, decisions = DocumentService(app, session), DecisionService(app, session)
    audit = await documents.audit_of(document.id)
    attachments = await AttachmentService(app, session).of(document.id)
    ids = {document.drafter_id, *(s.assignee_id for s in document.steps), *(s.acted_by or "" for s in document.steps)}
    ids |= {e.actor_id for e in audit.events} | {r.staff_id for r in document.post_reviews}
    ids |= {r.acted_by for r in document.post_reviews}
    who = await people(session, ids, as_of=today())
    leave_limits, leave_note = await _leave_balance(app, session, row)
    notice = ""
    try:  # last: it lets the connection go while the workflow (and perhaps HR) answers
        allowed = await decisions.allowed_on(viewer.staff, row, steps, today=today())
    except Unavailable as exc:  # the engine is not answering: show the document, offer no action
        allowed, notice = AllowedActions(), exc.detail
    since = since_last_approval(
        [Event(e.seq, e.action, e.actor_id, e.version, e.detail) for e in audit.events],
        viewer.staff.id,
        Snapshot(document.title, document.body, document.amount_yen, {a.n: a.filename for a in attachments}),
        document.version,
    )
    is_drafter = viewer.staff.id == document.drafter_id
    in_division = viewer.me is not None and viewer.me.org_unit.code == document.org_unit
    approved = any(e.action in APPROVALS for e in audit.events)
    limit = app.settings.attachment_max_bytes
    files = {
        "may_add": may_add(status=document.status, is_drafter=is_drafter, in_division=in_division),
        "may_delete": may_delete(
            status=document.status, is_drafter=is_drafter, in_division=in_division, approved=approved
        ),
        "max_bytes": limit,
        "max_label": size_label(limit),
        "too_large": japanese(f"attachments are limited to {limit} bytes"),
    }
    stages: dict[int, list[object]] = {}
    for step in document.steps:
        stages.setdefault(step.stage_index, []).append(step)
    return page(
        request,
        "document.html",
        viewer,
        status_code=status_code,
        doc=document,
        stages=sorted(stages.items()),
        allowed=allowed,
        buttons=buttons_of(allowed),
        audit=audit,
        attachments=attachments,
        since=since,
        files=files,
        who=who,
        error=error,
        field_errors=field_errors or {},
        typed=typed or {},
        error_status=status_code,
        notice=notice,
        done=done,
        key=key or str(uuid.uuid4()),
        categories=await _categories(app),
        leave_limits=leave_limits,
        leave_note=leave_note,
        leave_held=row.status in _UNDECIDED,
        seals=app.settings.seals,
        today_iso=today().isoformat(),
    )


def buttons_of(allowed: AllowedActions) -> list[AllowedAction]:
    """The buttons of the allowed actions: in a 合議 the chain takes 承認 as 同意 (the same answer), so only 同意 and
    異議 are offered there, each with its help text."""
    names = {a.action for a in allowed.actions}
    if "consent" in names:
        return [a for a in allowed.actions if a.action != "approve"]
    return list(allowed.actions)


@router.post("/documents/{document_id}/submit")
async def submit(
    request: Request, document_id: str, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """提出: starts the approval workflow (the same call as ``POST /v1/documents/{id}/submit``)."""
    key = str(form.get("idempotency_key") or uuid.uuid4())
    try:
        answer = await DecisionService(app, session).submit(viewer.staff, document_id, key=key, today=today())
    except RingiError as exc:
        return await _again(request, viewer, app, session, document_id, exc, key=key)
    await _settled(session, document_id, answer.settling)
    return RedirectResponse(f"/documents/{document_id}?done=submit", status_code=303)


@router.post("/documents/{document_id}/act")
async def act(
    request: Request, document_id: str, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """承認, 合議, 差戻し, 引戻し, 取下げ, 却下 …: the same call as ``POST /v1/documents/{id}/actions``."""
    key = str(form.get("idempotency_key") or uuid.uuid4())
    try:
        action = parse_action(form)
    except ValueError as exc:
        return await _again(request, viewer, app, session, document_id, RingiError(str(exc)))
    try:
        answer = await DecisionService(app, session).act(viewer.staff, document_id, action, key=key, today=today())
    except RingiError as exc:
        typed = {"comment": action.comment, "target_step": str(form.get("target_step") or ""), "choice": action.action}
        return await _again(request, viewer, app, session, document_id, exc, key=key, typed=typed)
    await _settled(session, document_id, answer.settling)
    decided = action.action in ("approve", "substitute", "pull_up") and answer.status in ("approved", "circulating")
    done = "decide" if decided and answer.decided_at is not None else action.action
    return RedirectResponse(f"/documents/{document_id}?done={done}", status_code=303)


async def _settled(session: AsyncSession, document_id: str, settling: list[Settling]) -> None:
    """Wait (briefly) until the workflow has settled what the action's answer named as still settling: the page the
    redirect then shows reads the settled document (文書番号 given, 仮押さえ committed or released), not the state
    before.  If it takes longer, the page says what is still being settled."""
    if not settling:
        return
    repo = DocumentRepository(session)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _SETTLE_WAIT_SECONDS
    while loop.time() < deadline:
        await release(session)  # a new transaction each time: see what the worker committed meanwhile
        row = await repo.get(document_id)
        if row is None or not settling_of(row):
            return
        await asyncio.sleep(_SETTLE_POLL_SECONDS)
    await release(session)


async def _again(
    request: Request,
    viewer: Viewer,
    app: StateDep,
    session: AsyncSession,
    document_id: str,
    exc: RingiError,
    *,
    key: str | None = None,
    typed: dict[str, str] | None = None,
) -> HTMLResponse:
    """The document page again, with the reason the action was refused (beside its field when it names one: the
    差戻し's reason or its target step), keeping what the person typed.

    After a 503 (the engine did not answer in time) the form keeps its Idempotency-Key, so pressing the button
    again applies the action once, as a retrying integrator's request would.
    """
    try:
        await release(session)  # the workflow may have written since this request first read
        seen = await _logged(request, viewer, app, session, document_id)
    except RingiError as unreadable:
        return _refused(request, viewer, unreadable)
    retry_key = key if isinstance(exc, Unavailable) else None
    error = japanese(exc.detail)
    field = _field_of(exc.detail)
    return await _document(
        request,
        viewer,
        app,
        session,
        seen,
        error=error,
        status_code=exc.status,
        key=retry_key,
        field_errors={field: error} if field else {},
        typed=typed,
    )


def _field_of(reason: str) -> str:
    """The action form's field a refusal is about: the comment (a reason is required) or the send-back target."""
    if "needs a reason" in reason:
        return "comment"
    return "target_step" if reason.startswith("target_step") else ""


# --- 一括承認 (bulk approval) ---------------------------------------------------------------------------------

_ITEM = "item_"


def _selected(form: dict[str, object]) -> list[BulkApproveItem]:
    """The items ticked on the page: ``item_<document id>`` = the version shown."""
    chosen = []
    for name, value in form.items():
        if name.startswith(_ITEM) and isinstance(value, str) and value.isdigit():
            chosen.append(BulkApproveItem(document_id=name.removeprefix(_ITEM), version=int(value)))
    return chosen


@router.get("/inbox/bulk")
async def bulk_page(request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep) -> HTMLResponse:
    """一括承認: my own pending 回議・決裁 (never a 代決 or a 後閲) to tick; a confirmation follows."""
    items = await inbox_for(session, app.hr, viewer.staff.id, today=today())
    mine = [i for i in items if i.kind == "step" and i.stage_kind in ("review", "decide")]
    refusals = await BulkApprovalService(app, session).eligibility(viewer.staff, mine, today=today())
    return page(request, "inbox_bulk.html", viewer, items=mine, refusals=refusals, step="select", nav="inbox")


@router.post("/inbox/bulk/confirm")
async def bulk_confirm(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """The confirmation: the ticked items listed once more, with the request's Idempotency-Key."""
    chosen = {i.document_id: i.version for i in _selected(form)}
    items = await inbox_for(session, app.hr, viewer.staff.id, today=today())
    listed = [i for i in items if i.kind == "step" and i.document_id in chosen]
    return page(request, "inbox_bulk.html", viewer, items=listed, step="confirm", key=str(uuid.uuid4()), nav="inbox")


@router.post("/inbox/bulk")
async def bulk_apply(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """Each confirmed item approved as its own decision (or refused with the reason): the outcomes."""
    key = form.get("idempotency_key")
    chosen = _selected(form)
    try:
        body = BulkApproveCreate(items=chosen)
        result = await BulkApprovalService(app, session).approve(
            viewer.staff, body, key=key if isinstance(key, str) else "", today=today()
        )
    except ValidationError:
        return _refused(request, viewer, Invalid("一括承認する文書が選ばれていません"))
    except RingiError as exc:
        return _refused(request, viewer, exc)
    titles = {i.document_id: i.title for i in await _titles(session, [i.document_id for i in chosen])}
    return page(request, "inbox_bulk.html", viewer, result=result, titles=titles, step="done", nav="inbox")


async def _titles(session: AsyncSession, document_ids: list[str]) -> list[DocumentTitle]:
    rows = [await DocumentRepository(session).get(d) for d in document_ids]
    return [DocumentTitle(document_id=r.id, title=r.title) for r in rows if r is not None]
