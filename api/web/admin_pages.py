"""The administrators' pages (管理): the landing page, the rulebook versions (事務決裁規程: list, view with the cited
rows, upload with the problems shown row by row) and 人事異動 (upload or enter a batch, its impact on the documents
in flight, apply).

Transport only, over the services of ``/v1/rules`` and ``/v1/org/transfers`` (api/services/rules.py,
api/services/transfers.py): the same validation and the same refusals.  Every page is for administrators only:
anyone else gets the 403 the API gives its administrators' routes, with the reason in Japanese.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from api.deps import SessionDep, StateDep
from api.services.people import people
from api.services.rules import RulesService
from api.services.transfers import TransferService
from api.services.units import unit_names
from api.web.deps import CurrentViewer, FormData, PostingViewer, Viewer, page, today
from api.web.messages import japanese, validation_message
from api.web.render import REFUSAL
from core.errors import Forbidden, Invalid, RingiError
from schemas.rules import EXPENSE_CLASS_NAMES, FLAG_NAMES, LEVEL_NAMES, MATTER_NAMES, Rulebook
from schemas.transfers import TransferApplied, TransferPlan

router = APIRouter(include_in_schema=False)

ADMINS_ONLY = "only administrators may use the administration pages"
#: The largest rulebook or transfer a form takes (the API's own limits apply after).
MAX_UPLOAD_BYTES = 5_000_000
#: The confirmations after a redirect (``?done=…``), read by screen readers (role=status).
DONE = {
    "uploaded": "決裁規程の新しい版を登録しました。適用日から適用されます。",
    "transfer": "人事異動を登録しました。影響を確認してから適用してください（異動日の0時に自動でも適用されます）。",
}
Done = Annotated[str, Query(max_length=40)]
#: The sections of a rulebook, as its problems name them.
SECTION = {
    "body": "全体",
    "effective_from": "適用日",
    "authority": "専決・決裁の区分",
    "consultations": "合議",
    "examinations": "文書審査",
    "non_delegable": "専決・代決の制限",
    "escalation": "専決の制限",
    "overtime_limits": "時間外勤務の上限",
    "bulk_approval": "一括承認",
}


def require_admin(viewer: Viewer) -> None:
    """403 for anyone but an administrator (the API's administrators' routes answer the same)."""
    if not viewer.staff.is_admin:
        raise Forbidden(ADMINS_ONLY)


def refused(request: Request, viewer: Viewer, exc: RingiError) -> HTMLResponse:
    """The refusal page: its title by status, the reason in Japanese."""
    title = REFUSAL.get(exc.status, exc.title)
    return page(request, "error.html", viewer, status_code=exc.status, title=title, detail=japanese(exc.detail))


@router.get("/admin")
async def admin_page(request: Request, viewer: CurrentViewer) -> HTMLResponse:
    """管理: the administrators' pages, one link each."""
    try:
        require_admin(viewer)
    except RingiError as exc:
        return refused(request, viewer, exc)
    return page(request, "admin.html", viewer, nav="admin")


# --- 決裁規程 (rulebook versions) -----------------------------------------------------------------------------


async def _uploaded_text(form: dict[str, Any], field: str, text_field: str) -> tuple[bytes, str, str]:
    """(body, media type, the text to show again): the chosen file if one was chosen, else the pasted text."""
    chosen = form.get(field)
    if isinstance(chosen, UploadFile) and chosen.filename:
        body = await chosen.read(MAX_UPLOAD_BYTES + 1)
        if len(body) > MAX_UPLOAD_BYTES:
            raise Invalid(f"the file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB")
        name = chosen.filename.lower()
        media_type = "application/json" if name.endswith(".json") else "application/yaml"
        return body, media_type, ""
    text = str(form.get(text_field) or "")
    media_type = "application/json" if text.lstrip().startswith("{") else "application/yaml"
    return text.encode("utf-8"), media_type, text


async def _rules_page(
    request: Request,
    viewer: Viewer,
    rules: RulesService,
    *,
    problems: list[dict[str, Any]] | None = None,
    error: str = "",
    typed: str = "",
    done: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "admin_rules.html",
        viewer,
        versions=await rules.versions(today=today()),
        problems=problems or [],
        error=error,
        typed=typed,
        done=DONE.get(done, ""),
        today=today(),
        status_code=status_code,
        nav="admin",
    )


