"""The profile page's candidate table counts its groups in SQL (app/otop/profile.candidate_counts); the
candidate pages list their members with the rules in Python (app/otop/rules.candidate_groups). Both must
find the same candidates of the same sizes, in the same order, on data with every awkward case: a
household listing one occupation twice, an OTOP sub-group given as '' (then its category counts), no
category at all, no village or tambon code, households not interested or not counted, other years and
districts, tambons whose members all live in one village (no tambon candidate) or in several."""
from __future__ import annotations

import random
from datetime import date

from sqlalchemy import func, insert, select

from app import db
from app.models import FormVersion, HouseholdOccupation, HouseholdProfile, Submission
from app.otop import profile


def _households(rng: random.Random, n: int) -> None:
    version = db.session.scalar(select(FormVersion).limit(1))
    first = (db.session.scalar(select(func.max(Submission.id))) or 0) + 1
    villages = ["42010101", "42010102", "42010103", "42010201", "42010202", "", None]
    occupations = [("processing", "3.1"), ("processing", ""), ("processing", None), ("rice", None), ("", None),
                   (None, None), ("crafts", "5.2"), ("rice", "3.1")]
    subs, rows, occs = [], [], []
    for i in range(n):
        sid = first + i
        subs.append(dict(id=sid, instance_id=f"uuid:cand-{i}", form_pk=version.form_pk, form_version_id=version.id,
                         root_instance_id=f"uuid:cand-{i}", is_current=True, status="accepted", errors=[],
                         xml="<data/>", content_hash="x", data={}, district_code="4201"))
        village = rng.choice(villages)
        rows.append(dict(id=sid, submission_id=sid, district_code=rng.choice(["4201"] * 9 + ["4202"]),
                         tambon_code=(village[:6] if village else rng.choice(["420101", "", None])),
                         village_code=village, house_no=f"{i}", head_name=f"h{i}", surveyed_on=date(2026, 1, 15),
                         fiscal_year=rng.choice([2569] * 9 + [2568]), kkcj_target=True, members=3,
                         income_total=1000, income_per_person=300, income_threshold=38000, below_threshold=False,
                         debt_formal=0, debt_community=0, debt_informal=0, join_group=rng.random() < .75,
                         otop_register=False, needs_correction=False, counted=rng.random() < .95))
        for position in range(1, rng.randint(0, 3) + 1):
            category, subgroup = rng.choice(occupations)
            occs.append(dict(profile_id=sid, position=position, category=category, product="x",
                             otop_type=None, otop_subgroup=subgroup, income=1000, potential=3))
    db.session.execute(insert(Submission), subs)
    db.session.execute(insert(HouseholdProfile), rows)
    db.session.execute(insert(HouseholdOccupation), occs)
    db.session.commit()


def test_the_page_counts_the_same_candidates_as_the_member_lists(forms):
    _households(random.Random(12), 900)
    area = profile.Area("4201", 2569)
    by_rules = [(scope, c.area, c.occupation, c.size)
                for scope in ("village", "tambon") for c in profile.candidates(area, scope)]
    assert len(by_rules) >= 8 and any(s == "tambon" for s, *_ in by_rules)
    assert profile.candidate_counts(area) == by_rules
    small = profile.Area("4201", 2569, village_code="42010101")
    assert profile.candidate_counts(small) == [(scope, c.area, c.occupation, c.size)
                                               for scope in ("village", "tambon")
                                               for c in profile.candidates(small, scope)]
