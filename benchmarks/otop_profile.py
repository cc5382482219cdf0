"""What the OTOP tables cost: (1) receiving a household mapping with the OTOP writer against the same
submissions without it (the baseline, measured in the same run), and (2) the household profile page and
its XLSX export for a district of 1,000 households (baseline) and of 10,000, aggregated by SQL.

    .venv/bin/python benchmarks/otop_profile.py [--count 200] [--households 10000] [--database-url URL]

Every response is checked (status, and the number of households the page says it counted); a wrong
one stops the run with an error.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fail(message: str) -> None:
    print(f"FAILED: {message}", file=sys.stderr)
    raise SystemExit(1)


def receive_batch(answers: list[dict], prefix: str, sender) -> list[float]:  # noqa: ANN001
    from app.demo import _latest, instance_xml
    from app.forms.definitions import definition_of
    from app.forms.receiving import receive_submission

    fv = _latest("hh_mapping")
    definition = definition_of(fv)
    times = []
    for i, a in enumerate(answers):
        xml = instance_xml(fv.xform, definition, a, f"uuid:{prefix}-{i}")
        t = time.perf_counter()
        out = receive_submission(xml, {}, sender.username, sender=sender)
        times.append(time.perf_counter() - t)
        if out.status != 201 or out.submission.status != "accepted":
            fail(f"submission {prefix}-{i}: {out.status} {out.submission and out.submission.errors}")
    return times


def bulk_households(district: str, n: int, fy: int, rng: random.Random) -> None:
    """n counted profiles (with occupations, problems, choices) straight into the typed tables."""
    from sqlalchemy import func, insert, select

    from app import db
    from app.models import HouseholdChoice, HouseholdOccupation, HouseholdProfile, OccupationProblem, Submission
    from app.otop.demo import PLAN, PROBLEMS, SAVINGS, TRAINING

    s = db.session()
    # profiles need a submission row each (foreign key): reuse one form version's placeholder rows
    fv_id, form_pk = s.execute(select(Submission.form_version_id, Submission.form_pk).limit(1)).one()
    base = s.scalar(select(func.max(Submission.id))) or 0
    villages = [f"{district}{t:02d}{v:02d}" for t in range(1, 5) for v in range(1, 13)]
    s.execute(insert(Submission), [dict(id=base + i + 1, instance_id=f"uuid:bulk-{district}-{fy}-{i}", form_pk=form_pk,
                                        form_version_id=fv_id, root_instance_id=f"uuid:bulk-{district}-{fy}-{i}",
                                        is_current=True, status="accepted", errors=[], xml="<data/>",
                                        content_hash="x", data={}, district_code=district) for i in range(n)])
    first = (s.scalar(select(func.max(HouseholdProfile.id))) or 0) + 1
    rows, occs, probs, choices = [], [], [], []
    occ_id = (s.scalar(select(func.max(HouseholdOccupation.id))) or 0) + 1
    from datetime import date

    for i in range(n):
        pid, village = first + i, rng.choice(villages)
        rows.append(dict(id=pid, submission_id=base + i + 1, district_code=district, tambon_code=village[:6],
                         village_code=village, house_no=f"{i}/1", head_name=f"ครัวเรือน {i}", surveyed_on=date(2026, 1, 15),
                         fiscal_year=fy, kkcj_target=rng.random() < .8, members=rng.randint(1, 6),
                         income_total=rng.randint(20, 200) * 1000, income_per_person=rng.randint(5, 80) * 1000,
                         income_threshold=38000, below_threshold=rng.random() < .5, debt_formal=rng.choice([0, 30000]),
                         debt_community=rng.choice([0, 5000]), debt_informal=rng.choice([0, 0, 8000]),
                         join_group=rng.random() < .6, otop_register=rng.random() < .4, needs_correction=False,
                         counted=True))
        for position in range(1, rng.randint(1, 2) + 1):
            _village, _n, (category, product, otop_type, subgroup), _i, _p = rng.choice(PLAN)
            occs.append(dict(id=occ_id, profile_id=pid, position=position, category=category, product=product,
                             otop_type=otop_type or None, otop_subgroup=subgroup or None,
                             income=rng.randint(10, 150) * 1000, potential=rng.randint(1, 5)))
            for area, options in PROBLEMS.items():
                for p in options:
                    if rng.random() < .3:
                        probs.append(dict(occupation_id=occ_id, area=area.rsplit("_", 1)[1], problem=p))
            occ_id += 1
        choices += [dict(profile_id=pid, question="saves_in", value=v) for v in rng.sample(SAVINGS, 2)]
        choices += [dict(profile_id=pid, question="training_wanted", value=v) for v in rng.sample(TRAINING, 2)]
    for model, data in ((HouseholdProfile, rows), (HouseholdOccupation, occs), (OccupationProblem, probs),
                        (HouseholdChoice, choices)):
        for k in range(0, len(data), 5000):
            s.execute(insert(model), data[k:k + 5000])
    s.commit()


def time_pages(client, district: str, fy: int, expected: int, rounds: int) -> dict[str, float]:  # noqa: ANN001
    import re

    out = {}
    for name, url in (("profile", f"/otop/profile?district={district}&fy={fy}"),
                      ("xlsx", f"/otop/profile.xlsx?district={district}&fy={fy}")):
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            r = client.get(url)
            times.append(time.perf_counter() - t)
            if r.status_code != 200:
                fail(f"{url}: {r.status_code}")
            if name == "profile":
                found = re.search(r'<td class="otop-int" data-value="(\d+)">', r.get_data(as_text=True))
                if not found or int(found.group(1)) != expected:
                    fail(f"{url} counted {found and found.group(1)} households, expected {expected}")
            elif not r.data.startswith(b"PK"):
                fail(f"{url}: not an XLSX")
        out[name] = statistics.median(times) * 1000
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=200, help="household mappings received with and without the writer")
    ap.add_argument("--households", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--database-url")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="otop-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    from sqlalchemy import func, select, text

    from app import create_app, db
    from app.migrate import upgrade

    if url.startswith("postgresql"):
        eng = db.make_engine(url)
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        eng.dispose()
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": tmp, "SESSION_COOKIE_SECURE": False, "TESTING": True,
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_KIB": 8, "ARGON2_PARALLELISM": 1})
    with app.app_context():
        import app.otop.store as store
        from app.auth.accounts import find_user
        from app.demo import load_demo_users, publish_bundled
        from app.models import HouseholdProfile
        from app.otop.demo import _household
        from app.registry.seed import seed_villages

        load_demo_users()
        publish_bundled()
        seed_villages()
        sender = find_user("somchai")
        rng = random.Random(15)
        villages = [f"4201{t:02d}{v:02d}" for t in range(1, 5) for v in range(1, 13)]
        plan = [("processing", "ผ้าทอมือ", "3", "3.1"), ("rice", "ข้าว", "", ""), ("processing", "น้ำพริก", "1", "1.3")]
        answers = [_household(rng, rng.choice(villages), i, rng.choice(plan), rng.random() < .6, (1, 5))
                   for i in range(2 * args.count)]
        for i, a in enumerate(answers):
            a["house_no"] = f"{i}/9"
        receive_batch(answers[:5], "warm", sender)  # compile the form's expressions once
        handlers = dict(store._HANDLERS)
        with_writer, without = [], []
        for k in range(0, 2 * args.count, 20):  # interleaved batches: the machine's noise hits both
            batch = answers[k:k + 20]
            if (k // 20) % 2:
                store._HANDLERS.clear()
                without += receive_batch(batch, f"off-{k}", sender)
                store._HANDLERS.update(handlers)
            else:
                with_writer += receive_batch(batch, f"on-{k}", sender)
        written = db.session.scalar(select(func.count()).select_from(HouseholdProfile))
        if written != len(with_writer) + 5:
            fail(f"{written} profile rows for {len(with_writer) + 5} submissions received with the writer")
        p50_on, p50_off = statistics.median(with_writer) * 1000, statistics.median(without) * 1000
        print(f"receive hh_mapping: with the OTOP writer p50 {p50_on:.1f} ms, without {p50_off:.1f} ms "
              f"(+{p50_on - p50_off:.1f} ms, {100 * (p50_on - p50_off) / p50_off:+.0f} %), {len(with_writer)} each")

        from tests.conftest import sign_in

        client = app.test_client()
        sign_in(client, "loei", "chumchon-loei-demo")
        bulk_households("4202", 1000, 2569, rng)
        small = time_pages(client, "4202", 2569, 1000, args.rounds)
        bulk_households("4203", args.households, 2569, rng)
        big = time_pages(client, "4203", 2569, args.households, args.rounds)
        print(f"profile page: 1,000 households {small['profile']:.0f} ms, {args.households:,} households "
              f"{big['profile']:.0f} ms (median of {args.rounds})")
        print(f"profile XLSX: 1,000 households {small['xlsx']:.0f} ms, {args.households:,} households "
              f"{big['xlsx']:.0f} ms")


if __name__ == "__main__":
    main()
