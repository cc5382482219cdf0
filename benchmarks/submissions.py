"""Receiving throughput: chumchon against its floors, side by side in one run, on one gunicorn setting.

For each scenario it posts the same generated OpenRosa submissions (multipart, `xml_submission_file`)
from 4 client processes to three servers, each gunicorn with 2 workers x 2 threads on loopback:

- null endpoint   a bare Flask endpoint that reads the multipart POST and answers 201 (benchmarks/floor_app.py)
- storage floor   the same + lxml parse + one INSERT into the same database
- chumchon        POST /submission: full re-validation with the form's logic, scoring, storage, audit

and prints submissions/s, latency p50/p95, the server's CPU per submission (user + system time of
the gunicorn master and workers, from /proc; PostgreSQL's own processes apart) and chumchon's ratios
to both floors. Every response is checked: chumchon must answer 201 "created" (and "accepted" where
the generated data is valid), the floors 201; **any other answer makes the script exit 1**.

Scenarios (`--scenario`, default all):
- assessment  the bundled 21-indicator assessment (sg_assessment_21) about real registry groups
              (Loei's 508 demo savings groups seeded; the officer's district 4201), valid answers
- household   the bundled household mapping (hh_mapping), valid answers, one house each
- corpus      the largest corpus form (web-forms__whova_form.xlsx, 531 fields), random typed answers
              (some need correction: still 201 "created")

    .venv/bin/python benchmarks/submissions.py                        # SQLite in a temp folder
    scripts/with-postgres.sh sh -c '.venv/bin/python benchmarks/submissions.py --database-url "$TEST_DATABASE_URL"'
Options: --scenario assessment|household|corpus|all  --count 2000  --clients 4
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import process_cpu, children, serve  # noqa: E402

BENCH_PASSWORD = "benchmark-password-2569"
CORPUS = ROOT.parent / "shared" / "xlsform-corpus" / "dev"
DEFAULT_FORM = CORPUS / "web-forms__whova_form.xlsx"
QUESTIONNAIRES = ROOT / "app" / "questionnaires"
SCENARIOS = ("assessment", "household", "corpus")
BENCH_DISTRICT = "4201"


# ----------------------------------------------------------------------------- generated submissions

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


def with_calculates(xml: bytes, definition) -> bytes:  # noqa: ANN001
    """The submission as a device sends it: its calculates hold the values the form computes."""
    from app.xlsform.revalidate import revalidate
    from app.xlsform.submission import parse_submission

    data = revalidate(parse_submission(xml), definition, set()).data
    root = etree.fromstring(xml)
    for node in definition.nodes():
        if node.kind == "field" and node.calculate and isinstance(data.get(node.path), str):
            el = root.find(node.path.split("/", 2)[2]) if node.path.count("/") > 1 else None
            if el is not None:
                el.text = data[node.path] or None
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def assessment_payloads(version, count: int, rng: random.Random) -> list[bytes]:  # noqa: ANN001
    """Valid assessments of the district's real registry groups: every select indicator a scored
    choice, the numeric inputs one of the demo's two profiles."""
    from app.demo import PROFILES, instance_xml
    from app.forms.definitions import definition_of
    from app.registry.seed import demo_group_code, loei_2566

    definition = definition_of(version)
    names = {n.name for n in definition.nodes() if n.kind == "field"}
    groups = next(d.groups for d in loei_2566() if d.code == BENCH_DISTRICT)
    selects = [(i["name"], sorted(i["scores"])) for i in version.scoring["indicators"] if i["kind"] == "select"]
    out = []
    for _ in range(count):
        answers = {**rng.choice(list(PROFILES.values())),
                   "group": demo_group_code(BENCH_DISTRICT, rng.randint(1, groups)),
                   "assessed_on": f"2026-03-{rng.randint(1, 28):02d}", "assessor_name": "นายสมชาย พัฒนากร"}
        answers.update({name: rng.choice(options) for name, options in selects})
        answers = {k: v for k, v in answers.items() if k in names}
        xml = instance_xml(version.xform, definition, answers, f"uuid:{uuid.UUID(int=rng.getrandbits(128))}")
        out.append(with_calculates(xml, definition))
    return out


