"""Hostile or odd submission XML never skips the server's checks: too deep or too large input is
refused and kept (quarantine, 4xx), an unknown encoding or a root in another namespace is refused
and kept, a failure of the checker leaves the record "needs correction" (never accepted unchecked),
answer extraction does not recurse on input depth, and no refused input logs a traceback."""
from __future__ import annotations

import inspect
import logging
import sys

import pytest
from sqlalchemy import func, select

from app import db
from app.forms.receiving import receive_submission
from app.models import Submission, SubmissionStatus, UnprocessableSubmission
from app.xlsform import submission as S
from tests.forms.openrosa_helpers import new_instance_id, publish, submission_xml


@pytest.fixture
def fv(app):
    return publish()


def tracebacks(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info]


def nested(xml: bytes, where: bytes, depth: int) -> bytes:
    return xml.replace(where, where + b"<x>" * depth + b"1" + b"</x>" * depth, 1)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("where", [b"<meta>", b"<name>"])
@pytest.mark.parametrize("depth", [S.MAX_DEPTH, 300, 5000])
def test_too_deep_xml_is_refused_and_kept_never_accepted(fv, caplog, where, depth):
    caplog.set_level(logging.INFO)
    xml = nested(submission_xml(fv, new_instance_id()), where, depth)
    out = receive_submission(xml, {}, "officer")
    assert (out.status, out.code, out.submission) == (400, "too_deep", None)
    assert "100" in out.message_en and "100" in out.message_th
    assert count(Submission) == 0
    kept = db.session.scalar(select(UnprocessableSubmission))
    assert kept.reason_code == "too_deep" and bytes(kept.xml) == xml
    assert tracebacks(caplog) == []


def test_nesting_within_the_limit_is_kept_under_its_path_and_read_without_recursion(fv):
    depth = S.MAX_DEPTH - 5
    xml = nested(submission_xml(fv, new_instance_id()), b"<meta>", depth)
    parsed = S.parse_submission(xml)
    from app.forms.definitions import definition_of

    definition = definition_of(fv)
    # Far less stack than the input's depth needs if every level cost a frame: a recursive walk fails.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 40)
    try:
        answers = S.extract_answers(parsed, definition)
    finally:
        sys.setrecursionlimit(limit)
    assert answers["/data/meta" + "/x" * depth] == "1"
    out = receive_submission(xml, {}, "officer")
    assert out.status == 201 and out.submission.status == SubmissionStatus.ACCEPTED
    assert out.submission.data["/data/meta" + "/x" * depth] == "1"


def test_more_elements_than_any_form_has_is_refused_as_too_large(fv, caplog, monkeypatch):
    monkeypatch.setattr(S, "MAX_ELEMENTS", 50)
    xml = submission_xml(fv, new_instance_id()).replace(b"<meta>", b"<meta>" + b"<n>1</n>" * 60)
    out = receive_submission(xml, {}, "officer")
    assert (out.status, out.code) == (413, "too_large") and count(Submission) == 0
    assert count(UnprocessableSubmission) == 1 and tracebacks(caplog) == []


@pytest.mark.parametrize("declaration", ["foo-bar", "x-unknown-8", "utf-99"])
def test_an_unknown_encoding_is_refused_with_a_message_and_no_traceback(fv, caplog, declaration):
    xml = submission_xml(fv, new_instance_id()).replace(b'encoding="UTF-8"', f'encoding="{declaration}"'.encode())
    out = receive_submission(xml, {}, "officer")
    assert (out.status, out.code) == (400, "unreadable")
    assert "UTF-8" in out.message_en and "encoding" in out.message_th
    assert count(UnprocessableSubmission) == 1 and tracebacks(caplog) == []


def test_a_known_encoding_other_than_utf8_is_read(fv):
    xml = submission_xml(fv, new_instance_id(), name="สมชาย").decode("utf-8")
    encoded = xml.replace('encoding="UTF-8"', 'encoding="TIS-620"').encode("tis-620")
    out = receive_submission(encoded, {}, "officer")
    assert out.status == 201 and out.submission.data["/data/name"] == "สมชาย"
    # Stored as the document it is (was decoded as UTF-8 with replacement characters: lost)
    assert "<name>สมชาย</name>" in out.submission.xml and 'encoding="UTF-8"' in out.submission.xml
    utf16 = submission_xml(fv, new_instance_id(), name="สมชาย").decode("utf-8").encode("utf-16")
    out = receive_submission(utf16.replace("UTF-8".encode("utf-16")[2:], "UTF-16".encode("utf-16")[2:]), {}, "o")
    assert out.status == 201 and "<name>สมชาย</name>" in out.submission.xml


@pytest.mark.parametrize("namespace", ["http://evil.example/ns", "urn:other"])
def test_a_root_in_a_foreign_namespace_is_refused_and_kept(fv, caplog, namespace):
    xml = submission_xml(fv, new_instance_id()).replace(b"<data ", f'<data xmlns="{namespace}" '.encode(), 1)
    out = receive_submission(xml, {}, "officer")
    assert (out.status, out.code, out.submission) == (400, "unreadable", None)
    assert namespace in out.message_en
    assert count(UnprocessableSubmission) == 1 and tracebacks(caplog) == []


def test_a_root_in_the_xforms_namespace_is_the_forms_own(fv):
    xml = submission_xml(fv, new_instance_id()).replace(
        b"<data ", b'<data xmlns="http://www.w3.org/2002/xforms" ', 1)
    out = receive_submission(xml, {}, "officer")
    assert out.status == 201 and out.submission.status == SubmissionStatus.ACCEPTED
    assert out.submission.data["/data/name"] == "Somchai"


def test_a_failure_of_the_checker_never_accepts_a_submission(fv, monkeypatch):
    import app.xlsform.revalidate as R

    def broken(*_a, **_k):
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(R._Run, "run", broken)
    out = receive_submission(submission_xml(fv, new_instance_id()), {}, "officer")
    assert out.status == 201 and out.submission.status == SubmissionStatus.NEEDS_CORRECTION
    assert [e["code"] for e in out.submission.errors if e["level"] == "error"] == ["logic_check_failed"]
    assert out.submission.data["/data/name"] == "Somchai"  # what could be read is kept

    monkeypatch.setattr(R, "revalidate", broken)
    out = receive_submission(submission_xml(fv, new_instance_id()), {}, "officer")
    assert out.submission.status == SubmissionStatus.NEEDS_CORRECTION
    assert "server_check_failed" in [e["code"] for e in out.submission.errors]
