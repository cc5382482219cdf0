"""Each page loads the scripts it uses and no more: the fill page (the one officers open most, often
offline) runs without htmx; the two pages with hx-* attributes (upload, submissions list) get it and
work. No page asks for a /favicon.ico that is not there (base.html links the built icon)."""
from __future__ import annotations

import pytest

from tests.browser.test_form_logic import FORM_ID, logic_workbook

pytestmark = pytest.mark.browser


def requests_of(page, path: str) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url.replace(page.base_url, "")))
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return seen


def test_the_fill_page_runs_without_htmx_and_asks_for_no_missing_icon(page, app):
    from app.forms.publishing import publish_workbook

    publish_workbook("logic.xlsx", logic_workbook(), "tester")
    seen = requests_of(page, f"/forms/{FORM_ID}/fill")
    page.wait_for_selector("#fill[data-ready=true]")
    assert not [u for u in seen if "htmx" in u], seen
    assert page.evaluate("typeof window.htmx") == "undefined"
    assert not [u for u in seen if "favicon" in u], seen
    # what keeps browsers from asking for /favicon.ico (Playwright does not report that request)
    assert page.locator('link[rel~="icon"][href^="/static/dist/icon.svg"]').count() == 1
    assert any(u.startswith("/static/dist/icon.svg") for u in seen), seen


@pytest.mark.parametrize("path", ["/forms/upload", "/forms/{form}/submissions"])
def test_pages_with_hx_attributes_load_htmx(page, app, path):
    from app.forms.publishing import publish_workbook

    publish_workbook("logic.xlsx", logic_workbook(), "tester")
    seen = requests_of(page, path.format(form=FORM_ID))
    assert any(u.startswith("/static/dist/htmx.js") for u in seen), seen
    assert page.evaluate("typeof window.htmx.ajax") == "function"
    assert page.locator("[hx-get], [hx-post]").count() > 0
