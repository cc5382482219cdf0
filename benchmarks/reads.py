"""Reads at scale: each page and API list, for every role, with 10 k / 100 k / 1 M assessments in PostgreSQL.

Loads the bundled 21-indicator assessment's submissions with their score rows (cloned from real ones
received through the normal path, spread over Loei's 14 districts, 3 years and 30,500 registry
groups; 3,050 committee links) in bulk with COPY into the app's own tables, then asks every
endpoint of ENDPOINTS as admin, province, district office and officer, in process (Flask's test
client: server time, no network), and prints the median / p95 per size, so the growth shows. Every
answer must be 200 (the script exits 1 otherwise); endpoints a role may not call are shown as "-".

    scripts/with-postgres.sh sh -c '.venv/bin/python benchmarks/reads.py --database-url "$TEST_DATABASE_URL"'
Options: --sizes 10000,100000,1000000  --repeat 15  --exports (a province-wide CSV and XLSX export at the
largest size: time and the exporting process's peak memory)
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "benchmark-password-2569"
ROLES = ("admin", "province", "district", "officer")
GROUPS = 30_500
LINK_EVERY = 10  # one committee link per ten groups

# One line per page: (label, URL; {form} the assessment's form id, {iid} a submission every role may
# see (the officer's newest), {cursor100} the cursor of the API list's 100th page for that role).
ENDPOINTS = [
    ("offline manifest", "/offline/manifest.json"),
    ("form list", "/forms"),
    ("OpenRosa form list", "/formList"),
    ("API forms", "/api/v1/forms"),
    ("API form", "/api/v1/forms/{form}"),
    ("API submissions", "/api/v1/forms/{form}/submissions"),
    ("API submissions, page 100 by offset", "/api/v1/forms/{form}/submissions?offset=4950"),
    ("API submissions, page 100 by next", "/api/v1/forms/{form}/submissions?cursor={cursor100}"),
    ("submission page", "/forms/{form}/submissions/{iid}"),
    ("API submission", "/api/v1/submissions/{iid}"),
    ("meeting screen", "/submissions/{iid}/meeting"),
    ("API score", "/api/v1/submissions/{iid}/score"),
    ("submissions list", "/forms/{form}/submissions"),
    ("committee links", "/registry/committee-links"),
]


BASELINE = "API forms"  # reads no submission: the same-run baseline the pages are compared with


# ----------------------------------------------------------------------------- the data

def setup(url: str, tmp: Path):  # noqa: ANN201
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    from app.migrate import upgrade

    upgrade(url)
    from app import create_app

    return create_app({"DATABASE_URL": url, "INSTANCE_DIR": tmp, "SECRET_KEY": "reads", "SESSION_COOKIE_SECURE": False,
                       "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8192, "ARGON2_PARALLELISM": 1})


def seed(app) -> dict:  # noqa: ANN001
    """Forms, districts, villages, 30,500 groups, the four accounts, committee links and the templates."""
    from sqlalchemy import select

    from app import db
    from app.auth.accounts import create_user, seed_districts
    from app.demo import publish_bundled
    from app.models import CommitteeLink, Form, Group, GroupStatus, OfficerAssignment, Submission
    from app.registry.seed import loei_2566, seed_villages

    with app.app_context():
        seed_districts()
        publish_bundled()
        seed_villages()
        districts = [d.code for d in loei_2566()]
        groups: dict[str, list[str]] = {d: [] for d in districts}
        rows = []
        for n in range(GROUPS):
            d = districts[n % len(districts)]
            code = f"SG-{d}-R{n:05d}"
            groups[d].append(code)
            rows.append({"code": code, "kind": "savings", "name": f"กลุ่มออมทรัพย์เพื่อการผลิต {n}", "district_code": d,
                         "village_code": f"{d}0101", "status": GroupStatus.APPROVED, "registered_on": date(2015, 1, 1),
                         "properties": {}, "entity_id": f"reads:{code}"})
        db.session.execute(Group.__table__.insert(), rows)
        db.session.commit()
        users = {"admin": create_user("r_admin", "admin", "admin", PASSWORD, actor="reads"),
                 "province": create_user("r_province", "province", "province", PASSWORD, province="42", actor="reads"),
                 "district": create_user("r_district", "district", "district", PASSWORD, district="4201", actor="reads"),
                 "officer": create_user("r_officer", "officer", "officer", PASSWORD, district="4201", actor="reads")}
        # Five officers send a district's assessments; the measured officer is one of 4201's.
        senders = {d: [create_user(f"r_officer{d}_{k}", f"officer {d}/{k}", "officer", PASSWORD, district=d,
                                   actor="reads").id for k in range(5 if d != "4201" else 4)] for d in districts}
        senders["4201"].append(users["officer"].id)
        group_ids = dict(db.session.execute(select(Group.code, Group.id).where(Group.district_code == "4201")).all())
        for code in groups["4201"][:20]:
            db.session.add(OfficerAssignment(user_id=users["officer"].id, group_id=group_ids[code], assigned_by="reads"))
        form = db.session.scalar(select(Form).where(Form.form_id == "sg_assessment_21"))
        now = datetime.now(timezone.utc)
        links = [{"form_pk": form.id, "group_ref": code, "district_code": d, "token_hash": uuid.uuid4().hex * 2,
                  "created_by": "reads", "created_at": now, "expires_at": now + timedelta(days=365)}
                 for d in districts for code in groups[d][::LINK_EVERY]]
        db.session.execute(CommitteeLink.__table__.insert(), links)
        db.session.commit()
        templates = _templates(app, users["officer"])
        db.session.expire_all()
        template_rows = [_row(db.session.get(Submission, sid)) for sid in templates]
        return {"groups": groups, "senders": senders, "form_pk": form.id, "templates": template_rows,
                "version_id": template_rows[0]["submission"]["form_version_id"]}


def _templates(app, officer) -> list[int]:  # noqa: ANN001
    """60 valid assessments received through the normal path: what the bulk rows are cloned from."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from submissions import assessment_payloads

    from app.demo import _latest
    from app.forms.receiving import receive_submission

    version = _latest("sg_assessment_21")
    out = []
    for xml in assessment_payloads(version, 60, random.Random(12)):
        outcome = receive_submission(xml, {}, officer.username, sender=officer)
        assert outcome.status == 201 and outcome.submission.status == "accepted", outcome.message_en
        out.append(outcome.submission.id)
    return out


