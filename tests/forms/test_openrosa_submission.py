"""POST /submission over HTTP: filing, idempotency, conflicts, edits, validation, attachments,
quarantine of what cannot be filed, atomic writes and hostile XML."""
from __future__ import annotations

import hashlib
import threading
import time

import pytest
from sqlalchemy import func, select

from app import db
from app.forms import receiving
from app.models import (
    Attachment,
    Blob,
    Submission,
    SubmissionConflict,
    SubmissionStatus,
    UnprocessableSubmission,
)
from tests.forms.openrosa_helpers import (
    new_instance_id,
    openrosa_message,
    post_submission,
    publish,
    submission_xml,
)

JPEG = b"\xff\xd8\xff\xe0" + b"photo-bytes" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"signature" * 50


@pytest.fixture
def client(officer_client):
    """Signed in as an officer (officers fill forms and send submissions)."""
    return officer_client


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def stored(instance_id: str) -> Submission | None:
    db.session.expire_all()
    return db.session.scalar(select(Submission).where(Submission.instance_id == instance_id))


@pytest.fixture
def household(app):
    return publish()


def test_new_submission_is_stored_and_answered_201_with_openrosa_xml(client, household):
    iid = new_instance_id()
    xml = submission_xml(household, iid)
    r = post_submission(client, xml)
    assert r.status_code == 201
    assert r.headers["X-OpenRosa-Version"] == "1.0"
    assert r.mimetype == "text/xml"
    assert openrosa_message(r)
    sub = stored(iid)
    assert sub is not None
    assert sub.form_version_id == household.id
    assert sub.status == SubmissionStatus.ACCEPTED
    assert sub.is_current and sub.root_instance_id == iid
    assert sub.content_hash == hashlib.sha256(xml).hexdigest()
    assert sub.xml == xml.decode("utf-8")
    assert any(str(v) == "Somchai" for v in sub.data.values())


def test_head_submission_answers_204_with_openrosa_headers(client, app):
    r = client.head("/submission", headers={"X-OpenRosa-Version": "1.0"})
    assert r.status_code == 204
    assert r.headers["X-OpenRosa-Version"] == "1.0"
    assert int(r.headers["X-OpenRosa-Accept-Content-Length"]) == app.config["MAX_CONTENT_LENGTH"]


def test_identical_resend_creates_no_duplicate(client, household):
    iid = new_instance_id()
    xml = submission_xml(household, iid)
    assert post_submission(client, xml).status_code == 201
    again = post_submission(client, xml)
    assert again.status_code == 201
    assert "Already received" in openrosa_message(again)
    assert count(Submission) == 1
    assert count(SubmissionConflict) == 0


def test_different_content_under_same_instance_id_is_409_kept_aside_and_nothing_overwritten(client, household):
    iid = new_instance_id()
    first = submission_xml(household, iid, name="Somchai")
    second = submission_xml(household, iid, name="Somsri")
    assert post_submission(client, first).status_code == 201
    r = post_submission(client, second, [("other.png", PNG, "image/png")])
    assert r.status_code == 409
    assert r.headers["X-OpenRosa-Version"] == "1.0"
    assert count(Submission) == 1
    sub = stored(iid)
    assert sub.xml == first.decode("utf-8")
    assert sub.attachments == []
    conflict = db.session.scalar(select(SubmissionConflict))
    assert conflict.instance_id == iid and conflict.submission_id == sub.id
    assert conflict.xml == second.decode("utf-8")
    assert conflict.content_hash == hashlib.sha256(second).hexdigest()
    assert [a["filename"] for a in conflict.attachments] == ["other.png"]
    assert db.session.get(Blob, hashlib.sha256(PNG).hexdigest()).content == PNG
    # The same conflicting copy again is still refused and kept once.
    assert post_submission(client, second).status_code == 409
    assert count(SubmissionConflict) == 1


