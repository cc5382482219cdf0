"""The list pages at scale (issues 12 and 14): the submissions list, its search, the API list and the
committee-links page with up to 1,000,000 assessments in PostgreSQL, for every role.

Loads N scored submissions of the bundled assessment into a fresh database (bulk INSERTs through the
models' tables: `load(n)` below, reusable by other benchmarks), spread over Loei's 14 districts and
30,500 registry groups (one per ~33 assessments), with one committee link per 20 assessments. Then
times each endpoint in-process (Flask test client, server time only) as admin, province, district and
officer: median and p95 of --repeat requests; every response must be 200 with a full page of rows, or
the script exits non-zero. The baseline, measured in the same run on the same data: the list query
this page used before (exact COUNT(*) of the matching rows + OFFSET to page 100).

    CHUMCHON_PG_PORT=54337 CHUMCHON_PG_DATA=/tmp/pg-names scripts/with-postgres.sh \\
        sh -c '.venv/bin/python benchmarks/list_pages.py --database-url "$TEST_DATABASE_URL" --rows 1000000'
Options: --rows 100000 (default) --repeat 15
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_PASSWORD = "benchmark-password-2569"
GROUPS = 30_500
BATCH = 20_000


def load(n: int, *, groups: int = GROUPS, links_every: int = 20, seed_accounts: bool = True) -> dict:
    """Fills the current app's (empty, migrated) database with n scored assessments. Call inside an app
    context. Returns {"form": Form, "districts": [codes], "users": {role: username}}."""
    from sqlalchemy import insert, select, text

    from app import db
    from app.auth.accounts import create_user, seed_districts
    from app.demo import publish_bundled
    from app.models import (CommitteeLink, District, Form, Group, GroupStatus, Score, Submission, Village)

    seed_districts()
    publish_bundled()
    form = db.session.scalar(select(Form).where(Form.form_id == "sg_assessment_21"))
    version = form.latest
    districts = [d.code for d in db.session.scalars(select(District).where(District.code.like("42%"))
                                                   .order_by(District.code))]
    users = {}
    if seed_accounts:
        for role, district in (("admin", None), ("province", None), ("district", districts[0]),
                               ("officer", districts[0])):
            name = f"bench-{role}"
            create_user(name, name, role, BENCH_PASSWORD, district=district,
                        province="42" if role == "province" else None, actor="bench")
            users[role] = name
    officer_id = db.session.scalar(text("SELECT id FROM users WHERE username = 'bench-officer'"))
    s = db.session()
    villages, group_rows = [], []
    for i in range(groups):
        d = districts[i % len(districts)]
        vcode = f"{d}{(i // len(districts)) % 99 + 1:02d}{i // (len(districts) * 99) % 99 + 1:02d}"
        villages.append(vcode)
        group_rows.append({"code": f"SG-{d}-{i:05d}", "kind": "savings", "name": f"กลุ่มออมทรัพย์เพื่อการผลิตบ้านทดสอบ {i}",
                           "village_code": vcode, "district_code": d, "status": GroupStatus.APPROVED,
                           "properties": {}})
    seen = set()
    village_rows = []
    for v in villages:
        if v not in seen:
            seen.add(v)
            village_rows.append({"code": v, "name_th": f"บ้านทดสอบ {v[-4:]}", "tambon_code": v[:6],
                                 "tambon_th": f"ตำบล {v[4:6]}", "district_code": v[:4]})
    s.execute(insert(Village.__table__), village_rows)
    s.execute(insert(Group.__table__), group_rows)
    s.commit()
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    levels = ("3", "2", "1")
    next_id = 1
    for first in range(0, n, BATCH):
        subs, scores, links = [], [], []
        for i in range(first, min(n, first + BATCH)):
            g = group_rows[i % groups]
            iid = f"uuid:{uuid.UUID(int=i + 1)}"
            received = start + timedelta(seconds=i * 90)
            subs.append({"id": next_id, "instance_id": iid, "form_pk": form.id, "form_version_id": version.id,
                         "root_instance_id": iid, "is_current": True, "status": "accepted", "errors": [],
                         "xml": "<data/>", "content_hash": "0" * 64, "data": {}, "submitted_by": "bench-officer",
                         # the benchmark officer sent 1 in 50 of its district's assessments (~1,400 at 1 M:
                         # an officer assesses 20-60 groups a year); the rest came from other accounts
                         "submitter_id": officer_id if g["district_code"] == districts[0] and i % 50 == 0 else None,
                         "district_code": g["district_code"], "received_at": received, "updated_at": received})
            day = received.date()
            scores.append({"submission_id": next_id, "form_pk": form.id, "form_version_id": version.id,
                           "group_ref": g["code"], "district_code": g["district_code"], "round_year": day.year + 543,
                           "assessed_on": day, "total": 40, "max": 63, "percent": 63.49, "level_name": levels[i % 3],
                           "points": {}, "is_current": True, "needs_correction": False, "scored_at": received})
            if i % links_every == 0:
                links.append({"form_pk": form.id, "group_ref": g["code"], "district_code": g["district_code"],
                              "token_hash": uuid.UUID(int=i + 1).hex * 2, "created_by": "bench-district",
                              "created_at": received, "expires_at": received + timedelta(days=365)})
            next_id += 1
        s.execute(insert(Submission.__table__), subs)
        s.execute(insert(Score.__table__), scores)
        if links:
            s.execute(insert(CommitteeLink.__table__), links)
        s.commit()
        print(f"  loaded {min(n, first + BATCH):,} / {n:,}", end="\r", flush=True)
    if db.engine().dialect.name == "postgresql":
        s.execute(text(f"SELECT setval('submissions_id_seq', {next_id})"))
        s.commit()
        with db.engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    print()
    return {"form": form, "districts": districts, "users": users}


def calibrate() -> float:
    """Milliseconds a fixed pure-Python loop takes (best of 5): how fast this machine is right now."""
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i % 7
        best = min(best, (time.perf_counter() - t0) * 1000)
    return best


def timed(client, url: str, repeat: int, check) -> tuple[float, float]:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        problem = check(r)
        if problem:
            sys.exit(f"FAIL {url}: {problem}")
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    import re
    import tempfile

    from sqlalchemy import text

    from app import create_app, db
    from app.migrate import upgrade

    upgrade(args.database_url)
    app = create_app({"DATABASE_URL": args.database_url, "SESSION_COOKIE_SECURE": False, "TESTING": True,
                      "INSTANCE_DIR": Path(tempfile.mkdtemp()), "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8,
                      "ARGON2_PARALLELISM": 1})
    with app.app_context():
        calibration = calibrate()
        print(f"machine: a fixed Python loop took {calibration:.0f} ms now (compare runs by it: on a busier "
              f"machine it takes longer, and so does every figure below)")
        t0 = time.perf_counter()
        world = load(args.rows)
        print(f"loaded {args.rows:,} assessments, {GROUPS:,} groups in {time.perf_counter() - t0:.0f} s")

        # baseline: the list query the page ran before (exact count + OFFSET to page 100), same data
        form_pk = world["form"].id
        base = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            db.session.execute(text("SELECT count(*) FROM submissions WHERE form_pk = :f AND is_current"),
                               {"f": form_pk}).scalar()
            db.session.execute(text("SELECT id FROM submissions WHERE form_pk = :f AND is_current "
                                    "ORDER BY received_at DESC, id DESC LIMIT 50 OFFSET 4950"), {"f": form_pk}).all()
            base.append((time.perf_counter() - t0) * 1000)
        base.sort()
        print(f"baseline (before): COUNT(*) + OFFSET page 100, admin: median {statistics.median(base):.1f} ms, "
              f"p95 {base[int(len(base) * .95)]:.1f} ms")

        rows = re.compile(r'data-instance-id="')
        links = re.compile(r"data-link-id=")

        def page_rows(minimum):
            def check(r):
                if r.status_code != 200:
                    return f"status {r.status_code}"
                n = len(rows.findall(r.get_data(as_text=True)))
                return None if n >= minimum else f"{n} rows, expected >= {minimum}"
            return check

        def api_rows(minimum):
            def check(r):
                if r.status_code != 200:
                    return f"status {r.status_code}"
                return None if len(r.get_json()["items"]) >= minimum else "too few items"
            return check

        def link_rows(r):
            if r.status_code != 200:
                return f"status {r.status_code}"
            return None if len(links.findall(r.get_data(as_text=True))) >= 1 else "no links"

        def found_rows(r):
            if r.status_code != 200:
                return f"status {r.status_code}"
            return None if 'data-group="' in r.get_data(as_text=True) else "no group found"

        from tests.conftest import sign_in  # the real sign-in page

        print(f"\n{'endpoint':58} {'role':9} {'median':>9} {'p95':>9}")
        worst = 0.0
        for role, username in world["users"].items():
            client = app.test_client()
            sign_in(client, username, BENCH_PASSWORD)
            listing = f"/forms/{world['form'].form_id}/submissions"
            first = client.get(listing).get_data(as_text=True)
            older = re.search(r'rel="next" href="([^"]+)"', first)
            cases = [(listing, page_rows(1 if role == "officer" else 50)),
                     (listing + "?q=" + "ทดสอบ 1234", page_rows(0 if role == "officer" else 5)),
                     (f"/api/v1/forms/{world['form'].form_id}/submissions?limit=50", api_rows(1))]
            if older:
                cases.append((older.group(1).replace("&amp;", "&"), page_rows(1)))
            if role != "officer":
                cases.append((listing + f"?district={world['districts'][1]}" if role in ("admin", "province")
                              else listing + "?status=accepted", page_rows(1)))
            if role in ("admin", "province", "district"):
                cases.append(("/registry/committee-links", link_rows))
            if role in ("admin", "district"):  # the offices that make links search for a group
                cases.append(("/registry/committee-links?q=ทดสอบ 1234", found_rows))
            for url, check in cases:
                median, p95 = timed(client, url, args.repeat, check)
                worst = max(worst, median)
                print(f"{url[:58]:58} {role:9} {median:8.1f}  {p95:8.1f}")
        print(f"\nslowest median: {worst:.1f} ms (target <= 100 ms at 1,000,000 assessments); "
              f"baseline median {statistics.median(base):.1f} ms; calibration loop {calibrate():.0f} ms")


if __name__ == "__main__":
    main()