def _row(sub) -> dict:  # noqa: ANN001
    from sqlalchemy import select

    from app import db
    from app.models import Score, ScoreGroupResult, Submission

    score = db.session.scalar(select(Score).where(Score.submission_id == sub.id))
    groups = db.session.scalars(select(ScoreGroupResult).where(ScoreGroupResult.score_id == score.id)
                                .order_by(ScoreGroupResult.position)).all()
    return {"submission": {c.key: getattr(sub, c.key) for c in Submission.__table__.columns},
            "score": {c.key: getattr(score, c.key) for c in Score.__table__.columns},
            "groups": [{c.key: getattr(g, c.key) for c in ScoreGroupResult.__table__.columns} for g in groups]}


def grow(app, data: dict, have: int, want: int) -> None:  # noqa: ANN001
    """Add submissions (with score and group rows) until there are `want` (COPY, 20,000 a batch)."""
    from sqlalchemy import text

    from app import db
    from app.models import Score, ScoreGroupResult, Submission

    rng = random.Random(want)
    districts = sorted(data["groups"])
    sub_cols = [c.key for c in Submission.__table__.columns]
    score_cols = [c.key for c in Score.__table__.columns]
    group_cols = [c.key for c in ScoreGroupResult.__table__.columns]
    json_cols = {"errors", "data", "points"}
    with app.app_context():
        engine = db.engine()
        with engine.connect() as c:
            sub_id = c.scalar(text("SELECT coalesce(max(id), 0) FROM submissions"))
            score_id = c.scalar(text("SELECT coalesce(max(id), 0) FROM scores"))
            group_id = c.scalar(text("SELECT coalesce(max(id), 0) FROM score_group_results"))
        frozen = [{"submission": {k: (json.dumps(v) if k in json_cols else v) for k, v in t["submission"].items()},
                   "score": {k: (json.dumps(v) if k in json_cols else v) for k, v in t["score"].items()},
                   "groups": t["groups"]} for t in data["templates"]]
        end = datetime.now(timezone.utc) - timedelta(days=1)
        done = have
        raw = engine.raw_connection()
        try:
            while done < want:
                batch = min(20_000, want - done)
                subs, scores, groups = [], [], []
                for _ in range(batch):
                    t = rng.choice(frozen)
                    d = rng.choice(districts)
                    sub_id += 1
                    score_id += 1
                    iid = f"uuid:{uuid.UUID(int=rng.getrandbits(128))}"
                    received = end - timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
                    s = dict(t["submission"], id=sub_id, instance_id=iid, root_instance_id=iid, district_code=d,
                             submitter_id=rng.choice(data["senders"][d]), received_at=received, updated_at=received)
                    subs.append([s[k] for k in sub_cols])
                    day = received.date()
                    sc = dict(t["score"], id=score_id, submission_id=sub_id, district_code=d,
                              group_ref=rng.choice(data["groups"][d]), assessed_on=day, round_year=day.year + 543,
                              scored_at=received)
                    scores.append([sc[k] for k in score_cols])
                    for g in t["groups"]:
                        group_id += 1
                        groups.append([dict(g, id=group_id, score_id=score_id)[k] for k in group_cols])
                with raw.cursor() as cur:
                    for table, cols, rows in (("submissions", sub_cols, subs), ("scores", score_cols, scores),
                                              ("score_group_results", group_cols, groups)):
                        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
                raw.commit()
                done += batch
            with raw.cursor() as cur:
                for table in ("submissions", "scores", "score_group_results"):
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            raw.commit()
        finally:
            raw.close()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))