def test_deprecated_id_creates_a_new_record_that_supersedes_the_old_and_keeps_history(client, household):
    original_id, edit_id = new_instance_id(), new_instance_id()
    assert post_submission(client, submission_xml(household, original_id, age="40")).status_code == 201
    r = post_submission(client, submission_xml(household, edit_id, age="41", deprecated_id=original_id))
    assert r.status_code == 201
    original, edit = stored(original_id), stored(edit_id)
    assert original is not None and edit is not None
    assert original.is_current is False and original.superseded_by_id == edit.id
    assert edit.is_current is True and edit.deprecated_id == original_id
    assert edit.root_instance_id == original_id
    assert count(Submission) == 2
    # A second edit continues the same chain.
    third_id = new_instance_id()
    post_submission(client, submission_xml(household, third_id, age="42", deprecated_id=edit_id))
    edit, third = stored(edit_id), stored(third_id)
    assert edit.is_current is False and edit.superseded_by_id == third.id
    assert third.root_instance_id == original_id
    current = db.session.scalars(select(Submission).where(
        Submission.root_instance_id == original_id, Submission.is_current.is_(True))).all()
    assert [s.instance_id for s in current] == [third_id]


def test_an_edit_of_a_record_the_server_does_not_hold_is_409_and_kept(client, household):
    edit_id, missing_id = new_instance_id(), new_instance_id()
    xml = submission_xml(household, edit_id, deprecated_id=missing_id)
    r = post_submission(client, xml)
    assert r.status_code == 409 and missing_id in openrosa_message(r)
    assert stored(edit_id) is None
    kept = db.session.scalar(select(UnprocessableSubmission))
    assert (kept.reason_code, kept.instance_id, bytes(kept.xml)) == ("edit_of_unknown", edit_id, xml)
    # Once the original is there, the same edit sent again is filed as its edit.
    assert post_submission(client, submission_xml(household, missing_id)).status_code == 201
    assert post_submission(client, xml).status_code == 201
    assert (stored(missing_id).is_current, stored(edit_id).is_current) == (False, True)


def test_an_edit_of_a_record_already_edited_is_409_kept_aside_and_names_the_current_one(client, household):
    a, b, late = new_instance_id(), new_instance_id(), new_instance_id()
    post_submission(client, submission_xml(household, a, age="1"))
    post_submission(client, submission_xml(household, b, age="2", deprecated_id=a))
    xml = submission_xml(household, late, age="9", deprecated_id=a)  # a second device edited a's old copy
    for _ in range(2):  # a resend gets the same answer and keeps one copy
        r = post_submission(client, xml)
        assert r.status_code == 409 and b in openrosa_message(r)
    assert stored(late) is None and stored(b).is_current and not stored(a).is_current
    conflict = db.session.scalar(select(SubmissionConflict))
    assert (conflict.instance_id, conflict.submission_id, count(SubmissionConflict)) == (late, stored(a).id, 1)


def test_edits_can_never_form_a_cycle_and_every_chain_keeps_one_current_record(client, household):
    a, b, c = new_instance_id(), new_instance_id(), new_instance_id()
    # Two edits naming each other, neither original known: both refused and kept, nothing vanishes.
    assert post_submission(client, submission_xml(household, b, deprecated_id=c)).status_code == 409
    assert post_submission(client, submission_xml(household, c, deprecated_id=b)).status_code == 409
    assert count(Submission) == 0 and count(UnprocessableSubmission) == 2
    # A chain a -> b; an "edit" re-using a's id to name b is a conflict under a's id, not a loop.
    post_submission(client, submission_xml(household, a, age="1"))
    post_submission(client, submission_xml(household, b, age="2", deprecated_id=a))
    assert post_submission(client, submission_xml(household, a, age="3", deprecated_id=b)).status_code == 409
    current = db.session.scalars(select(Submission).where(Submission.root_instance_id == a,
                                                          Submission.is_current.is_(True))).all()
    assert [s.instance_id for s in current] == [b]


def test_two_edits_of_one_record_at_once_end_as_one_edit_and_one_conflict(app, household, monkeypatch):
    """The head steps down only while still current: the slower of two racing edits is kept aside."""
    import threading

    from app.forms import receiving

    original = new_instance_id()
    receiving.receive_submission(submission_xml(household, original), {}, "t")
    edits = [submission_xml(household, new_instance_id(), age=str(40 + i), deprecated_id=original) for i in range(2)]
    barrier = threading.Barrier(2, timeout=10)
    real_check = receiving._check

    def slow_check(*args, **kwargs):  # both requests have read the head as current before either writes
        result = real_check(*args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(receiving, "_check", slow_check)
    results = []

    def send(xml):
        with app.app_context():
            try:
                results.append(receiving.receive_submission(xml, {}, "t").status)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send, args=(x,)) for x in edits]
    [t.start() for t in threads]
    [t.join(30) for t in threads]
    assert sorted(results) == [201, 409]
    db.session.expire_all()
    current = db.session.scalars(select(Submission).where(Submission.root_instance_id == original,
                                                          Submission.is_current.is_(True))).all()
    assert len(current) == 1 and count(SubmissionConflict) == 1


