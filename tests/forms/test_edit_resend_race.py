"""A resend of an edit racing with its own first copy (two app servers, or two threads): the copy
that looked up its instanceID just before the other copy was filed finds the record it edits already
stepped down — by itself. It must be answered as a resend (201, nothing kept aside), not as an edit of
an old version (409 and a conflict row), which is what the two-server test once saw on PostgreSQL."""
from __future__ import annotations

from sqlalchemy import and_, bindparam, false, select

from app import db
from app.forms import receiving
from app.forms.publishing import publish_workbook
from app.models import Form, Submission, SubmissionConflict
from tests.scoring import meeting_workbook as mw


def test_a_copy_of_an_edit_that_lost_the_race_to_itself_is_a_resend(app, monkeypatch):
    fv = publish_workbook("meeting.xlsx", mw.workbook(), "tester").form_version
    assert receiving.receive_submission(mw.xml(fv, instance_id="uuid:r"), {}, "off").status == 201
    edit = mw.xml(fv, instance_id="uuid:r-fixed", deprecated_id="uuid:r", i02="2")
    assert receiving.receive_submission(edit, {}, "off").status == 201  # the first copy, filed

    # The second copy's look-up of its own instanceID ran before the first copy was committed: it saw
    # no record (a statement that finds none stands for that moment), once.
    real_lookup, real_file = receiving._STATE_AND_RECORD, receiving._file
    stale = (select(Form.state, Submission).select_from(Form)
             .outerjoin(Submission, and_(Submission.instance_id == bindparam("iid"), false()))
             .where(Form.id == bindparam("form_pk")))
    calls = []

    def file_once_stale(*args, **kwargs):
        calls.append(1)
        monkeypatch.setattr(receiving, "_STATE_AND_RECORD", stale if len(calls) == 1 else real_lookup)
        return real_file(*args, **kwargs)

    monkeypatch.setattr(receiving, "_file", file_once_stale)
    outcome = receiving.receive_submission(edit, {}, "off")
    assert outcome.status == 201, outcome.message_en
    assert len(calls) == 2  # read again after the stale look-up
    assert db.session.scalar(select(SubmissionConflict.id)) is None  # nothing kept aside
    assert [s.instance_id for s in db.session.scalars(select(Submission).where(Submission.is_current))] == \
        ["uuid:r-fixed"]