@router.get("/admin/rules")
async def rules_page(request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep) -> HTMLResponse:
    """決裁規程: every version (適用中・適用予定・過去) and the upload form (YAML or JSON, as the API takes)."""
    try:
        require_admin(viewer)
    except RingiError as exc:
        return refused(request, viewer, exc)
    return await _rules_page(request, viewer, RulesService(app, session))


@router.post("/admin/rules")
async def upload_rules(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """A new version, in force from its 適用日 (after today); the problems, row by row, when it is refused."""
    rules = RulesService(app, session)
    typed = ""
    try:
        require_admin(viewer)
        body, media_type, typed = await _uploaded_text(form, "rulebook_file", "rulebook_text")
        if not body.strip():
            raise Invalid("choose a file or paste the rulebook (YAML or JSON)")
        book = await rules.upload(viewer.staff, body, media_type=media_type, today=today())
    except Invalid as exc:
        problems = [
            {**p, "section_name": SECTION.get(p["section"], p["section"]), "message": japanese(p["message"])}
            for p in exc.extra.get("errors") or []
        ]
        error = "決裁規程は登録されませんでした。" if problems else japanese(exc.detail)
        return await _rules_page(
            request, viewer, rules, problems=problems, error=error, typed=typed, status_code=exc.status
        )
    except RingiError as exc:
        if exc.status == 409:
            return await _rules_page(
                request, viewer, rules, error=japanese(exc.detail), typed=typed, status_code=exc.status
            )
        return refused(request, viewer, exc)
    return RedirectResponse(f"/admin/rules/{book.id}?done=uploaded", status_code=303)


def _sections(book: Rulebook) -> dict[str, Any]:
    return {
        "authority": book.authority,
        "consultations": book.consultations,
        "examinations": book.examinations,
        "non_delegable": book.non_delegable,
    }


@router.get("/admin/rules/{version_id}")
async def rule_version_page(
    request: Request, version_id: str, viewer: CurrentViewer, app: StateDep, session: SessionDep, done: Done = ""
) -> HTMLResponse:
    """One version: its rows (専決の区分, 合議, 文書審査, 専決・代決の制限, 専決の制限) with their citations."""
    try:
        require_admin(viewer)
        book = await RulesService(app, session).version(version_id)
    except RingiError as exc:
        return refused(request, viewer, exc)
    versions = await RulesService(app, session).versions(today=today())
    summary = next((v for v in versions if v.id == book.id), None)
    return page(
        request,
        "admin_rule.html",
        viewer,
        book=book,
        summary=summary,
        sections=_sections(book),
        units=await unit_names(session),
        matters=MATTER_NAMES,
        levels=LEVEL_NAMES,
        expense_classes=EXPENSE_CLASS_NAMES,
        flags=FLAG_NAMES,
        done=DONE.get(done, ""),
        today=today(),
        nav="admin",
    )


# --- 人事異動 (org transfers) ---------------------------------------------------------------------------------

#: The words a line of the entry form may start with: 終了 (leaves the post) or 発令 (takes it up).
LINE_KINDS = {"終了": "end", "end": "end", "発令": "start", "開始": "start", "start": "start"}


def plan_from_lines(effective_on: str, note: str, lines: str) -> TransferPlan:
    """A ``TransferPlan`` from the entry form: one line per change, ``終了|発令 職員番号 所属コード 職コード``
    (separated by spaces, tabs or commas); ``Invalid`` naming the line otherwise."""
    rows: dict[str, list[dict[str, str]]] = {"end": [], "start": []}
    for number, line in enumerate(lines.splitlines(), start=1):
        words = line.replace(",", " ").replace("\t", " ").split()
        if not words:
            continue
        if len(words) != 4 or words[0] not in LINE_KINDS:
            raise Invalid(f"line {number}: write 終了 or 発令, the staff id, the org unit code and the post code")
        kind, staff_id, org_unit, post = words
        rows[LINE_KINDS[kind]].append({"staff_id": staff_id, "org_unit": org_unit, "post": post})
    return _plan({"effective_on": effective_on, "note": note, **rows})


def _plan(raw: Any) -> TransferPlan:
    try:
        return TransferPlan.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise Invalid(f"{where}: {validation_message([{**first, 'loc': ()}])}") from exc


async def _transfer_plan(form: dict[str, Any]) -> TransferPlan:
    if form.get("format") == "lines":
        return plan_from_lines(
            str(form.get("effective_on") or ""), str(form.get("note") or ""), str(form.get("lines") or "")
        )
    body, _, _ = await _uploaded_text(form, "plan_file", "plan_json")
    if not body.strip():
        raise Invalid("choose a file or paste the transfer (JSON, as POST /v1/org/transfers takes it)")
    try:
        raw = json.loads(body)
    except ValueError as exc:
        raise Invalid(f"not valid JSON: {exc}") from exc
    return _plan(raw)


async def _transfers_page(
    request: Request,
    viewer: Viewer,
    transfers: TransferService,
    *,
    error: str = "",
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    typed = {k: v for k, v in (form or {}).items() if isinstance(v, str) and k != "csrf_token"}
    return page(
        request,
        "admin_transfers.html",
        viewer,
        transfers=await transfers.list(viewer.staff),
        error=error,
        typed=typed,
        status_code=status_code,
        nav="admin",
    )


@router.get("/admin/transfers")
async def transfers_page(request: Request, viewer: CurrentViewer, app: StateDep, session: SessionDep) -> HTMLResponse:
    """人事異動: the uploaded transfers and the forms to upload one (JSON) or enter one line per change."""
    try:
        return await _transfers_page(request, viewer, TransferService(app, session))
    except RingiError as exc:
        return refused(request, viewer, exc)


@router.post("/admin/transfers")
async def upload_transfer(
    request: Request, viewer: PostingViewer, form: FormData, app: StateDep, session: SessionDep
) -> Response:
    """Store a transfer (validated as the API does: the first bad row named); then its impact page."""
    transfers = TransferService(app, session)
    try:
        require_admin(viewer)
        read = await transfers.upload(viewer.staff, await _transfer_plan(form), today=today())
    except Invalid as exc:
        return await _transfers_page(
            request, viewer, transfers, error=japanese(exc.detail), form=form, status_code=exc.status
        )
    except RingiError as exc:
        return refused(request, viewer, exc)
    return RedirectResponse(f"/admin/transfers/{read.id}?done=transfer", status_code=303)


async def _transfer_page(
    request: Request,
    viewer: Viewer,
    transfers: TransferService,
    session: SessionDep,
    transfer_id: str,
    *,
    applied: TransferApplied | None = None,
    done: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    try:
        read = await transfers.read(viewer.staff, transfer_id)
        impact = await transfers.impact(viewer.staff, transfer_id)
    except RingiError as exc:
        return refused(request, viewer, exc)
    named = {m.old_assignee_id for m in impact.moves} | {m.new_assignee_id for m in impact.moves if m.new_assignee_id}
    return page(
        request,
        "admin_transfer.html",
        viewer,
        transfer=read,
        impact=impact,
        people=await people(session, named, as_of=today()),
        units=await unit_names(session),
        applied=applied,
        done=DONE.get(done, ""),
        error=error,
        status_code=status_code,
        nav="admin",
    )


@router.get("/admin/transfers/{transfer_id}")
async def transfer_page(
    request: Request, transfer_id: str, viewer: CurrentViewer, app: StateDep, session: SessionDep, done: Done = ""
) -> HTMLResponse:
    """One transfer: its status and its impact (each unanswered step it moves, and where to), with 適用."""
    return await _transfer_page(request, viewer, TransferService(app, session), session, transfer_id, done=done)


@router.get("/admin/transfers/{transfer_id}/progress")
async def transfer_progress(
    request: Request, transfer_id: str, viewer: CurrentViewer, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """The progress of an apply under way (the 00:00 schedule's, or another administrator's): an htmx fragment
    that asks again every 2 s until the transfer is 適用済."""
    try:
        impact = await TransferService(app, session).impact(viewer.staff, transfer_id)
    except RingiError as exc:
        return refused(request, viewer, exc)
    return page(request, "_transfer_progress.html", viewer, impact=impact)


@router.post("/admin/transfers/{transfer_id}/apply")
async def apply_transfer(
    request: Request, transfer_id: str, viewer: PostingViewer, app: StateDep, session: SessionDep
) -> HTMLResponse:
    """Apply now (idempotent): the page shows what was done; a refusal (HR down, HR refusing) its reason."""
    transfers = TransferService(app, session)
    try:
        applied = await transfers.apply(viewer.staff, transfer_id)
    except RingiError as exc:
        if exc.status in (422, 503):
            return await _transfer_page(
                request, viewer, transfers, session, transfer_id, error=japanese(exc.detail), status_code=exc.status
            )
        return refused(request, viewer, exc)
    return await _transfer_page(request, viewer, transfers, session, transfer_id, applied=applied)
