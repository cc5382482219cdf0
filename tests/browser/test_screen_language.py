"""Thai only (issue 14): the header's ไทย button hides the English half of every bilingual text, stays
chosen on the next page, and ไทย + English brings it back."""
from __future__ import annotations


def test_thai_only_hides_every_english_half_until_english_is_chosen_again(page):
    page.goto("/forms")
    english = page.locator("main h1 .en").first
    assert english.is_visible()
    with page.expect_navigation():
        page.click(".ui-lang button[value=th]")
    assert page.url.endswith("/forms")  # back on the page it was chosen on
    assert page.locator("main h1 .en").first.is_hidden()
    page.goto("/drafts")  # the choice is the user's: every page follows it
    assert page.evaluate("[...document.querySelectorAll('.en')].every((e) => getComputedStyle(e).display === 'none')")
    assert page.locator(".ui-lang button[value=th]").get_attribute("aria-pressed") == "true"
    with page.expect_navigation():
        page.click(".ui-lang button[value=th-en]")
    assert page.locator("main h1 .en").first.is_visible()
