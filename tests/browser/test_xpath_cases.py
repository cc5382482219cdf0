"""The shared XPath case file (tests/xpath/cases.json, also run against the server's evaluator) run
through the browser's engine (app/static/js/form/xpath.js over openrosa-xpath-evaluator) in Chromium.

All cases run in one page.evaluate on a real fill page (the all-types form), once per module; each
case is then its own test, so a disagreement is reported by its id. Conventions of the file: floats
compare to 1e-9 relative; NaN / Infinity / -Infinity as strings; "nodes" = the string values in
document order; dates in Asia/Bangkok (the browser context runs in that zone); `now` fixes the clock.
Until cases.json exists, tests/xpath/browser_smoke.json (same format) stands in.
"""
from __future__ import annotations

import json
import math
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import TABLET
from tests.fixtures.workbooks import ALL_TYPES_FORM_ID, all_types_workbook

pytestmark = pytest.mark.browser

XPATH_DIR = Path(__file__).resolve().parents[1] / "xpath"
CASE_FILE = XPATH_DIR / "cases.json" if (XPATH_DIR / "cases.json").exists() else XPATH_DIR / "browser_smoke.json"
SUITE = json.loads(CASE_FILE.read_text(encoding="utf-8"))
CASES = {c["id"]: c for c in SUITE["cases"]}

RUN_ALL = """
(suite) => {
  const x = window.chumchon.xpath;
  const enc = (v) => {
    if (typeof v === "number") {
      if (Number.isNaN(v)) return "NaN";
      if (v === Infinity) return "Infinity";
      if (v === -Infinity) return "-Infinity";
    }
    return v;
  };
  const out = {};
  const t0 = performance.now();
  for (const c of suite.cases) {
    const opts = {
      instance: c.instance ? suite.instances[c.instance] : "<data/>",
      secondary: c.secondary ? suite.secondary[c.secondary] : {},
      result: c.result === "nodes" ? "values" : c.result,
    };
    if (c.context) opts.contextPath = c.context;
    if (c.now) opts.now = c.now;
    try {
      out[c.id] = { value: enc(x.evaluate(c.expr, opts)) };
    } catch (e) {
      out[c.id] = { error: String(e && e.message || e), name: e && e.name };
    }
  }
  out["@ms"] = performance.now() - t0;
  return out;
}
"""


@pytest.fixture(scope="module")
def results(browser, built_assets, database_url, tmp_path_factory):
    """Every case's browser result, {id: {"value": ...} | {"error": message}}, computed in one batch."""
    from app import create_app
    from app.forms.publishing import publish_workbook
    from tests.conftest import TEST_CONFIG, _empty_all_tables

    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, "INSTANCE_DIR": tmp_path_factory.mktemp("xp")})
    with app.app_context():
        _empty_all_tables()
        publish_workbook("all_types.xlsx", all_types_workbook(), "tester")
        user = _officer()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context(viewport=TABLET, locale="th-TH", timezone_id="Asia/Bangkok")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        base = f"http://127.0.0.1:{server.server_port}"
        open_signed_in(page, f"{base}/forms/{ALL_TYPES_FORM_ID}/fill", user)
        page.wait_for_selector("#fill[data-ready=true]")
        out = page.evaluate(RUN_ALL, SUITE)
        assert not errors, errors
        return out
    finally:
        context.close()
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            from app import db

            db.session.remove()


def _officer():
    """An officer account when the app has accounts (None otherwise)."""
    try:
        from app.auth.accounts import create_user, seed_districts
    except ImportError:
        return None
    from tests.conftest import TEST_PASSWORD

    seed_districts()
    return create_user("xpathcases", "xpathcases", "officer", TEST_PASSWORD, district="4201", actor="test")


def open_signed_in(page, url: str, user) -> None:
    """Opens `url`, signing in through the real sign-in page when the app asks for it."""
    from tests.conftest import TEST_PASSWORD

    page.goto(url)
    if user is not None and "/signin" in page.url:
        page.fill("#username", user.username)
        page.fill("#password", TEST_PASSWORD)
        page.click("button.auth-submit")  # the sign-in form's own button (the header has a language form)
        page.wait_for_load_state()
        if "/fill" not in page.url:
            page.goto(url)


def _same(expected, got) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, str) and expected in ("NaN", "Infinity", "-Infinity") and isinstance(got, str):
        return expected == got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        if math.isclose(expected, got, rel_tol=1e-9, abs_tol=1e-12):
            return True
        return False
    if isinstance(expected, list) and isinstance(got, list):
        return len(expected) == len(got) and all(_same(e, g) for e, g in zip(expected, got))
    return expected == got


@pytest.mark.parametrize("case_id", list(CASES))
def test_case(results, case_id):
    case = CASES[case_id]
    got = results[case_id]
    where = f"{case_id}: {case['expr']!r} ({CASE_FILE.name})"
    if case.get("error"):
        assert "error" in got, f"{where} should raise a clean error, gave {got.get('value')!r}"
        assert got.get("name") == "XPathError", f"{where}: not a clean error: {got}"
        assert case["expr"] in got["error"] or not case["expr"].strip()
        return
    assert "error" not in got, f"{where} raised {got['error']}"
    if "match" in case:
        assert re.search(case["match"], str(got["value"])), f"{where}: {got['value']!r} !~ {case['match']}"
        return
    assert _same(case["expected"], got["value"]), f"{where}: expected {case['expected']!r}, got {got['value']!r}"


def test_the_batch_is_fast(results):
    """All cases in one batch: a few milliseconds each at most."""
    assert results["@ms"] < 30 * max(len(CASES), 1)
