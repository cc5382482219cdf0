"""Fuzzing the machine endpoints (OpenRosa /submission and /formList, the JSON API) with hypothesis:
thousands of malformed requests, zero 5xx, and nothing stored from a rejected request except what
the rules keep: an unfileable submission goes to quarantine (UnprocessableSubmission), a conflicting
one is kept aside (SubmissionConflict, 409); a request answered 4xx otherwise stores nothing.
Bounded by a fixed number of examples, not by a clock (a wall-clock limit failed on a loaded machine;
the whole file runs in about a minute on a quiet one)."""
from __future__ import annotations

import io
import string
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app import db
from app.models import Blob, Submission, SubmissionConflict, UnprocessableSubmission, User
from tests.auth.conftest import basic, people_xml

FUZZ = settings(max_examples=800, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
text_chars = st.characters(blacklist_categories=("Cs",))
names = st.text(alphabet=string.ascii_letters + string.digits + "_-.:/%?#&=<>\"' ", max_size=40)
xml_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,12}", fullmatch=True)


def counts() -> tuple[int, int, int, int, int]:
    s = db.session
    return tuple(s.scalar(select(func.count()).select_from(m)) for m in  # type: ignore[return-value]
                 (Submission, SubmissionConflict, UnprocessableSubmission, Blob, User))


@st.composite
def xml_bodies(draw, fv):
    kind = draw(st.sampled_from(["bytes", "text", "shaped", "mutated", "valid", "huge_name"]))
    if kind == "bytes":
        return draw(st.binary(max_size=600))
    if kind == "text":
        return draw(st.text(text_chars, max_size=400)).encode("utf-8", "surrogatepass")
    if kind == "huge_name":
        return people_xml(fv, "uuid:" + "x" * draw(st.integers(200, 400)))
    if kind == "valid":
        return people_xml(fv, f"uuid:{draw(st.uuids())}", head_name=draw(st.text(text_chars, max_size=30)),
                          national_id=draw(st.text(string.digits + "x", max_size=20)),
                          note=draw(st.text(text_chars, max_size=30)),
                          deprecated_id=draw(st.one_of(st.none(), st.sampled_from(["uuid:own-4201",
                                                                                     "uuid:other-9901"]))))
    if kind == "shaped":
        root = draw(xml_names)
        children = "".join(f"<{n}>{draw(st.text(string.printable, max_size=15)).replace('<', '').replace('&', '')}</{n}>"
                           for n in draw(st.lists(xml_names, max_size=5)))
        form_id = draw(st.one_of(st.just("people"), names))
        version = draw(st.one_of(st.just("1"), names))
        iid = draw(st.one_of(st.none(), st.just("uuid:own-4201"), st.just("uuid:other-9901"), names))
        meta = "" if iid is None else f"<meta><instanceID>{iid.replace('<', '').replace('&', '')}</instanceID></meta>"
        return (f'<{root} id="{form_id.replace(chr(34), "")}" version="{version.replace(chr(34), "")}">'
                f"{children}{meta}</{root}>").encode("utf-8", "surrogatepass")
    base = people_xml(fv, f"uuid:{draw(st.uuids())}")
    cut = draw(st.integers(0, len(base)))
    return base[:cut] + draw(st.binary(max_size=20)) + base[cut + draw(st.integers(0, 30)):]


