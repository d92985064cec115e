"""The per-form intake mapping shipped in rules/intake/: readable, every unit a unit of the demo city, every
category one the rulebook in force has, every template's placeholders known."""

from __future__ import annotations

import pytest

from core.demo_city import generate_city
from domain.intake import in_force
from domain.rulebook.versions import in_force_of
from rules.intake_loader import IntakeMappingUnreadable, intake_mappings, parse
from rules.loader import repository_rulebooks
from schemas.rules import categories_of


def test_the_shipped_mapping_fits_the_city_and_the_rulebook() -> None:
    books = intake_mappings()
    assert books, "rules/intake/ ships at least one version"
    units = {u.code for u in generate_city().org_units}
    for book in books:
        rulebook = in_force_of(repository_rulebooks(), book.effective_from)
        assert rulebook is not None
        for rule in book.forms:
            assert rule.assigned_unit in units, rule.form_id
            assert rule.category is None or rule.category in categories_of(rulebook), rule.form_id
            assert rule.branch != "reply" or rule.category is not None, f"{rule.form_id}: 起案 needs a 決裁区分"
    assert {r.branch for r in books[-1].forms} == {"reply", "circulation", "receipt_only"}
    assert in_force(books, books[0].effective_from) is books[0]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "適用日: 2024-04-01\ntitle: x\nforms: [{form_id: a, form_name: A, assigned_unit: u, branch: reply,"
            " title: '{nope}'}]",
            "placeholder",
        ),
        (
            "適用日: 2024-04-01\ntitle: x\nforms: [{form_id: a, form_name: A, assigned_unit: u, branch: maybe,"
            " title: t}]",
            "branch",
        ),
        (
            "適用日: 2024-04-01\ntitle: x\nforms: [{form_id: a, form_name: A, assigned_unit: u, branch: reply,"
            " title: t}, {form_id: a, form_name: A, assigned_unit: u, branch: reply, title: t}]",
            "twice",
        ),
        ("[", "mapping"),
    ],
)
def test_a_bad_version_is_refused_with_its_reason(text: str, match: str) -> None:
    with pytest.raises(IntakeMappingUnreadable, match=match):
        parse(text)
