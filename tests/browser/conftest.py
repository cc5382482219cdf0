"""Playwright fixtures shared by every browser test: the app served on a free port, Debian's Chromium,
a tablet-sized page. Never `playwright install`: we drive /usr/bin/chromium.

- `built_assets` (session): app/static/dist/form.js is built and newer than its sources (runs
  `node build.mjs` when it is not).
- `live_server`: the test app (tests/conftest.py `app`, on the `database_url` test database, emptied
  before each test) served by werkzeug in a background thread; yields its base URL.
- `browser` (session): Chromium through Playwright's sync API.
- `context` / `page`: a fresh context per test with an 800x1280 viewport (a 10-inch tablet);
  Bangkok time zone, Thai locale; `page.base_url` is the live server's URL. Uncaught JavaScript
  errors on the page fail the test. The context is signed in as an admin (who may publish, fill
  and read everything) through the real sign-in page; `context.user` is that account.
"""
from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "app" / "static" / "dist"
SOURCES = [ROOT / "app" / "static" / "js", ROOT / "app" / "static" / "css", ROOT / "build.mjs", ROOT / "app" / "thai_words.json"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TABLET = {"width": 800, "height": 1280}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


def _newest_source() -> float:
    newest = 0.0
    for src in SOURCES:
        files = [src] if src.is_file() else [p for p in src.rglob("*") if p.is_file()]
        newest = max([newest, *(p.stat().st_mtime for p in files)])
    return newest


@pytest.fixture(scope="session")
def built_assets() -> Path:
    bundle = DIST / "form.js"
    if not bundle.exists() or bundle.stat().st_mtime < _newest_source():
        if not (ROOT / "node_modules" / "esbuild").exists():
            pytest.fail("front-end assets are not built and node_modules is missing: run `make setup`")
        subprocess.run(["node", "build.mjs"], cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert bundle.exists(), "app/static/dist/form.js missing: run `node build.mjs`"
    return DIST


@pytest.fixture
def live_server(app, built_assets):
    """Base URL of the test app served in a thread (threaded, so the page can fetch in parallel)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def playwright_instance():
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def sign_in_page(page, username: str, password: str) -> None:
    page.goto("/signin")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button.auth-submit")
    assert "/signin" not in page.url, f"sign-in of {username} failed"


@pytest.fixture
def context(browser, live_server, make_user):
    from tests.conftest import TEST_PASSWORD

    # bypass_csp: Playwright's wait_for_function(string) evaluates with eval(), which our Content
    # Security Policy forbids. tests/auth/test_browser_csp.py runs pages with the CSP enforced.
    context = browser.new_context(viewport=TABLET, base_url=live_server, locale="th-TH",
                                  timezone_id="Asia/Bangkok", bypass_csp=True)
    context.set_default_timeout(10_000)
    context.user = make_user("admin", username="browser-admin")
    signin = context.new_page()
    sign_in_page(signin, context.user.username, TEST_PASSWORD)
    signin.close()
    yield context
    context.close()


@pytest.fixture
def page(context, live_server):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.base_url = live_server
    page.js_errors = errors
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


# ---- persistent profiles and a server process that can be stopped (offline tests) ----------------

@pytest.fixture
def launch_profile(playwright_instance, tmp_path):
    """launch_profile(base_url, name="tablet") -> a persistent Chromium context on a user-data dir
    under tmp_path (the same name = the same profile: IndexedDB, cookies and all survive a close).
    Service workers are blocked so that context.route sees every request of the page (the offline
    tests cut /submission themselves; the service worker has its own tests). JS errors fail the test."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    opened = []

    def launch(base_url: str, name: str = "tablet"):
        ctx = playwright_instance.chromium.launch_persistent_context(
            str(tmp_path / f"profile-{name}"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=TABLET,
            base_url=base_url, locale="th-TH", timezone_id="Asia/Bangkok", bypass_csp=True,
            service_workers="block", accept_downloads=True)
        ctx.set_default_timeout(15_000)
        ctx.js_errors = []
        ctx.on("page", lambda p: p.on("pageerror", lambda e: ctx.js_errors.append(str(e))))
        for p in ctx.pages:
            p.on("pageerror", lambda e: ctx.js_errors.append(str(e)))
        opened.append(ctx)
        return ctx

    yield launch
    errors = [e for ctx in opened for e in ctx.js_errors]
    for ctx in opened:
        try:
            ctx.close()
        except Exception:  # already closed by the test
            pass
    assert not errors, f"JavaScript errors on the page: {errors}"


def sign_in_context(context, username: str, password: str | None = None):
    """Signs `context` in through /signin; returns an open page (on the form list)."""
    from tests.conftest import TEST_PASSWORD

    page = context.pages[0] if context.pages else context.new_page()
    sign_in_page(page, username, password or TEST_PASSWORD)
    return page


SERVE_SCRIPT = r"""
import sys
from werkzeug.serving import make_server
from app import create_app
from tests.conftest import TEST_CONFIG
url, port, instance = sys.argv[1], int(sys.argv[2]), sys.argv[3]
app = create_app({**TEST_CONFIG, "DATABASE_URL": url, "INSTANCE_DIR": instance})
server = make_server("127.0.0.1", port, app, threaded=True)
print("ready", flush=True)
server.serve_forever()
"""


class ServerProcess:
    """The test app in its own process on a fixed port and the test database: stop() kills it (in-flight
    requests die with it, as in a crash or a redeploy), start() brings it back on the same port."""

    def __init__(self, database_url: str, instance_dir: Path):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url, self.instance_dir = database_url, instance_dir
        self.proc = None
        self.restarts = 0

    def start(self) -> None:
        import sys

        self.proc = subprocess.Popen([sys.executable, "-c", SERVE_SCRIPT, self.database_url, str(self.port),
                                      str(self.instance_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        assert line.strip() == "ready", "the test server process did not start"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()
        self.restarts += 1


@pytest.fixture
def server_process(app, database_url, built_assets, tmp_path):
    """A ServerProcess on the test database (already emptied and seeded by `app`), started."""
    server = ServerProcess(database_url, tmp_path / "instance-proc")
    server.instance_dir.mkdir()
    server.start()
    yield server
    server.stop()
