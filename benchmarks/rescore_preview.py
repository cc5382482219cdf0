"""Time the re-score preview (app/scoring/preview.py): every current assessment of the 21-indicator
form re-scored under a draft's rules, streamed in batches, with the page that shows it.

    .venv/bin/python benchmarks/rescore_preview.py [--count 10000] [--database-url URL]

The demo's 508 assessments are sent through the normal receiving path, then copied (answers and
score rows, new instance ids) up to --count current assessments. The draft moves one threshold (level
2 from 50 % to 55 %). Prints, for the same rows in the same run: the baseline (streaming the rows
and their stored answers without scoring), the preview in-process, and the page
(GET /forms/sg_assessment_21/draft/rescore) — and fails loudly unless the preview read every row,
its level changes add up, and the page answered 200 with the figure. Issue 13's target: 10,000
within 10 s.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=10_000)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--batch-size", type=int, default=1000)
    ap.add_argument("--profile", metavar="FILE", help="write a cProfile of the page request to FILE")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="chumchon-rescore-")
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    from sqlalchemy import func, select, text

    from app import create_app, db
    from app.migrate import upgrade

    if url.startswith("postgresql"):
        eng = db.make_engine(url)
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        eng.dispose()
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": Path(tmp), "TESTING": True, "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        from app.auth.accounts import seed_districts
        from app.demo import load_assessments, load_demo_users, publish_bundled
        from app.models import Form, Score, Submission
        from app.registry.seed import seed_savings_groups, seed_villages

        seed_districts()
        load_demo_users()
        publish_bundled()
        seed_villages()
        seed_savings_groups()
        t = time.perf_counter()
        results = load_assessments()
        if len(results) != 508 or any(status != 201 for _i, status in results):
            raise SystemExit(f"demo assessments not all stored: {len(results)}")
        print(f"demo: 508 assessments received in {time.perf_counter() - t:.1f} s")
        form = db.session.scalar(select(Form).where(Form.form_id == "sg_assessment_21"))
        copy_up_to(args.count, form.id)
        n = db.session.scalar(select(func.count()).select_from(Score).where(Score.form_pk == form.id, Score.is_current))
        if n != args.count:
            raise SystemExit(f"expected {args.count} current scores, found {n}")

        from tests.scoring.test_rescore_preview import with_level_threshold
        from app.forms.drafts import save_draft
        from app.scoring.preview import rescore_preview

        draft = save_draft("sg_assessment_21.xlsx", with_level_threshold("2", 50, 55, "draft-2"), "admin").draft

        # baseline: the same rows streamed in the same batches, answers loaded, nothing scored
        t = time.perf_counter()
        last, read = 0, 0
        while True:
            rows = db.session.execute(select(Score.id, Submission.data).join(Submission, Submission.id == Score.submission_id)
                                      .where(Score.form_pk == form.id, Score.is_current.is_(True), Score.id > last)
                                      .order_by(Score.id).limit(args.batch_size)).all()
            if not rows:
                break
            read += len(rows)
            last = rows[-1].id
        baseline = time.perf_counter() - t

        t = time.perf_counter()
        preview = rescore_preview(form.id, draft.scoring, batch_size=args.batch_size)
        service = time.perf_counter() - t
        if preview.read != args.count or read != args.count:
            raise SystemExit(f"preview read {preview.read}, baseline {read}, expected {args.count}")
        if sum(preview.transitions.values()) != preview.read or preview.changed != len(preview.moves):
            raise SystemExit("level transitions do not add up")

        client = app.test_client()
        from tests.conftest import sign_in

        sign_in(client, "admin", "chumchon-admin-demo")
        t = time.perf_counter()
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            page = profiler.runcall(client.get, "/forms/sg_assessment_21/draft/rescore")
            profiler.dump_stats(args.profile)
        else:
            page = client.get("/forms/sg_assessment_21/draft/rescore")
        page_s = time.perf_counter() - t
        if page.status_code != 200 or f"{args.count:,} current assessments re-scored" not in page.get_data(as_text=True):
            raise SystemExit(f"page answered {page.status_code}")

        dialect = db.engine().dialect.name
        print(f"database: {dialect}; {args.count:,} current assessments; batches of {args.batch_size}")
        print(f"baseline (stream rows + answers, no scoring): {baseline:.2f} s")
        print(f"re-score preview in-process: {service:.2f} s ({args.count / service:,.0f} assessments/s); "
              f"{preview.changed:,} would change level: {preview.summary()}")
        print(f"page GET /forms/sg_assessment_21/draft/rescore: {page_s:.2f} s "
              f"({len(page.data) // 1024} KB, {preview.changed:,} groups listed) — target 10 s")


def copy_up_to(count: int, form_pk: int) -> None:
    """Copies of the received assessments (Submission + Score rows, new instance ids) until the form
    has `count` current scores."""
    from sqlalchemy import insert, select

    from app import db
    from app.models import Score, Submission

    subs = db.session.scalars(select(Submission).where(Submission.form_pk == form_pk).order_by(Submission.id)).all()
    scores = {s.submission_id: s for s in db.session.scalars(select(Score).where(Score.form_pk == form_pk))}
    have = len(subs)
    sub_cols = [c.key for c in Submission.__table__.columns if c.key != "id"]
    score_cols = [c.key for c in Score.__table__.columns if c.key not in ("id", "submission_id")]
    k = 0
    while have < count:
        batch = []
        for src in subs:
            if have + len(batch) >= count:
                break
            row = {c: getattr(src, c) for c in sub_cols}
            iid = f"{src.instance_id}-copy{k}"
            row.update(instance_id=iid, root_instance_id=iid, content_hash=f"{k:08d}{src.content_hash[8:]}")
            batch.append(row)
        db.session.execute(insert(Submission), batch)
        ids = dict(db.session.execute(select(Submission.instance_id, Submission.id)
                                      .where(Submission.instance_id.like(f"%-copy{k}"))).all())
        db.session.execute(insert(Score), [
            {**{c: getattr(scores[src.id], c) for c in score_cols}, "submission_id": ids[f"{src.instance_id}-copy{k}"]}
            for src in subs if f"{src.instance_id}-copy{k}" in ids])
        db.session.commit()
        have += len(batch)
        k += 1


if __name__ == "__main__":
    main()
