"""文書検索 (search): how text is normalised and cut into index tokens, and how a query is read.

Japanese has no spaces between words, and the words people look for are short (予算, 道路, 補助): the index holds
every overlapping pair of characters (bigram) of each run of letters and digits, and a query term matches where
all of its bigrams are present and — checked on the normalised text — the term itself.  Index and query go
through the same normalisation: NFKC (half-width カナ and full-width ＡＢＣ１２３ become one form), lower case, and
a small table of 旧字 -> 新字 (髙 -> 高, 國 -> 国 …), so a query finds the text however either was typed.

Pure: no I/O; the repository (``db/repositories/search.py``) and the API read the same functions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: 旧字・異体字 -> 新字 (常用漢字表の字体): the forms that most often differ between how a name is registered and
#: how it is typed (例示: a small table, not the whole 人名用漢字 list).
OLD_TO_NEW: dict[str, str] = {
    "國": "国",
    "學": "学",
    "會": "会",
    "體": "体",
    "廣": "広",
    "澤": "沢",
    "邊": "辺",
    "邉": "辺",
    "齋": "斎",
    "齊": "斉",
    "髙": "高",
    "﨑": "崎",
    "嶋": "島",
    "櫻": "桜",
    "濱": "浜",
    "縣": "県",
    "區": "区",
    "驛": "駅",
    "圖": "図",
    "號": "号",
    "壽": "寿",
    "臺": "台",
    "實": "実",
    "與": "与",
    "舊": "旧",
    "萬": "万",
    "條": "条",
    "禮": "礼",
    "藝": "芸",
    "螢": "蛍",
    "發": "発",
    "經": "経",
    "營": "営",
    "擔": "担",
    "處": "処",
    "辨": "弁",
    "辯": "弁",
    "瀨": "瀬",
    "德": "徳",
    "惠": "恵",
}
_TABLE = str.maketrans(OLD_TO_NEW)

#: The longest query the API reads (characters, before normalisation) and the most terms.
MAX_QUERY_CHARS = 200
MAX_TERMS = 10


def normalise(text: str) -> str:
    """The searchable form: NFKC, lower case, 旧字 -> 新字, whitespace runs as one space."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_TABLE)
    return " ".join(folded.split())


#: A run of letters and digits (kana, kanji, ー and 々 included; not the underscore).
_RUN = re.compile(r"(?:[^\W_]|[ー々〆ヶ])+")


def _runs(text: str) -> list[str]:
    """The runs of letters and digits of normalised text."""
    return _RUN.findall(text)


def bigrams(normalised: str) -> list[str]:
    """Every overlapping pair of characters within each run (a run of one character gives no token)."""
    return [run[i : i + 2] for run in _runs(normalised) for i in range(len(run) - 1)]


def index_tokens(*texts: str) -> list[str]:
    """The distinct bigrams of ``texts`` (already normalised), sorted: what the index stores for a document."""
    return sorted({token for text in texts for token in bigrams(text)})


@dataclass(frozen=True)
class Term:
    """One word of a query, normalised: ``tokens`` narrow through the index, ``text`` is checked on the text."""

    text: str
    tokens: tuple[str, ...]


class QueryError(ValueError):
    """A query the search refuses (too long, too many words)."""


def parse_query(query: str | None) -> tuple[Term, ...]:
    """The query's terms (split at spaces, any width), each required; a term of one character has no token and is
    matched on the text alone."""
    if not query:
        return ()
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"q: at most {MAX_QUERY_CHARS} characters")
    words = list(dict.fromkeys(normalise(query).split()))
    if len(words) > MAX_TERMS:
        raise QueryError(f"q: at most {MAX_TERMS} words")
    return tuple(Term(text=w, tokens=tuple(dict.fromkeys(bigrams(w)))) for w in words)


#: How much a term found in the 件名 weighs against one found only in the rest of the text (relevance).
TITLE_WEIGHT = 3
TEXT_WEIGHT = 1


def relevance(terms: tuple[Term, ...], *, title: str, text: str) -> int:
    """The score the SQL computes, in Python (for tests): per term, 3 in the 件名, else 1 in the text."""
    return sum(TITLE_WEIGHT if t.text in title else TEXT_WEIGHT if t.text in text else 0 for t in terms)


def snippet(normalised_body: str, terms: tuple[Term, ...], *, width: int = 60) -> str:
    """A short excerpt of the (normalised) body around the first term found, for 機密性1 results only."""
    if not normalised_body:
        return ""
    at = min((p for p in (normalised_body.find(t.text) for t in terms) if p >= 0), default=0)
    start = max(0, at - width // 3)
    part = normalised_body[start : start + width]
    return ("…" if start > 0 else "") + part + ("…" if start + width < len(normalised_body) else "")


@dataclass(frozen=True)
class Entry:
    """What the index holds of one document or receipt."""

    kind: str
    ref_id: str
    title: str
    text: str
    counterparty: str
    tokens: str


def year_token(fiscal_year: int) -> str:
    """The token of a 年度 (never a bigram): the index narrows by words and 年度 in one look-up."""
    return f"年度{fiscal_year}"


def _tokens(fiscal_year: int, full: str) -> str:
    return " ".join([year_token(fiscal_year), *index_tokens(full)])


def document_entry(*, id: str, title: str, body: str, number_display: str | None, fiscal_year: int) -> Entry:
    """The entry of a document: 件名, 本文 and 文書番号, and its 年度 (the 文書番号's, else the 起案's)."""
    norm_title = normalise(title)
    rest = normalise(" ".join(p for p in (body, number_display or "") if p))
    full = f"{norm_title} {rest}".strip()
    return Entry("document", id, norm_title, full, "", _tokens(fiscal_year, full))


def receipt_entry(
    *,
    id: str,
    title: str,
    summary: str,
    sender: str,
    addressee: str,
    sender_reference: str,
    receipt_number: str,
    fiscal_year: int,
) -> Entry:
    """The entry of a receipt: 件名, 概要, 差出人, 宛先, 先方文書番号 and 収受番号, and its 年度."""
    norm_title = normalise(title)
    counterparty = normalise(f"{sender} {addressee}")
    rest = normalise(" ".join(p for p in (summary, sender, addressee, sender_reference, receipt_number) if p))
    full = f"{norm_title} {rest}".strip()
    return Entry("receipt", id, norm_title, full, counterparty, _tokens(fiscal_year, full))
