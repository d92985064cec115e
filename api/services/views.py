"""How a document looks through the API: one mapping, from the read model or from a workflow's answer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from pydantic import TypeAdapter

from core.errors import Invalid
from db.models import DocumentRow, PostReviewRow, RouteStepRow
from domain.era import wareki_date
from domain.fiscal import fiscal_year_label, spending_fiscal_year
from domain.retention import retention_label
from domain.statuses import DECIDED, NOT_PURSUED
from domain.visibility import content_listed
from schemas.api.models import (
    DocumentNumberRead,
    DocumentRead,
    FinanceRead,
    HrPostingRead,
    IssuanceRead,
    PaperOriginalRead,
    PostReviewRead,
    Settling,
    StepRead,
)
from schemas.document import ChainState, DocumentFacts, ExpenseClass, Matter
from schemas.general_affairs import AffairDetails, measured
from schemas.records import DISPATCH_LABELS

_DETAILS: TypeAdapter[AffairDetails] = TypeAdapter(AffairDetails)
_MATTER: TypeAdapter[Matter] = TypeAdapter(Matter)


def matter_of(row: DocumentRow) -> Matter:
    return _MATTER.validate_python(row.matter)


def details_of(row: DocumentRow) -> AffairDetails | None:
    """The typed details of a 庶務 request (None for other matters)."""
    return _DETAILS.validate_python(row.details) if row.details is not None else None


def facts_of(row: DocumentRow, *, today: date) -> DocumentFacts:
    """What the workflow needs to know of the document; the budget's 年度 is resolved as of ``today``."""
    try:
        fiscal_year = spending_fiscal_year(today, row.fiscal_year) if row.budget_code else None
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    details = details_of(row)
    days, hours = measured(details)
    return DocumentFacts(
        matter=matter_of(row),
        amount_yen=row.amount_yen,
        org_unit_code=row.org_unit_code,
        version=row.version,
        content_hash=row.content_hash,
        flags=tuple(row.flags),
        pre_instructed=row.pre_instructed,
        urgent_reason=row.urgent_reason,
        consult_units=tuple(row.consult_units),
        consult_quorum=row.consult_quorum,
        readers=tuple(row.readers),
        budget_code=row.budget_code,
        fiscal_year=fiscal_year,
        details=details,
        days=days,
        hours=hours,
        expense_class=cast(ExpenseClass | None, row.expense_class),
        rulebook_version=row.rulebook_version,
        needs_issuance=row.needs_issuance,
        category=row.category,
        drafted_by=row.drafted_by,
    )


def from_read_model(
    row: DocumentRow, steps: Sequence[RouteStepRow] = (), post_reviews: Sequence[PostReviewRow] = ()
) -> DocumentRead:
    return _document(
        row,
        steps=[StepRead.model_validate(s, from_attributes=True) for s in steps],
        post_reviews=[PostReviewRead.model_validate(p, from_attributes=True) for p in post_reviews],
    )


def listed(row: DocumentRow) -> DocumentRead:
    """A document as a list shows it: no body and no details of a 機密性2+ one (``content_omitted``)."""
    read = from_read_model(row)
    if content_listed(row.confidentiality):
        return read
    return read.model_copy(update={"body": "", "details": None, "content_omitted": True})


def from_workflow(row: DocumentRow, state: ChainState) -> DocumentRead:
    """The answer of an update: the chain as the update returned it (the same for a retried request with the same
    Idempotency-Key), the rest (文書番号, finance, records) as stored: ``row`` is read after the update returned."""
    return _document(
        row,
        steps=[StepRead(**v.model_dump()) for v in state.step_views()],
        post_reviews=[PostReviewRead(**p.model_dump()) for p in state.post_reviews],
        state=state,
    )