def household_payloads(version, count: int, rng: random.Random) -> list[bytes]:  # noqa: ANN001
    from app.demo import household_answers, instance_xml, thai_national_id
    from app.forms.definitions import definition_of

    definition = definition_of(version)
    out = []
    for n in range(count):
        answers = household_answers()
        answers["house_no"] = f"{n + 1}/{rng.randint(1, 9)}"
        answers["village"] = f"{BENCH_DISTRICT}01{rng.randint(1, 12):02d}"
        answers["national_id"] = thai_national_id(f"3{rng.randint(0, 10**11 - 1):011d}")
        xml = instance_xml(version.xform, definition, answers, f"uuid:{uuid.UUID(int=rng.getrandbits(128))}")
        out.append(with_calculates(xml, definition))
    return out


def multipart(xml: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; "
        f"filename=\"xml_submission_file.xml\"\r\nContent-Type: text/xml\r\n\r\n"
    ).encode() + xml + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


# ----------------------------------------------------------------------------- clients

def _cookies(resp: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    """Every Set-Cookie of a response into `jar` (the session is not the only cookie we are sent)."""
    for header in resp.headers.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            jar[name] = morsel.value


def sign_in(conn: http.client.HTTPConnection) -> dict[str, str]:
    """Sign in through /signin like a browser; returns the headers later requests must carry."""
    jar: dict[str, str] = {}

    def cookie_header() -> str:
        return "; ".join(f"{k}={v}" for k, v in jar.items())

    def get_signin() -> str:
        conn.request("GET", "/signin", headers={"Cookie": cookie_header()} if jar else {})
        resp = conn.getresponse()
        html = resp.read().decode()
        _cookies(resp, jar)
        found = re.search(r'name="csrf_token" value="([^"]+)"', html)
        if resp.status != 200 or not found:
            raise SystemExit(f"FAILED: GET /signin answered {resp.status} without a CSRF token")
        return found.group(1)

    token = get_signin()
    body = urlencode({"username": "bench", "password": BENCH_PASSWORD, "csrf_token": token})
    conn.request("POST", "/signin", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie_header()})
    resp = conn.getresponse()
    resp.read()
    _cookies(resp, jar)
    if resp.status != 303 or "chumchon_session" not in jar:
        raise SystemExit(f"FAILED: sign-in answered {resp.status} (cookies {sorted(jar)})")
    token = get_signin()  # the signed-in session's token
    return {"Cookie": cookie_header(), "X-CSRFToken": token}


@dataclass
class Expect:
    status: int = 201
    outcome: str | None = None  # JSON "outcome" (chumchon only)
    submission_status: str | None = None  # JSON "submission_status" (chumchon only)

    def problem(self, status: int, body: bytes) -> str | None:
        if status != self.status:
            return f"HTTP {status}: {body[:300]!r}"
        if self.outcome is None and self.submission_status is None:
            return None
        try:
            answer = json.loads(body)
        except ValueError:
            return f"HTTP {status} without JSON: {body[:300]!r}"
        if self.outcome is not None and answer.get("outcome") != self.outcome:
            return f"outcome {answer.get('outcome')!r}, not {self.outcome!r}: {answer.get('message_en')}"
        if self.submission_status is not None and answer.get("submission_status") != self.submission_status:
            return (f"submission_status {answer.get('submission_status')!r}, not {self.submission_status!r}: "
                    f"{[e.get('message_en') for e in answer.get('errors') or []][:3]}")
        return None


_PAYLOADS: list[tuple[bytes, str]] = []  # set before the client processes fork


