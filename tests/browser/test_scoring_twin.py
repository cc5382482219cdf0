"""The JavaScript twin of app/scoring (app/static/js/scoring/score.js, bundled in the meeting screen's
dist/meeting.js as window.chumchon.scoring.score) against the shared vectors: every case runs in Chromium in one
page.evaluate, and each case id is its own test that must get exactly the expected dict (the same
file tests/scoring/test_vectors.py checks against Python)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

VECTORS = json.loads((Path(__file__).parents[1] / "scoring" / "vectors.json").read_text(encoding="utf-8"))
CASES = VECTORS["cases"]


def spec_of(case: dict) -> dict:
    return VECTORS["specs"][case["spec"]] if isinstance(case["spec"], str) else case["spec"]


@pytest.fixture(scope="module")
def twin(browser, built_assets) -> dict:
    """{case id: the JS result} for the whole file, computed once in one evaluate."""
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.set_content("<!doctype html><html lang='th'><body></body></html>")
        # The meeting screen's bundle: it sets window.chumchon.scoring when loaded (no #meeting: nothing else starts).
        page.add_script_tag(path=str(built_assets / "meeting.js"), type="module")
        page.wait_for_function("() => !!(window.chumchon && window.chumchon.scoring)")
        results = page.evaluate("""(cases) => {
            const out = {};
            for (const c of cases) {
                try { out[c.id] = window.chumchon.scoring.score(c.spec, c.answers); }
                catch (e) { out[c.id] = {error: String(e && e.stack || e)}; }
            }
            return out;
        }""", [{"id": c["id"], "spec": spec_of(c), "answers": c["answers"]} for c in CASES])
    finally:
        context.close()
    assert not errors, errors
    return results


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_vector_in_the_browser(case, twin):
    assert twin[case["id"]] == case["expected"]


def test_every_case_ran(twin):
    assert set(twin) == {c["id"] for c in CASES}


# Inputs Python's Decimal reads in ways a naive parser would not (Thai and full-width digits,
# underscores, exponents, signs, whitespace, non-numbers): the twin must agree with Python on each.
ODD_NUMBERS = ["๒.๕", "３", "1_5", "_2", "2.5e0", "25E-1", "+1.005", "-0", ".5", "5.", "1e400", "1e-400",
               "Infinity", "-inf", "nan", "sNaN", "1e", "", "  2.994  ", "2.995", "\u20032\u3000", "\ufeff2",
               "0x1", "1,5", "٢", "1.234567890123456789012345"]


def test_odd_numbers_agree_with_python(twin, page_for_odd_numbers):
    from app.scoring import score

    spec = spec_of(next(c for c in CASES if isinstance(c["spec"], str)))
    calc = next(i for i in spec["indicators"] if i["kind"] == "calculate")
    cases = [{calc["name"]: text} for text in ODD_NUMBERS]
    got = page_for_odd_numbers.evaluate(
        "([spec, cases]) => cases.map((a) => window.chumchon.scoring.score(spec, a))", [spec, cases])
    want = [score(spec, a).to_dict() for a in cases]
    for text, g, w in zip(ODD_NUMBERS, got, want):
        assert g == w, repr(text)


@pytest.fixture(scope="module")
def page_for_odd_numbers(browser, built_assets):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(built_assets / "meeting.js"), type="module")
    page.wait_for_function("() => !!(window.chumchon && window.chumchon.scoring)")
    yield page
    context.close()
