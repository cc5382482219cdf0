"""What receiving one plain submission costs the database: at most five SQL statements for the
bundled 21-indicator assessment, score rows included (the user, the instanceID look-up, the
submission, the score, its group rows); and the score row stores numbers and names, not the labels,
while Score.result is still the whole result the meeting screen shows."""
from __future__ import annotations

import json
import random

from sqlalchemy import event, select

from app import db
from app.demo import publish_bundled
from app.models import FormVersion, Score, Submission
from app.scoring import score
from tests.forms.openrosa_helpers import post_submission


def _assessment(fv: FormVersion, rng: random.Random) -> bytes:
    from app.demo import PROFILES, instance_xml
    from app.forms.definitions import definition_of

    definition = definition_of(fv)
    names = {n.name for n in definition.nodes() if n.kind == "field"}
    answers = {**PROFILES["high"], "group": "SG-4201-D001", "assessed_on": "2026-03-02", "assessor_name": "สมชาย"}
    answers.update({i["name"]: rng.choice(sorted(i["scores"])) for i in fv.scoring["indicators"] if i["kind"] == "select"})
    return instance_xml(fv.xform, definition, {k: v for k, v in answers.items() if k in names},
                        f"uuid:cost-{rng.getrandbits(64):x}")


def test_a_plain_assessment_costs_at_most_five_statements(app, officer_client):
    publish_bundled()
    fv = db.session.scalar(select(FormVersion).join(FormVersion.form).where(
        FormVersion.form.has(form_id="sg_assessment_21")))
    rng = random.Random(5)
    assert post_submission(officer_client, _assessment(fv, rng)).status_code == 201  # caches warm
    statements: list[str] = []

    def count(conn, cursor, statement, *_args):  # noqa: ANN001
        statements.append(" ".join(statement.split())[:80])

    event.listen(db.engine(), "before_cursor_execute", count)
    try:
        r = post_submission(officer_client, _assessment(fv, rng))
    finally:
        event.remove(db.engine(), "before_cursor_execute", count)
    assert r.status_code == 201
    assert len(statements) <= 5, statements
    assert any(s.startswith("INSERT INTO scores") for s in statements)
    assert sum(s.startswith("INSERT INTO score_group_results") for s in statements) == 1


def test_the_score_row_keeps_points_not_labels_and_gives_back_the_whole_result(app, officer_client):
    publish_bundled()
    fv = db.session.scalar(select(FormVersion).join(FormVersion.form).where(
        FormVersion.form.has(form_id="sg_assessment_21")))
    assert post_submission(officer_client, _assessment(fv, random.Random(9))).status_code == 201
    db.session.expire_all()
    row = db.session.scalar(select(Score))
    sub = db.session.get(Submission, row.submission_id)
    stored = json.dumps(row.points, ensure_ascii=False)
    assert len(stored.encode()) < 1000 and "ระดับ" not in stored  # no labels, no advice
    full = row.result
    assert full == score(fv.scoring, sub.data).to_dict()
    assert len(json.dumps(full, ensure_ascii=False).encode()) > 10 * len(stored.encode())
