"""Rulebook versions and their rows (事務決裁規程 as data).  Never commits."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.models import OrgUnitRow, RulebookVersionRow, RuleRow
from schemas.rules import (
    AuthorityRule,
    BulkApproval,
    ConsultRule,
    EscalationRule,
    ExaminationRule,
    NonDelegableRule,
    OvertimeLimits,
    Rulebook,
    RulebookSummary,
)

SECTIONS = ("authority", "consultations", "examinations", "non_delegable")


class RulebookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def summaries(self) -> list[RulebookSummary]:
        """Every version, oldest 適用日 first, with its number of rows."""
        stmt = (
            select(RulebookVersionRow)
            .options(selectinload(RulebookVersionRow.rows))
            .order_by(RulebookVersionRow.effective_from, RulebookVersionRow.id)
        )
        rows = (await self._session.scalars(stmt)).all()
        return [
            RulebookSummary(id=r.id, effective_from=r.effective_from, title=r.title, rows=len(r.rows)) for r in rows
        ]

    async def in_force_id(self, on: date) -> str | None:
        """The id of the version with the latest 適用日 on or before ``on``."""
        stmt = (
            select(RulebookVersionRow.id)
            .where(RulebookVersionRow.effective_from <= on)
            .order_by(RulebookVersionRow.effective_from.desc())
            .limit(1)
        )
        return await self._session.scalar(stmt)

    async def get(self, version_id: str) -> Rulebook | None:
        stmt = (
            select(RulebookVersionRow)
            .where(RulebookVersionRow.id == version_id)
            .options(selectinload(RulebookVersionRow.rows))
        )
        row = (await self._session.scalars(stmt)).one_or_none()
        return None if row is None else _rulebook(row)

    async def exists(self, version_id: str) -> bool:
        return await self._session.get(RulebookVersionRow, version_id) is not None

    async def add(self, book: Rulebook, *, source: str, created_by: str | None = None) -> None:
        version = RulebookVersionRow(
            id=book.id,
            effective_from=book.effective_from,
            title=book.title,
            review_citation=book.review_citation,
            escalation_flags=list(book.escalation.flags),
            escalation_consult_failed=book.escalation.consult_failed,
            escalation_levels=book.escalation.levels,
            escalation_citation=book.escalation.citation,
            overtime_limits=None if book.overtime_limits is None else book.overtime_limits.model_dump(mode="json"),
            bulk_approval=None if book.bulk_approval is None else book.bulk_approval.model_dump(mode="json"),
            source=source,
            created_at=datetime.now(UTC),
            created_by=created_by,
        )
        self._session.add(version)
        await self._session.flush()
        for section, rules in (
            ("authority", book.authority),
            ("consultations", book.consultations),
            ("examinations", book.examinations),
            ("non_delegable", book.non_delegable),
        ):
            for position, rule in enumerate(rules):
                self._session.add(
                    RuleRow(
                        version_id=book.id,
                        section=section,
                        position=position,
                        matter=rule.matter,
                        expense_class=rule.expense_class,
                        category=rule.category,
                        category_name=getattr(rule, "category_name", ""),
                        quantity=rule.quantity,
                        at_least=rule.at_least,
                        below=rule.below,
                        level=getattr(rule, "level", None),
                        org_unit=getattr(rule, "org_unit", None),
                        post=getattr(rule, "post", None),
                        citation=rule.citation,
                        note=rule.note,
                    )
                )
        await self._session.flush()

    async def org_unit_codes(self) -> set[str]:
        """The org units a consultation may name (ringi's org mirror)."""
        return set((await self._session.scalars(select(OrgUnitRow.code))).all())


def _rulebook(row: RulebookVersionRow) -> Rulebook:
    by_section: dict[str, list[RuleRow]] = {s: [] for s in SECTIONS}
    for rule in sorted(row.rows, key=lambda r: r.position):
        by_section[rule.section].append(rule)

    def common(r: RuleRow) -> dict[str, object]:
        return {
            "matter": r.matter,
            "expense_class": r.expense_class,
            "category": r.category,
            "quantity": r.quantity,
            "at_least": r.at_least,
            "below": r.below,
            "citation": r.citation,
            "note": r.note,
        }

    return Rulebook(
        id=row.id,
        effective_from=row.effective_from,
        title=row.title,
        review_citation=row.review_citation,
        authority=tuple(
            AuthorityRule.model_validate({**common(r), "level": r.level, "category_name": r.category_name})
            for r in by_section["authority"]
        ),
        consultations=tuple(
            ConsultRule.model_validate({**common(r), "org_unit": r.org_unit, "post": r.post})
            for r in by_section["consultations"]
        ),
        examinations=tuple(
            ExaminationRule.model_validate({**common(r), "org_unit": r.org_unit, "post": r.post})
            for r in by_section["examinations"]
        ),
        non_delegable=tuple(
            NonDelegableRule.model_validate({**common(r), "level": r.level}) for r in by_section["non_delegable"]
        ),
        escalation=EscalationRule(
            flags=tuple(row.escalation_flags),
            consult_failed=row.escalation_consult_failed,
            levels=row.escalation_levels,
            citation=row.escalation_citation,
        ),
        overtime_limits=None if row.overtime_limits is None else OvertimeLimits.model_validate(row.overtime_limits),
        bulk_approval=None if row.bulk_approval is None else BulkApproval.model_validate(row.bulk_approval),
    )
