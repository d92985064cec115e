"""axe-core (shipped inside the axe-playwright-python package; nothing fetched at run time) run on a Playwright
page: the WCAG 2.x A/AA rules, every violation listed with the elements it names."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

#: The rules of WCAG 2.0/2.1/2.2 A and AA (axe's tags), as the city's web accessibility policy (JIS X 8341-3) asks.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def _axe_source() -> str:
    return files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


async def axe_violations(page: Any) -> list[str]:
    """The violations on the page as shown now: ``rule (impact): selector, …`` each.

    Evaluated through the browser's devtools protocol, so the page's Content-Security-Policy (script-src 'self')
    stays as strict as ever: no script tag is added to the page.
    """
    await page.evaluate(_axe_source())
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_AA
    )
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:5])}"
        for v in result["violations"]
    ]


async def assert_accessible(page: Any) -> None:
    violations = await axe_violations(page)
    assert violations == [], f"axe on {page.url}:\n" + "\n".join(violations)
