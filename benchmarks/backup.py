"""Backup and restore on a database full of photos, and what a backup costs the server receiving.

Fills a database with --count submissions carrying a --photo-kb random photo each (through
receive_submission), then serves it with gunicorn (2 workers x 2 threads) and posts submissions with
photos from --clients clients: first without a backup (the baseline of this run), then while
`flask --app wsgi backup create` runs as its own process (as cron would start it). Then verifies the
backup and restores it into a new empty database. Every POST must answer 201, the backup and restore
must succeed and the restored database must hold every submission acknowledged before the backup
began (fails loudly otherwise).
    .venv/bin/python benchmarks/backup.py                         # SQLite in a temp folder
    scripts/with-postgres.sh sh -c '.venv/bin/python benchmarks/backup.py --database-url "$TEST_DATABASE_URL"'
Options: --count 1000 --photo-kb 100 --clients 4 --posts 200
"""
from __future__ import annotations

import argparse
import base64
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import gunicorn  # noqa: E402

PASSWORD = "benchmark-password-2569"


def fail(message: str) -> None:
    raise SystemExit(f"FAILED: {message}")


def submission(root: str, form_id: str, version: str) -> tuple[str, bytes]:
    iid = f"uuid:{uuid.uuid4()}"
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><{root} id="{form_id}" version="{version}"><name>Somchai</name>'
           f"<age>40</age><photo>photo.jpg</photo><meta><instanceID>{iid}</instanceID></meta></{root}>").encode()
    return iid, xml


