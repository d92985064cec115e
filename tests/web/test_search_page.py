"""The search page (文書検索): labelled filters, a skip link, the hits I may see (a 機密性3 document of another
division is neither listed nor counted), paging links, and a bad filter answered on the page with its reason."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

from tests.support.stack import Stack, holder
from tests.web.conftest import sign_in

DRAFTER = holder("somu.somu", "staff")
OTHER = holder("fukushi.kodomo", "staff")


async def test_the_search_page(stack: Stack) -> None:
    m = f"頁{uuid.uuid4().hex[:8]}"
    mine = [await stack.draft(DRAFTER, 300_000, title=f"{m} 道路補修の件 {i}") for i in range(22)]
    secret = await stack.draft(OTHER, 300_000, title=f"{m} 道路 児童の件", confidentiality=3)
    browser = await sign_in(stack, DRAFTER)
    empty = await browser.get("/search")
    assert empty.status_code == 200
    assert "script-src 'self';" in empty.headers["Content-Security-Policy"]
    assert '<a class="skip-link" href="#main">本文へ移動</a>' in empty.text and 'id="main"' in empty.text
    for field in ("q", "kind", "fiscal_year", "unit", "number", "receipt_number", "counterparty", "from", "to"):
        assert f'<label for="{field}">' in empty.text and f'id="{field}"' in empty.text, field
    assert 'aria-current="page">文書検索' in empty.text and "<script>" not in empty.text and "style=" not in empty.text

    r = await browser.get(f"/search?q={quote(m + ' 道路')}&kind=document")
    assert r.status_code == 200, r.text
    assert re.search(r'data-testid="search-total">(\d+)件', r.text).group(1) == "22"  # type: ignore[union-attr]
    ids = re.findall(r'<tr data-kind="document" data-id="([^"]+)"', r.text)
    assert len(ids) == 20 and secret["id"] not in ids and set(ids) <= {d["id"] for d in mine}
    following = re.search(r'<a href="([^"]+)" rel="next">', r.text)
    assert following
    second = await browser.get(following.group(1).replace("&amp;", "&"))
    assert len(re.findall(r"<tr data-kind=", second.text)) == 2 and 'rel="prev"' in second.text

    bad = await browser.get("/search?q=x&fiscal_year=%E4%BB%A4%E5%92%8C8")  # 令和8: a 西暦 year is wanted
    assert bad.status_code == 422 and 'data-testid="search-problem"' in bad.text and "fiscal_year" in bad.text
    too_long = await browser.get(f"/search?q={'あ' * 201}")
    assert too_long.status_code == 422
    await browser.http.aclose()
