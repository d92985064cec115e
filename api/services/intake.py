"""電子申請の収受 (intake of online applications): signed applications, the intake queue, CSV batches.

An application is received once per (source, application id): a resend answers with what the first one became.
It becomes a receipt (収受, channel ``online_application``, numbered like any receipt by ``register_receipt``) when
the per-form mapping in force routes it; otherwise it waits in the intake queue, and the records office routes it
by hand.  Nothing is dropped and nothing is registered twice: the row and its receipt commit together, and the
unique key (source, application id) turns a racing resend into the first one's answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import AppState
from api.services.receipts import register_receipt
from core.calendar import JST
from core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from core.signatures import SignatureRefused, verify
from db.models import IntakeApplicationRow, OrgUnitRow, ReceiptRow, StaffRow
from db.repositories.intake import IntakeRepository
from db.repositories.receipts import ReceiptRepository
from db.repositories.visibility import viewer_on
from db.session import writing
from domain.errors import ChainError
from domain.intake import (
    CsvUnreadable,
    Routed,
    arrival_problem,
    decode_csv,
    read_csv,
    receipt_fields,
    route_application,
)
from domain.receipts import choose_branch
from domain.rulebook.evaluate import category_problem
from integrations.attachment_store import attachment_store
from rules.intake_loader import intake_mappings
from schemas.api.intake import BatchResult, BatchRow, IntakeRead, QueueItem, RouteByHand
from schemas.api.paging import Page, PageRequest
from schemas.api.receipts import ReceiptCreate
from schemas.intake import FormRule, IntakeApplication

log = structlog.get_logger("ringi.intake")

REGISTRAR_NAME = "電子申請 (自動収受)"
DEFAULT_ADDRESSEE = "市長"


@dataclass(frozen=True)
class Received:
    """What ``receive`` did: the row, and whether it was already there (a resend)."""

    row: IntakeApplicationRow
    receipt_number: str | None
    resent: bool


def _problem_of(exc: ValidationError) -> Invalid:
    errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    detail = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in errors[:5])
    return Invalid(detail, errors=errors)


def _claimed_source(body: bytes) -> str | None:
    """The ``source`` the body names, for the log of a refused attempt (never believed)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    source = data.get("source") if isinstance(data, dict) else None
    return source if isinstance(source, str) else None


