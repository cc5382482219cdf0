"""Page weight and time to interactive of the fill page, first visit and repeat visit (service worker).

Publishes the 21-indicator assessment (app/questionnaires/sg_assessment_21.xlsx) into a temp SQLite
database, serves it with gunicorn on loopback (responses compressed by flask-compress), and opens
the form's fill page (the versioned URL the form list links to) in headless Chromium with Slow 3G
(400 ms RTT, 400 kbit/s down and up) and 4x CPU throttling, measured through the CDP Network domain:

- first load: bytes on the wire (encodedDataLength: compressed bodies + headers) of every resource
  the page loads, cold cache; and time to interactive (#fill[data-ready=true], the runtime started);
- the service worker's install on that first visit (precache of the app shell + caching every
  form): bytes counted by gunicorn's access log (bodies only), reported apart;
- repeat visit, the officer's way: the form list is open (and settled), the officer taps the form:
  bytes the fill page takes from the network before it is interactive (target 0: all from the
  service worker) and time to interactive from the tap (navigation start, so unloading the list
  counts); plus the worker's background refresh of the page (stale-while-revalidate) from the
  access log.

    .venv/bin/python benchmarks/page_weight.py [--form PATH.xlsx] [--no-throttle] [--cpu auto|4] [--runs 9]
        [--verbose: every request, and each repeat visit's phases (performance marks of form/index.js)]
        [--trace FILE: a Chrome trace of the last repeat visit + where its main thread spent the time]
CPU: by default the throttling rate is calibrated (benchmarks/calibration.py) so that a fixed loop
takes as long as on the emulated tablet: a fixed "4x" (--cpu 4) gives a quarter of *this* machine's
speed, which is why the same checkout measured 194 ms on one machine and 472 ms on another. The run
prints the loop's times before and after, and warns when the machine's load changed meanwhile.
Budget (issue 14): first load <= 100 KB compressed in total, fonts included; repeat visit
interactive <= 300 ms median.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from calibration import Calibration  # noqa: E402
from serving import gunicorn  # noqa: E402
DEFAULT_FORM = ROOT / "app" / "questionnaires" / "sg_assessment_21.xlsx"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PASSWORD = "benchmark-password-2569"
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1000 / 8,
           "uploadThroughput": 400 * 1000 / 8}
NO_THROTTLE = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


class Recorder:
    """CDP Network events of one page: bytes per request, where each response came from."""

    def __init__(self, cdp):
        self.requests: dict[str, dict] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestServedFromCache", self._memory)

    def reset(self) -> None:
        self.requests.clear()

    def _sent(self, e) -> None:  # noqa: ANN001
        self.requests.setdefault(e["requestId"], {})["url"] = e["request"]["url"]

    def _response(self, e) -> None:  # noqa: ANN001
        r = self.requests.setdefault(e["requestId"], {"url": e["response"]["url"]})
        resp = e["response"]
        r.update(status=resp["status"], sw=resp.get("fromServiceWorker", False),
                 disk=resp.get("fromDiskCache", False) or resp.get("fromPrefetchCache", False),
                 encoding={k.lower(): v for k, v in (resp.get("headers") or {}).items()}.get("content-encoding", ""),
                 type=e.get("type"))

    def _memory(self, e) -> None:  # noqa: ANN001
        self.requests.setdefault(e["requestId"], {})["memory"] = True

    def _finished(self, e) -> None:  # noqa: ANN001
        self.requests.setdefault(e["requestId"], {})["bytes"] = e["encodedDataLength"]

    def network(self) -> list[dict]:
        """Requests answered by the network (not the worker, not a browser cache)."""
        return [r for r in self.requests.values()
                if "bytes" in r and not r.get("sw") and not r.get("disk") and not r.get("memory")]

    def network_bytes(self) -> int:
        return sum(r["bytes"] for r in self.network())


def access_log_bytes(path: Path, start: int) -> tuple[int, int, list[str]]:
    """Bytes (response bodies) and requests logged by gunicorn since byte offset `start`."""
    lines = path.read_text(encoding="utf-8", errors="replace")[start:].splitlines()
    total, rows = 0, []
    for line in lines:
        m = re.match(r"(\S+) (\S+) (\d+) (\d+|-)$", line.strip())
        if not m:
            continue
        size = int(m.group(4)) if m.group(4) != "-" else 0
        if size == 0 and m.group(3) == "200" and m.group(2).startswith("/static/dist/"):
            # gunicorn logs 0 for file responses: the size of the file sent (brotli when built)
            f = ROOT / "app" / m.group(2).lstrip("/")
            size = next((p.stat().st_size for p in (f.with_name(f.name + ".br"), f) if p.is_file()), 0)
        total += size
        rows.append(f"{m.group(1)} {m.group(2)} {m.group(3)} {size}")
    return total, len(rows), rows


PHASES = """() => {
    const n = performance.getEntriesByType("navigation")[0] || {};
    const t = (window.chumchon && window.chumchon.timing) || {};
    const r = (x) => Math.round(x || 0);
    const m = performance.getEntriesByType("mark").map((x) => `${x.name}=${r(x.startTime)}`).join(" ");
    const res = performance.getEntriesByType("resource").map((x) => `${x.name.split("/").pop()}:${r(x.startTime)}-${r(x.responseEnd)}`).join(" ");
    return JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, r(v)]))) + " " + m + " | " + res + " | " + `worker ${r(n.workerStart)} fetch ${r(n.fetchStart)} unload ${r(n.unloadEventStart)}-${r(n.unloadEventEnd)} ` + `domInteractive ${r(n.domInteractive)} ` + `response ${r(n.responseStart)}-${r(n.responseEnd)}, DOMContentLoaded ${r(n.domContentLoadedEventEnd)}, `
      + `runtime start ${r(t.start)} ms, ready ${r(t.ready)}`;
}"""


def time_to_interactive(page) -> float:  # noqa: ANN001
    page.wait_for_selector("#fill[data-ready=true], #fill[data-ready=error]", timeout=120_000)
    assert page.get_attribute("#fill", "data-ready") == "true", "the form runtime did not start"
    return page.evaluate("""() => {
        const t = window.chumchon && window.chumchon.timing;
        return t && t.ready ? t.ready : performance.now();
    }""")


def trace_summary(path: Path, tti: float) -> str:
    """Main-thread time of the traced visit, by top-level task kind, from navigation to interactive."""
    import json
    from collections import Counter

    events = json.loads(path.read_text())
    events = events.get("traceEvents", events) if isinstance(events, dict) else events
    nav = next((e for e in events if e.get("name") == "navigationStart" and e.get("args", {}).get("data", {})
                .get("isLoadingMainFrame")), None) or next(e for e in events if e.get("name") == "navigationStart")
    main = (nav["pid"], nav["tid"])
    t0, t1 = nav["ts"], nav["ts"] + tti * 1000
    by_kind: Counter = Counter()
    for e in events:
        if (e.get("pid"), e.get("tid")) != main or e.get("ph") != "X" or not (t0 <= e["ts"] <= t1):
            continue
        if e["name"] in ("ParseHTML", "EvaluateScript", "v8.compile", "v8.compileModule", "v8.evaluateModule",
                         "Layout", "UpdateLayoutTree", "Paint", "PrePaint", "Layerize", "ParseAuthorStyleSheet",
                         "FunctionCall", "EventDispatch", "TimerFire", "FireAnimationFrame", "RunMicrotasks",
                         "HitTest", "Commit", "v8.produceModuleCache", "v8.run", "V8.GCScavenger", "MajorGC", "MinorGC"):
            by_kind[e["name"]] += e.get("dur", 0) / 1000
    rows = ", ".join(f"{k} {v:.0f} ms" for k, v in by_kind.most_common(12))
    return f"    main thread to interactive (trace {path}): {rows}"


def kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--form", type=Path, default=DEFAULT_FORM)
    ap.add_argument("--runs", type=int, default=9, help="repeat visits to time (median printed)")
    ap.add_argument("--no-throttle", action="store_true", help="no network/CPU emulation")
    ap.add_argument("--cpu", default="auto", help="CPU throttling: 'auto' (calibrated to the emulated tablet, "
                    "benchmarks/calibration.py) or a fixed multiplier such as 4")
    ap.add_argument("--trace", type=Path, help="write a Chrome trace of the last repeat visit here and "
                    "print where the renderer's main thread spent its time before interactive")
    ap.add_argument("--verbose", action="store_true", help="list every request")
    args = ap.parse_args()

    if not (ROOT / "app" / "static" / "dist" / "sw.js").exists():
        subprocess.run(["node", "build.mjs"], cwd=ROOT, check=True)

    tmp = Path(tempfile.mkdtemp(prefix="chumchon-weight-"))
    url = f"sqlite:///{tmp / 'weight.db'}"
    env = dict(os.environ, DATABASE_URL=url, CHUMCHON_INSTANCE=str(tmp), SESSION_COOKIE_SECURE="0",
               SECRET_KEY="benchmark-secret")
    from app.migrate import upgrade

    upgrade(url)
    from app import create_app, db
    from app.forms.publishing import publish_workbook

    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": tmp})
    with app.app_context():
        from app.auth.accounts import create_user, seed_districts

        seed_districts()
        create_user("weight", "Page weight officer", "officer", PASSWORD, district="4201", actor="benchmark")
        fv = publish_workbook(args.form.name, args.form.read_bytes(), published_by="benchmark",
                              media_dir=args.form.parent).form_version
        form_id, version = fv.form.form_id, fv.version
        fill_path = f"/forms/{form_id}/versions/{version}/fill"
        db.session.remove()

    log = tmp / "access.log"
    log.touch()
    with gunicorn(env, "--access-logfile", str(log), "--access-logformat", "%(m)s %(U)s %(s)s %(B)s",
                  threads=4) as port:
        measure(f"http://127.0.0.1:{port}", fill_path, form_id, version, log, args)


def measure(base: str, fill_path: str, form_id: str, version: str, log: Path, args) -> None:  # noqa: ANN001
    from playwright.sync_api import sync_playwright

    conditions = NO_THROTTLE if args.no_throttle else SLOW_3G
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base, viewport={"width": 800, "height": 1280}, locale="th-TH")
        # Sign in without a page (no asset gets into the browser's cache before the measured visit).
        signin = context.request.get("/signin").text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', signin) or re.search(
            r'<meta name="csrf-token" content="([^"]+)"', signin)
        r = context.request.post("/signin", form={"username": "weight", "password": PASSWORD,
                                                  "csrf_token": token.group(1)}, max_redirects=0)
        assert r.status in (302, 303), f"sign-in failed: {r.status}"

        page = context.new_page()
        cdp = context.new_cdp_session(page)
        rec = Recorder(cdp)
        cal = Calibration(page, cdp)
        cpu = cal.rate(1 if args.no_throttle else args.cpu)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", conditions)

        # ---- first visit: cold cache, no service worker yet
        start = log.stat().st_size
        page.goto(fill_path, wait_until="load", timeout=180_000)
        tti_first = time_to_interactive(page)
        first_phases = page.evaluate(PHASES)
        page.wait_for_load_state("networkidle", timeout=180_000)  # late fonts, media: all resources
        first_requests = rec.network()
        first_bytes = rec.network_bytes()
        # The worker installs (precache) and caches the forms: wait for that, then count its bytes.
        page.wait_for_selector("html[data-offline-sync]", timeout=180_000)
        sync_state = page.get_attribute("html", "data-offline-sync")
        page.wait_for_timeout(500)
        install_bytes, install_count, install_rows = access_log_bytes(log, start)

        # ---- repeat visits: the worker answers
        ttis, repeat_bytes, bg_bytes, bg_rows = [], [], [], []
        for run in range(args.runs):
            rec.reset()
            start = log.stat().st_size
            # The officer's way in: the form list (settled: its own sync with the worker done), then a tap
            # on the form. Navigation timing starts at the tap, so unloading the list counts too.
            page.goto("/", wait_until="load", timeout=180_000)
            page.wait_for_selector("html[data-offline-sync]", timeout=180_000)
            page.wait_for_timeout(2000)
            rec.reset()
            start = log.stat().st_size
            cal.recalibrate(1 if args.no_throttle else args.cpu)
            tracing = args.trace and run == args.runs - 1
            if tracing:
                browser.start_tracing(page=page, path=str(args.trace), categories=[
                    "devtools.timeline", "blink.user_timing", "v8.execute"])
            page.goto(fill_path, wait_until="load", timeout=180_000)
            ttis.append(time_to_interactive(page))
            if tracing:
                browser.stop_tracing()
            phases = page.evaluate(PHASES)
            if args.verbose:
                print("    run", run, phases)
            repeat_bytes.append(rec.network_bytes())
            page.wait_for_selector("html[data-offline-sync]", timeout=180_000)
            page.wait_for_timeout(1500)
            b, _, rows = access_log_bytes(log, start)
            bg_bytes.append(b)
            bg_rows = rows
        repeat_requests = rec.requests.values()
        calibration = cal.report()
        browser.close()

    mode = "no throttling" if args.no_throttle else f"Slow 3G (400 ms RTT, 400 kbit/s) + {cpu:.2f}x CPU"
    print(f"fill page of {form_id} v{version} ({fill_path}), {mode}")
    print(calibration)
    print(f"first load: {kb(first_bytes)} over the network in {len(first_requests)} requests "
          f"(compressed, with headers); interactive after {tti_first:.0f} ms   [budget <= 100 KB]")
    print(f"    ({first_phases})")
    for req in sorted(first_requests, key=lambda x: -x["bytes"]):
        print(f"    {req['bytes']:>8} B  {req.get('encoding') or '-':<5} {req['url'].replace(base, '')}")
    print(f"  server side, the whole first visit incl. the service worker's install (precache of the shell,"
          f" every form cached): {kb(install_bytes)} of response bodies in {install_count} requests"
          f" (forms sync: {sync_state})")
    if args.verbose:
        for row in install_rows:
            print("      ", row)
    from_sw = sum(1 for r in repeat_requests if r.get("sw"))
    print(f"repeat visit: {kb(max(repeat_bytes))} from the network before interactive "
          f"({from_sw} responses from the service worker); interactive after "
          f"{statistics.median(ttis):.0f} ms median, {max(ttis):.0f} ms slowest ({len(ttis)} visits: {', '.join(f'{t:.0f}' for t in ttis)})"
          f"   [budget <= 300 ms]")
    print(f"    (last visit: {phases})")
    if args.trace:
        print(trace_summary(args.trace, ttis[-1]))
    print(f"  + background refresh by the worker after the page is shown: {kb(max(bg_bytes))} per visit "
          f"({'; '.join(bg_rows) or 'none'})")


if __name__ == "__main__":
    main()
