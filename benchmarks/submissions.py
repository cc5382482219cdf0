"""Publish the largest corpus form and post submissions to a real gunicorn server over loopback.

Prints: publish time, submissions per second, p50/p95/max latency of POST /submission.
Each client signs in once as an officer (session cookie + CSRF header, as the browser does).
    .venv/bin/python benchmarks/submissions.py                      # SQLite in a temp folder
    .venv/bin/python benchmarks/submissions.py --database-url postgresql+psycopg://...
    scripts/with-postgres.sh sh -c '.venv/bin/python benchmarks/submissions.py --database-url "$TEST_DATABASE_URL"'
Options: --count 2000 --clients 4 --form PATH.xlsx
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import gunicorn  # noqa: E402
BENCH_PASSWORD = "benchmark-password-2569"
DEFAULT_FORM = ROOT.parent / "shared" / "xlsform-corpus" / "dev" / "web-forms__whova_form.xlsx"


def sample_value(node, rng: random.Random) -> str:  # noqa: ANN001
    t = node.datatype
    if node.choices:
        names = [c.name for c in node.choices]
        if node.control == "select":
            return " ".join(sorted(set(rng.sample(names, k=min(len(names), rng.randint(1, 3))))))
        return rng.choice(names)
    if node.itemset is not None:  # external list: no static choices to pick from
        return ""
    return {
        "int": lambda: str(rng.randint(0, 120)),
        "decimal": lambda: f"{rng.uniform(0, 1000):.2f}",
        "date": lambda: f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "time": lambda: f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00.000+07:00",
        "dateTime": lambda: "2026-11-25T10:00:00.000+07:00",
        "geopoint": lambda: f"{rng.uniform(17, 18):.6f} {rng.uniform(101, 102):.6f} 250 5",
        "binary": lambda: "",
        "string": lambda: rng.choice(["บ้านนาอ้อ", "Somchai", "กลุ่มอาชีพทอผ้า", "ok"]),
    }.get(t, lambda: "")()


def make_instance(definition, xform: str, rng: random.Random) -> bytes:  # noqa: ANN001
    """Fill the XForm's primary instance template with plausible answers of the right types."""
    doc = etree.fromstring(xform.encode())
    ns = {"x": "http://www.w3.org/2002/xforms"}
    template = doc.find(".//x:model/x:instance", ns)[0]
    root = etree.fromstring(etree.tostring(template))
    for el in root.iter():
        el.tag = etree.QName(el).localname
        for a in list(el.attrib):
            if a.endswith("template"):
                del el.attrib[a]
    nodes = {n.path: n for n in definition.nodes()}

    def walk(el, path: str) -> None:  # noqa: ANN001
        for child in el:
            p = f"{path}/{child.tag}"
            node = nodes.get(p)
            if len(child):
                walk(child, p)
            elif node is not None and node.kind == "field" and node.control is not None:
                child.text = sample_value(node, rng) or None
    walk(root, f"/{root.tag}")
    meta = root.find("meta")
    if meta is None:
        meta = etree.SubElement(root, "meta")
    iid = meta.find("instanceID")
    if iid is None:
        iid = etree.SubElement(meta, "instanceID")
    iid.text = f"uuid:{uuid.UUID(int=rng.getrandbits(128))}"
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def multipart(xml: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; "
        f"filename=\"xml_submission_file.xml\"\r\nContent-Type: text/xml\r\n\r\n"
    ).encode() + xml + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def sign_in(conn: http.client.HTTPConnection) -> dict[str, str]:
    """Sign in through /signin like a browser; returns the headers later requests must carry."""
    import re
    from urllib.parse import urlencode

    def get_signin(cookie: str | None) -> tuple[str, str | None]:
        conn.request("GET", "/signin", headers={"Cookie": cookie} if cookie else {})
        resp = conn.getresponse()
        html = resp.read().decode()
        new_cookie = resp.getheader("Set-Cookie")
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        return token, (new_cookie.split(";", 1)[0] if new_cookie else cookie)

    token, cookie = get_signin(None)
    body = urlencode({"username": "bench", "password": BENCH_PASSWORD, "csrf_token": token})
    conn.request("POST", "/signin", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 303:
        raise SystemExit(f"sign-in failed: {resp.status}")
    cookie = resp.getheader("Set-Cookie").split(";", 1)[0]
    token, cookie = get_signin(cookie)
    return {"Cookie": cookie, "X-CSRFToken": token}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--form", type=Path, default=DEFAULT_FORM)
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="chumchon-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    env = dict(os.environ, DATABASE_URL=url, CHUMCHON_INSTANCE=str(tmp), SESSION_COOKIE_SECURE="0",
               SECRET_KEY="benchmark-secret")
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine, text
        eng = create_engine(url)
        with eng.begin() as c:
            c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        eng.dispose()

    from app.migrate import upgrade
    upgrade(url)

    from app import create_app, db
    from app.forms.publishing import publish_workbook
    from app.xlsform.definition import FormDefinition

    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": tmp})
    with app.app_context():
        t0 = time.perf_counter()
        result = publish_workbook(args.form.name, args.form.read_bytes(), published_by="benchmark")
        publish_s = time.perf_counter() - t0
        version = result.form_version
        from app.auth.accounts import create_user, seed_districts
        seed_districts()
        create_user("bench", "Benchmark officer", "officer", BENCH_PASSWORD, district="4201", actor="benchmark")
        definition = FormDefinition.from_dict(version.definition)
        xform = version.xform
        n_questions = sum(1 for n in definition.nodes() if n.kind == "field")
        db.session.remove()

    rng = random.Random(2566)
    payloads = [multipart(make_instance(definition, xform, rng)) for _ in range(args.count)]

    with gunicorn(env) as port:
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()
        queue = list(payloads)

        def worker() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            auth = sign_in(conn)
            while True:
                with lock:
                    if not queue:
                        break
                    body, ctype = queue.pop()
                t = time.perf_counter()
                conn.request("POST", "/submission", body=body,
                              headers={"Content-Type": ctype, "X-OpenRosa-Version": "1.0", **auth})
                resp = conn.getresponse()
                resp.read()
                dt = time.perf_counter() - t
                with lock:
                    latencies.append(dt)
                    statuses[resp.status] = statuses.get(resp.status, 0) + 1
            conn.close()

        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(args.clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - started

    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite (WAL)"
    print(f"database            {backend}")
    print(f"form                {args.form.name} ({n_questions} fields)")
    print(f"publish             {publish_s * 1000:.0f} ms")
    print(f"submissions         {len(latencies)} with {args.clients} clients; statuses {statuses}")
    print(f"throughput          {len(latencies) / elapsed:.1f} submissions/s")
    print(f"latency p50 / p95   {q[49] * 1000:.1f} ms / {q[94] * 1000:.1f} ms (max {latencies[-1] * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
