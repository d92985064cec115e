"""domain.search: normalisation, bigrams and the query as typed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.search import (
    MAX_QUERY_CHARS,
    QueryError,
    bigrams,
    document_entry,
    index_tokens,
    normalise,
    parse_query,
    receipt_entry,
    relevance,
)


def test_normalise_width_case_and_old_forms() -> None:
    assert normalise("ﾃﾞｰﾀ　ＡＢＣ１２３") == "データ abc123"
    assert normalise("髙橋　國男") == "高橋 国男"


def test_bigrams_stay_within_runs() -> None:
    assert bigrams("予算編成、道路") == ["予算", "算編", "編成", "道路"]
    assert bigrams("市 a") == []  # a run of one character gives no token


def test_query_terms() -> None:
    (a, b) = parse_query("予算　ﾃﾞｰﾀ")
    assert (a.text, a.tokens) == ("予算", ("予算",))
    assert (b.text, b.tokens) == ("データ", ("デー", "ータ"))
    assert parse_query("市")[0].tokens == ()
    assert parse_query("予算 予算") == parse_query("予算")
    with pytest.raises(QueryError):
        parse_query("あ" * (MAX_QUERY_CHARS + 1))
    with pytest.raises(QueryError):
        parse_query(" ".join(str(i) for i in range(11)))


def test_entries() -> None:
    doc = document_entry(id="d", title="道路補修", body="予算", number_display="萩総第１号", fiscal_year=2026)
    assert doc.title == "道路補修" and "萩総第1号" in doc.text and "予算" in doc.tokens.split()
    rec = receipt_entry(
        id="r",
        title="依頼",
        summary="",
        sender="山口県",
        addressee="萩市長",
        sender_reference="",
        receipt_number="1",
        fiscal_year=2026,
    )
    assert rec.counterparty == "山口県 萩市長" and "山口" in rec.tokens.split() and "年度2026" in rec.tokens.split()
    assert relevance(parse_query("道路 予算"), title=doc.title, text=doc.text) == 4


@given(st.text(min_size=2, max_size=40), st.integers(min_value=0, max_value=38), st.integers(min_value=2, max_value=6))
def test_any_part_of_the_text_is_found_by_its_tokens(text: str, start: int, length: int) -> None:
    """What the index stores holds every token of any word cut out of the normalised text."""
    norm = normalise(text)
    word = norm[start : start + length]
    if " " in word or len(word) < 2:
        return
    stored = set(index_tokens(norm))
    assert set(parse_query(word)[0].tokens) <= stored if parse_query(word) else True
