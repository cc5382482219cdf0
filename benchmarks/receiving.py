"""The receiving path in one process, without HTTP's noise: CPU and SQL statements per submission.

Posts generated submissions (the scenarios of benchmarks/submissions.py) through Flask's test client
as a signed-in officer, and prints CPU ms per submission, the same against a request measured in the
same run (GET /healthz, which reads one row), SQL statements per submission (counted on the engine,
BEGIN/COMMIT left out) and, with --profile, the functions that take the time. Exits 1 unless every
submission is answered 201 and accepted.

    .venv/bin/python benchmarks/receiving.py [--scenario assessment] [--count 500] [--profile]
    scripts/with-postgres.sh sh -c '.venv/bin/python benchmarks/receiving.py --database-url "$TEST_DATABASE_URL"'
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from submissions import BENCH_PASSWORD, SCENARIOS, fresh_database, multipart, prepare  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", choices=SCENARIOS, default="assessment")
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--statements", action="store_true", help="print the statements of one submission")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="chumchon-recv-"))
    url = fresh_database(args.database_url, tmp, args.scenario)
    form, xmls = prepare(args.scenario, url, tmp, args.count + 20, random.Random(f"chumchon-{args.scenario}"))

    from sqlalchemy import event

    from app import create_app, db

    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": tmp, "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    page = client.get("/signin")
    import re

    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    answer = client.post("/signin", data={"username": "bench", "password": BENCH_PASSWORD, "csrf_token": token})
    assert answer.status_code == 303, answer.status_code
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").get_data(as_text=True)).group(1)
    headers = {"X-CSRFToken": token, "X-OpenRosa-Version": "1.0", "Accept": "application/json"}

    statements: list[str] = []

    @event.listens_for(db.engine(), "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement)

    def post(xml: bytes):  # noqa: ANN202
        body, ctype = multipart(xml)
        return client.post("/submission", data=body, headers={**headers, "Content-Type": ctype})

    for xml in xmls[:20]:  # warm-up: caches, compiled logic, connections
        r = post(xml)
        assert r.status_code == 201, r.get_data(as_text=True)
    statements.clear()
    counts, cpu = [], []
    profiler = cProfile.Profile() if args.profile else None
    statuses = Counter()
    for xml in xmls[20:]:
        before = len(statements)
        c = time.process_time()
        if profiler:
            profiler.enable()
        r = post(xml)
        if profiler:
            profiler.disable()
        cpu.append(time.process_time() - c)
        counts.append(len(statements) - before)
        statuses[(r.status_code, r.get_json().get("submission_status"))] += 1
    one = statements[-counts[-1]:]
    # The same-run baseline: a request through the same app and test client that reads one row
    # (GET /healthz: the migration head), timed the same way.
    base = []
    for _ in range(min(len(cpu), 500)):
        c = time.process_time()
        assert client.get("/healthz").status_code == 200
        base.append(time.process_time() - c)
    print(f"form                {form}")
    print(f"database            {'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}")
    print(f"answers             {dict(statuses)}")
    print(f"CPU per submission  mean {statistics.mean(cpu) * 1000:.2f} ms, median {statistics.median(cpu) * 1000:.2f} ms "
          "(test client: no HTTP server, no multipart from a socket)")
    print(f"baseline            GET /healthz median {statistics.median(base) * 1000:.2f} ms: a submission costs "
          f"{statistics.median(cpu) / statistics.median(base):.1f}x")
    print(f"SQL per submission  {statistics.mean(counts):.1f} (max {max(counts)})")
    if args.statements:
        for s in one:
            print("   ", " ".join(s.split())[:160])
    if set(statuses) != {(201, "accepted")}:
        raise SystemExit(f"FAILED: not every submission was accepted: {dict(statuses)}")
    if profiler:
        profiler.dump_stats(os.path.join(tempfile.gettempdir(), "chumchon-receiving.prof"))
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue())


if __name__ == "__main__":
    main()