# ----------------------------------------------------------------------------- asking

def signed_in(app, username: str):  # noqa: ANN001
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").get_data(as_text=True)).group(1)
    r = client.post("/signin", data={"username": username, "password": PASSWORD, "csrf_token": token})
    if r.status_code != 303:
        raise SystemExit(f"FAILED: sign-in of {username}: {r.status_code}")
    return client


def placeholders(app, client, data: dict) -> dict:  # noqa: ANN001
    from sqlalchemy import select

    from app import db
    from app.models import Submission

    with app.app_context():
        iid = db.session.scalar(select(Submission.instance_id).where(Submission.submitter_id == data["senders"]["4201"][-1])
                                .order_by(Submission.received_at.desc()).limit(1))
    url = "/api/v1/forms/sg_assessment_21/submissions"
    cursor = ""
    for _ in range(99):
        body = client.get(url).get_json()
        if not body.get("next"):
            break
        url = body["next"].split("//", 1)[-1].split("/", 1)[-1]
        url = "/" + url
        cursor = url.split("cursor=", 1)[1].split("&", 1)[0]
    return {"form": "sg_assessment_21", "iid": iid, "cursor100": cursor}


def measure(app, clients: dict, values: dict[str, dict], repeat: int, db_cpu) -> dict:  # noqa: ANN001
    from app.auth.policy import allowed, rule_for

    adapter = app.url_map.bind("localhost")
    out = {}
    for label, template in ENDPOINTS:
        for role in ROLES:
            url = template.format(**values[role])
            endpoint = adapter.match(url.split("?", 1)[0])[0]
            if not allowed(rule_for(endpoint), role):
                out[(label, role)] = None
                continue
            client = clients[role]
            times, cpu = [], []
            for i in range(repeat + 2):
                t, c, d = time.perf_counter(), time.process_time(), db_cpu()
                r = client.get(url)
                dt = time.perf_counter() - t
                dc = time.process_time() - c + (db_cpu() - d)
                if r.status_code != 200:
                    raise SystemExit(f"FAILED: {label} as {role}: {url} answered {r.status_code}")
                if i >= 2:
                    times.append(dt)
                    cpu.append(dc)
            times.sort()
            out[(label, role)] = (statistics.median(times) * 1000, times[min(len(times) - 1, int(len(times) * 0.95))] * 1000,
                                  statistics.median(cpu) * 1000)
    return out


