"""Opening the fiscal year's disposal review (廃棄・移管の審査): used by the scheduled activity, the API's "run it
now" and ``ringi records review-now``.

The review works on files (簿冊): a file whose retention (from the latest 完結 of its documents, or its 延長)
expires on the review's March 31 is listed with each of its documents; a document in no file is listed alone by
its own expiry.

Idempotent per fiscal year: the live review is found (and, while open, gains documents that have come to expire
since), or the unique ``live_fiscal_year`` refuses a second one under concurrent openers.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models import DisposalReviewFileRow, DisposalReviewItemRow, DisposalReviewRow
from db.repositories.disposal import DisposalRepository
from db.repositories.files import FileCompletion, FileRepository, file_period
from db.session import begin_write
from domain.disposal import review_expiry
from domain.fiscal import fiscal_year_at
from domain.retention import retention_label
from schemas.disposal import OpenReviewRequest, ReviewOpened


async def open_review(session: AsyncSession, request: OpenReviewRequest) -> ReviewOpened:
    """The fiscal year's review: the live one if it exists, else a new one listing every expiring document.

    The caller's transaction makes it all or nothing; a concurrent opener loses on the unique live fiscal year
    (IntegrityError): call again and it finds the winner's review.
    """
    await begin_write(session)
    fiscal_year = request.fiscal_year if request.fiscal_year is not None else fiscal_year_at(request.at)
    repo = DisposalRepository(session)
    existing = await repo.live(fiscal_year)
    if existing is not None:
        # Still open: documents that have come to expire since (e.g. completed late) join it; frozen otherwise.
        if existing.status == "open":
            await _list_expiring_files(repo, existing)
            await _list_expiring(repo, existing)
        count = len(await repo.items(existing.id))
        return ReviewOpened(review_id=existing.id, fiscal_year=fiscal_year, created=False, item_count=count)
    review = DisposalReviewRow(
        id=str(uuid.uuid4()),
        fiscal_year=fiscal_year,
        live_fiscal_year=fiscal_year,
        expires_on=review_expiry(fiscal_year),
        status="open",
        opened_at=request.at,
        opened_by=request.opened_by,
    )
    repo.add(review)
    await session.flush()
    added = await _list_expiring_files(repo, review)
    added += await _list_expiring(repo, review)
    await _carry_proposals(repo, review)
    return ReviewOpened(review_id=review.id, fiscal_year=fiscal_year, created=True, item_count=added)


async def _carry_proposals(repo: DisposalRepository, review: DisposalReviewRow) -> None:
    """After a rejected or withdrawn review (e.g. withdrawn to revise it), the new one starts from its proposals."""
    earlier = [r for r in await repo.all() if r.fiscal_year == review.fiscal_year and r.id != review.id]
    if not earlier:
        return
    latest = max(earlier, key=lambda r: r.opened_at).id
    files = {f.file_id: f for f in await repo.files(latest)}
    for file in await repo.files(review.id):
        was = files.get(file.file_id)
        if was is not None and was.disposition is not None:
            file.disposition, file.extend_years, file.reason = was.disposition, was.extend_years, was.reason
            file.proposed_by, file.proposed_at = was.proposed_by, was.proposed_at
    previous = {i.document_id: i for i in await repo.items(latest)}
    for item in await repo.items(review.id):
        before = previous.get(item.document_id)
        if before is not None and before.disposition is not None:
            item.disposition, item.extend_years, item.reason = before.disposition, before.extend_years, before.reason
            item.proposed_by, item.proposed_at = before.proposed_by, before.proposed_at


async def _list_expiring(repo: DisposalRepository, review: DisposalReviewRow) -> int:
    """List the documents expiring on the review's March 31 that it does not list yet; how many were added."""
    listed = {i.document_id for i in await repo.items(review.id)}
    documents = [d for d in await repo.expiring(review.expires_on) if d.id not in listed]
    for doc in documents:
        repo.add(
            DisposalReviewItemRow(
                review_id=review.id,
                document_id=doc.id,
                number=doc.number_display,
                title=doc.title,
                org_unit_code=doc.org_unit_code,
                retention_label=retention_label(doc.retention_years, permanent=doc.retention_permanent),
                expires_on=review.expires_on,
                paper_original_location=doc.paper_original_location,
                reason="",
            )
        )
    await repo.flush()
    return len(documents)


async def _list_expiring_files(repo: DisposalRepository, review: DisposalReviewRow) -> int:
    """List the files expiring on the review's March 31 (and their documents) that it does not list yet; how many
    documents were added."""
    listed = {f.file_id for f in await repo.files(review.id)}
    candidates = [f for f in await repo.candidate_files() if f.id not in listed]
    done = await FileRepository(repo.session).completions([f.id for f in candidates])
    added = 0
    for file in candidates:
        period = file_period(file, done.get(file.id, FileCompletion()))
        if period is None or period.expires_on != review.expires_on:
            continue
        label = retention_label(file.retention_years, permanent=file.retention_permanent)
        repo.add(
            DisposalReviewFileRow(
                review_id=review.id,
                file_id=file.id,
                title=file.title,
                org_unit_code=file.org_unit_code,
                fiscal_year=file.fiscal_year,
                classification_code=file.classification_code,
                retention_label=label,
                expires_on=review.expires_on,
                reason="",
            )
        )
        for doc in await repo.filed_documents(file.id):
            repo.add(
                DisposalReviewItemRow(
                    review_id=review.id,
                    document_id=doc.id,
                    number=doc.number_display,
                    title=doc.title,
                    org_unit_code=doc.org_unit_code,
                    retention_label=label,
                    expires_on=review.expires_on,
                    paper_original_location=doc.paper_original_location,
                    reason="",
                    file_id=file.id,
                )
            )
            added += 1
    await repo.flush()
    return added


async def open_review_once(sessions: async_sessionmaker[AsyncSession], request: OpenReviewRequest) -> ReviewOpened:
    """``open_review`` in its own unit of work, retried once when a concurrent opener won the race."""
    for attempt in (1, 2):
        try:
            async with sessions() as session, session.begin():
                return await open_review(session, request)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