def test_submission_on_an_old_form_version_is_accepted_on_that_version(client, app):
    v1 = publish(version="1")
    v2 = publish(version="2", extra_question=True)
    assert v1.form_pk == v2.form_pk and v1.id != v2.id
    iid = new_instance_id()
    r = post_submission(client, submission_xml(v1, iid))
    assert r.status_code == 201
    sub = stored(iid)
    assert sub.form_version_id == v1.id
    assert sub.status == SubmissionStatus.ACCEPTED


def test_invalid_answers_are_stored_as_needs_correction_with_their_errors(client, household):
    iid = new_instance_id()
    # An empty required answer and a non-number in an integer question.
    r = post_submission(client, submission_xml(household, iid, name="", age="forty"),
                        accept="application/json")
    assert r.status_code == 201
    body = r.get_json()
    assert body["submission_status"] == "needs_correction"
    assert body["instance_id"] == iid
    assert body["errors"] and all(e["message_th"] and e["message_en"] for e in body["errors"])
    sub = stored(iid)
    assert sub.status == SubmissionStatus.NEEDS_CORRECTION
    paths = {e["path"] for e in sub.errors}
    assert any(p and p.endswith("/age") for p in paths)
    assert any(p and p.endswith("/name") for p in paths)
    # The XML answer says so too.
    other = new_instance_id()
    r = post_submission(client, submission_xml(household, other, age="forty"))
    assert r.status_code == 201
    assert "needs correction" in openrosa_message(r)


def test_json_answer_for_the_browser_runtime(client, household):
    iid = new_instance_id()
    r = post_submission(client, submission_xml(household, iid), accept="application/json")
    assert r.status_code == 201
    assert r.mimetype == "application/json"
    assert r.headers["X-OpenRosa-Version"] == "1.0"
    body = r.get_json()
    assert body["status"] == 201
    assert body["instance_id"] == iid
    assert body["submission_status"] == "accepted"
    assert body["errors"] == []
    assert body["message_th"] and body["message_en"]
    r = post_submission(client, submission_xml(household, iid, name="Other"), accept="application/json")
    assert r.status_code == 409
    assert r.get_json()["status"] == 409


def test_attachments_are_stored_with_their_sha256_and_downloadable(client, household):
    iid = new_instance_id()
    r = post_submission(client, submission_xml(household, iid, photo="p.jpg"), [("p.jpg", JPEG, "image/jpeg")])
    assert r.status_code == 201
    sub = stored(iid)
    assert sub.status == SubmissionStatus.ACCEPTED
    [att] = sub.attachments
    assert att.filename == "p.jpg" and att.content_type == "image/jpeg"
    assert att.sha256 == hashlib.sha256(JPEG).hexdigest() and att.size == len(JPEG)
    assert db.session.get(Blob, att.sha256).content == JPEG
    detail = client.get(f"/api/v1/submissions/{iid}").get_json()
    download = client.get(detail["attachments"][0]["url"])
    assert download.status_code == 200
    assert download.data == JPEG
    assert download.mimetype == "image/jpeg"


def test_the_same_file_in_two_submissions_is_stored_once(client, household):
    for _ in range(2):
        iid = new_instance_id()
        post_submission(client, submission_xml(household, iid, photo="p.jpg"), [("p.jpg", JPEG, "image/jpeg")])
    assert count(Attachment) == 2
    assert count(Blob) == 1


def test_a_multi_post_resend_adds_the_missing_attachment(client, household):
    iid = new_instance_id()
    xml = submission_xml(household, iid, photo="p.jpg")
    # ODK Collect splits a large submission: the first POST carries the XML alone ...
    assert post_submission(client, xml).status_code == 201
    assert stored(iid).attachments == []
    # ... the next one the same XML with the file.
    r = post_submission(client, xml, [("p.jpg", JPEG, "image/jpeg")])
    assert r.status_code == 201
    sub = stored(iid)
    assert [a.filename for a in sub.attachments] == ["p.jpg"]
    assert sub.attachments[0].sha256 == hashlib.sha256(JPEG).hexdigest()
    assert sub.status == SubmissionStatus.ACCEPTED
    assert count(Submission) == 1


