"""Admission control's decision (domain/admission.py): which requests count, and when one more is taken on."""

from __future__ import annotations

import pytest

from domain.admission import admits, is_updating


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "post"])
def test_writes_are_counted(method: str) -> None:
    assert is_updating(method)


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_reads_are_never_shed(method: str) -> None:
    assert not is_updating(method)


def test_one_more_is_taken_on_below_the_cap_only() -> None:
    assert admits(0, 3) and admits(2, 3)
    assert not admits(3, 3) and not admits(7, 3)


def test_a_cap_of_zero_switches_the_control_off() -> None:
    assert admits(10_000, 0)
