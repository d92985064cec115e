"""簿冊: which file a document may go into, who manages a section's files, which title shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.filing import (
    OPENING_SILENT_LIMIT,
    DocumentFacts,
    FileFacts,
    document_fiscal_year,
    filing_problem,
    manages,
    opening_stalled,
    shown_title,
)
from domain.visibility import Viewer

FILE = FileFacts(org_unit_code="somu.somu", fiscal_year=2026, title="訴訟 山田太郎", public_title="訴訟関係")


def test_a_document_goes_into_a_file_of_its_section_and_year() -> None:
    assert filing_problem(FILE, DocumentFacts(org_unit_code="somu.somu", fiscal_year=2026)) is None
    other = filing_problem(FILE, DocumentFacts(org_unit_code="somu.zaisei", fiscal_year=2026))
    assert other is not None and "somu.zaisei" in other
    year = filing_problem(FILE, DocumentFacts(org_unit_code="somu.somu", fiscal_year=2025))
    assert year is not None and "年度 2025" in year
    gone = filing_problem(FILE, DocumentFacts(org_unit_code="somu.somu", fiscal_year=2026, records_status="disposed"))
    assert gone is not None and "disposed" in gone


def test_a_documents_year_is_its_numbers_else_its_drafting() -> None:
    assert document_fiscal_year(number_fiscal_year=2026, drafted_fiscal_year=2025) == 2026
    assert document_fiscal_year(number_fiscal_year=None, drafted_fiscal_year=2025) == 2025


def test_the_public_title_outside_the_section_and_the_records_office() -> None:
    member = Viewer(staff_id="a", units=frozenset({"somu.somu"}))
    outsider = Viewer(staff_id="b", units=frozenset({"shimin.zeimu"}))
    office = Viewer(staff_id="c", records_office=True)
    assert [shown_title(FILE, v) for v in (member, office, outsider, None)] == [
        "訴訟 山田太郎",
        "訴訟 山田太郎",
        "訴訟関係",
        "訴訟関係",
    ]
    plain = FileFacts(org_unit_code="somu.somu", fiscal_year=2026, title="予算関係綴")
    assert shown_title(plain, None) == "予算関係綴"
    assert manages(member, "somu.somu") and manages(office, "x") and not manages(outsider, "somu.somu")


def test_a_file_closes_when_disposed_or_once_its_retention_has_started() -> None:
    from datetime import date

    from domain.filing import closed_problem

    def problem(status: str = "active", starts: date | None = None) -> str | None:
        return closed_problem(
            fiscal_year=2025, records_status=status, retention_starts_on=starts, today=date(2026, 5, 1)
        )

    assert problem() is None  # documents still being completed: open
    assert problem(starts=date(2027, 4, 1)) is None  # complete, not started yet
    assert "年度 2025 is closed" in (problem(starts=date(2026, 4, 1)) or "")
    assert problem("disposed") == "the file has been disposed"


def test_the_new_year_carries_last_years_files_once() -> None:
    from domain.filing import YearFile, carry_over

    a = YearFile("a", "somu.somu", "01-03-02", "支出負担行為綴")
    b = YearFile("b", "somu.somu", "02-01", "児童手当綴")
    c = YearFile("c", "somu.somu", "01-03-02", "旧綴", records_status="transferred")
    d = YearFile("d", "somu.jinji", "01-03-02", "支出負担行為綴")
    plan = carry_over([a, b, c, d], existing={("somu.jinji", "01-03-02", "支出負担行為綴")}, leaves={"01-03-02"})
    assert [(p.source.file_id, p.action) for p in plan] == [
        ("a", "create"),
        ("b", "skip"),
        ("c", "skip"),
        ("d", "exists"),
    ]
    assert "02-01" in plan[1].reason and plan[2].reason == "the file has been transferred"
    again = carry_over([a, a], existing=set(), leaves={"01-03-02"})
    assert [p.action for p in again] == ["create", "exists"]  # one successor per key


def test_an_opening_run_silent_too_long_is_stalled() -> None:
    at = datetime(2027, 4, 1, 9, tzinfo=UTC)
    assert not opening_stalled("running", at, at + OPENING_SILENT_LIMIT)
    assert opening_stalled("running", at, at + OPENING_SILENT_LIMIT + timedelta(seconds=1))
    assert not opening_stalled("done", at, at + 10 * OPENING_SILENT_LIMIT)