def post(port: int, auth: str, xml: bytes, photo: bytes) -> int:
    from tests.forms.openrosa_helpers import openrosa_multipart

    body, content_type = openrosa_multipart(xml, [("photo.jpg", photo, "image/jpeg")])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", "/submission", body,
                     {"Content-Type": content_type, "Authorization": auth, "X-OpenRosa-Version": "1.0"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def main() -> None:  # noqa: C901, PLR0915
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--photo-kb", type=int, default=100)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--posts", type=int, default=200, help="baseline posts before the backup")
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = ap.parse_args()

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    tmp = Path(tempfile.mkdtemp(prefix="chumchon-bench-backup-"))
    url = args.database_url or f"sqlite:///{tmp / 'live.db'}"
    postgres = url.startswith("postgresql")
    if postgres:
        target_name = f"{make_url(url).database}_restored"
        target = make_url(url).set(database=target_name).render_as_string(hide_password=False)
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            c.execute(text(f'DROP DATABASE IF EXISTS "{target_name}"'))
            c.execute(text(f'CREATE DATABASE "{target_name}"'))
    else:
        target = f"sqlite:///{tmp / 'restored.db'}"
    env = dict(os.environ, DATABASE_URL=url, CHUMCHON_INSTANCE=str(tmp), SESSION_COOKIE_SECURE="0",
               SECRET_KEY="benchmark-secret", ARGON2_TIME_COST="1", ARGON2_MEMORY_KIB="8", ARGON2_PARALLELISM="1")
    os.environ.update({k: env[k] for k in ("ARGON2_TIME_COST", "ARGON2_MEMORY_KIB", "ARGON2_PARALLELISM")})

    from app import create_app, db
    from app.auth.accounts import create_user, seed_districts
    from app.backup import service
    from app.forms.publishing import publish_workbook
    from app.forms.receiving import receive_submission
    from app.migrate import upgrade
    from tests.forms.openrosa_helpers import household_workbook, root_name

    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": tmp})
    with app.app_context():
        seed_districts()
        create_user("bench", "Benchmark officer", "officer", PASSWORD, district="4201", actor="benchmark")
        fv = publish_workbook("household.xlsx", household_workbook(), "benchmark").form_version
        form = (root_name(fv), fv.form.form_id, fv.version)
        t0 = time.perf_counter()
        for _ in range(args.count):
            _, xml = submission(*form)
            photo = b"\xff\xd8\xff\xe0" + os.urandom(args.photo_kb * 1024)
            if receive_submission(xml, {"photo.jpg": (photo, "image/jpeg")}, "benchmark").status != 201:
                fail("filling the database: a submission was not stored")
        fill_s = time.perf_counter() - t0
        db.session.remove()
    db.engine().dispose()

    auth = "Basic " + base64.b64encode(f"bench:{PASSWORD}".encode()).decode()
    acked: list[tuple[str, float]] = []
    lock = threading.Lock()

    def load(stop: threading.Event, latencies: list[float], limit: int | None) -> None:
        while not stop.is_set():
            with lock:
                if limit is not None and len(latencies) >= limit:
                    return
            iid, xml = submission(*form)
            photo = b"\xff\xd8\xff\xe0" + os.urandom(args.photo_kb * 1024)
            t = time.perf_counter()
            status = post(port, auth, xml, photo)
            done = time.perf_counter()
            if status != 201:
                stop.set()
                fail(f"POST /submission answered {status}")
            with lock:
                latencies.append(done - t)
                acked.append((iid, done))

    def run_clients(stop: threading.Event, latencies: list[float], limit: int | None) -> list[threading.Thread]:
        threads = [threading.Thread(target=load, args=(stop, latencies, limit)) for _ in range(args.clients)]
        for th in threads:
            th.start()
        return threads

    with gunicorn(env) as port:
        for th in run_clients(threading.Event(), [], 4 * args.clients):  # warm-up: workers, caches
            th.join()
        baseline: list[float] = []
        t0 = time.perf_counter()
        for th in run_clients(threading.Event(), baseline, args.posts):
            th.join()
        baseline_rate = len(baseline) / (time.perf_counter() - t0)

        during: list[float] = []
        stop = threading.Event()
        threads = run_clients(stop, during, None)
        time.sleep(1.0)  # clients at full speed before the backup starts
        backup_started = time.perf_counter()
        made = subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "backup", "create",
                               str(tmp / "backups")], cwd=ROOT, env=env, capture_output=True, text=True)
        backup_s = time.perf_counter() - backup_started
        during_count = len(during)
        stop.set()
        for th in threads:
            th.join()
        if made.returncode != 0:
            fail(f"backup create: {made.stdout}{made.stderr}")
        during_rate = during_count / backup_s

    before_backup = {iid for iid, at in acked if at < backup_started}
    backup = next(p for p in (tmp / "backups").iterdir() if p.is_dir())
    backup_bytes = sum(p.stat().st_size for p in backup.iterdir())
    if postgres:
        with admin.connect() as c:
            live_bytes = c.scalar(text("SELECT pg_database_size(current_database())"))
    else:
        live_bytes = sum(p.stat().st_size for p in tmp.glob("live.db*"))

    t0 = time.perf_counter()
    checked = service.verify_backup(backup)
    verify_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    restored = service.restore_backup(backup, target)
    restore_s = time.perf_counter() - t0
    engine = create_engine(target)
    with engine.connect() as c:
        there = {r[0] for r in c.execute(text("SELECT instance_id FROM submissions"))}
    engine.dispose()
    if not before_backup <= there:
        fail(f"{len(before_backup - there)} submissions acknowledged before the backup are not in the restore")
    if postgres:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)'))

    mb = 1024 * 1024
    q = lambda xs, n: statistics.quantiles(sorted(xs), n=100)[n - 1] * 1000  # noqa: E731
    print(f"database            {'PostgreSQL' if postgres else 'SQLite (WAL)'}")
    print(f"filled              {args.count} submissions x {args.photo_kb} KB photo in {fill_s:.1f} s; "
          f"database {live_bytes / mb:.0f} MB")
    print(f"backup create       {backup_s:.1f} s while receiving (the whole `flask backup create` process), "
          f"backup {backup_bytes / mb:.0f} MB, {checked.manifest.blobs['count']} blobs, "
          f"{sum(checked.manifest.tables.values())} rows")
    print(f"backup verify       {verify_s:.1f} s")
    print(f"restore + checks    {restore_s:.1f} s ({sum(restored.counts.values())} rows); every one of "
          f"{len(before_backup)} submissions acknowledged before the backup is there")
    print(f"receiving baseline  {baseline_rate:.1f} submissions/s, p50 {q(baseline, 50):.0f} ms, "
          f"p95 {q(baseline, 95):.0f} ms ({len(baseline)} posts, {args.clients} clients)")
    print(f"during the backup   {during_rate:.1f} submissions/s, p50 {q(during, 50):.0f} ms, "
          f"p95 {q(during, 95):.0f} ms ({during_count} posts); every POST answered 201")


if __name__ == "__main__":
    main()
