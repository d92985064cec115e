"""簿冊の提案: the file a new document or receipt is proposed to go into (pure)."""

from __future__ import annotations

from dataclasses import replace

from domain.file_proposal import CandidateFile, candidates_for, hints_of, proposed_file

SOMU = "somu.somu"


def _file(file_id: str, code: str, names: tuple[str, ...], title: str, **over: object) -> CandidateFile:
    base = CandidateFile(
        file_id=file_id,
        org_unit_code=SOMU,
        fiscal_year=2026,
        classification_code=code,
        classification_names=names,
        title=title,
    )
    return replace(base, **over)  # type: ignore[arg-type]


SPENDING = _file("f-spend", "01-03-02", ("総務", "財務", "支出負担行為・支出命令"), "支出負担行為綴")
INQUIRY = _file("f-inq", "01-01-03", ("総務", "文書・法規", "照会・回答（定例）"), "照会・回答綴")
PERMIT = _file("f-permit", "03-01-02", ("土木・建築", "道路", "道路占用の許可"), "道路占用許可")
FILES = (SPENDING, INQUIRY, PERMIT)


def test_a_spending_is_proposed_the_spending_file() -> None:
    proposal = proposed_file(FILES, org_unit_code=SOMU, fiscal_year=2026, hints=hints_of(matter="spending"))
    assert proposal.file_id == "f-spend"
    assert proposal.candidates[0] == SPENDING and set(proposal.candidates) == set(FILES)
    assert "支出" in proposal.reason


def test_a_general_matter_by_its_category() -> None:
    inquiry = hints_of(matter="general", category="inquiry_reply_routine")
    assert proposed_file(FILES, org_unit_code=SOMU, fiscal_year=2026, hints=inquiry).file_id == "f-inq"
    permit = hints_of(matter="general", category="permit_routine")
    assert proposed_file(FILES, org_unit_code=SOMU, fiscal_year=2026, hints=permit).file_id == "f-permit"


def test_the_title_words_count_too() -> None:
    hints = hints_of(matter="receipt", title="道路占用許可申請書の送付について")
    assert "許可" in hints
    assert proposed_file(FILES, org_unit_code=SOMU, fiscal_year=2026, hints=hints).file_id == "f-permit"


def test_nothing_fits_no_proposal_but_the_candidates() -> None:
    proposal = proposed_file(FILES, org_unit_code=SOMU, fiscal_year=2026, hints=hints_of(matter="general"))
    assert proposal.file_id is None
    assert [f.file_id for f in proposal.candidates] == ["f-inq", "f-spend", "f-permit"]  # by classification code


def test_no_open_file_of_the_section_and_year_no_candidates() -> None:
    hints = hints_of(matter="spending")
    other_unit = proposed_file(FILES, org_unit_code="somu.zaisei", fiscal_year=2026, hints=hints)
    assert other_unit.file_id is None and other_unit.candidates == () and "somu.zaisei" in other_unit.reason
    last_year = proposed_file(FILES, org_unit_code=SOMU, fiscal_year=2025, hints=hints)
    assert last_year.file_id is None and last_year.candidates == ()
    closed = (replace(SPENDING, open=False), INQUIRY)
    proposal = proposed_file(closed, org_unit_code=SOMU, fiscal_year=2026, hints=hints)
    assert proposal.file_id is None and [f.file_id for f in proposal.candidates] == ["f-inq"]


def test_the_sections_habit_comes_first() -> None:
    habit = replace(INQUIRY, uses=3)
    proposal = proposed_file((SPENDING, habit), org_unit_code=SOMU, fiscal_year=2026, hints=hints_of(matter="spending"))
    assert proposal.file_id == "f-inq" and "3" in proposal.reason


def test_deterministic_whatever_the_order_given() -> None:
    twin = _file("f-spend-2", "01-03-02", SPENDING.classification_names, "支出負担行為綴（その2）")
    hints = hints_of(matter="spending")
    forward = proposed_file((SPENDING, twin, INQUIRY), org_unit_code=SOMU, fiscal_year=2026, hints=hints)
    backward = proposed_file((INQUIRY, twin, SPENDING), org_unit_code=SOMU, fiscal_year=2026, hints=hints)
    assert forward == backward and forward.file_id == "f-spend"  # same score: by code, then title


def test_a_leaf_hit_outranks_an_upper_class_hit() -> None:
    upper = _file("f-upper", "01-03-01", ("総務", "支出関係", "雑件"), "雑件綴")
    leaf = _file("f-leaf", "01-03-09", ("総務", "財務", "支出命令"), "命令綴")
    proposal = proposed_file((upper, leaf), org_unit_code=SOMU, fiscal_year=2026, hints=("支出",))
    assert proposal.file_id == "f-leaf"


def test_candidates_are_the_sections_open_files_of_the_year() -> None:
    mixed = (*FILES, replace(SPENDING, file_id="x", org_unit_code="other"), replace(INQUIRY, file_id="y", open=False))
    assert [f.file_id for f in candidates_for(mixed, org_unit_code=SOMU, fiscal_year=2026)] == [
        "f-inq",
        "f-spend",
        "f-permit",
    ]
