"""文書番号 rendering: 萩総第123号 and the follow-up sub-numbers 第123号の2."""

from __future__ import annotations

import pytest

from domain.numbering import render_number


def test_render() -> None:
    assert render_number("萩総", 123) == "萩総第123号"
    assert render_number("萩総", 1) == "萩総第1号"
    assert render_number("萩総", 123, 2) == "萩総第123号の2"


@pytest.mark.parametrize(("serial", "sub"), [(0, None), (-1, None), (1, 1), (1, 0)])
def test_impossible_numbers_are_refused(serial: int, sub: int | None) -> None:
    with pytest.raises(ValueError, match="starts at"):
        render_number("萩総", serial, sub)