class IntakeService:
    def __init__(self, app: AppState, session: AsyncSession) -> None:
        self._app = app
        self._settings = app.settings
        self._session = session
        self._repo = IntakeRepository(session)

    # --- signed applications ---------------------------------------------------------------------------------

    async def receive_signed(
        self, *, body: bytes, signature: str | None, timestamp: str | None, client: str
    ) -> Received:
        """A form service's POST: believed only under its source's secret; 401 otherwise, nothing stored."""
        try:
            source = verify(
                self._settings.intake_secrets,
                signature=signature,
                timestamp=timestamp,
                body=body,
                now=datetime.now(JST),
                max_age_seconds=self._settings.intake_max_age_seconds,
                skew_seconds=self._settings.intake_clock_skew_seconds,
            )
        except SignatureRefused as exc:
            claimed = _claimed_source(body)  # named in the log only, never believed
            log.warning(
                "intake.signature_refused", source=claimed, reason=str(exc), client=client, body_bytes=len(body)
            )
            raise Unauthorized(f"the application is not accepted: {exc}") from exc
        try:
            application = IntakeApplication.model_validate_json(body)
        except ValidationError as exc:
            raise _problem_of(exc) from exc
        if application.source != source:
            log.warning("intake.signature_refused", source=application.source, signed_by=source, client=client)
            raise Unauthorized(f"the application is not accepted: source {application.source} is not the signer's")
        if problem := arrival_problem(application, now=datetime.now(JST), skew=self._skew()):
            raise Invalid(problem)
        for n, attachment in enumerate(application.attachments):
            if attachment.size() > self._settings.intake_attachment_max_bytes:
                limit = self._settings.intake_attachment_max_bytes
                raise Invalid(f"attachments[{n}].content: larger than {limit} bytes")
        registrar = self._settings.intake_registrar_id
        await self._ensure_registrar(registrar)
        received = await self._receive(application, via="signed", registered_by=registrar)
        log.info(
            "intake.received",
            source=application.source,
            application_id=application.application_id,
            state=received.row.state,
            resent=received.resent,
        )
        return received

    # --- the queue -------------------------------------------------------------------------------------------

    async def queue(self, staff: StaffRow, page: PageRequest) -> Page[QueueItem]:
        """The applications no mapping routed, oldest first: the records office's."""
        await self._records_office(staff)
        rows, total = await self._repo.queue_page(limit=page.limit, offset=page.offset)
        return page.page([_queue_item(r) for r in rows], total)

    async def route(self, staff: StaffRow, intake_id: str, body: RouteByHand) -> Received:
        """Register a queued application by hand, to the unit the records office names."""
        await self._records_office(staff)
        if body.category is not None:
            book = await self._app.rulebooks.in_force(datetime.now(JST).date())
            if book is not None and (problem := category_problem(book, matter="general", category=body.category)):
                raise Invalid(f"category: {problem}")
        async with writing(self._session):
            row = await self._repo.get(intake_id, for_update=True)
            if row is None:
                raise NotFound(f"there is no application {intake_id} in the intake queue")
            if row.state != "queued":
                raise Conflict(f"the application was already {row.state} (receipt {row.receipt_id})")
            application = IntakeApplication.model_validate(row.payload)
            rule = FormRule(
                form_id=application.form_id,
                form_name=f"電子申請 {application.form_id}",
                assigned_unit=body.assigned_unit,
                category=body.category,
                branch=body.branch,
                title="{form_name} ({applicant_name})",
                confidentiality=body.confidentiality,
            )
            receipt = await self._register(
                row, application, rule, addressee=self._addressee(), by=staff.id, title=body.title
            )
            row.state, row.routed_by, row.routed_at = "routed", staff.id, datetime.now(JST)
        log.info("intake.routed_by_hand", intake_id=row.id, unit=body.assigned_unit, staff_id=staff.id)
        return Received(row=row, receipt_number=receipt.receipt_number, resent=False)

    # --- CSV batches -----------------------------------------------------------------------------------------

    async def batch(self, staff: StaffRow, *, data: bytes, charset: str | None, source: str) -> BatchResult:
        """Import a form service's CSV export row by row: each good row like a signed application (idempotent by
        application id), each bad row reported with its line number and the reason."""
        await self._records_office(staff)
        try:
            text, encoding = decode_csv(data, charset=charset)
            rows = read_csv(text, source=source)
        except CsvUnreadable as exc:
            raise Invalid(f"body: {exc}") from exc
        outcomes: list[BatchRow] = []
        for row in rows:
            reason = row.reason
            if row.application is not None:
                reason = arrival_problem(row.application, now=datetime.now(JST), skew=self._skew()) or ""
            if row.application is None or reason:
                outcomes.append(
                    BatchRow(line=row.line, application_id=row.application_id, outcome="invalid", reason=reason)
                )
                continue
            received = await self._receive(row.application, via="batch", registered_by=staff.id)
            state = received.row.state
            outcomes.append(
                BatchRow(
                    line=row.line,
                    application_id=row.application_id,
                    outcome="duplicate" if received.resent else ("queued" if state == "queued" else "registered"),
                    reason=received.row.queue_reason if state == "queued" else "",
                    intake_id=received.row.id,
                    receipt_number=received.receipt_number,
                )
            )
        counts = {k: sum(1 for o in outcomes if o.outcome == k) for k in ("registered", "queued", "duplicate")}
        invalid = sum(1 for o in outcomes if o.outcome == "invalid")
        log.info("intake.batch_imported", source=source, staff_id=staff.id, invalid=invalid, **counts)
        return BatchResult(source=source, encoding=encoding, rows=outcomes, invalid=invalid, **counts)

    # --- helpers ---------------------------------------------------------------------------------------------

    async def read(self, received: Received) -> IntakeRead:
        row = received.row
        return IntakeRead(
            id=row.id,
            source=row.source,
            application_id=row.application_id,
            form_id=row.form_id,
            submitted_at=row.submitted_at.astimezone(UTC),  # as stored: the first answer and a resend's agree
            received_at=row.received_at.astimezone(UTC),
            state=row.state,
            queue_reason=row.queue_reason,
            receipt_id=row.receipt_id,
            receipt_number=received.receipt_number,
            intended_branch=row.intended_branch,
            category=row.category,
            mapping_version=row.mapping_version,
            resent=received.resent,
        )

    async def _receive(self, application: IntakeApplication, *, via: str, registered_by: str) -> Received:
        """Once per (source, application id): the row (and its receipt when routed) in one writing unit."""
        existing = await self._existing(application)
        if existing is not None:
            return existing
        attachments = await self._store_attachments(application)
        try:
            async with writing(self._session):
                if (existing := await self._existing(application)) is not None:
                    return existing
                now = datetime.now(JST)
                row = IntakeApplicationRow(
                    id=str(uuid.uuid4()),
                    source=application.source,
                    application_id=application.application_id,
                    form_id=application.form_id,
                    submitted_at=application.submitted_at,
                    received_at=now,
                    via=via,
                    payload=application.model_dump(mode="json", exclude={"attachments"}),
                    attachments=attachments,
                    payload_sha256=hashlib.sha256(application.model_dump_json().encode()).hexdigest(),
                    state="queued",
                    queue_reason="",
                )
                self._repo.add(row)
                await self._session.flush()  # the unique key refuses a racing resend here, before any number
                return await self._route(row, application, registered_by=registered_by)
        except IntegrityError:
            existing = await self._existing(application)
            if existing is None:
                raise
            return existing

    async def _route(
        self, row: IntakeApplicationRow, application: IntakeApplication, *, registered_by: str
    ) -> Received:
        routing = route_application(intake_mappings(self._settings.intake_rules_dir), application)
        if not isinstance(routing, Routed):
            row.queue_reason = routing.reason
            log.info("intake.queued", intake_id=row.id, form_id=row.form_id, reason=routing.reason)
            return Received(row=row, receipt_number=None, resent=False)
        if await self._session.get(OrgUnitRow, routing.rule.assigned_unit) is None:
            row.queue_reason = (
                f"the mapping of {routing.version.id} sends form {row.form_id} to {routing.rule.assigned_unit},"
                " which is not an org unit"
            )
            return Received(row=row, receipt_number=None, resent=False)
        row.mapping_version = routing.version.id
        receipt = await self._register(
            row, application, routing.rule, addressee=routing.version.addressee, by=registered_by
        )
        row.state = "registered"
        return Received(row=row, receipt_number=receipt.receipt_number, resent=False)

    async def _register(
        self,
        row: IntakeApplicationRow,
        application: IntakeApplication,
        rule: FormRule,
        *,
        addressee: str,
        by: str,
        title: str | None = None,
    ) -> ReceiptRow:
        """The receipt, its intake event, and for 受付のみ its closing (one branch, as any receipt); ``title``
        given by hand is taken as it is (not as a template)."""
        names = [(str(a["name"]), str(a["content_type"])) for a in row.attachments]
        fields = receipt_fields(application, rule, addressee=addressee, attachments=names)
        if title:
            fields["title"] = title
        receipt = await register_receipt(
            self._session, body=ReceiptCreate.model_validate(fields), registered_by=by, now=datetime.now(JST)
        )
        row.receipt_id, row.intended_branch, row.category, row.queue_reason = receipt.id, rule.branch, rule.category, ""
        receipts = ReceiptRepository(self._session)
        detail: dict[str, Any] = {
            "intake_id": row.id,
            "source": row.source,
            "application_id": row.application_id,
            "form_id": row.form_id,
            "mapping_version": row.mapping_version,
            "intended_branch": rule.branch,
            "category": rule.category,
            "attachments": [{k: a[k] for k in ("name", "sha256", "size")} for a in row.attachments],
        }
        now = datetime.now(JST)
        await receipts.append(receipt_id=receipt.id, action="received_online", actor_id=by, at=now, detail=detail)
        if rule.branch == "receipt_only":
            try:
                receipt.branch = choose_branch(receipt.branch, "closed")
            except ChainError as exc:  # a fresh receipt has no branch yet
                raise Conflict(exc.reason) from exc
            reason = f"受付のみ ({rule.form_name})"
            receipt.outcome, receipt.outcome_reason, receipt.completed_at = "closed", reason, now
            await receipts.append(
                receipt_id=receipt.id, action="closed", actor_id=by, at=now, detail={"reason": reason}
            )
        return receipt

    async def _existing(self, application: IntakeApplication) -> Received | None:
        row = await self._repo.by_key(source=application.source, application_id=application.application_id)
        if row is None:
            return None
        number = None
        if row.receipt_id is not None:
            receipt = await ReceiptRepository(self._session).get(row.receipt_id)
            number = receipt.receipt_number if receipt else None
        if row.payload_sha256 != hashlib.sha256(application.model_dump_json().encode()).hexdigest():
            log.warning(
                "intake.resent_with_changes", intake_id=row.id, source=row.source, application_id=row.application_id
            )
        return Received(row=row, receipt_number=number, resent=True)

    async def _store_attachments(self, application: IntakeApplication) -> list[dict[str, Any]]:
        """Keep the bytes in the attachment store (by SHA-256; storing twice is harmless) before the row."""
        if not application.attachments:
            return []
        store = attachment_store(self._settings.attachment_root())
        staging = self._settings.attachment_root() / "tmp"
        await asyncio.to_thread(staging.mkdir, parents=True, exist_ok=True)
        kept = []
        for attachment in application.attachments:
            data = attachment.data()
            sha256 = hashlib.sha256(data).hexdigest()
            staged = staging / f"{uuid.uuid4().hex}.part"
            await asyncio.to_thread(staged.write_bytes, data)
            await store.put(staged, sha256=sha256)
            kept.append(
                {"name": attachment.name, "content_type": attachment.content_type, "size": len(data), "sha256": sha256}
            )
        return kept

    async def _ensure_registrar(self, staff_id: str) -> None:
        """The system staff row that registers signed applications, made on first use (in a unit of its own: a
        race of two first applications leaves one row)."""
        if await self._session.get(StaffRow, staff_id) is not None:
            return
        try:
            async with writing(self._session):
                await self._repo.ensure_registrar(staff_id, name=REGISTRAR_NAME)
        except IntegrityError:
            pass

    def _skew(self) -> timedelta:
        return timedelta(seconds=self._settings.intake_clock_skew_seconds)

    def _addressee(self) -> str:
        books = intake_mappings(self._settings.intake_rules_dir)
        return books[-1].addressee if books else DEFAULT_ADDRESSEE

    async def _records_office(self, staff: StaffRow) -> None:
        """The intake queue and batches are the records office's (文書担当課) and administrators'."""
        if not (await viewer_on(self._session, staff, as_of=datetime.now(JST).date())).sees_all:
            raise Forbidden("the intake queue and CSV imports are the records office's (文書担当課)")


def _queue_item(row: IntakeApplicationRow) -> QueueItem:
    applicant = row.payload.get("applicant") or {}
    return QueueItem(
        id=row.id,
        source=row.source,
        application_id=row.application_id,
        form_id=row.form_id,
        submitted_at=row.submitted_at,
        received_at=row.received_at,
        applicant_name=str(applicant.get("name", "")),
        queue_reason=row.queue_reason,
        attachments=len(row.attachments),
    )