def test_unreadable_xml_is_400_and_the_raw_bytes_are_kept(client, household):
    raw = b"<data id='household'><name>unclosed"
    r = post_submission(client, raw, [("p.jpg", JPEG, "image/jpeg")])
    assert r.status_code == 400
    assert r.headers["X-OpenRosa-Version"] == "1.0"
    assert openrosa_message(r)
    kept = db.session.scalar(select(UnprocessableSubmission))
    assert kept.xml == raw
    assert kept.reason_code == "unreadable"
    assert kept.reason_th and kept.reason_en
    assert [a["filename"] for a in kept.attachments] == ["p.jpg"]
    assert db.session.get(Blob, hashlib.sha256(JPEG).hexdigest()).content == JPEG
    assert count(Submission) == 0
    # Sending the same bytes again is recorded on the same row.
    post_submission(client, raw)
    assert count(UnprocessableSubmission) == 1
    db.session.expire_all()
    assert db.session.scalar(select(UnprocessableSubmission)).times_received == 2


def test_submission_without_instance_id_is_400_and_kept(client, household):
    xml = submission_xml(household, None)
    r = post_submission(client, xml)
    assert r.status_code == 400
    assert "instanceID" in openrosa_message(r)
    kept = db.session.scalar(select(UnprocessableSubmission))
    assert kept.xml == xml and kept.reason_code == "no_instance_id"
    assert count(Submission) == 0


def test_unknown_form_is_404_and_kept(client, household):
    iid = new_instance_id()
    xml = submission_xml(household, iid, form_id="no_such_form")
    r = post_submission(client, xml)
    assert r.status_code == 404
    assert "no_such_form" in openrosa_message(r)
    kept = db.session.scalar(select(UnprocessableSubmission))
    assert kept.xml == xml and kept.reason_code == "unknown_form"
    assert kept.form_id == "no_such_form" and kept.instance_id == iid
    assert count(Submission) == 0


def test_unknown_version_of_a_known_form_is_422_and_kept(client, household):
    iid = new_instance_id()
    xml = submission_xml(household, iid, version="999")
    r = post_submission(client, xml, accept="application/json")
    assert r.status_code == 422
    assert r.get_json()["message_en"]
    kept = db.session.scalar(select(UnprocessableSubmission))
    assert kept.reason_code == "unknown_version" and kept.version == "999"
    assert count(Submission) == 0


def test_attachment_over_the_limit_is_413_and_the_xml_kept(client, app, household):
    app.config["MAX_ATTACHMENT_BYTES"] = 1000
    iid = new_instance_id()
    xml = submission_xml(household, iid, photo="big.jpg")
    r = post_submission(client, xml, [("big.jpg", b"x" * 1001, "image/jpeg")])
    assert r.status_code == 413
    assert count(Submission) == 0
    kept = db.session.scalar(select(UnprocessableSubmission))
    assert kept.reason_code == "too_large" and kept.xml == xml
    assert kept.attachments[0]["stored"] is False
    assert count(Blob) == 0


def test_request_over_max_content_length_is_413_not_500(client, app, household):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    r = post_submission(client, submission_xml(household, new_instance_id()), [("big.jpg", b"x" * 5000, "image/jpeg")])
    assert r.status_code == 413
    assert r.headers["X-OpenRosa-Version"] == "1.0"


def test_raw_xml_body_is_taken_as_the_submission(client, household):
    iid = new_instance_id()
    r = client.post("/submission", data=submission_xml(household, iid), content_type="text/xml",
                    headers={"X-OpenRosa-Version": "1.0"})
    assert r.status_code == 201
    assert stored(iid) is not None


