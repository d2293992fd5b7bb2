"""The reference checker, a system tree and a scheme in real Chromium (Debian's package via
Playwright), with and without JavaScript. Screenshots go to ``test-output/screenshots/``."""
from __future__ import annotations

import pytest

from test_browser import base_url, browser, new_page, shot  # noqa: F401 - fixtures
from test_web_support import web_home  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

PASTED = "壳体试验按ISO5208:2008进行；断路器 IEC60947-2:2016。"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_check_pasted_text(browser, base_url, javascript):
    context, page = new_page(browser, locale="zh-CN", javascript=javascript)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(base_url + "/")
    page.click("#entry-check")
    page.wait_for_url(base_url + "/check")
    assert page.locator("h1").inner_text() == "引用标准检查"
    page.fill("#check-text", PASTED)
    page.click("#check-submit")
    page.wait_for_selector("#result-count")
    assert page.locator("#result-count").inner_text() == "找到 2 处引用标准。"
    rows = page.locator("tr.reference")
    assert rows.count() == 2
    assert rows.nth(0).locator(".badge.verdict").inner_text() == "被代替"
    assert rows.nth(0).locator("mark.ref-text").inner_text() == "ISO5208:2008"
    assert rows.nth(1).locator("a.current-link").inner_text() == "IEC 60947-2:2024"
    assert page.locator("#corrected").input_value() == "ISO 5208:2015\nIEC 60947-2:2024"
    assert page.locator("#check-text").input_value() == PASTED
    shot(page, f"20-check-zh-{'js' if javascript else 'nojs'}")
    # The edition in force is one click away.
    rows.nth(0).locator("a.current-link").click()
    page.wait_for_url(base_url + "/standards/iso-5208-2015")
    assert errors == []
    context.close()


def test_check_in_english_with_an_unknown_reference(browser, base_url):
    context, page = new_page(browser)
    page.goto(base_url + "/check")
    page.fill("#check-text", "Test to ISO 5208:2008 and API Std 598; frames to ISO 12870:2024.")
    page.click("#check-submit")
    page.wait_for_selector("#result-count")
    verdicts = page.locator("tr.reference .badge.verdict").all_inner_texts()
    assert verdicts == ["Replaced", "Not in the catalogue", "Current"]
    shot(page, "21-check-en")
    context.close()


def test_system_and_scheme_pages(browser, base_url):
    context, page = new_page(browser)
    page.goto(base_url + "/")
    page.click("#entry-systems")
    page.wait_for_url(base_url + "/systems/")
    page.click("li.system-item h2 a")
    page.wait_for_url(base_url + "/systems/valves")
    assert page.locator(".system-health .health-word[data-state=current]").inner_text() == "Current: 2"
    # The bar's segments have their widths: drawn by SVG attributes the CSP allows.
    box = page.locator(".system-health svg.health-bar rect.health-current").bounding_box()
    assert box is not None and round(box["width"]) == 200
    shot(page, "22-system")
    page.goto(base_url + "/schemes/mccb")
    assert page.locator("table.indicators tbody tr").count() == 1
    shot(page, "23-scheme")
    context.close()