def _client(port: int, path: str, signed_in: bool, expect: Expect, next_index, barrier, results) -> None:  # noqa: ANN001
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"X-OpenRosa-Version": "1.0", "Accept": "application/json"}
    try:
        if signed_in:
            headers.update(sign_in(conn))
    finally:
        barrier.wait()
    latencies, problems = [], []
    while True:
        with next_index.get_lock():
            i = next_index.value
            next_index.value += 1
        if i >= len(_PAYLOADS):
            break
        body, ctype = _PAYLOADS[i]
        t = time.perf_counter()
        conn.request("POST", path, body=body, headers={**headers, "Content-Type": ctype})
        resp = conn.getresponse()
        answer = resp.read()
        latencies.append(time.perf_counter() - t)
        problem = expect.problem(resp.status, answer)
        if problem:
            problems.append(problem)
    conn.close()
    results.put((latencies, problems))


@dataclass
class Run:
    system: str
    count: int
    seconds: float
    latencies: list[float]
    problems: list[str]
    app_cpu: float
    db_cpu: float | None

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def quantile(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1000

    @property
    def app_cpu_ms(self) -> float:
        return self.app_cpu / self.count * 1000

    @property
    def db_cpu_ms(self) -> float | None:
        return None if self.db_cpu is None else self.db_cpu / self.count * 1000


def post_all(system: str, server, path: str, clients: int, signed_in: bool, expect: Expect,
             db_cpu) -> Run:  # noqa: ANN001
    ctx = mp.get_context("fork")
    next_index = ctx.Value("i", 0)
    barrier = ctx.Barrier(clients + 1)
    results = ctx.Queue()
    procs = [ctx.Process(target=_client, args=(server.port, path, signed_in, expect, next_index, barrier, results))
             for _ in range(clients)]
    for p in procs:
        p.start()
    barrier.wait(timeout=300)  # every client signed in
    cpu0, db0 = server.cpu_seconds(), db_cpu()
    started = time.perf_counter()
    gathered = [results.get(timeout=3600) for _ in procs]
    elapsed = time.perf_counter() - started
    cpu1, db1 = server.cpu_seconds(), db_cpu()
    for p in procs:
        p.join()
    latencies = sorted(t for got, _ in gathered for t in got)
    problems = [p for _, got in gathered for p in got]
    if len(latencies) != len(_PAYLOADS):
        problems.append(f"{len(_PAYLOADS) - len(latencies)} submissions were not sent")
    return Run(system, len(latencies), elapsed, latencies, problems, cpu1 - cpu0,
               None if db0 is None else db1 - db0)


# ----------------------------------------------------------------------------- databases

def fresh_database(url: str | None, tmp: Path, name: str) -> str:
    if not url:
        return f"sqlite:///{tmp / f'{name}.db'}"
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


def postgres_cpu(url: str):  # noqa: ANN201
    """A function giving the CPU seconds used so far by the PostgreSQL cluster's processes."""
    if not url.startswith("postgresql"):
        return lambda: None
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as c:
        backend = c.scalar(text("SELECT pg_backend_pid()"))
        with open(f"/proc/{backend}/stat") as f:  # read while the backend lives
            postmaster = int(f.read().rsplit(")", 1)[1].split()[1])
    engine.dispose()
    return lambda: sum(process_cpu(p) for p in [postmaster, *children(postmaster)])


def prepare(scenario: str, url: str, tmp: Path, count: int, rng: random.Random) -> tuple[str, list[bytes]]:
    """Migrate, publish the scenario's form, seed the registry and the officer; return the form's
    description and the generated submissions."""
    from app.migrate import upgrade

    upgrade(url)
    from app import create_app, db
    from app.auth.accounts import create_user, seed_districts
    from app.forms.publishing import publish_workbook
    from app.registry.seed import seed_savings_groups, seed_villages

    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": tmp, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8192})
    with app.app_context():
        seed_districts()
        seed_villages()
        seed_savings_groups()
        create_user("bench", "Benchmark officer", "officer", BENCH_PASSWORD, district=BENCH_DISTRICT, actor="benchmark")
        path = {"assessment": QUESTIONNAIRES / "sg_assessment_21.xlsx",
                "household": QUESTIONNAIRES / "hh_mapping.xlsx", "corpus": DEFAULT_FORM}[scenario]
        version = publish_workbook(path.name, path.read_bytes(), published_by="benchmark").form_version
        from app.forms.definitions import definition_of

        definition = definition_of(version)
        fields = sum(1 for n in definition.nodes() if n.kind == "field")
        if scenario == "assessment":
            payloads = assessment_payloads(version, count, rng)
        elif scenario == "household":
            payloads = household_payloads(version, count, rng)
        else:
            payloads = [make_instance(definition, version.xform, rng) for _ in range(count)]
        db.session.remove()
    floor_table(url)
    return f"{path.name} ({fields} fields)", payloads


def floor_table(url: str) -> None:
    from sqlalchemy import create_engine

    from floor_app import metadata

    engine = create_engine(url)
    metadata.create_all(engine)
    engine.dispose()


# ----------------------------------------------------------------------------- report

def report(scenario: str, form: str, backend: str, runs: list[Run], clients: int) -> None:
    print(f"\n== {scenario}: {form}; {runs[0].count} submissions, {clients} client processes, "
          f"gunicorn 2 workers x 2 threads, {backend}")
    print(f"{'system':<16}{'subs/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'app CPU ms/sub':>16}{'DB CPU ms/sub':>15}")
    for r in runs:
        db_ms = "-" if r.db_cpu_ms is None else f"{r.db_cpu_ms:.2f}"
        print(f"{r.system:<16}{r.per_second:>9.1f}{r.quantile(50):>9.1f}{r.quantile(95):>9.1f}"
              f"{r.app_cpu_ms:>16.2f}{db_ms:>15}")
    by = {r.system: r for r in runs}
    chumchon = by["chumchon"]
    for floor in ("storage floor", "null endpoint"):
        f = by[floor]
        print(f"chumchon / {floor:<14} throughput {chumchon.per_second / f.per_second:6.1%}   "
              f"CPU per submission x{chumchon.app_cpu_ms / f.app_cpu_ms:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", choices=(*SCENARIOS, "all"), default="all")
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="chumchon-bench-"))
    backend = "PostgreSQL" if (args.database_url or "").startswith("postgresql") else "SQLite (WAL)"
    failures = []
    for scenario in SCENARIOS if args.scenario == "all" else (args.scenario,):
        url = fresh_database(args.database_url, tmp, scenario)
        rng = random.Random(f"chumchon-{scenario}")
        form, xmls = prepare(scenario, url, tmp, args.count, rng)
        _PAYLOADS[:] = [multipart(x) for x in xmls]
        env = dict(os.environ, DATABASE_URL=url, CHUMCHON_INSTANCE=str(tmp), SESSION_COOKIE_SECURE="0",
                   SECRET_KEY="benchmark-secret", PYTHONPATH=str(Path(__file__).resolve().parent))
        db_cpu = postgres_cpu(url)
        runs = []
        with serve(env, app="floor_app:app", threads=2) as floor:
            runs.append(post_all("null endpoint", floor, "/null", args.clients, False, Expect(201), db_cpu))
            runs.append(post_all("storage floor", floor, "/floor", args.clients, False, Expect(201), db_cpu))
        valid = scenario != "corpus"
        expect = Expect(201, "created", "accepted" if valid else None)
        with serve(env, threads=2) as app_server:
            runs.append(post_all("chumchon", app_server, "/submission", args.clients, True, expect, db_cpu))
        report(scenario, form, backend, runs, args.clients)
        for r in runs:
            if r.problems:
                failures.append((scenario, r.system, r.problems))
    if failures:
        for scenario, system, problems in failures:
            print(f"\nFAILED {scenario} / {system}: {len(problems)} unexpected answers, e.g.", file=sys.stderr)
            for p in problems[:5]:
                print(f"  {p}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
