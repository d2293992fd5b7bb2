"""Every page kind in real Chromium (Debian's package via Playwright), in Chinese and English:
screenshots at 1366 and 390 px, no sideways scrolling at 360 px, axe-core finding no serious or
critical accessibility violation, and the phone layout and keyboard behaviour issue 15 asks for.

Screenshots go to ``test-output/screenshots/pages/<kind>-<lang>-<width>.png``: look at them after
changing a page. axe-core comes from npm (package.json pins it; ``make test`` runs ``npm ci``).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_browser import SHOTS, base_url, browser  # noqa: F401 - fixtures
from test_web_support import web_home  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGE_SHOTS = SHOTS / "pages"
LANGS = ("zh", "en")
LOCALES = {"zh": "zh-CN", "en": "en-GB"}
#: Every kind of page, on the fixture catalogue (tests/data/web).
PAGE_KINDS = {
    "home": "/",
    "search": "/search?q=valves&status=current",
    "standard-current": "/standards/iso-5208-2015",
    "standard-replaced": "/standards/gb-t-13927-2008",
    "resolve-choices": "/resolve?ref=ISO+5208:1999",
    "ics-root": "/ics/",
    "ics-leaf": "/ics/23.060.01",
    "ccs": "/ccs/J10/29",
    "publishers": "/publishers/",
    "committees": "/committees/",
    "systems": "/systems/",
    "system": "/systems/valves",
    "schemes": "/schemes/",
    "scheme": "/schemes/mccb",
    "check": "/check",
    "error-404": "/standards/iso-5208-2099",
}
#: axe impact levels that fail the test.
FAILING_IMPACTS = ("serious", "critical")


def open_page(browser, lang: str, width: int, height: int = 800, javascript: bool = True, bypass_csp: bool = False):
    # bypass_csp only for axe: the pages' CSP (script-src 'self') rightly refuses an injected script.
    context = browser.new_context(locale=LOCALES[lang], viewport={"width": width, "height": height},
                                  java_script_enabled=javascript, bypass_csp=bypass_csp)
    return context, context.new_page()


def visit(page, base_url: str, path: str, lang: str) -> None:
    response = page.goto(base_url + path + ("&" if "?" in path else "?") + f"lang={lang}")
    assert response is not None and response.status in (200, 404), (path, response and response.status)


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_kind_screenshotted_at_desktop_and_phone_widths(browser, base_url, lang):
    PAGE_SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        context, page = open_page(browser, lang, width)
        errors: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        for kind, path in PAGE_KINDS.items():
            visit(page, base_url, path, lang)
            assert page.locator("html").get_attribute("lang") == ("zh-Hans" if lang == "zh" else "en")
            assert page.locator("h1").count() == 1, kind
            page.screenshot(path=str(PAGE_SHOTS / f"{kind}-{lang}-{width}.png"), full_page=True)
        # The 404 page logs its status to the console; anything else is a script or CSP error.
        assert [e for e in errors if "404" not in e] == [], errors
        context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_is_wider_than_a_360_px_screen(browser, base_url, lang):
    context, page = open_page(browser, lang, 360)
    too_wide = {}
    for kind, path in PAGE_KINDS.items():
        visit(page, base_url, path, lang)
        width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if width > inner:
            too_wide[kind] = width
    # The same with the phone's menus and disclosures open.
    visit(page, base_url, PAGE_KINDS["search"], lang)
    page.click("summary.facets-summary")
    page.click(".nav-more summary")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    if width > inner:
        too_wide["search (filters and menu open)"] = width
    visit(page, base_url, PAGE_KINDS["standard-replaced"], lang)
    page.click("details.provenance summary")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    if width > inner:
        too_wide["standard (sources open)"] = width
    context.close()
    assert too_wide == {}


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in found if v["impact"] in FAILING_IMPACTS]


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_no_serious_or_critical_violations(browser, base_url, lang):
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE}: run `npm ci` (make test does)")
    problems = {}
    for width in (1366, 390):
        context, page = open_page(browser, lang, width, bypass_csp=True)
        for kind, path in PAGE_KINDS.items():
            visit(page, base_url, path, lang)
            if kind == "search" and width == 390:
                page.click("summary.facets-summary")  # check the filters as a phone shows them, open
            found = axe_violations(page)
            if found:
                problems[f"{kind} {width}px"] = found
        # The checker's results page too (a POST: not reachable by address).
        visit(page, base_url, "/check", lang)
        page.fill("#check-text", "壳体试验按 ISO 5208:2008 进行；API 598；GB/T 13927-2022。")
        page.click("#check-submit")
        page.wait_for_selector("#result-count")
        found = axe_violations(page)
        if found:
            problems[f"check results {width}px"] = found
        context.close()
    assert problems == {}


@pytest.mark.parametrize("lang", LANGS)
def test_on_a_phone_the_results_come_before_the_filters(browser, base_url, lang):
    context, page = open_page(browser, lang, 390, 844)
    visit(page, base_url, "/search?q=valves", lang)
    filters = page.locator("details#filters")
    assert filters.get_attribute("open") is None  # one closed line, not two screens of facets
    first_hit = page.locator("li.hit").first.bounding_box()
    assert first_hit is not None and first_hit["y"] + 40 < 844, first_hit  # on the first screen
    # The header is two short rows, not three rows of links.
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 110, header
    # Tab order follows the page: search box, its button, the filters line, then the results.
    page.focus("#q")
    order = []
    for _ in range(3):
        page.keyboard.press("Tab")
        order.append(page.evaluate("document.activeElement.className || document.activeElement.tagName"))
    assert order[:2] == ["BUTTON", "facets-summary"], order
    # The disclosure opens with the keyboard, and works the same without JavaScript.
    page.focus("summary.facets-summary")
    page.keyboard.press("Enter")
    assert page.locator('section.facet[data-facet="status"] a.facet-value').first.is_visible()
    context.close()
    context, page = open_page(browser, lang, 390, 844, javascript=False)
    visit(page, base_url, "/search?q=valves", lang)
    page.click("summary.facets-summary")
    page.click('section.facet[data-facet="status"] a.facet-value[data-value="current"]')
    page.wait_for_url(re.compile(r"status=current"))
    assert page.locator("li.hit").count() > 0
    context.close()


def test_on_a_wide_screen_the_filters_are_an_open_sidebar(browser, base_url):
    for javascript in (True, False):
        context, page = open_page(browser, "en", 1366, javascript=javascript)
        visit(page, base_url, "/search?q=valves", "en")
        facet = page.locator('section.facet[data-facet="status"] a.facet-value').first
        assert facet.is_visible(), javascript
        box, results = facet.bounding_box(), page.locator("#results").bounding_box()
        assert box["x"] < results["x"]  # the sidebar is to the left of the results, as in tab order
        assert not page.locator("summary.facets-summary").is_visible()
        context.close()


def test_the_sort_menu_changes_nothing_until_asked(browser, base_url):
    context, page = open_page(browser, "en", 1366)
    visit(page, base_url, "/search?q=valves", "en")
    before = page.url
    page.focus("#sort")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.url == before  # the first arrow key does not reload the page
    assert page.locator("#sort").input_value() == "date"
    page.click(".sort-apply")
    page.wait_for_url(re.compile(r"sort=date"))
    assert page.locator("#sort").input_value() == "date"
    context.close()


def test_after_a_facet_click_focus_is_on_the_results(browser, base_url):
    context, page = open_page(browser, "zh", 1366)
    visit(page, base_url, "/search?q=valves", "zh")
    page.click('section.facet[data-facet="status"] a.facet-value[data-value="current"]')
    page.wait_for_url(re.compile(r"status=current.*#results"))
    assert page.evaluate("document.activeElement.id") == "results"
    # The next Tab goes into the results, not back through the header and the filters.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#results') !== null")
    context.close()


#: The short words on a page (badges, headings, labels) that wrap onto more than one line.
WRAPPED_WORDS = """(selector) => [...document.querySelectorAll(selector)].filter(el => {
    const text = el.textContent.trim();
    if (text.length < 2 || text.length > 8) return false;   // a short word or two: must stay on one line
    const range = document.createRange();
    range.selectNodeContents(el);
    // Lines are told apart by their tops, more than half a line apart (inline boxes on one line
    // differ by a pixel or two: a swatch, a badge's padding).
    const half = (parseFloat(getComputedStyle(el).lineHeight) || 20) / 2;
    const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top).sort((a, b) => a - b);
    return tops.length > 0 && tops[tops.length - 1] - tops[0] > half;
}).map(el => el.tagName + ' ' + el.textContent.trim())"""


def test_chinese_is_never_broken_one_character_per_line(browser, base_url):
    """Badges and short headings keep their words whole on a phone (目录中没有 -> 目/录/中/没/有 was the bug)."""
    context, page = open_page(browser, "zh", 360)
    checks = {"/schemes/mccb": ".badge, thead th, .health-word", "/standards/gb-t-13927-2008": ".badge, .facts dt, th",
              "/systems/valves": ".badge, .health-word", "/search?q=%E9%98%80%E9%97%A8": ".badge, summary",
              "/committees/": "thead th", "/ics/": "thead th"}
    broken = []
    for path, selector in checks.items():
        visit(page, base_url, path, "zh")
        broken += page.evaluate(WRAPPED_WORDS, selector)
    visit(page, base_url, "/check", "zh")
    page.fill("#check-text", "按 ISO 5208:2008 与 API 598 试验。")
    page.click("#check-submit")
    page.wait_for_selector("#result-count")
    broken += page.evaluate(WRAPPED_WORDS, ".badge, thead th")
    context.close()
    assert broken == []


def test_form_controls_use_the_page_font(browser, base_url):
    context, page = open_page(browser, "zh", 1366)
    visit(page, base_url, "/", "zh")
    body, box, button = page.evaluate("""() => [getComputedStyle(document.body).fontFamily,
        getComputedStyle(document.querySelector('#q')).fontFamily,
        getComputedStyle(document.querySelector('form[role=search] button')).fontFamily]""")
    assert body == box == button
    assert body.startswith('"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC"'), body
    context.close()