@given(data=st.data())
@FUZZ
def test_fuzz_submission_endpoint(world, data):
    officer = world.users["officer"]
    xml = data.draw(xml_bodies(world.fv))
    shape = data.draw(st.sampled_from(["multipart", "raw", "multipart_extra", "no_xml_part", "bad_multipart"]))
    auth = data.draw(st.sampled_from(["basic", "basic_wrong", "none", "garbage"]))
    headers = {"X-OpenRosa-Version": "1.0"}
    if auth == "basic":
        headers.update(basic(officer))
    elif auth == "basic_wrong":
        # An account that does not exist: a wrong password for the officer would lock the officer out
        # (5 failures) and turn every later "basic" example into a 401.
        headers.update(basic("nobody-fuzz", "nope-nope-nope"))
    elif auth == "garbage":
        headers["Authorization"] = data.draw(st.text(string.printable.replace("\n", "").replace("\r", ""),
                                                     max_size=40))
    if data.draw(st.booleans()):
        headers["Accept"] = "application/json"
    query = data.draw(st.sampled_from(["", "?deviceID=" + "d" * 10, "?deviceID="]))
    client = world.app.test_client()
    if auth != "basic":  # failures come from elsewhere, so the per-address limit never stops the officer
        client.environ_base["REMOTE_ADDR"] = "10.0.0.66"
    before = counts()
    if shape == "raw":
        r = client.post("/submission" + query, data=xml, content_type="text/xml", headers=headers)
    elif shape == "bad_multipart":
        r = client.post("/submission" + query, data=b"--x\r\n" + xml, headers=headers,
                        content_type="multipart/form-data; boundary=" + data.draw(st.sampled_from(["x", "", "zz"])))
    else:
        parts = {}
        if shape != "no_xml_part":
            parts["xml_submission_file"] = (io.BytesIO(xml), "s.xml", "text/xml")
        if shape == "multipart_extra":
            fname = data.draw(st.text(string.ascii_letters + "./\\_-", min_size=1, max_size=20))
            parts[fname] = (io.BytesIO(data.draw(st.binary(max_size=200))), fname,
                            data.draw(st.sampled_from(["image/png", "text/html", "x/y;;", ""])) or "application/x")
        r = client.post("/submission" + query, data=parts, content_type="multipart/form-data", headers=headers)
    after = counts()
    assert r.status_code < 500, (r.status_code, xml[:200])
    subs, conflicts, quarantined, _blobs, users = (a - b for a, b in zip(after, before))
    assert users == 0
    if r.status_code == 429:  # many wrong passwords from this address (app/auth/throttle.py): nothing tried
        assert auth != "basic" and after == before
        return
    assert not (auth == "basic" and r.status_code == 401), "the officer's right password was refused"
    if auth != "basic":
        assert r.status_code == 401 and after[:3] == before[:3]  # nothing at all from the unauthenticated
        return
    if r.status_code == 201:
        assert subs <= 1 and conflicts == 0 and quarantined == 0
    elif r.status_code == 409:  # a conflict kept aside, or an edit of a record not held kept in quarantine
        assert subs == 0 and conflicts + quarantined <= 1
    else:
        assert subs == 0 and conflicts == 0 and quarantined <= 1


API_PATHS = ["/api/v1/forms", "/api/v1/forms/{x}", "/api/v1/forms/{x}/submissions", "/api/v1/submissions/{x}",
             "/api/v1/submissions/{x}/attachments/{y}", "/formList", "/formList/{x}/{y}/xform.xml",
             "/formList/{x}/{y}/manifest", "/formList/{x}/{y}/media/{y}", "/forms/{x}/submissions",
             "/forms/{x}/export.{y}", "/forms/{x}/submissions/{x}"]
QUERY_KEYS = ["status", "current", "limit", "offset", "formID", "from", "to", "page", "superseded", "lang",
              "headers", "include_national_ids", "reason", "x"]


@given(data=st.data())
@FUZZ
def test_fuzz_read_endpoints(world, data):
    role = data.draw(st.sampled_from(["officer", "district", "province", "admin", "anonymous"]))
    client = world.client(role)
    path = data.draw(st.sampled_from(API_PATHS))
    pick = st.one_of(names.filter(lambda s: s.strip(" ./") != ""), st.sampled_from(
        ["people", "1", "uuid:own-4201", "uuid:other-9901", "p.png", "csv", "xlsx"]))
    seg = lambda: quote(data.draw(pick), safe=":")  # noqa: E731 - a path segment, as a client would send it
    url = path.replace("{x}", seg(), 1).replace("{y}", seg()).replace("{x}", seg())
    query = {k: data.draw(st.text(text_chars, max_size=12)) for k in data.draw(st.lists(st.sampled_from(QUERY_KEYS),
                                                                                           max_size=4, unique=True))}
    before = counts()
    r = client.get(url, query_string=query)
    assert r.status_code < 500, (url, query, r.status_code)
    assert counts() == before  # reads store nothing
    if r.status_code == 200 and role == "officer":
        assert b"other-9901" not in r.data and b"9999999999999" not in r.data  # never another district's
