"""The OpenAPI document integrators read: operation ids, tags, error statuses and examples written by hand.

FastAPI generates the schema of every request and response from the routes; what it cannot know is written
here, in one table, so that the routes stay transport only:

* **operationId** and **tag** of each operation (``documents.create``), stable names a generated client keeps;
* the **error statuses** each operation really answers, every one an RFC 9457 problem (``Problem``), instead of
  FastAPI's default ``HTTPValidationError`` 422 — ``tests/api/test_openapi.py`` checks the table against the
  routes and against the statuses the API returns to real and fuzzed requests;
* which operations **require** ``Idempotency-Key`` (the route reads it optional only to answer its absence with a
  problem of its own);
* **examples** for the main requests.

``/docs`` (Swagger UI) and ``/redoc`` are served from vendored assets under ``/static/docs/``: a closed LGWAN
network reaches no CDN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse

from schemas.intake import IntakeApplication

#: The statuses every operation behind a bearer token may answer, besides its own (403: a one-time password must
#: be changed first, POST /v1/me/password).
SIGNED_IN = (401, 403)
#: What a body or a query can make an operation answer: too large (the body limit), or invalid.
WITH_BODY = (413, 422)

TITLES = {
    400: "Bad request",
    401: "Not authenticated (no, expired or revoked bearer token)",
    403: "Forbidden (not allowed to you, or a one-time password to change first)",
    404: "Not found (or not visible to you)",
    409: "Conflict (allowed in general, not in this state)",
    413: "Request too large",
    422: "Invalid input",
    429: "Too many attempts (see Retry-After)",
    503: "A dependency (Temporal, HR, finance) is not answering; retry after Retry-After with the same key",
}


@dataclass(frozen=True)
class Operation:
    """What the table says of one operation."""

    id: str
    tag: str
    errors: tuple[int, ...]
    idempotency_key: bool = False
    example: dict[str, Any] | None = None

    @property
    def statuses(self) -> frozenset[int]:
        return frozenset(self.errors)


def _op(
    id: str,
    errors: tuple[int, ...],
    signed_in: bool = True,
    idempotency_key: bool = False,
    example: dict[str, Any] | None = None,
) -> Operation:
    everything = tuple(sorted(set(errors) | (set(SIGNED_IN) if signed_in else set())))
    return Operation(id=id, tag=id.split(".")[0], errors=everything, idempotency_key=idempotency_key, example=example)


_DRAFT_EXAMPLE = {
    "title": "庁用備品の購入",
    "body": "購入してよろしいか伺います。",
    "matter": "spending",
    "amount_yen": 1500000,
    "confidentiality": 1,
    "retention_years": 5,
    "budget_code": "0201-01-17-001",
}

#: (method, path) -> operation.  Every /v1 route is here (a test fails for one that is not).
OPERATIONS: dict[tuple[str, str], Operation] = {
    ("POST", "/v1/auth/token"): _op(
        "auth.token", (401, 413, 422, 429), signed_in=False, example={"staff_id": "s0026", "password": "demo"}
    ),
    ("POST", "/v1/auth/totp/enrol"): _op("auth.totp_enrol", (403, 409)),
    ("POST", "/v1/auth/totp/confirm"): _op("auth.totp_confirm", (403, 409, 413, 422)),
    ("DELETE", "/v1/auth/totp/{staff_id}"): _op("auth.totp_reset", (403, 404, 422)),
    ("DELETE", "/v1/auth/lockout/{staff_id}"): _op("auth.lockout_lift", (403, 404, 422)),
    ("POST", "/v1/auth/signout"): _op("auth.signout", ()),
    ("GET", "/v1/me/sessions"): _op("auth.sessions_list", (422,)),
    ("DELETE", "/v1/me/sessions/{session_id}"): _op("auth.session_end", (404, 422)),
    ("POST", "/v1/me/password"): _op(
        "auth.password_change",
        (403, 413, 422, 429),
        example={"current": "demo", "new": "correct horse battery staple"},
    ),
    ("GET", "/v1/admin/staff/{staff_id}"): _op("accounts.read", (403, 404, 422)),
    ("POST", "/v1/admin/staff/{staff_id}/password-reset"): _op("accounts.password_reset", (403, 404, 409, 422)),
    ("POST", "/v1/admin/staff/{staff_id}/deactivate"): _op("accounts.deactivate", (403, 404, 409, 422)),
    ("POST", "/v1/admin/staff/{staff_id}/reactivate"): _op("accounts.reactivate", (403, 404, 422)),
    ("GET", "/v1/staff"): _op("staff.list", (422,)),
    ("GET", "/v1/me"): _op("staff.me", (404,)),
    ("POST", "/v1/documents"): _op("documents.create", (403, 404, 409, 413, 422), example=_DRAFT_EXAMPLE),
    ("GET", "/v1/documents"): _op("documents.list", (422,)),
    ("GET", "/v1/documents/{document_id}"): _op("documents.read", (403, 404)),
    ("PATCH", "/v1/documents/{document_id}"): _op(
        "documents.edit",
        (403, 404, 409, 413, 422),
        example={"title": "庁用備品（机・椅子）の購入", "amount_yen": 1200000},
    ),
    ("POST", "/v1/documents/{document_id}/copy"): _op("documents.copy", (403, 404, 422)),
    ("POST", "/v1/documents/{document_id}/route-preview"): _op("documents.route_preview", (403, 404, 409, 422, 503)),
    ("POST", "/v1/documents/{document_id}/submit"): _op("documents.submit", (403, 404, 409, 422, 503)),
    ("POST", "/v1/documents/{document_id}/actions"): _op(
        "documents.act",
        (403, 404, 409, 413, 422, 503),
        idempotency_key=True,
        example={"action": "approve", "comment": "異議なし"},
    ),
    ("POST", "/v1/documents/{document_id}/resubmit"): _op("documents.resubmit", (403, 404, 409, 413, 422, 503)),
    ("GET", "/v1/documents/{document_id}/audit"): _op("documents.audit", (403, 404)),
    ("GET", "/v1/documents/{document_id}/actions/allowed"): _op("documents.allowed_actions", (403, 404, 503)),
    ("GET", "/v1/documents/{document_id}/print"): _op("documents.print", (403, 404, 409, 503)),
    ("GET", "/v1/documents/{document_id}/limits"): _op("limits.document", (403, 404, 422, 503)),
    ("GET", "/v1/reports/overtime-special-cases"): _op("limits.overtime_special_cases", (403, 422)),
    ("GET", "/v1/reports/pending"): _op("reports.pending", (403, 422)),
    ("GET", "/v1/reports/pending.csv"): _op("reports.pending_csv", (403,)),
    ("GET", "/v1/reports/pending.svg"): _op("reports.pending_svg", (403,)),
    ("GET", "/v1/reports/monthly.csv"): _op("reports.monthly_csv", (403, 422)),
    ("GET", "/v1/inbox"): _op("inbox.list", (422,)),
    ("POST", "/v1/inbox/bulk-approve"): _op("inbox.bulk_approve", (422, 503)),
    ("GET", "/v1/budgets/{code}"): _op("budgets.read", (404, 422, 503)),
    ("GET", "/v1/notifications"): _op("notifications.list", (422,)),
    ("GET", "/v1/me/notification-preferences"): _op("notifications.preferences_read", ()),
    ("PUT", "/v1/me/notification-preferences"): _op("notifications.preferences_write", (413, 422)),
    ("POST", "/v1/documents/{document_id}/attachments"): _op("attachments.upload", (403, 404, 409, 413, 422)),
    ("GET", "/v1/documents/{document_id}/attachments"): _op("attachments.list", (403, 404, 422)),
    ("GET", "/v1/documents/{document_id}/attachments/{n}"): _op("attachments.download", (403, 404, 422)),
    ("DELETE", "/v1/documents/{document_id}/attachments/{n}"): _op("attachments.delete", (403, 404, 409, 422)),
    ("GET", "/v1/rules/versions"): _op("rules.list", (422,)),
    ("POST", "/v1/rules/versions"): _op("rules.upload", (403, 409, 413, 422)),
    ("GET", "/v1/rules/versions/{version_id}"): _op("rules.read", (404, 422)),
    ("POST", "/v1/absences"): _op(
        "absences.register",
        (403, 404, 409, 413, 422, 503),
        example={"kind": "leave", "start": "2026-12-10", "end": "2026-12-11"},
    ),
    ("GET", "/v1/absences"): _op("absences.list", (403, 404, 422, 503)),
    ("DELETE", "/v1/absences/{absence_id}"): _op("absences.cancel", (403, 404, 422, 503)),
    ("POST", "/v1/org/clerk-grants"): _op(
        "org.clerk_grant",
        (403, 404, 422),
        example={"staff_id": "s0010", "org_unit": "somu", "valid_from": "2026-04-01", "valid_to": "2027-03-31"},
    ),
    ("GET", "/v1/org/clerk-grants"): _op("org.clerk_grants_list", (403, 422)),
    ("DELETE", "/v1/org/clerk-grants/{grant_id}"): _op("org.clerk_grant_revoke", (403, 404, 422)),
    ("GET", "/v1/org/transfers"): _op("org.transfers_list", (403, 422)),
    ("POST", "/v1/org/transfers"): _op("org.transfers_upload", (403, 409, 413, 422)),
    ("GET", "/v1/org/transfers/{transfer_id}"): _op("org.transfers_read", (403, 404, 422)),
    ("GET", "/v1/org/transfers/{transfer_id}/impact"): _op("org.transfers_impact", (403, 404, 422, 503)),
    ("POST", "/v1/org/transfers/{transfer_id}/apply"): _op("org.transfers_apply", (403, 404, 409, 422, 503)),
    ("POST", "/v1/documents/{document_id}/issuance"): _op(
        "records.issue",
        (403, 404, 409, 413, 422, 503),
        example={
            "clean_copy_on": "2026-12-02",
            "seal": {"name": "市長印"},
            "dispatch_method": "post",
            "dispatched_on": "2026-12-02",
        },
    ),
    ("POST", "/v1/documents/{document_id}/retention-extension"): _op(
        "records.extend_retention", (403, 404, 409, 413, 422)
    ),
    ("GET", "/v1/documents/{document_id}/retention-extensions"): _op("records.retention_extensions", (403, 404, 422)),
    ("GET", "/v1/seal-log"): _op("records.seal_log", (403, 422)),
    ("GET", "/v1/records/disposal-reviews"): _op("records.disposal_reviews_list", (403, 422)),
    ("POST", "/v1/records/disposal-reviews"): _op("records.disposal_review_open", (403, 409, 413, 422, 503)),
    ("GET", "/v1/records/disposal-reviews/{review_id}"): _op("records.disposal_review_read", (403, 404, 422)),
    ("PUT", "/v1/records/disposal-reviews/{review_id}/items/{document_id}"): _op(
        "records.disposal_item_propose", (403, 404, 409, 413, 422)
    ),
    ("POST", "/v1/records/disposal-reviews/{review_id}/submit"): _op(
        "records.disposal_review_submit", (403, 404, 409, 422, 503)
    ),
    ("GET", "/v1/records/disposals"): _op("records.disposals_list", (403, 422)),
    ("PUT", "/v1/records/disposal-reviews/{review_id}/files/{file_id}"): _op(
        "records.disposal_file_propose", (403, 404, 409, 413, 422)
    ),
    ("GET", "/v1/records/file-disposals"): _op("records.file_disposals_list", (403, 422)),
    ("GET", "/v1/access-log"): _op("access_log.list", (403, 422)),
    ("GET", "/v1/auth/lockouts"): _op("auth.lockouts", (403, 422)),
    ("POST", "/v1/receipts"): _op("receipts.register", (403, 409, 413, 422, 503)),
    ("GET", "/v1/receipts"): _op("receipts.book", (403, 422)),
    ("GET", "/v1/receipts/{receipt_id}"): _op("receipts.read", (404, 422)),
    ("GET", "/v1/receipts/{receipt_id}/events"): _op("receipts.events", (404, 422)),
    ("POST", "/v1/receipts/{receipt_id}/corrections"): _op("receipts.correct", (403, 404, 413, 422, 503)),
    ("POST", "/v1/receipts/{receipt_id}/hand-on"): _op("receipts.hand_on", (403, 404, 409, 413, 422)),
    ("POST", "/v1/receipts/{receipt_id}/close"): _op("receipts.close", (403, 404, 409, 413, 422)),
    ("POST", "/v1/receipts/{receipt_id}/reply"): _op("receipts.reply", (403, 404, 409, 413, 422)),
    ("POST", "/v1/receipts/{receipt_id}/circulation"): _op(
        "receipts.circulation_start", (403, 404, 409, 413, 422, 503)
    ),
    ("GET", "/v1/receipts/{receipt_id}/circulation"): _op("receipts.circulation_readers", (404, 422)),
    ("POST", "/v1/receipts/{receipt_id}/circulation/read"): _op("receipts.circulation_read", (404, 409, 413, 422)),
    ("GET", "/v1/me/circulations"): _op("receipts.circulations_mine", (422,)),
    ("PUT", "/v1/admin/classification/{version_id}"): _op("files.classification_load", (403, 409, 413, 422)),
    ("GET", "/v1/admin/classification"): _op("files.classification_list", (422,)),
    ("GET", "/v1/admin/classification/{version_id}"): _op("files.classification_read", (404, 422)),
    ("PUT", "/v1/admin/classification-additions/{fiscal_year}/{org_unit}"): _op(
        "files.classification_additions_load", (403, 404, 409, 413, 422)
    ),
    ("GET", "/v1/admin/classification-additions/{fiscal_year}/{org_unit}"): _op(
        "files.classification_additions_read", (404, 422)
    ),
    ("POST", "/v1/files/{file_id}/retention"): _op(
        "files.retention_change",
        (403, 404, 409, 413, 422),
        example={"change": "shorten", "years": 2, "reason": "事務の廃止により保存の必要がなくなったため"},
    ),
    ("POST", "/v1/files"): _op(
        "files.create",
        (403, 409, 413, 422),
        example={"fiscal_year": 2026, "classification_code": "01-03-02", "title": "支出負担行為綴"},
    ),
    ("GET", "/v1/files"): _op("files.list", (422,)),
    ("POST", "/v1/files/open-year"): _op("files.open_year", (403, 409, 413, 422)),
    ("GET", "/v1/files/open-year/latest"): _op("files.latest_opening", (403, 404)),
    ("GET", "/v1/files/{file_id}"): _op("files.read", (404,)),
    ("GET", "/v1/files/proposal"): _op("files.proposal", (409, 422)),
    ("POST", "/v1/documents/{document_id}/filing"): _op("files.file_document", (403, 404, 409, 413, 422)),
    ("POST", "/v1/receipts/{receipt_id}/filing"): _op("files.file_receipt", (403, 404, 409, 413, 422)),
    ("GET", "/v1/file-register"): _op("files.register", (422,)),
    ("GET", "/v1/file-register.csv"): _op("files.register_csv", (422,)),
    ("GET", "/v1/file-register.pdf"): _op("files.register_pdf", (422, 503)),
    ("GET", "/v1/documents/search"): _op("search.documents", (422,)),
    ("GET", "/v1/search"): _op("search.search", (422,)),
    ("POST", "/v1/intake/applications"): _op("intake.receive", (401, 413, 422), signed_in=False),
    ("GET", "/v1/intake/queue"): _op("intake.queue", (403, 422)),
    ("POST", "/v1/intake/queue/{intake_id}/route"): _op("intake.route", (403, 404, 409, 413, 422)),
    ("POST", "/v1/intake/batch"): _op("intake.batch", (403, 413, 422)),
}

TAGS = [
    {"name": "auth", "description": "サインイン: bearer tokens, sessions, TOTP second factor (二要素認証), lockouts"},
    {"name": "accounts", "description": "アカウント管理: password reset to a one-time password, deactivation (admins)"},
    {"name": "staff", "description": "職員: the organisation as of today (JST)"},
    {"name": "documents", "description": "起案文書: draft, edit, route preview, submit, decide, audit, 原議 PDF"},
    {"name": "inbox", "description": "受信箱: my pending steps, 代決 for an absent decider, 後閲 I owe"},
    {"name": "attachments", "description": "添付ファイル: upload, list, download (SHA-256 recorded)"},
    {"name": "budgets", "description": "予算: 配当額 and 執行可能額 from the finance system (財務会計)"},
    {"name": "notifications", "description": "通知: my notices and my channels, quiet hours (JST)"},
    {"name": "rules", "description": "事務決裁規程: the versioned rulebook (適用日)"},
    {"name": "absences", "description": "不在: 休暇・出張 that 代決 and 引上げ承認 follow"},
    {"name": "receipts", "description": "収受: the 収受簿, corrections and 配布 as events, reply / 供覧 / close"},
    {"name": "intake", "description": "電子申請の収受: signed applications, the intake queue, CSV imports"},
    {"name": "org", "description": "人事異動: transfers, their impact on pending steps, and their application"},
    {"name": "records", "description": "文書管理: 施行と公印, 保存期間の延長, 廃棄・移管の審査"},
    {"name": "files", "description": "文書分類表, 簿冊 (行政文書ファイル), 整理, ファイル管理簿 (CSV)"},
    {
        "name": "search",
        "description": "文書検索: 全文, 文書番号, 収受番号, 年度, 所属, 分類, 簿冊, 相手先, 起案者 (what you may see)",
    },
    {
        "name": "reports",
        "description": "報告: 滞留 (where documents wait; CSV, SVG chart) and the monthly 事務報告 (CSV)",
    },
    {"name": "access_log", "description": "アクセスログ: sign-ins and reads (administrators)"},
]

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details: every error of this API has this shape.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "default": "about:blank"},
        "title": {"type": "string", "description": "short, the same for every problem of this status"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "the reason, for a person to read"},
        "errors": {
            "type": "array",
            "description": "422 only: each invalid field",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,
}

_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": TITLES[status],
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status in (429, 503):
        response["headers"] = _RETRY_AFTER
    return response


def _document(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
        tags=TAGS,
    )
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            entry = OPERATIONS.get((method.upper(), path))
            if entry is None:
                continue  # the table test names it
            _apply(operation, entry)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components["Problem"] = PROBLEM_SCHEMA
    _add_intake(schema)
    return schema


def _add_intake(schema: dict[str, Any]) -> None:
    """The signed intake route reads its body raw (the signature covers the bytes): its model and its security
    scheme are written here."""
    components = schema["components"]
    application = IntakeApplication.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in application.pop("$defs", {}).items():
        components["schemas"].setdefault(name, sub)
    components["schemas"]["IntakeApplication"] = application
    components.setdefault("securitySchemes", {})["RingiSignature"] = {
        "type": "apiKey",
        "in": "header",
        "name": "X-Ringi-Signature",
        "description": "sha256=<hex HMAC-SHA256 of X-Ringi-Timestamp + '.' + body under the source's secret>;"
        " X-Ringi-Timestamp (Unix seconds) must be at most 5 minutes old.",
    }


def _apply(operation: dict[str, Any], entry: Operation) -> None:
    operation["operationId"] = entry.id
    operation["tags"] = [entry.tag]
    responses = {code: r for code, r in operation["responses"].items() if not code.startswith(("4", "5"))}
    responses.update({str(status): _problem_response(status) for status in entry.errors})
    operation["responses"] = responses
    if entry.errors and SIGNED_IN[0] in entry.errors:
        operation.setdefault("security", [{"HTTPBearer": []}])
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "header" and parameter.get("name") == "Idempotency-Key":
            parameter["required"] = entry.idempotency_key
            parameter["schema"] = {"type": "string", "minLength": 1, "maxLength": 200}
            parameter["description"] = (
                "Required: a retried request with the same key is applied once and answers the same."
                if entry.idempotency_key
                else "Optional: with it, a retried request is applied once."
            )
    if entry.example is not None:
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            body["example"] = entry.example


_DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'"
)

_SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ringi API — Swagger UI</title>
<link rel="stylesheet" href="/static/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/docs/swagger-ui-bundle.js"></script>
<script src="/static/docs/swagger-init.js"></script></body></html>
"""

_REDOC_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ringi API — ReDoc</title></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="/static/docs/redoc.standalone.js"></script></body></html>
"""


def install_openapi(app: FastAPI) -> None:
    """The hand-written operation table on FastAPI's schema, and /docs and /redoc from vendored assets.

    Create the app with ``docs_url=None, redoc_url=None``: these pages replace FastAPI's CDN-loading ones.
    """
    cached: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if "schema" not in cached:
            cached["schema"] = _document(app)
        schema: dict[str, Any] = cached["schema"]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(_SWAGGER_PAGE, headers={"Content-Security-Policy": _DOCS_CSP})

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return HTMLResponse(_REDOC_PAGE, headers={"Content-Security-Policy": _DOCS_CSP})
