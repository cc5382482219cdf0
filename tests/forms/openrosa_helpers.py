"""Helpers for the OpenRosa and API tests: a small household workbook, publishing it, building
submission XML for a published version and posting it as ODK Collect does."""
from __future__ import annotations

import io
import uuid
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from openpyxl import Workbook

from app.forms.publishing import publish_workbook
from app.models import FormVersion

XFORMS_NS = "http://www.w3.org/2002/xforms"


def household_workbook(form_id: str = "household", version: str = "1", title: str = "Household",
                       extra_question: bool = False) -> bytes:
    """name (text, required), age (integer 0..120), photo (image); optionally a `note_text` question."""
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "required", "constraint"])
    survey.append(["text", "name", "Name", "yes", ""])
    survey.append(["integer", "age", "Age", "", ". >= 0 and . <= 120"])
    survey.append(["image", "photo", "Photo", "", ""])
    if extra_question:
        survey.append(["text", "note_text", "Note", "", ""])
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append([title, form_id, version])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def publish(form_id: str = "household", version: str = "1", title: str = "Household",
            extra_question: bool = False) -> FormVersion:
    data = household_workbook(form_id, version, title, extra_question)
    return publish_workbook(f"{form_id}.xlsx", data, "tester").form_version


def root_name(form_version: FormVersion) -> str:
    """The primary instance's root element name in the published XForm."""
    tree = ET.fromstring(form_version.xform.encode("utf-8"))
    instance = next(tree.iter(f"{{{XFORMS_NS}}}instance"))
    root = next(iter(instance))
    return root.tag.split("}")[-1]


def new_instance_id() -> str:
    return f"uuid:{uuid.uuid4()}"


def submission_xml(form_version: FormVersion, instance_id: str | None = None, *, name: str = "Somchai",
                   age: str = "40", photo: str = "", deprecated_id: str | None = None,
                   form_id: str | None = None, version: str | None = None) -> bytes:
    root = root_name(form_version)
    form_id = form_id or form_version.form.form_id
    version = form_version.version if version is None else version
    meta = ""
    if instance_id is not None:
        meta += f"<instanceID>{escape(instance_id)}</instanceID>"
    if deprecated_id is not None:
        meta += f"<deprecatedID>{escape(deprecated_id)}</deprecatedID>"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<{root} xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" '
        f'id="{escape(form_id)}" version="{escape(version)}">'
        f"<name>{escape(name)}</name><age>{escape(age)}</age><photo>{escape(photo)}</photo>"
        f"<meta>{meta}</meta></{root}>"
    ).encode("utf-8")


def post_submission(client, xml: bytes, files: list[tuple[str, bytes, str]] = (), *, accept: str | None = None,
                    query: str = ""):
    """POST multipart as ODK Collect does: `xml_submission_file` plus one part per attachment."""
    data = {"xml_submission_file": (io.BytesIO(xml), "submission.xml", "text/xml")}
    for filename, content, content_type in files:  # a name sent twice is two parts, as on the wire
        data.setdefault(filename, []).append((io.BytesIO(content), filename, content_type))
    headers = {"X-OpenRosa-Version": "1.0"}
    if accept:
        headers["Accept"] = accept
    return client.post("/submission" + query, data=data, content_type="multipart/form-data", headers=headers)


def openrosa_message(response) -> str:
    tree = ET.fromstring(response.data)
    assert tree.tag == "{http://openrosa.org/http/response}OpenRosaResponse"
    return tree.findtext("{http://openrosa.org/http/response}message") or ""


def openrosa_multipart(xml: bytes, files: list[tuple[str, bytes, str]] = ()) -> tuple[bytes, str]:
    """The body and Content-Type of an OpenRosa POST as ODK Collect sends it, for raw HTTP clients
    (live servers, benchmarks): `xml_submission_file` plus one part per attachment."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="xml_submission_file"; '
             f'filename="submission.xml"\r\nContent-Type: text/xml\r\n\r\n'.encode(), xml, b"\r\n"]
    for filename, content, content_type in files:
        parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{filename}"; filename="{filename}"\r\n'
                  f"Content-Type: {content_type}\r\n\r\n".encode(), content, b"\r\n"]
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
