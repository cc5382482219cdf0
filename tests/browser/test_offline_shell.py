"""The service worker (service_worker/sw.js) in real Chromium with a persistent profile: signed in
and online, every form the officer may fill is cached with its media and the form list says
"ready offline"; then the server process is stopped (real offline: the worker's own requests fail
too, which Playwright's set_offline alone does not do) and the app shell, the form list and every
form open and can be filled. A new app build (another precache manifest) and a new form version
never delete a version's cache, and a new worker never activates while a fill page is open.

The pages run under the real Content-Security-Policy (no bypass_csp): worker-src 'self'."""
from __future__ import annotations

import io
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from openpyxl import Workbook
from werkzeug.serving import make_server

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DIST, ROOT, TABLET, sign_in_page
from tests.conftest import TEST_PASSWORD
from tests.fixtures.workbooks import ALL_TYPES_FORM_ID, all_types_workbook

pytestmark = pytest.mark.browser

MEDIA_FORM_ID = "offline_villages"
VILLAGES_CSV = ("name,label,district\n"
                "v1,บ้านนาดี,d1\n"
                "v2,บ้านโคก,d1\n"
                "v3,บ้านหาดใหญ่,d2\n").encode("utf-8")


def villages_workbook(version: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label::Thai (th)", "choice_filter"])
    ws.append(["select_one district", "district", "อำเภอ", ""])
    ws.append(["select_one_from_file villages.csv", "village", "หมู่บ้าน", "district=${district}"])
    ws.append(["text", "note_text", "บันทึก", ""])
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", "label::Thai (th)"])
    ch.append(["district", "d1", "เมือง"])
    ch.append(["district", "d2", "หาดใหญ่"])
    st = wb.create_sheet("settings")
    st.append(["form_id", "form_title", "default_language", "version"])
    st.append([MEDIA_FORM_ID, f"หมู่บ้าน {version}", "Thai (th)", version])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def worker_built(built_assets) -> Path:
    """dist/sw.js newer than service_worker/ (the shared fixture only watches app/static)."""
    bundle = DIST / "sw.js"
    newest = max(p.stat().st_mtime for p in [*(ROOT / "service_worker").iterdir(), ROOT / "build.mjs"])
    if not bundle.exists() or bundle.stat().st_mtime < newest:
        subprocess.run(["node", "build.mjs"], cwd=ROOT, check=True, capture_output=True, timeout=120)
    return bundle


class RestartableServer:
    """The test app served on one fixed loopback port (the origin, and so the worker's
    registration and caches, survive a restart). stop() also cuts kept-alive connections, so
    the browser gets "connection refused" like a tablet without signal."""

    def __init__(self, app):
        self.app = app
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None
        self.thread = None
        self.connections: list[socket.socket] = []

    def start(self) -> None:
        assert self.server is None
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        accept = self.server.get_request

        def get_request():
            conn, addr = accept()
            self.connections.append(conn)
            return conn, addr

        self.server.get_request = get_request
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is None:
            return
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()
        for conn in self.connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        self.connections.clear()
        self.server = None


@pytest.fixture
def server(app, worker_built):
    srv = RestartableServer(app)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def launch(playwright_instance, server, tmp_path):
    """launch() -> a persistent Chromium context on one user-data dir (call again after closing it:
    the same profile, its service worker and caches). Pages run under the real CSP."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    opened = []

    def open_profile():
        ctx = playwright_instance.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=TABLET,
            base_url=server.url, locale="th-TH", timezone_id="Asia/Bangkok")
        ctx.set_default_timeout(15_000)
        errors: list[str] = []
        ctx.js_errors = errors
        ctx.on("page", lambda p: p.on("pageerror", lambda e: errors.append(f"{p.url}: {e}")))
        opened.append(ctx)
        return ctx

    yield open_profile
    for ctx in opened:
        try:
            ctx.close()
        except Exception:  # noqa: BLE001 - already closed
            pass


@pytest.fixture
def profile(launch):
    return launch()


@pytest.fixture
def published(app):
    from app.forms.publishing import publish_workbook

    a = publish_workbook("all_types.xlsx", all_types_workbook(), "tester").form_version
    b = publish_workbook("villages.xlsx", villages_workbook("1"), "tester",
                         media={"villages.csv": VILLAGES_CSV}).form_version
    return {a.form.form_id: a.version, b.form.form_id: b.version}


# ---- helpers -------------------------------------------------------------------------------------

def fill_url(form_id: str, version: str) -> str:
    return f"/forms/{form_id}/versions/{version}/fill"


def poll(page, js: str, arg=None, timeout: float = 20.0):
    """page.evaluate(js) until truthy (wait_for_function compiles with eval, which the CSP forbids)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(js, arg)
        if value or time.monotonic() > deadline:
            assert value, f"timed out waiting for {js}"
            return value
        page.wait_for_timeout(100)


# the bundled questionnaires (app/questionnaires/*.xlsx), all ready offline after publish_bundled()
BUNDLED = 5  # the bundled questionnaires (app/questionnaires/*.xlsx)


def wait_ready_offline(page, count: int) -> None:
    page.wait_for_selector("html[data-offline-sync=done]", timeout=30_000)
    poll(page, "n => document.querySelectorAll('[data-offline-form][data-offline-ready=true]').length >= n", count)
    assert page.locator(".ready-offline:visible").count() == count


def open_form_list(profile, user, forms: int = 2):
    """A new page of `profile` signed in as `user` on the form list, with its `forms` forms ready offline."""
    page = profile.new_page()
    sign_in_page(page, user.username, TEST_PASSWORD)
    page.goto("/forms")
    wait_ready_offline(page, forms)
    return page


def cache_names(page) -> list[str]:
    return page.evaluate("caches.keys()")


def worker_build(page) -> str:
    return page.evaluate("""async () => {
        const reg = await navigator.serviceWorker.ready;
        return await new Promise((resolve) => {
            const ch = new MessageChannel();
            ch.port1.onmessage = (e) => resolve(e.data.build);
            reg.active.postMessage({type: "build"}, [ch.port2]);
        });
    }""")


def go_offline(ctx, server) -> None:
    server.stop()
    ctx.set_offline(True)


def go_online(ctx, server) -> None:
    server.start()
    ctx.set_offline(False)


def check_all_types_fillable(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#fill[data-ready=true]")
    page.locator('.q[data-name="respondent"] input').fill("สมชาย ใจดี")
    assert "สมชาย ใจดี" in page.evaluate("window.chumchon.model.serialize()")


def check_villages_fillable(page, url: str) -> None:
    """The village choices come from villages.csv: proves the media came from the cache."""
    page.goto(url)
    page.wait_for_selector("#fill[data-ready=true]")
    page.locator('.q[data-name="district"]').get_by_text("เมือง").click()
    village = page.locator('.q[data-name="village"]')
    village.get_by_text("บ้านนาดี").wait_for()
    assert village.get_by_text("บ้านหาดใหญ่").count() == 0  # filtered by district
    village.get_by_text("บ้านนาดี").click()
    assert "<village>v1</village>" in page.evaluate("window.chumchon.model.serialize()")


def deploy_new_build(app, tmp_path, old_build: str, name: str = "test-build-2") -> None:
    """Serves a worker script of another build (one precached file changed) at /sw.js."""
    text = (DIST / "sw.js").read_text(encoding="utf-8")
    new_text, n = re.subn(r'(url:"/static/dist/offline\.html",revision:")[0-9a-f]+"', r'\1feedfacefeedface"', text)
    assert n == 1
    new_text = new_text.replace(f'"{old_build}"', f'"{name}"')
    assert new_text.count(f'"{name}"') >= 1
    new_worker = tmp_path / f"{name}.js"
    new_worker.write_text(new_text, encoding="utf-8")
    app.config["SERVICE_WORKER_FILE"] = str(new_worker)


# ---- the proof -------------------------------------------------------------------------------------

def test_signed_in_online_then_offline_every_form_opens_and_fills(profile, server, published, make_user):
    officer = make_user("officer")
    page = open_form_list(profile, officer)
    assert page.locator("[data-storage-info]:visible").count() == 1
    names = cache_names(page)
    for form_id, version in published.items():
        assert f"chumchon-form:{form_id}:{version}" in names
    assert any(n.startswith("chumchon-precache") for n in names)
    # The worker took the page (clients.claim): later fetches go through it.
    poll(page, "() => !!navigator.serviceWorker.controller")

    go_offline(profile, server)
    assert page.evaluate("fetch('/api/v1/forms').then(() => 'reached', () => 'no network')") == "no network"
    # The app shell and the form list, from the worker.
    page.reload()
    assert page.locator("h1").first.inner_text().startswith("แบบฟอร์ม")
    wait_ready_offline(page, 2)
    # Every form, by its versioned URL (the list's Fill links) and by /forms/<id>/fill (latest).
    links = page.locator("[data-offline-form] a.fill-link")
    assert links.count() == 2
    check_all_types_fillable(page, fill_url(ALL_TYPES_FORM_ID, published[ALL_TYPES_FORM_ID]))
    check_all_types_fillable(page, f"/forms/{ALL_TYPES_FORM_ID}/fill")
    check_villages_fillable(page, fill_url(MEDIA_FORM_ID, published[MEDIA_FORM_ID]))
    check_villages_fillable(page, f"/forms/{MEDIA_FORM_ID}/fill")
    # A page never stored: the offline page, listing the forms that are ready.
    page.goto(f"/forms/{ALL_TYPES_FORM_ID}")
    page.wait_for_selector("[data-offline-page]")
    page.locator("[data-offline-forms] a").nth(1).wait_for()
    assert page.locator("[data-offline-forms] a").count() == 2
    # The whole browser closed and reopened offline is the same (persistent profile): tested by the
    # drafts/outbox tests; here the worker and its caches are what matter.
    assert not profile.js_errors, profile.js_errors


def test_a_new_build_and_a_new_version_keep_the_version_caches(launch, server, published, make_user, app,
                                                              tmp_path):
    from app.forms.publishing import publish_workbook
    officer = make_user("officer")
    profile = launch()
    page = open_form_list(profile, officer)
    old_build = worker_build(page)
    v1 = fill_url(MEDIA_FORM_ID, published[MEDIA_FORM_ID])

    # A fill page is open (a draft in progress) while a new app build is deployed.
    form_page = profile.new_page()
    form_page.goto(v1)
    form_page.wait_for_selector("#fill[data-ready=true]")
    deploy_new_build(app, tmp_path, old_build)

    page.goto("/forms")
    page.evaluate("navigator.serviceWorker.ready.then((r) => r.update())")
    poll(page, "() => navigator.serviceWorker.getRegistration().then((r) => !!r.waiting)")
    # Not under the open fill page: the new worker waits, the old one still serves.
    page.reload()
    page.wait_for_timeout(500)
    assert worker_build(page) == old_build
    assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => !!r.waiting)")

    # The last fill page closes: the form list (still open, controlled by the old worker) asks the
    # waiting worker again ("activate-if-idle", every 5 s) and the new build takes over live, without
    # a reload or a browser restart; the open page is claimed by it.
    form_page.close()
    poll(page, "() => navigator.serviceWorker.getRegistration().then((r) => !r.waiting && !!r.active)",
         timeout=30)
    assert worker_build(page) == "test-build-2"
    poll(page, "() => navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === 'activated'")
    page.goto("/forms")
    assert worker_build(page) == "test-build-2"

    # A new version of the villages form: the list links to it, the old version's cache stays.
    v2 = publish_workbook("villages.xlsx", villages_workbook("2"), "tester",
                          media={"villages.csv": VILLAGES_CSV}).form_version
    page.goto("/forms")
    wait_ready_offline(page, 2)
    names = cache_names(page)
    assert f"chumchon-form:{MEDIA_FORM_ID}:1" in names
    assert f"chumchon-form:{MEDIA_FORM_ID}:{v2.version}" in names
    assert f"chumchon-form:{ALL_TYPES_FORM_ID}:{published[ALL_TYPES_FORM_ID]}" in names
    precache = next(n for n in names if n.startswith("chumchon-precache"))
    keys = page.evaluate("name => caches.open(name).then((c) => c.keys()).then((ks) => ks.map((k) => k.url))",
                         precache)
    assert any("offline.html" in k and "feedfacefeedface" in k for k in keys)

    # Offline: the old version (a draft's) still opens and says a newer one exists; the new one too.
    go_offline(profile, server)
    page.goto(v1)
    page.wait_for_selector("#fill[data-ready=true]")
    page.locator(".newer-version").wait_for()
    assert page.locator(".newer-version a").get_attribute("href") == fill_url(MEDIA_FORM_ID, v2.version)
    check_villages_fillable(page, v1)
    check_villages_fillable(page, fill_url(MEDIA_FORM_ID, v2.version))
    check_villages_fillable(page, f"/forms/{MEDIA_FORM_ID}/fill")
    assert page.locator("h1.fill-title").inner_text() == "หมู่บ้าน 2"
    assert not profile.js_errors, profile.js_errors


def test_a_new_build_takes_over_when_the_officer_leaves_the_fill_page_in_the_same_tab(
        launch, server, published, make_user, app, tmp_path):
    """One tab: a form is being filled when a new build is deployed and found. It waits while the
    fill page is shown; the officer goes back to the form list in the same tab, and the new build
    takes over there, live, without a reload; the next fill page runs under it."""
    officer = make_user("officer")
    profile = launch()
    page = open_form_list(profile, officer)
    old_build = worker_build(page)
    v1 = fill_url(MEDIA_FORM_ID, published[MEDIA_FORM_ID])
    page.goto(v1)
    page.wait_for_selector("#fill[data-ready=true]")
    deploy_new_build(app, tmp_path, old_build)
    page.evaluate("navigator.serviceWorker.ready.then((r) => r.update())")
    poll(page, "() => navigator.serviceWorker.getRegistration().then((r) => !!r.waiting)")
    page.wait_for_timeout(300)
    assert worker_build(page) == old_build  # not under the open form

    page.goto("/forms")  # the same tab leaves the fill page
    poll(page, "() => navigator.serviceWorker.getRegistration().then((r) => !r.waiting && !!r.active)",
         timeout=20)
    assert worker_build(page) == "test-build-2"
    poll(page, "() => navigator.serviceWorker.controller && navigator.serviceWorker.controller.state === 'activated'")
    page.goto(v1)
    page.wait_for_selector("#fill[data-ready=true]")
    assert worker_build(page) == "test-build-2"
    assert not profile.js_errors, profile.js_errors


def test_a_new_build_found_on_the_form_list_takes_over_there(launch, server, published, make_user, app,
                                                             tmp_path):
    """No form open: a new build found while the form list is shown takes over without a reload."""
    officer = make_user("officer")
    profile = launch()
    page = open_form_list(profile, officer)
    deploy_new_build(app, tmp_path, worker_build(page), "test-build-3")
    page.evaluate("navigator.serviceWorker.ready.then((r) => r.update())")
    poll(page, "() => navigator.serviceWorker.getRegistration().then((r) => !r.waiting && !r.installing"
               " && !!r.active && r.active.state === 'activated')", timeout=20)
    assert worker_build(page) == "test-build-3"
    page.goto("/forms")
    wait_ready_offline(page, 2)
    assert not profile.js_errors, profile.js_errors


def test_registry_lists_are_kept_with_the_form_and_a_newly_approved_group_reaches_it(
        launch, server, make_user, app):
    """The assessment reads groups.csv (made per user from the registry, not attached at publish); the
    fill page carries the list. "Ready offline" means the page with the list is on the tablet before
    the form was ever opened, and a group the district approves later reaches the tablet with the next
    online visit (the manifest's registry_version changes), offline too."""
    from app.demo import publish_bundled
    from app.registry.seed import seed_villages
    from tests.browser.test_bundled_assessment import DISTRICT, GROUP, GROUP_NAME, add_group, assessment

    publish_bundled()
    seed_villages()
    add_group(GROUP, GROUP_NAME, DISTRICT)
    version = assessment().version
    officer = make_user("officer", district=DISTRICT)
    profile = launch()
    page = open_form_list(profile, officer, BUNDLED)
    cached_page = """async ([name, url]) => {
        const r = await (await caches.open(name)).match(url, {ignoreVary: true});
        return r ? await r.text() : null;
    }"""
    where = [f"chumchon-form:sg_assessment_21:{version}", fill_url("sg_assessment_21", version)]
    assert GROUP_NAME in (page.evaluate(cached_page, where) or "")

    add_group("SG-4209-T009", "กลุ่มออมทรัพย์ที่เพิ่งอนุมัติ", DISTRICT)  # the district approves one more
    page.goto("/forms")
    wait_ready_offline(page, BUNDLED)
    assert "กลุ่มออมทรัพย์ที่เพิ่งอนุมัติ" in (page.evaluate(cached_page, where) or "")
    go_offline(profile, server)
    page.goto(fill_url("sg_assessment_21", version))
    page.wait_for_selector("#fill[data-ready=true]")
    choices = page.locator('.q[data-name="group"] .choice').all_inner_texts()
    assert any(GROUP_NAME in c for c in choices), choices
    assert any("กลุ่มออมทรัพย์ที่เพิ่งอนุมัติ" in c for c in choices), choices
    assert not profile.js_errors, profile.js_errors


def test_on_a_shared_tablet_a_cached_form_page_keeps_drafts_for_who_is_signed_in_now(
        launch, server, published, make_user):
    """A form page the worker kept names (in <body data-user-id>) whoever was signed in when it was
    cached; officer B, signed in after A on the same tablet, opens it from the cache: B's draft is
    B's (B's drafts page lists it), not A's."""
    a, b = make_user("officer"), make_user("officer")
    profile = launch()
    page = open_form_list(profile, a)
    url = fill_url(ALL_TYPES_FORM_ID, published[ALL_TYPES_FORM_ID])
    page.goto(url)
    page.wait_for_selector("#fill[data-ready=true]")
    page.goto("/signout")
    page.get_by_role("button", name="ออกจากระบบ").click()
    page.wait_for_url("**/signin**")

    sign_in_page(page, b.username, TEST_PASSWORD)
    page.goto(url)  # from the worker's cache (refreshed behind it): still A's <body data-user-id>
    page.wait_for_selector("#fill[data-ready=true]")
    assert page.evaluate("document.body.dataset.userId") == str(a.id)
    page.locator('.q[data-name="respondent"] input').fill("ร่างของบี")
    page.wait_for_url("**?draft=*")
    assert page.evaluate("window.chumchon.drafts.userId") == str(b.id)
    page.goto("/drafts")
    page.wait_for_selector("#offline-page[data-ready=true]")
    assert page.locator("#offline-page").get_attribute("data-drafts") == "1"
    assert not profile.js_errors, profile.js_errors


def test_a_sign_in_redirect_never_replaces_a_cached_page(profile, server, published, make_user, app):
    """Signed out (session gone) while online: the worker's refresh of a cached fill page gets a
    redirect to /signin, and the cached page stays as it was."""
    officer = make_user("officer")
    page = open_form_list(profile, officer)
    url = fill_url(ALL_TYPES_FORM_ID, published[ALL_TYPES_FORM_ID])
    profile.clear_cookies()  # the session is gone; the worker's own fetch now meets /signin
    page.evaluate("u => fetch(u, {credentials: 'same-origin'}).then((r) => r.url)", url)
    page.goto(url)  # served from the cache, refreshed in the background (redirect: not stored)
    page.wait_for_selector("#fill[data-ready=true]")
    page.wait_for_timeout(500)
    cached = page.evaluate("""async (u) => {
        const r = await caches.match(u, {ignoreVary: true});
        return r ? (await r.text()).includes('id="fill"') : null;
    }""", url)
    assert cached is True
    names = cache_names(page)
    pages_keys = page.evaluate("caches.open('chumchon-pages').then((c) => c.keys()).then((ks) => ks.length)")
    assert pages_keys == 1
    # The form list itself while signed out: the network's redirect is followed, the cache kept.
    page.goto("/forms")
    assert "/signin" in page.url
    assert page.evaluate("""caches.match('/forms', {ignoreVary: true}).then((r) => r && r.text())
                            .then((t) => !!t && t.includes('data-offline-form'))""")
    assert any(n.startswith("chumchon-form:") for n in names)
