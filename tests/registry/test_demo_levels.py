"""`demo load` reproduces the report's per-district level counts (Loei 2566: 100 / 127 / 281) in
the score table, under the levels the published assessment declares."""
from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from app import db
from app.models import Score
from app.registry.seed import loei_2566


@pytest.mark.slow  # ~30-60 s: 508 submissions, loaded twice
def test_demo_load_reproduces_the_reported_levels_per_district(app):
    from app.demo import load_demo, load_demo_users

    load_demo_users()
    started = time.perf_counter()
    results = load_demo()
    elapsed = time.perf_counter() - started
    assert all(status == 201 for _iid, status in results), Counter(s for _i, s in results)

    from app.models import Form

    spec = db.session.scalar(select(Form).where(Form.form_id == "sg_assessment_21")).latest.scoring
    best, middle, worst = (lv["name"] for lv in (spec["levels"][0], spec["levels"][1], spec["levels"][-1]))
    rows = db.session.execute(select(Score.district_code, Score.level_name).where(Score.is_current.is_(True))).all()
    got = Counter(rows)
    totals = Counter()
    for d in loei_2566():
        want = {best: d.level3, middle: d.level2, worst: d.level1}
        have = {name: got.get((d.code, name), 0) for name in want}
        assert have == want, f"district {d.code} {d.name_en}: {have} != {want}"
        totals.update(want)
    assert (totals[worst], totals[middle], totals[best]) == (100, 127, 281)
    assert len(rows) == 508
    assert elapsed < 90, f"demo load took {elapsed:.0f} s"
    print(f"demo load: {len(results)} submissions in {elapsed:.1f} s")

    # loading again stores nothing new
    again = load_demo()
    assert len(again) == len(results)
    assert db.session.scalar(select(func.count()).select_from(Score)) == len(rows)