def _document(
    row: DocumentRow, *, steps: list[StepRead], post_reviews: list[PostReviewRead], state: ChainState | None = None
) -> DocumentRead:
    decided = state is not None and any(s.stage_kind == "decide" and s.state == "done" for s in steps)
    return DocumentRead(
        id=row.id,
        title=row.title,
        body=row.body,
        matter=matter_of(row),
        amount_yen=row.amount_yen,
        confidentiality=row.confidentiality,
        retention_years=row.retention_years,
        drafter_id=row.drafter_id,
        drafted_by=row.drafted_by,
        org_unit=row.org_unit_code,
        status=state.status if state else row.status,
        version=state.facts.version if state else row.version,
        content_hash=state.facts.content_hash if state else row.content_hash,
        pending=[s.assignee_id for s in steps if s.state == "pending"],
        steps=steps,
        flags=list(row.flags),
        pre_instructed=row.pre_instructed,
        urgent_reason=row.urgent_reason,
        desired_by=row.desired_by,
        sent_back_to=(state.sent_back_to if state.status == "sent_back" else None) if state else row.sent_back_to,
        consult_failed=state.consult_failed if state else row.consult_failed,
        copied_from=row.copied_from,
        in_reply_to=row.in_reply_to,
        file_id=row.file_id,
        consult_units=list(row.consult_units),
        consult_quorum=row.consult_quorum,
        readers=list(row.readers),
        budget_code=row.budget_code,
        fiscal_year=row.fiscal_year,
        finance=FinanceRead(
            state=row.finance_state,
            reservation_id=row.reservation_id,
            reserved_yen=row.reserved_yen,
            fiscal_year=row.budget_fiscal_year,
            voucher_id=row.voucher_id,
            error=row.finance_error,
        ),
        post_reviews=post_reviews,
        details=details_of(row),
        hr=HrPostingRead(state=row.hr_state, posting_id=row.hr_posting_id, error=row.hr_error),
        created_at=row.created_at,
        updated_at=state.updated_at if state else row.updated_at,
        submitted_at=row.submitted_at,
        decided_at=(row.decided_at or (state.updated_at if decided else None)) if state else row.decided_at,
        expense_class=cast(ExpenseClass | None, row.expense_class),
        category=row.category,
        rulebook_version=(state.facts.rulebook_version if state else None) or row.rulebook_version,
        settling=settling_of(row),
        **records_fields(row),
    )


def settling_of(row: DocumentRow) -> list[Settling]:
    """What the workflow has still to settle for the stored document: its run loop numbers a decided document and
    commits (or releases) its budget after the update that decided (or lapsed) it has answered."""
    settling: list[Settling] = []
    if row.status in DECIDED and row.number_display is None:
        settling.append("number")
    if row.finance_state == "reserved" and (row.status in DECIDED or row.status in NOT_PURSUED):
        settling.append("finance")
    return settling


def records_fields(row: DocumentRow) -> dict[str, Any]:
    """The records lifecycle of a document (文書番号, 施行, 完結, 保存期間, 紙原本) with 和暦 labels."""
    number = None
    if row.number_symbol and row.number_fiscal_year is not None and row.number_serial is not None:
        number = DocumentNumberRead(
            symbol=row.number_symbol,
            fiscal_year=row.number_fiscal_year,
            fiscal_year_label=fiscal_year_label(row.number_fiscal_year),
            serial=row.number_serial,
            sub=row.number_sub,
            display=row.number_display or "",
        )
    issuance = None
    if row.issued_at and row.issued_by and row.clean_copy_on and row.dispatch_method and row.dispatched_on:
        issuance = IssuanceRead(
            issued_at=row.issued_at,
            issued_by=row.issued_by,
            clean_copy_on=row.clean_copy_on,
            clean_copy_on_label=wareki_date(row.clean_copy_on),
            seal_name=row.seal_name,
            seal_omitted=row.seal_omitted,
            dispatch_method=row.dispatch_method,
            dispatch_method_label=DISPATCH_LABELS.get(row.dispatch_method, row.dispatch_method),
            dispatched_on=row.dispatched_on,
        )
    paper = None
    if row.paper_original_reason and row.paper_original_location:
        paper = PaperOriginalRead(reason=row.paper_original_reason, kept_at=row.paper_original_location)
    completion_year = row.completion_fiscal_year
    return {
        "number": number,
        "number_display": row.number_display,
        "follow_up_of": row.follow_up_of,
        "needs_issuance": row.needs_issuance,
        "issuance": issuance,
        "completed_at": row.completed_at,
        "completion_fiscal_year": completion_year,
        "completion_fiscal_year_label": fiscal_year_label(completion_year) if completion_year is not None else None,
        "retention_permanent": row.retention_permanent,
        "retention_label": retention_label(row.retention_years, permanent=row.retention_permanent),
        "retention_starts_on": row.retention_starts_on,
        "retention_expires_on": row.retention_expires_on,
        "retention_expires_on_label": wareki_date(row.retention_expires_on) if row.retention_expires_on else None,
        "records_status": row.records_status,
        "paper_original": paper,
    }
