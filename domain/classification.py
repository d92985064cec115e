"""文書分類表 (classification table): the words of its cells, its validation, its tree, the version in force.

A version classifies one 年度: 大分類 > 中分類 > 小分類 (at most three levels), codes unique within the version.
A leaf (a class without children, at any level) is what files are opened under: it must carry its 保存期間 class
and its disposition at expiry (移管 or 廃棄, decided in advance: レコードスケジュール); an inner class carries
neither.  Retention counts by 年度 unless the leaf says 暦年.

Validation answers every problem with the row it comes from, so an upload can be refused whole, naming the rows.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from domain.retention import retention_label
from schemas.classification import (
    ClassificationContent,
    ClassificationEntry,
    ClassificationProblem,
    ClassificationTable,
    Counting,
    Disposition,
)

MAX_DEPTH = 3
PERMANENT_WORDS = frozenset({"永年", "永久", "permanent"})
LESS_THAN_A_YEAR_WORDS = frozenset({"1年未満", "一年未満", "less_than_a_year"})
DISPOSITION_WORDS: dict[str, Disposition] = {
    "移管": "transfer",
    "transfer": "transfer",
    "廃棄": "dispose",
    "dispose": "dispose",
}
COUNTING_WORDS: dict[str, Counting] = {
    "年度": "fiscal_year",
    "fiscal_year": "fiscal_year",
    "暦年": "calendar_year",
    "calendar_year": "calendar_year",
}


class CellUnreadable(ValueError):
    """A cell whose words are not a retention class, a disposition or a counting."""


def _words(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_retention(value: object) -> tuple[int | None, bool]:
    """保存期間 as written — ``5``, ``5年``, ``５年``, ``1年未満`` (0), ``永年`` / ``永久`` — as (years, permanent).

    Empty (None or blank) is (None, False): no retention given.

    Raises:
        CellUnreadable: anything else.
    """
    if value is None or isinstance(value, bool):
        if value is None:
            return None, False
        raise CellUnreadable(f"保存期間 {value!r} is not a retention class")
    text = _words(value)
    if not text:
        return None, False
    if text in PERMANENT_WORDS:
        return None, True
    if text in LESS_THAN_A_YEAR_WORDS:
        return 0, False
    number = text.removesuffix("年")
    if number.isdigit() and int(number) <= 100:
        return int(number), False
    raise CellUnreadable(f"保存期間 {value!r} is not a retention class (e.g. 1年未満, 1, 3, 5, 10, 30, 永年)")


def parse_disposition(value: object) -> Disposition | None:
    """満了時の措置: 移管 / 廃棄 (or transfer / dispose); empty is None."""
    text = _words(value) if value is not None else ""
    if not text:
        return None
    if text in DISPOSITION_WORDS:
        return DISPOSITION_WORDS[text]
    raise CellUnreadable(f"満了時の措置 {value!r} is neither 移管 nor 廃棄")


def parse_counting(value: object) -> Counting:
    """起算: 年度 (default when empty) or 暦年."""
    text = _words(value) if value is not None else ""
    if not text:
        return "fiscal_year"
    if text in COUNTING_WORDS:
        return COUNTING_WORDS[text]
    raise CellUnreadable(f"起算 {value!r} is neither 年度 nor 暦年")


@dataclass(frozen=True)
class ClassNode:
    """One class in the tree: ``path`` is the codes from its 大分類 down to it."""

    entry: ClassificationEntry
    path: tuple[str, ...]
    names: tuple[str, ...]
    children: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        return self.entry.code

    @property
    def level(self) -> int:
        return len(self.path)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def retention_label(self) -> str:
        return retention_label(self.entry.retention_years or 0, permanent=self.entry.retention_permanent)


@dataclass(frozen=True)
class Tree:
    """A valid table as a tree: classes by code, the 大分類 in table order."""

    nodes: dict[str, ClassNode] = field(default_factory=dict)
    roots: tuple[str, ...] = ()

    def leaf(self, code: str) -> ClassNode | None:
        """The leaf ``code`` (None if the table has no such class, or the class has children)."""
        node = self.nodes.get(code)
        return node if node is not None and node.is_leaf else None

    def leaves(self) -> list[ClassNode]:
        return [n for n in self.nodes.values() if n.is_leaf]


def validate(content: ClassificationContent) -> list[ClassificationProblem]:
    """Every problem of the table, each naming its row: duplicate code, unknown parent, a cycle or more than three
    levels, a leaf without retention or disposition, an inner class with either, no classes at all."""
    problems: list[ClassificationProblem] = []

    def add(entry: ClassificationEntry, message: str) -> None:
        problems.append(ClassificationProblem(row=entry.row, code=entry.code, message=message))

    if not content.entries:
        return [ClassificationProblem(message="the table has no classes")]
    first: dict[str, ClassificationEntry] = {}
    for entry in content.entries:
        if not entry.code.strip():
            add(entry, "a class needs a code")
        elif entry.code in first:
            add(entry, f"duplicate code {entry.code!r} (first at {first[entry.code].row or 'an earlier row'})")
            continue
        if not entry.name.strip():
            add(entry, "a class needs a name")
        first.setdefault(entry.code, entry)
    parents = {e.parent_code for e in first.values() if e.parent_code is not None}
    for entry in first.values():
        if entry.parent_code is not None and entry.parent_code not in first:
            add(entry, f"its parent {entry.parent_code!r} is not in the table (a child without its parent)")
            continue
        depth = _depth(entry, first)
        if depth is None:
            add(entry, "its parents run in a circle")
        elif depth > MAX_DEPTH:
            add(entry, f"more than {MAX_DEPTH} levels (大分類 > 中分類 > 小分類)")
        leaf = entry.code not in parents
        if leaf and not entry.has_retention:
            add(entry, "a leaf class (小分類) needs its 保存期間")
        if leaf and entry.disposition is None:
            add(entry, "a leaf class (小分類) needs its disposition at expiry (満了時の措置: 移管 or 廃棄)")
        if not leaf and (entry.has_retention or entry.disposition is not None):
            add(entry, "保存期間 and 満了時の措置 belong to the leaf classes, not to a class with children")
        if entry.retention_permanent and entry.retention_years is not None:
            add(entry, "永年 and a number of years at once")
    return problems


def _depth(entry: ClassificationEntry, by_code: dict[str, ClassificationEntry]) -> int | None:
    depth, seen, current = 1, {entry.code}, entry
    while current.parent_code is not None:
        parent = by_code.get(current.parent_code)
        if parent is None:
            return depth
        if parent.code in seen:
            return None
        seen.add(parent.code)
        depth, current = depth + 1, parent
    return depth


def build(content: ClassificationContent) -> Tree:
    """The tree of a table that ``validate`` passed (raises ValueError otherwise)."""
    if problems := validate(content):
        raise ValueError(problems[0].describe())
    by_code = {e.code: e for e in content.entries}
    children: dict[str, list[str]] = {}
    for entry in content.entries:
        if entry.parent_code is not None:
            children.setdefault(entry.parent_code, []).append(entry.code)
    nodes: dict[str, ClassNode] = {}
    for entry in content.entries:
        chain = [entry]
        while chain[-1].parent_code is not None:
            chain.append(by_code[chain[-1].parent_code])
        chain.reverse()
        nodes[entry.code] = ClassNode(
            entry=entry,
            path=tuple(e.code for e in chain),
            names=tuple(e.name for e in chain),
            children=tuple(children.get(entry.code, ())),
        )
    return Tree(nodes=nodes, roots=tuple(e.code for e in content.entries if e.parent_code is None))


def dropped_codes(tree: Tree, used: Iterable[str]) -> list[str]:
    """The leaf codes files use that the new version no longer has as leaves (sorted)."""
    return sorted({code for code in used if tree.leaf(code) is None})


def in_force_of(tables: Iterable[ClassificationTable], fiscal_year: int, on: date) -> ClassificationTable | None:
    """The version of ``fiscal_year`` in force on ``on``: the latest 適用日 on or before it; before any has come into
    force (the new year's files opened in March), the earliest of that year."""
    of_year = sorted((t for t in tables if t.fiscal_year == fiscal_year), key=lambda t: (t.effective_from, t.id))
    if not of_year:
        return None
    started = [t for t in of_year if t.effective_from <= on]
    return started[-1] if started else of_year[0]


def addition_problems(common: ClassificationContent, addition: ClassificationContent) -> list[ClassificationProblem]:
    """A section's additions (課独自の分類) to the 共通分類 set by the records office: new classes under the common
    tree, each problem naming the addition's row.  An addition may not reuse a common code, may not hang a class
    under a common leaf (files are kept under it: it must stay a leaf), and the merged tree must be valid (parents,
    at most three levels, a leaf with its 保存期間 and 満了時の措置)."""
    problems: list[ClassificationProblem] = []
    common_codes = {e.code: e for e in common.entries}
    common_parents = {e.parent_code for e in common.entries if e.parent_code is not None}
    if addition.fiscal_year != common.fiscal_year:
        problems.append(
            ClassificationProblem(
                message=f"the additions are of 年度 {addition.fiscal_year}; the common table of {common.fiscal_year}"
            )
        )
    for entry in addition.entries:
        if entry.code in common_codes:
            problems.append(
                ClassificationProblem(
                    row=entry.row, code=entry.code, message=f"{entry.code!r} is a class of the common table already"
                )
            )
        elif (
            entry.parent_code in common_codes
            and entry.parent_code not in common_parents
            and common_codes[entry.parent_code].has_retention
        ):
            problems.append(
                ClassificationProblem(
                    row=entry.row,
                    code=entry.code,
                    message=f"its parent {entry.parent_code!r} is a leaf of the common table: a class is added under"
                    " a 大分類 or 中分類, never under a leaf",
                )
            )
    if problems:
        return problems
    merged = common.model_copy(update={"entries": (*common.entries, *addition.entries)})
    own = {e.code for e in addition.entries}
    return [p for p in validate(merged) if p.code in own or not p.code]


def repeated_common(common: ClassificationContent, addition: ClassificationContent) -> ClassificationContent:
    """The additions without the common classes they repeat as ancestors (a CSV names each row's 大分類 and 中分類
    beside it; a YAML nests the added classes under them): a class with a common code, the same name and parent and
    neither 保存期間 nor 満了時の措置 is the common class named again, not an addition."""
    by_code = {e.code: e for e in common.entries}

    def repeated(entry: ClassificationEntry) -> bool:
        known = by_code.get(entry.code)
        return (
            known is not None
            and (known.name, known.parent_code) == (entry.name, entry.parent_code)
            and not entry.has_retention
            and entry.disposition is None
        )

    return addition.model_copy(update={"entries": tuple(e for e in addition.entries if not repeated(e))})


def with_additions(common: ClassificationContent, additions: Iterable[ClassificationEntry]) -> ClassificationContent:
    """The tree a section classifies by: the 共通分類 and the section's additions (checked by ``addition_problems``)."""
    added = tuple(additions)
    return common.model_copy(update={"entries": (*common.entries, *added)}) if added else common
