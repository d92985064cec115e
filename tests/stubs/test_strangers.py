"""The stubs stand in for other systems: they import nothing of ringi's (stdlib, third-party and ``stubs`` only),
so our clients meet their wire format as a stranger's (tests/contracts/)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"stubs"}


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_stubs_import_nothing_of_ours() -> None:
    assert {"schemas", "core", "db", "integrations"} <= OURS  # the check sees our packages
    found = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "stubs").rglob("*.py"))
        for name in _imported(path)
        if name.split(".")[0] in OURS
    }
    assert found == set()
