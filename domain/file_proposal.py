"""簿冊の提案: which of the section's open files a new document or receipt is proposed to go into.

At drafting (起案) and at registration (収受) every document is filed into a file (簿冊) of its section and 年度
(``domain.filing``).  The form proposes one, deterministically, from what the rule can read:

1. the section's habit: the file of that 年度 that already holds the most documents of the same kind (same matter
   and 決裁区分; for a receipt, from the same sender);
2. else the words of the kind (``HINTS``: 支出 for a spending, 照会・回答 for 定例的な照会・回答 …) and the vocabulary
   words found in the title, matched against the file's classification (its leaf's name counts twice) and title.

A file of another section or 年度, or a closed one, is never a candidate.  Nothing fits (no habit, no word in
common): no proposal, and the drafter chooses.  Ties are broken by classification code, title and id, so that the
same facts always give the same file.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Words of a document's kind, by matter, by (matter, 決裁区分) and by (matter, expense class).
MATTER_HINTS: dict[str, tuple[str, ...]] = {
    "spending": ("支出", "予算", "会計", "支払"),
    "contract": ("契約", "入札", "工事"),
    "leave": ("休暇", "服務"),
    "overtime": ("時間外", "服務"),
    "trip": ("出張", "旅費", "服務"),
    "general": (),
    "receipt": ("収受",),
}
CATEGORY_HINTS: dict[str, tuple[str, ...]] = {
    "inquiry_reply_routine": ("照会", "回答"),
    "notice_routine": ("通知",),
    "report": ("報告", "調査", "進達"),
    "certificate": ("証明",),
    "permit_routine": ("許可", "認可", "許認可"),
    "policy_important": ("施策", "計画"),
    "ordinance_draft": ("条例", "規則"),
    "council_bill": ("議案", "議会"),
}
EXPENSE_HINTS: dict[str, tuple[str, ...]] = {
    "construction": ("工事", "請負"),
    "hospitality": ("交際", "食糧"),
}
#: Every word the rule knows: those found in a title count as hints too.
VOCABULARY: tuple[str, ...] = tuple(
    sorted(
        {w for words in (*MATTER_HINTS.values(), *CATEGORY_HINTS.values(), *EXPENSE_HINTS.values()) for w in words},
        key=lambda w: (-len(w), w),
    )
)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True)
class CandidateFile:
    """A file as the proposal reads it: whose, of which 年度, its classification (names from the 大分類 down to the
    leaf) and title; ``open`` False when it takes no document any more; ``uses``: how many documents of the same kind
    the section has filed in it already."""

    file_id: str
    org_unit_code: str
    fiscal_year: int
    classification_code: str
    classification_names: tuple[str, ...]
    title: str
    open: bool = True
    uses: int = 0


@dataclass(frozen=True)
class Proposal:
    """The proposed file (None: nothing fits) and why; ``candidates``: the files the document may go into, the
    proposed one first, then by how well they fit, then by classification code and title."""

    file_id: str | None
    reason: str
    candidates: tuple[CandidateFile, ...]


def hints_of(
    *, matter: str, category: str | None = None, expense_class: str | None = None, title: str = ""
) -> tuple[str, ...]:
    """The words a document of this kind is filed by: its matter's, its 決裁区分's, its expense class's and the
    vocabulary words in its title (each once, in that order)."""
    words: list[str] = [*MATTER_HINTS.get(matter, ())]
    if category:
        words += CATEGORY_HINTS.get(category, ())
    if expense_class:
        words += EXPENSE_HINTS.get(expense_class, ())
    text = _norm(title)
    words += [w for w in VOCABULARY if w in text]
    return tuple(dict.fromkeys(words))


def _score(file: CandidateFile, hints: Sequence[str]) -> int:
    """Leaf-name hits count 2, the upper classes' and the title's 1."""
    if not hints:
        return 0
    names = [_norm(n) for n in file.classification_names]
    leaf, upper = (names[-1], names[:-1]) if names else ("", [])
    title = _norm(file.title)
    score = 0
    for word in hints:
        if word in leaf:
            score += 2
        elif any(word in n for n in upper) or word in title:
            score += 1
    return score


def candidates_for(files: Iterable[CandidateFile], *, org_unit_code: str, fiscal_year: int) -> list[CandidateFile]:
    """The files a document of ``org_unit_code`` and ``fiscal_year`` may go into: the section's open files of the
    年度, by classification code, title and id."""
    fit = [f for f in files if f.open and f.org_unit_code == org_unit_code and f.fiscal_year == fiscal_year]
    return sorted(fit, key=lambda f: (f.classification_code, f.title, f.file_id))


def proposed_file(
    files: Iterable[CandidateFile], *, org_unit_code: str, fiscal_year: int, hints: Sequence[str]
) -> Proposal:
    """The file proposed for a document of the section and 年度 whose kind has ``hints`` (see the module)."""
    candidates = candidates_for(files, org_unit_code=org_unit_code, fiscal_year=fiscal_year)
    ranked = sorted(
        candidates,
        key=lambda f: (-f.uses, -_score(f, hints), f.classification_code, f.title, f.file_id),
    )
    if not ranked:
        return Proposal(None, f"{org_unit_code} has no open file of 年度 {fiscal_year}", ())
    best = ranked[0]
    if best.uses > 0:
        reason = f"the section filed {best.uses} document(s) of this kind in it this 年度"
    elif (score := _score(best, hints)) > 0:
        words = [w for w in hints if w in _norm(" ".join((*best.classification_names, best.title)))]
        reason = f"its classification or title has {'・'.join(words)} (score {score})"
    else:
        return Proposal(None, "no open file of the section fits this kind of document", tuple(ranked))
    return Proposal(best.file_id, reason, tuple(ranked))
