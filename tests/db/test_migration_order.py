"""The migrations are one ordered line: ``NNNN_slug.py`` says ``Revision ID: NNNN``, ``Revises: NNNN-1``, and its
``revision`` / ``down_revision`` agree, from 0001 (the baseline) up, with one head.

A revision made on another branch must be re-numbered onto the head before it merges; this is what fails if not.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from db.migrate import MIGRATIONS_DIR, alembic_config

VERSIONS = MIGRATIONS_DIR / "versions"
_FILE = re.compile(r"(?P<number>\d{4})_[a-z0-9_]+\.py")
_HEADER = re.compile(r"^Revision ID: *(?P<revision>\S*)\nRevises: *(?P<revises>\S*)$", re.MULTILINE)


def _assigned(tree: ast.Module) -> dict[str, object]:
    """The module's ``revision`` and ``down_revision`` (literals; a migration's other constants may be anything)."""
    values: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            for target in targets:
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    values[target.id] = ast.literal_eval(node.value)
    return values


def order_problems(versions: Path) -> list[str]:
    """Everything that breaks the line in the revision files of ``versions`` (empty: in order)."""
    problems: list[str] = []
    files = sorted(p for p in versions.glob("*.py") if p.name != "__init__.py")
    for index, path in enumerate(files, start=1):
        expected = f"{index:04d}"
        previous = f"{index - 1:04d}" if index > 1 else None
        match = _FILE.fullmatch(path.name)
        if match is None or match["number"] != expected:
            problems.append(f"{path.name}: file name should start with {expected}_ (lower-case slug)")
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        values = _assigned(tree)
        if values.get("revision") != expected or values.get("down_revision") != previous:
            problems.append(
                f"{path.name}: revision {values.get('revision')!r} / down_revision {values.get('down_revision')!r},"
                f" expected {expected!r} / {previous!r}"
            )
        if values.get("branch_labels") is not None or values.get("depends_on") is not None:
            problems.append(f"{path.name}: branch_labels / depends_on make the line a tree")
        header = _HEADER.search(ast.get_docstring(tree) or "")
        if header is None or (header["revision"], header["revises"] or None) != (expected, previous):
            said = f"'Revision ID: {expected}' and 'Revises: {previous or ''}'"
            problems.append(f"{path.name}: docstring should say {said}")
    return problems


def test_the_migrations_are_in_order() -> None:
    assert order_problems(VERSIONS) == []


def test_alembic_sees_one_line_with_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://"))
    walked = [r.revision for r in script.walk_revisions()]  # head first
    assert script.get_heads() == [walked[0]]
    assert walked == [f"{n:04d}" for n in range(len(walked), 0, -1)]


def _revision(number: int, *, down: str | None = None, header_down: str | None = None, slug: str = "x") -> str:
    own = f"{number:04d}"
    previous = down if down is not None else (f"{number - 1:04d}" if number > 1 else None)
    said = header_down if header_down is not None else (previous or "")
    return (
        f'"""{slug}\n\nRevision ID: {own}\nRevises: {said}\n"""\n\n'
        f"revision: str = {own!r}\ndown_revision: str | None = {previous!r}\n"
        "branch_labels = None\ndepends_on = None\n"
    )


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"0001_a.py": _revision(1), "0003_b.py": _revision(3)}, "0003_b.py: file name should start with 0002_"),
        ({"0001_a.py": _revision(1), "0002_b.py": _revision(2, down="0000")}, "0002_b.py: revision '0002'"),
        ({"0001_a.py": _revision(1), "0002_b.py": _revision(2, header_down="0009")}, "0002_b.py: docstring"),
        ({"0001_a.py": _revision(1), "0002_b.py": _revision(1)}, "0002_b.py: revision '0001'"),
        ({"0001_a.py": _revision(1), "0002_b.py": _revision(2), "0002_c.py": _revision(2)}, "0002_c.py: file"),
        ({"0001_a.py": _revision(1), "2026_12_01_0002_b.py": _revision(2)}, "2026_12_01_0002_b.py: file name"),
    ],
    ids=["gap", "down-revision", "header", "revision-id", "second-head", "dated-name"],
)
def test_a_revision_out_of_line_is_reported(tmp_path: Path, files: dict[str, str], problem: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    problems = order_problems(tmp_path)
    assert any(p.startswith(problem) for p in problems), problems


def test_a_line_in_order_is_not_reported(tmp_path: Path) -> None:
    for number in (1, 2, 3):
        (tmp_path / f"{number:04d}_step_{number}.py").write_text(_revision(number), encoding="utf-8")
    assert order_problems(tmp_path) == []
