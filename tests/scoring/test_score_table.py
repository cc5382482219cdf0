"""The score table (app/scoring/store.py): written by the receiving service in the submission's
transaction, over the real OpenRosa endpoint; edits rescore; a rolled-back submission leaves no score."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import db
from app.forms import receiving
from app.forms.publishing import publish_workbook
from app.models import Score, ScoreGroupResult, Submission
from app.scoring import score
from app.scoring.store import previous_score
from tests.forms.openrosa_helpers import new_instance_id, post_submission, publish
from tests.scoring import meeting_workbook as mw


@pytest.fixture
def client(officer_client):
    return officer_client


@pytest.fixture
def scored(app):
    return publish_workbook("meeting.xlsx", mw.workbook(), "tester").form_version


def score_row(instance_id: str) -> Score | None:
    db.session.expire_all()
    return db.session.scalar(select(Score).join(Submission, Score.submission_id == Submission.id)
                             .where(Submission.instance_id == instance_id))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_submission_of_a_scored_form_gets_its_score_rows(client, scored):
    iid = new_instance_id()
    r = post_submission(client, mw.xml(scored, instance_id=iid))  # 3+3 / 2+3 / 2 = 13 of 14
    assert r.status_code == 201
    row = score_row(iid)
    assert row is not None
    sub = db.session.scalar(select(Submission).where(Submission.instance_id == iid))
    assert row.result == score(scored.scoring, sub.data).to_dict()
    assert (row.total, row.max, row.percent, row.level_name) == (13, 14, 92.86, "good")
    assert (row.group_ref, row.district_code, row.round_year) == ("g1", "4201", 2567)
    assert str(row.assessed_on) == "2024-03-10"
    assert row.is_current and not row.needs_correction
    assert row.form_pk == scored.form_pk and row.form_version_id == scored.id
    groups = [(g.group_name, g.score, g.max, g.percent, g.passed) for g in row.groups]
    assert groups == [("law", 6, 6, 100, True), ("money", 5, 6, 83.33, True), ("meet", 2, 2, 100, True)]


def test_the_server_recomputes_the_calculate_indicator(client, scored):
    iid = new_instance_id()
    # The device claims full points for the interest rate; the server's calculate says 0 (rate > 15).
    post_submission(client, mw.xml(scored, instance_id=iid, rate="18", i04="3"))
    row = score_row(iid)
    assert [i["score"] for i in row.result["indicators"] if i["name"] == "i04"] == [0]


def test_a_plain_form_gets_no_score(client, app):
    from tests.forms.openrosa_helpers import submission_xml

    fv = publish()
    assert post_submission(client, submission_xml(fv, new_instance_id())).status_code == 201
    assert count(Score) == 0


def test_without_a_date_question_the_round_is_the_year_received():
    from datetime import datetime, timezone

    from app.scoring.store import assessment_date

    sub = Submission(data={}, received_at=datetime(2023, 12, 31, 18, 0, tzinfo=timezone.utc))
    assert assessment_date(sub, None).isoformat() == "2024-01-01"  # already 1 January in Bangkok


def test_an_edit_rescores_and_the_old_score_steps_down(client, scored):
    first = new_instance_id()
    post_submission(client, mw.xml(scored, instance_id=first, i01="0", i02="0", i05="no"))
    before = score_row(first)
    assert before.level_name == "develop" and before.is_current
    edit = new_instance_id()
    assert post_submission(client, mw.xml(scored, instance_id=edit, deprecated_id=first)).status_code == 201
    after = score_row(edit)
    assert after.level_name == "good" and after.is_current
    assert score_row(first).is_current is False
    assert count(Score) == 2
    # Reports count current scores only: one per group.
    assert db.session.scalar(select(func.count()).select_from(Score).where(Score.is_current.is_(True))) == 1


def test_an_edit_sent_before_its_original_is_scored_once_it_is_filed_after_it(client, scored):
    first, edit = new_instance_id(), new_instance_id()
    edit_xml = mw.xml(scored, instance_id=edit, deprecated_id=first)
    assert post_submission(client, edit_xml).status_code == 409  # kept aside: no score for it yet
    assert score_row(edit) is None
    post_submission(client, mw.xml(scored, instance_id=first, i01="0"))
    assert post_submission(client, edit_xml).status_code == 201  # the device's retry
    assert score_row(edit).is_current is True
    assert score_row(first).is_current is False


def test_a_resend_with_attachments_rescores_in_place(client, app):
    from tests.xlsform.xlsx_builder import make_xlsx

    survey = [row[:] for row in mw.SURVEY]
    survey.insert(4, ["image", "photo", "รูปการประชุม", "Meeting photo", "yes", "", "", ""])
    data = make_xlsx(survey, mw.CHOICES, [["form_id", "version", "form_title", "default_language"],
                                          [mw.FORM_ID, "2", "ประเมินกลุ่ม (ทดสอบ)", "Thai (th)"]],
                     score_groups=mw.SCORE_GROUPS, levels=mw.LEVELS)
    fv = publish_workbook("meeting.xlsx", data, "tester").form_version
    iid = new_instance_id()
    xml = mw.xml(fv, instance_id=iid).replace(b"</assessed_on>", b"</assessed_on><photo>p.jpg</photo>")
    post_submission(client, xml)  # the photo is missing: needs correction, still scored
    row = score_row(iid)
    assert row.needs_correction is True and row.level_name == "good"
    first_id = row.id
    r = post_submission(client, xml, [("p.jpg", b"\xff\xd8\xff\xe0jpeg", "image/jpeg")])
    assert r.status_code == 201
    row = score_row(iid)
    assert row.id == first_id and row.needs_correction is False
    assert count(Score) == 1 and count(ScoreGroupResult) == 3


def test_a_needs_correction_submission_is_scored_and_marked(client, scored):
    iid = new_instance_id()
    post_submission(client, mw.xml(scored, instance_id=iid, i01="7"))  # not a choice of lv03
    sub = db.session.scalar(select(Submission).where(Submission.instance_id == iid))
    assert sub.status == "needs_correction"
    row = score_row(iid)
    assert row.needs_correction is True
    assert row.result["indicators"][0]["answered"] is False  # an unknown choice is not assessed


def test_a_rolled_back_submission_leaves_no_score(client, scored, monkeypatch):
    real = receiving._score

    def score_then_fail(s, submission, version):
        real(s, submission, version)
        assert db.session.scalar(select(func.count()).select_from(Score)) == 1  # written in the transaction
        raise RuntimeError("disk full")

    monkeypatch.setattr(receiving, "_score", score_then_fail)
    r = post_submission(client, mw.xml(scored, instance_id=new_instance_id()))
    assert r.status_code == 500
    assert count(Submission) == 0 and count(Score) == 0 and count(ScoreGroupResult) == 0


def test_a_scorer_failure_stores_the_submission_unscored(client, scored, monkeypatch):
    import app.scoring.store as store

    def broken(*_a, **_k):
        raise ValueError("bad spec")

    monkeypatch.setattr(store, "rescore", broken)
    iid = new_instance_id()
    assert post_submission(client, mw.xml(scored, instance_id=iid)).status_code == 201
    assert count(Submission) == 1 and count(Score) == 0


def test_previous_assessment_of_the_same_group(client, scored):
    old, new, other = new_instance_id(), new_instance_id(), new_instance_id()
    post_submission(client, mw.xml(scored, instance_id=new, assessed_on="2024-03-10"))
    post_submission(client, mw.xml(scored, instance_id=old, assessed_on="2023-03-12", i01="1"))
    post_submission(client, mw.xml(scored, instance_id=other, group="g2", assessed_on="2022-03-01"))
    assert previous_score(score_row(new)).id == score_row(old).id
    assert previous_score(score_row(old)) is None
    assert score_row(old).round_year == 2566
