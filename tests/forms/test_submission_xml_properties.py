"""Property: whatever shape a submission of a bundled form arrives in — nested deep, padded large,
in another namespace, in another encoding — the server answers 201 or a 4xx (never 5xx), every 201
stored the posted answers exactly, and nothing logs a traceback."""
from __future__ import annotations

import io
import logging
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

from app import db
from app.demo import (PROFILES, REGISTRATION_FILES, household_answers, instance_xml, registration_answers)
from app.forms.definitions import definition_of
from app.forms.publishing import publish_workbook
from app.models import Submission
from app.xlsform import submission as S
from tests.auth.conftest import basic

HERE = Path(__file__).resolve().parents[2] / "app" / "questionnaires"
ASSESSMENT = {**PROFILES["high"], "group": "SG-4201-00001", "assessed_on": "2026-03-10", "assessor_name": "สมชาย",
              **{f"i{n:02d}": "3" for n in range(1, 22) if n not in (3, 5, 6, 13, 19)}}
FORMS = {
    "sg_assessment_21": (lambda: ASSESSMENT, {}),
    "hh_mapping": (household_answers, {}),
    "group_registration": (registration_answers, REGISTRATION_FILES),
}
ENCODINGS = ["UTF-8", "utf-8", "TIS-620", "ISO-8859-1", "UTF-16", None, "no-such-encoding"]
NAMESPACES = [None, "http://www.w3.org/2002/xforms", "http://evil.example/ns"]


@st.composite
def shapes(draw):
    return {
        "depth": draw(st.sampled_from([0, 1, 5, 40, S.MAX_DEPTH - 10, S.MAX_DEPTH, 400])),
        "where": draw(st.sampled_from(["meta", "root"])),
        "padding": draw(st.integers(0, 30)),
        "pad_text": draw(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=300)),
        "namespace": draw(st.sampled_from(NAMESPACES)),
        "encoding": draw(st.sampled_from(ENCODINGS)),
    }


def shaped(base: bytes, shape: dict, instance_id: str) -> tuple[bytes, dict[str, str]]:
    """The base instance reshaped; returns the bytes and the unknown answers it added (path -> text)."""
    root = etree.fromstring(base)
    root.find("meta/instanceID").text = instance_id
    added: dict[str, str] = {}
    host = root.find("meta") if shape["where"] == "meta" else root
    host_path = "/data/meta" if shape["where"] == "meta" else "/data"
    if shape["depth"]:
        el, path = host, host_path
        for _ in range(shape["depth"]):
            el = etree.SubElement(el, "deep")
            path += "/deep"
        el.text = "bottom"
        added[path] = "bottom"
    for i in range(shape["padding"]):
        etree.SubElement(host, f"pad{i}").text = shape["pad_text"]
        added[f"{host_path}/pad{i}"] = shape["pad_text"]
    text = etree.tostring(root, encoding="unicode")
    if shape["namespace"]:
        text = text.replace("<data ", f'<data xmlns="{shape["namespace"]}" ', 1)
    encoding = shape["encoding"]
    if encoding is None:
        return text.encode("utf-8"), added
    declared = f'<?xml version="1.0" encoding="{encoding}"?>'
    try:
        codec = "utf-8" if encoding == "no-such-encoding" else encoding
        return (declared + text).encode(codec, errors="xmlcharrefreplace"), added
    except UnicodeEncodeError:
        return (declared + text).encode("utf-8"), added


@pytest.mark.parametrize("form_id", list(FORMS))
def test_any_shape_of_a_bundled_submission_is_stored_exactly_or_refused(app, make_user, caplog, form_id):
    fv = publish_workbook(f"{form_id}.xlsx", (HERE / f"{form_id}.xlsx").read_bytes(), "test").form_version
    definition = definition_of(fv)
    answers, files = FORMS[form_id]
    base = instance_xml(fv.xform, definition, answers(), "uuid:base")
    calculated = {n.path for n in definition.nodes() if n.calculate}
    posted = {p: v for p, v in S.extract_answers(S.parse_submission(base), definition).items()
              if isinstance(v, str) and p not in calculated and "/meta/" not in p}
    officer = make_user("officer", district="4201")
    client = app.test_client()
    caplog.set_level(logging.INFO)

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(shapes())
    def check(shape):
        instance_id = f"uuid:{uuid.uuid4()}"
        xml, added = shaped(base, shape, instance_id)
        data = {"xml_submission_file": (io.BytesIO(xml), "submission.xml", "text/xml")}
        for name, (content, ctype) in files.items():
            data[name] = (io.BytesIO(content), name, ctype)
        resp = client.post("/submission", data=data, content_type="multipart/form-data", headers=basic(officer))
        assert resp.status_code == 201 or 400 <= resp.status_code < 500, (shape, resp.status_code)
        refused_for = (shape["depth"] >= S.MAX_DEPTH or shape["encoding"] == "no-such-encoding"
                       or shape["namespace"] == "http://evil.example/ns")
        assert (resp.status_code != 201) == refused_for, (shape, resp.status_code, resp.data[:300])
        if resp.status_code == 201:
            stored = db.session.query(Submission).filter_by(instance_id=instance_id).one().data
            for path, value in {**posted, **added}.items():
                assert stored.get(path) == value, (shape, path)
        assert [r.getMessage() for r in caplog.records if r.exc_info] == [], shape

    check()