def test_a_torn_write_leaves_no_submission_attachment_or_blob(client, household, monkeypatch):
    def boom(*_args, **_kwargs):
        # Runs inside the storing transaction, after the Submission, Attachment and Blob were flushed.
        assert count_in_transaction(Submission) == 1
        raise RuntimeError("disk full")

    def count_in_transaction(model):
        return db.session.scalar(select(func.count()).select_from(model))

    monkeypatch.setattr(receiving, "_score", boom)  # after the attachments and blobs are written
    iid = new_instance_id()
    xml = submission_xml(household, iid, photo="p.jpg")
    r = post_submission(client, xml, [("p.jpg", JPEG, "image/jpeg")])
    assert r.status_code == 500
    assert r.headers["X-OpenRosa-Version"] == "1.0"
    assert count(Submission) == 0
    assert count(Attachment) == 0
    assert count(Blob) == 0
    # The XML itself is kept aside for the administrator.
    kept = db.session.scalar(select(UnprocessableSubmission))
    assert kept.xml == xml and kept.reason_code == "server_error"
    # Once the fault is gone, the device's retry is stored normally.
    monkeypatch.undo()
    assert post_submission(client, xml, [("p.jpg", JPEG, "image/jpeg")]).status_code == 201
    assert [a.filename for a in stored(iid).attachments] == ["p.jpg"]


def test_billion_laughs_is_refused_cleanly_and_quickly(client, household):
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + b"".join(
            f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
            for i in range(1, 10)
        )
        + b']>\n<data id="household" version="1"><name>&lol9;</name>'
        b"<meta><instanceID>uuid:bomb</instanceID></meta></data>"
    )
    started = time.monotonic()
    r = post_submission(client, bomb)
    assert time.monotonic() - started < 5
    assert r.status_code == 400
    assert count(Submission) == 0
    assert db.session.scalar(select(UnprocessableSubmission)).xml == bomb


def test_two_identical_posts_at_once_store_one_record(app, household, monkeypatch):
    iid = new_instance_id()
    xml = submission_xml(household, iid, photo="p.jpg")
    both_checked = threading.Barrier(2, timeout=10)
    real_check = receiving._check

    def check_then_wait(*args, **kwargs):
        result = real_check(*args, **kwargs)
        try:
            both_checked.wait()  # both requests have seen "no such instanceID" before either writes
        except threading.BrokenBarrierError:
            pass
        return result

    monkeypatch.setattr(receiving, "_check", check_then_wait)
    outcomes, failures = [], []

    def send():
        try:
            with app.app_context():
                outcome = receiving.receive_submission(xml, {"p.jpg": (JPEG, "image/jpeg")}, "tester")
                outcomes.append((outcome.status, outcome.created, outcome.code))
                db.session.remove()
        except Exception as e:  # pragma: no cover - reported below
            failures.append(e)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not failures
    assert sorted(outcomes) == [(201, False, "duplicate"), (201, True, "created")]
    assert count(Submission) == 1
    assert count(Attachment) == 1


@pytest.mark.parametrize("names", [("dir1/same.jpg", "dir2/same.jpg"), ("same.jpg", "same.jpg"),
                                   ("a/b/same.jpg", "c/same.jpg")])
def test_two_different_files_under_one_name_refuse_the_whole_submission_and_keep_both(client, household, names):
    iid = new_instance_id()
    xml = submission_xml(household, iid, photo="same.jpg")
    r = post_submission(client, xml, [(names[0], JPEG, "image/jpeg"), (names[1], PNG, "image/png")])
    assert r.status_code == 400 and "same.jpg" in openrosa_message(r)
    assert stored(iid) is None and count(Attachment) == 0
    kept = db.session.scalar(select(UnprocessableSubmission))
    assert kept.reason_code == "duplicate_attachment" and kept.xml == xml
    described = sorted((a["filename"], a["sha256"], a["stored"]) for a in kept.attachments)
    assert described == sorted([("same.jpg", hashlib.sha256(JPEG).hexdigest(), True),
                                ("same (2).jpg", hashlib.sha256(PNG).hexdigest(), True)])
    assert {b.sha256 for b in db.session.scalars(select(Blob))} == {hashlib.sha256(JPEG).hexdigest(),
                                                                    hashlib.sha256(PNG).hexdigest()}


def test_the_same_file_sent_twice_in_one_request_is_kept_once(client, household):
    iid = new_instance_id()
    r = post_submission(client, submission_xml(household, iid, photo="p.jpg"),
                        [("p.jpg", JPEG, "image/jpeg"), ("d/p.jpg", JPEG, "image/jpeg")])
    assert r.status_code == 201 and [a.filename for a in stored(iid).attachments] == ["p.jpg"]