def exports(app, url: str, clients: dict, rows: int) -> list[str]:  # noqa: ANN001
    """A province-wide CSV and XLSX export at the largest size, each prepared by
    `flask --app wsgi exports run-pending` in a process of its own: time, peak memory (RSS), rows."""
    import resource
    import subprocess

    from sqlalchemy import select

    from app import db
    from app.models import ExportJob
    from app.reports import jobs

    app.config["EXPORT_INLINE_ROWS"] = 2000
    real_start, jobs.start = jobs.start, lambda app, job_id: None  # the subprocess runs them, not this one
    out = []
    try:
        for fmt in ("csv", "xlsx"):
            r = clients["province"].get(f"/forms/sg_assessment_21/export.{fmt}?headers=names")
            if r.status_code != 303:
                raise SystemExit(f"FAILED: export.{fmt} answered {r.status_code}")
            token = r.headers["Location"].rsplit("/", 1)[1]
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            t0 = time.perf_counter()
            done = subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "exports", "run-pending"],
                                  cwd=ROOT, env=dict(os.environ, DATABASE_URL=url, SECRET_KEY="reads"),
                                  capture_output=True, text=True)
            took = time.perf_counter() - t0
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            with app.app_context():
                job = db.session.scalar(select(ExportJob).where(ExportJob.token == token))
                state = (job.status, job.rows_done, job.rows_total, job.size)
                db.session.remove()
            if done.returncode != 0 or state[0] != "done" or state[1] != state[2]:
                raise SystemExit(f"FAILED: {fmt} export: {state} {done.stderr[-2000:]}")
            rss = f"{peak / 1024:.0f} MB" if peak > before else f"<= {before / 1024:.0f} MB"
            out.append(f"{fmt.upper():<5} {state[1]:>10,} rows  {state[3] / 1e6:>9.1f} MB  {took:>7.0f} s  "
                       f"peak RSS {rss}")
    finally:
        jobs.start = real_start
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--exports", action="store_true", help="also time a province-wide CSV and XLSX export "
                    "at the largest size, with the exporting process's peak memory")
    args = ap.parse_args()
    if not (args.database_url or "").startswith("postgresql"):
        raise SystemExit("reads.py needs PostgreSQL: --database-url postgresql+psycopg://... (scripts/with-postgres.sh)")
    sizes = [int(s) for s in args.sizes.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="chumchon-reads-"))
    app = setup(args.database_url, tmp)
    t0 = time.perf_counter()
    data = seed(app)
    print(f"seeded {GROUPS:,} groups, {GROUPS // LINK_EVERY:,} committee links in {time.perf_counter() - t0:.0f} s",
          flush=True)
    clients = {role: signed_in(app, f"r_{role}") for role in ROLES}
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from submissions import postgres_cpu

    db_cpu = postgres_cpu(args.database_url)
    results = {}
    have = len(data["templates"])
    for size in sizes:
        t0 = time.perf_counter()
        grow(app, data, have, size)
        have = size
        print(f"loaded {size:,} assessments in {time.perf_counter() - t0:.0f} s", flush=True)
        values = {role: placeholders(app, clients[role], data) for role in ROLES}
        results[size] = measure(app, clients, values, args.repeat, db_cpu)
    export_lines = exports(app, args.database_url, clients, sizes[-1]) if args.exports else []
    header = f"{'endpoint':<38}{'role':<10}" + "".join(f"{f'{s:,} rows':>30}" for s in sizes)
    print(f"\nwall median / p95 ms, and median CPU ms of the app process + PostgreSQL per request (in process, "
          f"no network; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(header)
    for label, _url in ENDPOINTS:
        for role in ROLES:
            cells = []
            for size in sizes:
                got = results[size][(label, role)]
                cells.append(f"{'-':>30}" if got is None else f"{got[0]:>12.1f} /{got[1]:>7.1f} · {got[2]:>5.1f}")
            print(f"{label:<38}{role:<10}" + "".join(cells))
    # The same-run baseline: a page that reads no submission ("API forms"), so a slow machine shows as a
    # slow baseline and the ratios stay comparable across runs.
    print(f"\nslowest page per role against the same run's baseline ({BASELINE}), medians")
    for size in sizes:
        for role in ROLES:
            base = results[size][(BASELINE, role)]
            timed = [(got[0], label) for (label, r), got in results[size].items() if r == role and got is not None
                     and "offset" not in label]
            worst, label = max(timed)
            print(f"{size:>10,} {role:<10} baseline {base[0]:6.1f} ms; slowest {label} {worst:6.1f} ms "
                  f"= {worst / base[0]:4.1f}x")
    if export_lines:
        print(f"\nexports of {sizes[-1]:,} assessments as the province (flask exports run-pending, own process)")
        for line in export_lines:
            print(line)


if __name__ == "__main__":
    main()
